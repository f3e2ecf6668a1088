// Adler-32 (RFC 1950, zlib's adler32 with initial value 1), the checksum of ZooKeeper's log
// records and snapshot seals. Incremental: feed bytes in any split, the result is the same.
// Invariant: the state (a, b) is always reduced mod 65521 between calls.

const MOD = 65521;
// Reduce every 5552 bytes (zlib's bound for 32-bit sums): intermediates stay small integers,
// so the inner loop never needs a modulo.
const BLOCK_BYTES = 5552;

export class Adler32 {
  private a = 1;
  private b = 0;

  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    let a = this.a;
    let b = this.b;
    let i = start;
    while (i < end) {
      const blockEnd = Math.min(end, i + BLOCK_BYTES);
      for (; i < blockEnd; i++) {
        a += bytes[i]!;
        b += a;
      }
      a %= MOD;
      b %= MOD;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** The checksum as an unsigned 32-bit number. */
  value(): number {
    return this.b * 65536 + this.a;
  }
}

export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return new Adler32().update(bytes, start, end).value();
}
