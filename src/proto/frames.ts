// Splits a byte stream into length-prefixed frames (protocol.md §1.1, §1.3): push chunks as they
// arrive, pull complete payloads in order with next().
// Invariants:
// - a frame that lies within one pushed chunk is returned as a view of that chunk (no copy), so
//   callers must not modify a chunk after pushing it; a frame spread over chunks is copied once;
// - a length < 0 or > frameBytesMax is reported (FrameLengthError) before anything of that size
//   is allocated, and the splitter stays failed: the caller closes the connection (ZooKeeper
//   closes without replying);
// - the first 4 bytes of the stream stay readable as an int (firstInt) whatever was consumed, so
//   the caller can recognise a four-letter word (§1.1, §7) before it starts framing.

/** jute.maxbuffer's default, the largest frame payload a server accepts. */
export const FRAME_BYTES_MAX_DEFAULT = 0xfffff;

// Dropped chunks are compacted out of the queue in batches, keeping push/next O(1) amortised.
const COMPACT_AFTER_CHUNKS = 1024;
const EMPTY_CHUNK = Buffer.alloc(0);

export class FrameLengthError extends Error {
  override name = 'FrameLengthError';
  constructor(
    readonly length: number,
    readonly frameBytesMax: number,
  ) {
    super(`frame length ${length} is out of range (0..${frameBytesMax})`);
  }
}

export class FrameSplitter {
  private chunks: Buffer[] = [];
  /** Index in `chunks` of the first chunk with unconsumed bytes. */
  private head = 0;
  /** Bytes of chunks[head] already consumed. */
  private headOffset = 0;
  private buffered = 0;
  private readonly firstBytes = Buffer.alloc(4);
  private firstFilled = 0;
  private failure: FrameLengthError | null = null;

  constructor(readonly frameBytesMax = FRAME_BYTES_MAX_DEFAULT) {}

  /** Bytes pushed and not yet returned (for backpressure decisions). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.firstFilled < 4) {
      const n = Math.min(4 - this.firstFilled, chunk.length);
      chunk.copy(this.firstBytes, this.firstFilled, 0, n);
      this.firstFilled += n;
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The stream's first 4 bytes as a big-endian int32, or null until 4 bytes have arrived. */
  firstInt(): number | null {
    return this.firstFilled < 4 ? null : this.firstBytes.readInt32BE(0);
  }

  /**
   * The next complete frame payload (without its length prefix), or null when more bytes are
   * needed. @throws FrameLengthError for an out-of-range length, now and on every later call.
   */
  next(): Buffer | null {
    if (this.failure !== null) throw this.failure;
    if (this.buffered < 4) return null;
    const length = this.peekInt();
    if (length < 0 || length > this.frameBytesMax) {
      this.failure = new FrameLengthError(length, this.frameBytesMax);
      throw this.failure;
    }
    if (this.buffered < 4 + length) return null;
    this.take(4);
    return this.take(length);
  }

  /** Every buffered byte, consumed (e.g. a four-letter word and its argument). */
  drainRaw(): Buffer {
    return this.take(this.buffered);
  }

  private peekInt(): number {
    const chunk = this.chunks[this.head]!;
    if (chunk.length - this.headOffset >= 4) return chunk.readInt32BE(this.headOffset);
    // The length straddles chunks: assemble it (rare, so a small allocation is fine).
    const bytes = Buffer.alloc(4);
    let filled = 0;
    let index = this.head;
    let offset = this.headOffset;
    while (filled < 4) {
      const c = this.chunks[index]!;
      const n = Math.min(4 - filled, c.length - offset);
      c.copy(bytes, filled, offset, offset + n);
      filled += n;
      index++;
      offset = 0;
    }
    return bytes.readInt32BE(0);
  }

  /** Consumes `count` buffered bytes (count <= buffered). */
  private take(count: number): Buffer {
    this.buffered -= count;
    if (count === 0) return EMPTY_CHUNK;
    const chunk = this.chunks[this.head]!;
    if (chunk.length - this.headOffset >= count) {
      const out = chunk.subarray(this.headOffset, this.headOffset + count);
      this.headOffset += count;
      if (this.headOffset === chunk.length) this.dropHead();
      return out;
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const c = this.chunks[this.head]!;
      const n = Math.min(count - filled, c.length - this.headOffset);
      c.copy(out, filled, this.headOffset, this.headOffset + n);
      filled += n;
      this.headOffset += n;
      if (this.headOffset === c.length) this.dropHead();
    }
    return out;
  }

  private dropHead(): void {
    this.chunks[this.head] = EMPTY_CHUNK; // release the bytes now, not at the next compaction
    this.head++;
    this.headOffset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER_CHUNKS) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
