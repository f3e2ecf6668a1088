// Writes jute binary-archive primitives (big-endian) into a growable buffer. Knows no records.

const INITIAL_BYTES = 256;

export class JuteWriter {
  private buf: Buffer;
  /** Over `buf`: DataView.setBigInt64 is several times faster than Buffer.writeBigInt64BE. */
  private dv: DataView;
  private pos = 0;

  constructor(initialBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(count: number): void {
    if (this.pos + count <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + count) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  writeByte(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  writeBool(v: boolean): this {
    return this.writeByte(v ? 1 : 0);
  }

  writeInt(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  writeLong(v: bigint | number): this {
    this.ensure(8);
    if (typeof v === 'number') {
      // Times and TTLs: safe integers written as two 32-bit halves, no BigInt on the hot path.
      const high = Math.floor(v / 0x100000000);
      this.buf.writeInt32BE(high | 0, this.pos);
      this.buf.writeUInt32BE(v - high * 0x100000000, this.pos + 4);
    } else {
      this.dv.setBigInt64(this.pos, v); // wraps to 64 bits, as a Java long would
    }
    this.pos += 8;
    return this;
  }

  writeBuffer(v: Uint8Array | null): this {
    if (v === null) return this.writeInt(-1);
    this.writeInt(v.length);
    this.writeRaw(v);
    return this;
  }

  writeUString(v: string | null): this {
    if (v === null) return this.writeInt(-1);
    const n = Buffer.byteLength(v, 'utf8');
    this.writeInt(n);
    this.ensure(n);
    this.buf.write(v, this.pos, n, 'utf8');
    this.pos += n;
    return this;
  }

  writeVector<T>(items: readonly T[] | null, writeItem: (w: JuteWriter, item: T) => void): this {
    if (items === null) return this.writeInt(-1);
    this.writeInt(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  writeRaw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** Reserves 4 bytes for a length prefix; call patchLength(at) after writing the body. */
  reserveInt(): number {
    const at = this.pos;
    this.writeInt(0);
    return at;
  }

  patchInt(at: number, v: number): void {
    this.buf.writeInt32BE(v | 0, at);
  }

  /** A copy of the written bytes. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** A view of the written bytes, valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
