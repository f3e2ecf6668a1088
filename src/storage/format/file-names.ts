// File-name rules of the data directory (storage-and-quorum.md §2): `log.<hex zxid>`,
// `snapshot.<hex zxid>[.gz|.snappy]`, lower-case hex without padding. A name's zxid is the part
// after the first `.` parsed as hex; names that do not parse are ignored. Files are ordered by
// that number, never by name.

import { hex64, zxid as toZxid, type Zxid } from '../../util/ids.js';

export const VERSION_DIR = 'version-2';
export const LOG_PREFIX = 'log';
export const SNAPSHOT_PREFIX = 'snapshot';
export const INITIALIZE_FILE = 'initialize';
export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';
export const CURRENT_EPOCH_FILE = 'currentEpoch';
export const TMP_SUFFIX = '.tmp';

export type SnapshotCompression = 'none' | 'gz' | 'snappy';

export function logFileName(firstZxid: Zxid): string {
  return `${LOG_PREFIX}.${hex64(firstZxid)}`;
}

export function snapshotFileName(zxid: Zxid, compression: SnapshotCompression = 'none'): string {
  const base = `${SNAPSHOT_PREFIX}.${hex64(zxid)}`;
  return compression === 'none' ? base : `${base}.${compression}`;
}

const HEX = /^[0-9a-fA-F]{1,16}$/;

/** The zxid of `<prefix>.<hex>[.<suffix>]`, or null when the name has another prefix or no hex. */
export function zxidOfFileName(name: string, prefix: string): Zxid | null {
  const parts = name.split('.');
  if (parts[0] !== prefix || parts[1] === undefined || !HEX.test(parts[1])) return null;
  return toZxid(BigInt.asIntN(64, BigInt(`0x${parts[1]}`)));
}

export interface LogFileName {
  readonly name: string;
  readonly zxid: Zxid;
}

export interface SnapshotFileName extends LogFileName {
  readonly compression: SnapshotCompression;
}

/** log.* names with their zxids, ascending by zxid. */
export function sortLogFileNames(names: Iterable<string>): LogFileName[] {
  const out: LogFileName[] = [];
  for (const name of names) {
    if (name.endsWith(TMP_SUFFIX)) continue;
    const z = zxidOfFileName(name, LOG_PREFIX);
    if (z !== null && name.split('.').length === 2) out.push({ name, zxid: z });
  }
  return out.sort((x, y) => (x.zxid < y.zxid ? -1 : x.zxid > y.zxid ? 1 : 0));
}

/** snapshot.* names with zxid and compression (by extension), newest (largest zxid) first. */
export function sortSnapshotFileNames(names: Iterable<string>): SnapshotFileName[] {
  const out: SnapshotFileName[] = [];
  for (const name of names) {
    if (name.endsWith(TMP_SUFFIX)) continue;
    const z = zxidOfFileName(name, SNAPSHOT_PREFIX);
    if (z === null) continue;
    const ext = name.split('.')[2];
    const compression: SnapshotCompression | null =
      ext === undefined ? 'none' : ext === 'gz' ? 'gz' : ext === 'snappy' ? 'snappy' : null;
    if (compression !== null) out.push({ name, zxid: z, compression });
  }
  return out.sort((x, y) => (x.zxid > y.zxid ? -1 : x.zxid < y.zxid ? 1 : 0));
}

/**
 * The log files needed to read every record with zxid >= from (§3.5): the newest file whose
 * start is <= from, plus every later file. Input ascending, output ascending.
 */
export function logFilesFrom<T extends LogFileName>(ascending: readonly T[], from: Zxid): T[] {
  let first = 0;
  for (let i = 0; i < ascending.length; i++) {
    if (ascending[i]!.zxid <= from) first = i;
  }
  return ascending.slice(first);
}
