// The epoch files `acceptedEpoch` and `currentEpoch` in the snapshot directory
// (storage-and-quorum.md §6): bare decimal text, no newline; readers parse the first line.
// Written atomically: `<name>.tmp`, fsync, rename over the original, fsync the directory, so a
// crash leaves either the old or the new value (plus maybe a stale .tmp), never a torn one.

import type { Disk } from '../io/disk.js';
import { errorCode, joinPath } from '../io/disk.js';
import { assert } from '../util/assert.js';
import { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE, TMP_SUFFIX } from './format/file-names.js';

export type EpochFileName = typeof ACCEPTED_EPOCH_FILE | typeof CURRENT_EPOCH_FILE;
export { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE };

export class EpochFileError extends Error {
  override name = 'EpochFileError';
  readonly code = 'EPOCH_FILE';
}

const EPOCH_MAX = 0xffffffff;

/** Parses an epoch file's text: the first line, a decimal number. */
export function parseEpoch(text: string, file = 'epoch file'): number {
  const line = (text.split('\n')[0] ?? '').trim();
  if (!/^\d{1,10}$/.test(line) || Number(line) > EPOCH_MAX) throw new EpochFileError(`${file}: bad epoch ${JSON.stringify(line)}`);
  return Number(line);
}

/** The epoch in `<snapDir>/<name>` (name may end in .tmp), or null when the file is missing. */
export async function readEpoch(disk: Disk, snapDir: string, name: EpochFileName | `${EpochFileName}.tmp`): Promise<number | null> {
  let bytes: Uint8Array;
  try {
    bytes = await disk.readFile(joinPath(snapDir, name));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  }
  return parseEpoch(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), name);
}

/** Durably replaces `<snapDir>/<name>` with the epoch (decimal, no newline). */
export async function writeEpoch(disk: Disk, snapDir: string, name: EpochFileName, epoch: number): Promise<void> {
  assert(Number.isInteger(epoch) && epoch >= 0 && epoch <= EPOCH_MAX, `bad epoch ${epoch}`);
  const path = joinPath(snapDir, name);
  const tmpPath = path + TMP_SUFFIX;
  await disk.mkdir(snapDir);
  const file = await disk.open(tmpPath, 'replace');
  try {
    await file.write(Buffer.from(String(epoch), 'utf8'), 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await disk.rename(tmpPath, path);
  await disk.syncDir(snapDir);
}

export interface Epochs {
  readonly acceptedEpoch: number | null;
  readonly currentEpoch: number | null;
  /** A leftover currentEpoch.tmp (§6.2: used when the loaded zxid's epoch is ahead). */
  readonly currentEpochTmp: number | null;
}

export async function readEpochs(disk: Disk, snapDir: string): Promise<Epochs> {
  return {
    acceptedEpoch: await readEpoch(disk, snapDir, ACCEPTED_EPOCH_FILE),
    currentEpoch: await readEpoch(disk, snapDir, CURRENT_EPOCH_FILE),
    currentEpochTmp: await readEpoch(disk, snapDir, `${CURRENT_EPOCH_FILE}.tmp`).catch((err: unknown) => {
      // A torn .tmp is expected after a crash mid-write: it is only a hint.
      if (err instanceof EpochFileError) return null;
      throw err;
    }),
  };
}
