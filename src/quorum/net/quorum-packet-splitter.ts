// Splits the quorum port's byte stream into QuorumPacket records (storage-and-quorum.md §10.1):
// back-to-back jute records with no outer length, so the record end is found by walking its
// length fields (wire.ts `quorumPacketBytes`). Push chunks, pull whole records.
//
// Invariants: no record longer than packetBytesMax is buffered: an announced data length past
// the bound fails as soon as its 16 header bytes are in, and a record still incomplete past the
// bound fails too; after a failure the splitter stays failed (the caller closes the connection).
// Records are re-walked only when enough new bytes arrived to possibly complete them.

import { JuteDecodeError } from '../../jute/errors.js';
import { quorumPacketBytes } from '../../zab/wire.js';

/** type int + zxid long + data length int. */
const HEADER_BYTES = 16;
/** A record with null data and null authinfo. */
const RECORD_BYTES_MIN = 20;

export class PacketSizeError extends JuteDecodeError {
  override name = 'PacketSizeError';
}

export class QuorumPacketSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Do not walk the buffer again before this many bytes are in. */
  private needBytes = HEADER_BYTES;
  private failure: Error | null = null;

  constructor(readonly packetBytesMax: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * Hands over every buffered byte not yet returned as a record and empties the splitter: the
   * bytes after a SNAP packet are the snapshot body, not records (§10.4).
   */
  takeBuffered(): Buffer[] {
    if (this.failure !== null) throw this.failure;
    const chunks = this.chunks;
    this.chunks = [];
    this.buffered = 0;
    this.needBytes = HEADER_BYTES;
    return chunks;
  }

  /** The next whole record, or null when more bytes are needed. @throws JuteDecodeError, sticky. */
  next(): Buffer | null {
    if (this.failure !== null) throw this.failure;
    if (this.buffered < this.needBytes) return null;
    try {
      return this.walk();
    } catch (err) {
      this.failure = err instanceof Error ? err : new JuteDecodeError(String(err));
      throw this.failure;
    }
  }

  private walk(): Buffer | null {
    const bytes = this.contiguous();
    const dataLength = bytes.readInt32BE(12);
    if (dataLength > this.packetBytesMax - RECORD_BYTES_MIN) {
      throw new PacketSizeError(`quorum packet data of ${dataLength} bytes exceeds ${this.packetBytesMax}`);
    }
    const length = quorumPacketBytes(bytes);
    if (length === null) {
      if (this.buffered >= this.packetBytesMax) throw new PacketSizeError(`quorum packet longer than ${this.packetBytesMax} bytes`);
      this.needBytes = Math.max(this.buffered + 1, HEADER_BYTES + 4 + Math.max(dataLength, 0));
      return null;
    }
    if (length > this.packetBytesMax) throw new PacketSizeError(`quorum packet of ${length} bytes exceeds ${this.packetBytesMax}`);
    const record = bytes.subarray(0, length);
    const rest = bytes.subarray(length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.needBytes = HEADER_BYTES;
    return record;
  }

  private contiguous(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0]!;
  }
}
