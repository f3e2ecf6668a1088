// Read-only decoder for snappy-java's stream format, used by `snapshot.<zxid>.snappy`
// (storage-and-quorum.md §4.5): magic 82 'SNAPPY' 00, int version, int min compatible version,
// then blocks of `int compressedLength` + one raw snappy block. The raw block format is the
// public snappy format: a varint uncompressed length, then literal and copy elements.
// Pure; every length and offset is checked, so damaged input throws SnapshotFormatError.

import { SnapshotFormatError, SNAPPY_MAGIC } from './snapshot-format.js';

const STREAM_HEADER_BYTES = SNAPPY_MAGIC.length + 8;

export function decompressSnappyStream(bytes: Uint8Array): Uint8Array {
  if (bytes.length < STREAM_HEADER_BYTES || !SNAPPY_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new SnapshotFormatError('not a snappy-java stream');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: Uint8Array[] = [];
  let total = 0;
  let at = STREAM_HEADER_BYTES;
  while (at < bytes.length) {
    if (bytes.length - at < 4) throw new SnapshotFormatError('truncated snappy block length');
    const length = view.getInt32(at);
    at += 4;
    if (length < 0 || length > bytes.length - at) throw new SnapshotFormatError(`bad snappy block length ${length}`);
    const block = decompressSnappyBlock(bytes.subarray(at, at + length));
    blocks.push(block);
    total += block.length;
    at += length;
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const block of blocks) {
    out.set(block, pos);
    pos += block.length;
  }
  return out;
}

export function decompressSnappyBlock(input: Uint8Array): Uint8Array {
  let at = 0;
  const byte = (): number => {
    if (at >= input.length) throw new SnapshotFormatError('truncated snappy block');
    return input[at++]!;
  };
  // Varint uncompressed length (at most 5 bytes for 32 bits).
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 28) throw new SnapshotFormatError('bad snappy length varint');
    const b = byte();
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  const out = new Uint8Array(length);
  let pos = 0;
  while (at < input.length) {
    const tag = byte();
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const extra = n - 59;
        n = 0;
        for (let i = 0; i < extra; i++) n += byte() * 2 ** (8 * i);
      }
      n += 1;
      if (n > input.length - at || n > length - pos) throw new SnapshotFormatError('snappy literal out of bounds');
      out.set(input.subarray(at, at + n), pos);
      at += n;
      pos += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      n = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | byte();
    } else if (kind === 2) {
      n = 1 + (tag >>> 2);
      offset = byte() | (byte() << 8);
    } else {
      n = 1 + (tag >>> 2);
      offset = byte() + byte() * 2 ** 8 + byte() * 2 ** 16 + byte() * 2 ** 24;
    }
    if (offset === 0 || offset > pos || n > length - pos) throw new SnapshotFormatError('snappy copy out of bounds');
    // Byte by byte: a copy may overlap its own output (offset < n).
    for (let i = 0; i < n; i++, pos++) out[pos] = out[pos - offset]!;
  }
  if (pos !== length) throw new SnapshotFormatError(`snappy block decoded to ${pos} of ${length} bytes`);
  return out;
}
