// Reads jute binary-archive primitives (big-endian) from a byte range. Knows no records.
// Every length is checked against the remaining bytes and a maximum, so a hostile length
// never allocates or reads past the frame.

import { JuteDecodeError } from './errors.js';

/** Default upper bound for one buffer/ustring inside a record (jute.maxbuffer + extrasize). */
export const JUTE_FIELD_BYTES_MAX = 0xfffff * 2;

export class JuteReader {
  private readonly view: DataView;
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
    readonly end = bytes.length,
    readonly fieldBytesMax = JUTE_FIELD_BYTES_MAX,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  remaining(): number {
    return this.end - this.offset;
  }

  private need(count: number): void {
    if (this.offset + count > this.end) {
      throw new JuteDecodeError(`truncated: need ${count} bytes at ${this.offset}, have ${this.end - this.offset}`);
    }
  }

  readByte(): number {
    this.need(1);
    return this.view.getInt8(this.offset++);
  }

  readBool(): boolean {
    return this.readByte() !== 0;
  }

  readInt(): number {
    this.need(4);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  readLong(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  /** A long that is known to fit a double (times in ms, TTLs). */
  readLongNumber(): number {
    return Number(this.readLong());
  }

  private readLength(): number {
    const n = this.readInt();
    if (n < -1 || n > this.fieldBytesMax) throw new JuteDecodeError(`bad length ${n} at ${this.offset - 4}`);
    return n;
  }

  /** null for length -1, as jute keeps null and empty distinct. Returns a view, not a copy. */
  readBuffer(): Uint8Array | null {
    const n = this.readLength();
    if (n === -1) return null;
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  readUString(): string | null {
    const n = this.readLength();
    if (n === -1) return null;
    this.need(n);
    const s = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.offset, n).toString('utf8');
    this.offset += n;
    return s;
  }

  /** A ustring where null is a protocol error. */
  readString(): string {
    const s = this.readUString();
    if (s === null) throw new JuteDecodeError('unexpected null string');
    return s;
  }

  readVector<T>(readItem: (r: JuteReader) => T): T[] | null {
    const count = this.readInt();
    if (count === -1) return null;
    // Each item takes at least one byte, so a count beyond the remaining bytes is malformed.
    if (count < -1 || count > this.remaining()) throw new JuteDecodeError(`bad vector count ${count}`);
    const out: T[] = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = readItem(this);
    return out;
  }
}
