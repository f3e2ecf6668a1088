// Txn log records and files (storage-and-quorum.md §3): after the 16-byte FileHeader each record
// is `long adler32 | int length | <length entry bytes> | byte 0x42`; the checksum covers the
// entry only. Data ends at a length of 0 (zero fill), a short read, or EOF. Also the
// preallocation rule of §3.2. Pure: bytes in, records out.
//
// Scan classification, the contract recovery relies on:
// - clean: data ended at zero fill / EOF; nothing but zeros after the last good record.
// - torn: the last record is bad (short, checksum or end-marker mismatch) and nothing but zeros
//   follows its claimed end, or bytes follow a zero length: an unfinished append. Cut there.
// - corrupt: a bad record with more non-zero data after it, an impossible length, a bad header, or
//   zxids not increasing. Never skipped: the caller stops loudly.

import { adler32 } from './adler32.js';
import { FILE_HEADER_BYTES, LOG_MAGIC, FORMAT_VERSION, decodeFileHeader } from './file-header.js';
import { zxid as toZxid, hex64, type Zxid } from '../../util/ids.js';

export const RECORD_END_MARKER = 0x42; // 'B'
export const RECORD_OVERHEAD_BYTES = 8 + 4 + 1;
/** The zxid is at offset 12 of a txn entry (TxnHeader: long clientId, int cxid, long zxid...). */
const ENTRY_ZXID_OFFSET = 12;
export const ENTRY_BYTES_MIN = ENTRY_ZXID_OFFSET + 8;
/**
 * Longest entry accepted when reading. Apache's own limit is jute.maxbuffer (1 MiB by default,
 * configurable); a length far beyond any sane limit is a damaged length field, and calling it a
 * torn tail would silently drop every record after it.
 */
export const ENTRY_BYTES_MAX = 64 * 1024 * 1024;
/** Apache checks preallocation against 4 KB of headroom (§3.2). */
const PREALLOC_HEADROOM_BYTES = 4096;

/** Reads the zxid of a txn entry's TxnHeader. */
export function entryZxid(entry: Uint8Array): Zxid {
  const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
  return toZxid(view.getBigInt64(ENTRY_ZXID_OFFSET));
}

/** Frames one entry as a log record. */
export function encodeLogRecord(entry: Uint8Array): Uint8Array {
  // Every byte is written below, so the pooled, unfilled allocation is safe (one per txn: a
  // zero-filled ArrayBuffer of its own each time showed in the write path's profile).
  const out = Buffer.allocUnsafe(entry.length + RECORD_OVERHEAD_BYTES);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  view.setUint32(0, 0); // the checksum as a long: Adler-32 is unsigned 32-bit, so the high word is 0
  view.setUint32(4, adler32(entry));
  view.setInt32(8, entry.length);
  out.set(entry, 12);
  out[12 + entry.length] = RECORD_END_MARKER;
  return out;
}

/**
 * §3.2: before an append at `positionBytes`, the file is extended when fewer than 4 KB of
 * preallocated space remain. Returns the new file size (unchanged when no extension is due).
 */
export function preallocatedSize(positionBytes: number, fileBytes: number, preAllocBytes: number): number {
  if (preAllocBytes <= 0 || positionBytes + PREALLOC_HEADROOM_BYTES < fileBytes) return fileBytes;
  if (positionBytes > fileBytes) {
    const size = positionBytes + preAllocBytes;
    return size - (size % preAllocBytes);
  }
  return fileBytes + preAllocBytes;
}

export interface LogRecord {
  readonly zxid: Zxid;
  /** A view into the scanned bytes. */
  readonly entry: Uint8Array;
  /** Offset of the record's checksum field in the file. */
  readonly offset: number;
}

export type LogTail =
  | { readonly kind: 'clean' }
  | { readonly kind: 'torn'; readonly offset: number; readonly reason: string }
  | { readonly kind: 'corrupt'; readonly offset: number; readonly reason: string };

export interface LogScan {
  readonly records: LogRecord[];
  /** End offset of the last good record (or of the header): where a torn tail is cut. */
  readonly dataEnd: number;
  readonly tail: LogTail;
  /** false when the file is shorter than a header (a file created and never written). */
  readonly hasHeader: boolean;
}

function isZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Scans a whole log file. Never throws: problems are reported in `tail`. */
export function scanLogFile(bytes: Uint8Array): LogScan {
  const records: LogRecord[] = [];
  const header = decodeFileHeader(bytes);
  if (header === null) {
    const tail: LogTail = isZero(bytes, 0)
      ? { kind: 'clean' }
      : { kind: 'torn', offset: 0, reason: 'partial file header' };
    return { records, dataEnd: 0, tail, hasHeader: false };
  }
  if (header.magic !== LOG_MAGIC || header.version !== FORMAT_VERSION) {
    const reason = `bad log header magic 0x${(header.magic >>> 0).toString(16)} version ${header.version}`;
    return { records, dataEnd: 0, tail: { kind: 'corrupt', offset: 0, reason }, hasHeader: true };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = FILE_HEADER_BYTES;
  let previous: Zxid | null = null;
  for (;;) {
    const bad = (reason: string, claimedEnd: number): LogScan => {
      const tail: LogTail = isZero(bytes, claimedEnd)
        ? { kind: 'torn', offset: at, reason }
        : { kind: 'corrupt', offset: at, reason };
      return { records, dataEnd: at, tail, hasHeader: true };
    };
    if (bytes.length - at < 12) {
      // EOF or a short checksum/length: the end (torn if some of it was written).
      return isZero(bytes, at)
        ? { records, dataEnd: at, tail: { kind: 'clean' }, hasHeader: true }
        : { records, dataEnd: at, tail: { kind: 'torn', offset: at, reason: 'short record header' }, hasHeader: true };
    }
    const checksum = view.getBigInt64(at);
    const length = view.getInt32(at + 8);
    if (length === 0) {
      // Zero fill ends the data; anything non-zero from here on is an unfinished append.
      const tail: LogTail = isZero(bytes, at)
        ? { kind: 'clean' }
        : { kind: 'torn', offset: at, reason: 'data after a zero length' };
      return { records, dataEnd: at, tail, hasHeader: true };
    }
    if (length < 0 || length > ENTRY_BYTES_MAX) {
      return { records, dataEnd: at, tail: { kind: 'corrupt', offset: at, reason: `bad record length ${length}` }, hasHeader: true };
    }
    const entryStart = at + 12;
    const end = entryStart + length + 1;
    if (end > bytes.length) return bad(`short record: length ${length} past end of file`, bytes.length);
    if (BigInt(adler32(bytes, entryStart, entryStart + length)) !== checksum) return bad('checksum mismatch', end);
    if (bytes[end - 1] !== RECORD_END_MARKER) return bad('bad end-of-record marker', end);
    if (length < ENTRY_BYTES_MIN) return bad(`entry too short for a TxnHeader (${length} bytes)`, end);
    const entry = bytes.subarray(entryStart, entryStart + length);
    const zxid = entryZxid(entry);
    if (previous !== null && zxid <= previous) {
      const reason = `zxid 0x${hex64(zxid)} does not follow 0x${hex64(previous)}`;
      return { records, dataEnd: at, tail: { kind: 'corrupt', offset: at, reason }, hasHeader: true };
    }
    records.push({ zxid, entry, offset: at });
    previous = zxid;
    at = end;
  }
}
