// Reading, repairing and truncating the txn log files of a `version-2` log directory over the
// Disk port (storage-and-quorum.md §3.5). Invariants:
// - Records come out in strictly increasing zxid order, across files; anything else is corrupt.
// - A torn tail is tolerated (and cut by `repairLogTail`) only in the newest file; a bad record
//   anywhere else, or one followed by more data, throws LogCorruptError. Nothing is skipped.

import type { Disk } from '../io/disk.js';
import { errorCode, joinPath } from '../io/disk.js';
import { sortLogFileNames, logFilesFrom, type LogFileName } from './format/file-names.js';
import { scanLogFile, type LogScan } from './format/log-record.js';
import { hex64, type Zxid } from '../util/ids.js';

export class LogCorruptError extends Error {
  override name = 'LogCorruptError';
  readonly code = 'LOG_CORRUPT';
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`txn log ${file} is corrupt at offset ${offset}: ${reason}`);
  }
}

export interface LogEntry {
  readonly zxid: Zxid;
  /** The txn entry (TxnHeader + body + optional TxnDigest), opaque to storage. */
  readonly entry: Uint8Array;
}

export interface TailRepair {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  /** true when the whole file went (it held no complete record). */
  readonly deleted: boolean;
}

/** log.* files of `dir`, ascending by start zxid; [] when the directory does not exist. */
export async function listLogFiles(disk: Disk, dir: string): Promise<LogFileName[]> {
  try {
    return sortLogFileNames(await disk.list(dir));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return [];
    throw err;
  }
}

async function scan(disk: Disk, dir: string, name: string): Promise<LogScan> {
  return scanLogFile(await disk.readFile(joinPath(dir, name)));
}

function check(name: string, result: LogScan, isNewest: boolean): void {
  const tail = result.tail;
  if (tail.kind === 'corrupt') throw new LogCorruptError(name, tail.offset, tail.reason);
  if (tail.kind === 'torn' && !isNewest) throw new LogCorruptError(name, tail.offset, `${tail.reason} (not the newest file)`);
}

/**
 * Every record with zxid >= from, in order, across files. Stops quietly at a torn tail of the
 * newest file (run `repairLogTail` first to cut it); throws LogCorruptError on corruption.
 */
export async function* readLog(disk: Disk, dir: string, from: Zxid): AsyncGenerator<LogEntry, void, void> {
  const all = await listLogFiles(disk, dir);
  const files = logFilesFrom(all, from);
  let previous: Zxid | null = null;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const result = await scan(disk, dir, file.name);
    check(file.name, result, i === files.length - 1);
    for (const record of result.records) {
      if (previous !== null && record.zxid <= previous) {
        throw new LogCorruptError(file.name, record.offset, `zxid 0x${hex64(record.zxid)} does not follow 0x${hex64(previous)}`);
      }
      previous = record.zxid;
      if (record.zxid >= from) yield { zxid: record.zxid, entry: record.entry };
    }
  }
}

/**
 * Cuts a torn tail off the newest log file (an append that never completed its fsync), and
 * deletes newest files that hold no complete record. Throws LogCorruptError on corruption.
 * Returns what was cut, or [] when the log was clean.
 */
export async function repairLogTail(disk: Disk, dir: string): Promise<TailRepair[]> {
  const repairs: TailRepair[] = [];
  const files = await listLogFiles(disk, dir);
  // Bounded by the number of files: each round removes one empty newest file or stops.
  for (let i = files.length - 1; i >= 0; i--) {
    const name = files[i]!.name;
    const path = joinPath(dir, name);
    const result = await scan(disk, dir, name);
    check(name, result, true);
    if (result.records.length === 0) {
      await disk.unlink(path);
      await disk.syncDir(dir);
      const reason = result.tail.kind === 'torn' ? result.tail.reason : 'no records';
      repairs.push({ file: name, offset: 0, reason, deleted: true });
      continue;
    }
    if (result.tail.kind === 'torn') {
      await cutFile(disk, path, result.dataEnd);
      repairs.push({ file: name, offset: result.dataEnd, reason: result.tail.reason, deleted: false });
    }
    break;
  }
  return repairs;
}

async function cutFile(disk: Disk, path: string, sizeBytes: number): Promise<void> {
  const file = await disk.open(path, 'write');
  try {
    await file.truncate(sizeBytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** The zxid of the last readable record (§3.5), or null when the log holds none. */
export async function lastLoggedZxid(disk: Disk, dir: string): Promise<Zxid | null> {
  const files = await listLogFiles(disk, dir);
  for (let i = files.length - 1; i >= 0; i--) {
    const result = await scan(disk, dir, files[i]!.name);
    const last = result.records.at(-1);
    if (last !== undefined) return last.zxid;
  }
  return null;
}

/**
 * §3.5 truncate: keep every record with zxid <= `zxid`, cut the file holding the last of them
 * right after it, delete every later file. Returns the new last zxid (null if none is left).
 */
export async function truncateLog(disk: Disk, dir: string, zxid: Zxid): Promise<Zxid | null> {
  const files = await listLogFiles(disk, dir);
  let last: Zxid | null = null;
  let changedDir = false;
  for (let i = files.length - 1; i >= 0; i--) {
    const file = files[i]!;
    const path = joinPath(dir, file.name);
    if (file.zxid > zxid) {
      await disk.unlink(path);
      changedDir = true;
      continue;
    }
    const result = await scan(disk, dir, file.name);
    check(file.name, result, i === files.length - 1);
    const keep = result.records.filter((r) => r.zxid <= zxid);
    const after = result.records[keep.length];
    // Cut right after the last kept record: no zero fill is left (§3.5).
    if (after !== undefined) await cutFile(disk, path, after.offset);
    else if (result.tail.kind === 'torn') await cutFile(disk, path, result.dataEnd);
    last = keep.at(-1)?.zxid ?? null;
    if (last === null) {
      // A file without records: nothing to keep; an earlier file may hold the last record.
      await disk.unlink(path);
      changedDir = true;
      continue;
    }
    break;
  }
  if (changedDir) await disk.syncDir(dir);
  return last;
}
