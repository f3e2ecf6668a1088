// Snapshot files over the Disk port (storage-and-quorum.md §4): writing (plain or gzip) and
// reading the newest valid snapshot with fallback to older ones (§4.8).
//
// Invariants:
// - Every snapshot is written to `<name>.tmp`, fsynced, renamed, and the directory fsynced
//   (Apache does this only for SNAP-sync snapshots; design.md §5 says why zkts always does), so
//   a visible `snapshot.<zxid>` is always complete.
// - The writer awaits the disk between chunks of ~1 MiB, so a big tree does not hold the event
//   loop for long (the tree walk itself is the caller's iterable, run chunk by chunk).
// - Reading picks by the quick validity test, then verifies the seals; a bad snapshot is
//   skipped (and reported), never half-loaded.

import { createGzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import type { Disk } from '../io/disk.js';
import { errorCode, joinPath } from '../io/disk.js';
import type { Zxid } from '../util/ids.js';
import {
  sortSnapshotFileNames,
  snapshotFileName,
  TMP_SUFFIX,
  type SnapshotCompression,
  type SnapshotFileName,
} from './format/file-names.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  looksLikeSnapshot,
  DEFAULT_SNAPSHOT_CHUNK_BYTES,
  SnapshotFormatError,
  type DecodedSnapshot,
  type SnapshotContent,
  type SnapshotNode,
} from './format/snapshot-format.js';
import { decompressSnappyStream } from './format/snappy.js';

const gunzipAsync = promisify(gunzip);
/** §4.8: Apache looks at up to 100 candidates. */
const SNAPSHOT_CANDIDATES_MAX = 100;

export interface WriteSnapshotOptions {
  /** 'none' (default) or 'gz'; zkts does not write snappy. */
  readonly compression?: 'none' | 'gz';
  readonly chunkBytes?: number;
}

/**
 * Writes `snapshot.<zxid>[.gz]` atomically into `dir` (created if missing). Returns the file name.
 */
export async function writeSnapshot(
  disk: Disk,
  dir: string,
  zxid: Zxid,
  content: SnapshotContent,
  options: WriteSnapshotOptions = {},
): Promise<string> {
  const compression = options.compression ?? 'none';
  const name = snapshotFileName(zxid, compression);
  const path = joinPath(dir, name);
  const tmpPath = path + TMP_SUFFIX;
  await disk.mkdir(dir);
  const file = await disk.open(tmpPath, 'replace');
  let position = 0;
  const write = async (bytes: Uint8Array): Promise<void> => {
    await file.write(bytes, position);
    position += bytes.length;
  };
  try {
    const chunks = encodeSnapshot(content, options.chunkBytes ?? DEFAULT_SNAPSHOT_CHUNK_BYTES);
    if (compression === 'gz') await writeGzip(chunks, write);
    else for (const chunk of chunks) await write(chunk);
    await file.sync();
  } catch (err) {
    await file.close().catch(() => undefined);
    await disk.unlink(tmpPath).catch(() => undefined);
    throw err;
  }
  await file.close();
  await disk.rename(tmpPath, path);
  await disk.syncDir(dir);
  return name;
}

/** Pipes the plain chunks through gzip (with backpressure) and writes its output in order. */
async function writeGzip(chunks: Iterable<Uint8Array>, write: (bytes: Uint8Array) => Promise<void>): Promise<void> {
  const source = Readable.from(chunks, { objectMode: false });
  const gzip = createGzip();
  // pipe() does not forward errors: an encoder failure must end the reading loop below.
  source.on('error', (err) => gzip.destroy(err));
  source.pipe(gzip);
  try {
    for await (const out of gzip as AsyncIterable<Buffer>) await write(out);
  } finally {
    source.destroy();
  }
}

/** snapshot.* files of `dir`, newest first; [] when the directory does not exist. */
export async function listSnapshots(disk: Disk, dir: string): Promise<SnapshotFileName[]> {
  try {
    return sortSnapshotFileNames(await disk.list(dir));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
}

/** The uncompressed stream of a snapshot file, decoded by its extension (§4.5). */
export async function readSnapshotBytes(disk: Disk, dir: string, file: SnapshotFileName): Promise<Uint8Array> {
  const raw = await disk.readFile(joinPath(dir, file.name));
  switch (file.compression) {
    case 'none':
      return raw;
    case 'gz':
      return gunzipAsync(raw);
    case 'snappy':
      return decompressSnappyStream(raw);
  }
}

/** Reads and verifies one snapshot file. Throws SnapshotFormatError if it is not valid. */
export async function readSnapshot(
  disk: Disk,
  dir: string,
  file: SnapshotFileName,
  onNode?: (node: SnapshotNode) => void,
): Promise<DecodedSnapshot> {
  let bytes: Uint8Array;
  try {
    bytes = await readSnapshotBytes(disk, dir, file);
  } catch (err) {
    // zlib errors carry codes like Z_DATA_ERROR: a damaged file, not a failed disk.
    if (errorCode(err)?.startsWith('Z_') === true) {
      throw new SnapshotFormatError(`cannot decompress ${file.name}`, { cause: err });
    }
    throw err;
  }
  return decodeSnapshot(bytes, onNode);
}

export interface LoadedSnapshot {
  readonly file: SnapshotFileName;
  /** The zxid from the file name: replay the log from zxid + 1 (§4.8). */
  readonly zxid: Zxid;
  readonly snapshot: DecodedSnapshot;
  /** Newer snapshots that were skipped, with the reason. */
  readonly skipped: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
}

/**
 * §4.8 step 1: the newest snapshot that passes the quick test and whose seals verify, or null
 * (with `skipped` telling why each candidate was refused). Nodes go to `onNode` if given; a
 * caller that streams must discard what it got from a snapshot that later fails (onNode then
 * sees a second, older snapshot), so it should build into a fresh tree per attempt.
 */
export async function loadNewestSnapshot(
  disk: Disk,
  dir: string,
  onNode?: (node: SnapshotNode, file: SnapshotFileName) => void,
): Promise<{ loaded: LoadedSnapshot | null; skipped: Array<{ file: string; reason: string }> }> {
  const skipped: Array<{ file: string; reason: string }> = [];
  const candidates: SnapshotFileName[] = [];
  for (const file of await listSnapshots(disk, dir)) {
    if (candidates.length >= SNAPSHOT_CANDIDATES_MAX) break;
    if (await passesQuickTest(disk, dir, file)) candidates.push(file);
    else skipped.push({ file: file.name, reason: 'fails the quick validity test' });
  }
  for (const file of candidates) {
    try {
      const callback = onNode === undefined ? undefined : (node: SnapshotNode) => onNode(node, file);
      const snapshot = await readSnapshot(disk, dir, file, callback);
      return { loaded: { file, zxid: file.zxid, snapshot, skipped: [...skipped] }, skipped };
    } catch (err) {
      if (!(err instanceof SnapshotFormatError)) throw err;
      skipped.push({ file: file.name, reason: err.message });
    }
  }
  return { loaded: null, skipped };
}

/** §4.1 quick validity test on a file (reads only its head and tail). */
export async function passesQuickTest(disk: Disk, dir: string, file: SnapshotFileName): Promise<boolean> {
  const handle = await disk.open(joinPath(dir, file.name), 'read');
  try {
    const sizeBytes = await handle.size();
    const head = await handle.read(0, 16);
    const tail = await handle.read(Math.max(0, sizeBytes - 5), 5);
    return looksLikeSnapshot(file.compression, head, tail, sizeBytes);
  } finally {
    await handle.close();
  }
}

export type { SnapshotCompression };
