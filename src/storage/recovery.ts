// Start-up recovery of a data directory (storage-and-quorum.md §2, §4.8): checks the directory
// layout, cuts a torn log tail, loads the newest valid snapshot and collects the log entries
// after it. The caller applies the entries to the snapshot's tree with the txn codec.
//
// Invariants:
// - Entries are exactly the log records with zxid > snapshot zxid, ascending.
// - A torn tail of the newest log file is cut (those txns were never acknowledged); any other
//   damage throws (LogCorruptError), never silently dropping acknowledged txns.
// - `fresh: true` means no snapshot and no log: the caller must write snapshot.0 (of the empty
//   tree) before logging anything, because Apache refuses a dir with logs but no snapshot.

import type { Disk } from '../io/disk.js';
import { joinPath } from '../io/disk.js';
import { zxid as toZxid, type Zxid } from '../util/ids.js';
import { VERSION_DIR, INITIALIZE_FILE, LOG_PREFIX, SNAPSHOT_PREFIX, zxidOfFileName } from './format/file-names.js';
import type { SnapshotNode } from './format/snapshot-format.js';
import type { SnapshotFileName } from './format/file-names.js';
import { listLogFiles, readLog, repairLogTail, type LogEntry, type TailRepair } from './log-files.js';
import { loadNewestSnapshot, type LoadedSnapshot } from './snapshots.js';

export class RecoveryError extends Error {
  override name = 'RecoveryError';
  readonly code = 'RECOVERY';
}

export interface RecoveryOptions {
  readonly dataDir: string;
  /** Defaults to dataDir. */
  readonly dataLogDir?: string;
  /** zookeeper.db.autocreate (default true): a missing database may be created. */
  readonly autocreate?: boolean;
  /** zookeeper.snapshot.trust.empty (default false): replay logs even without a snapshot. */
  readonly trustEmptySnapshot?: boolean;
  /** Stream snapshot nodes instead of collecting them (see loadNewestSnapshot). */
  readonly onNode?: (node: SnapshotNode, file: SnapshotFileName) => void;
}

export interface RecoveryResult {
  /** `<dataDir>/version-2`: snapshots and epoch files. */
  readonly snapDir: string;
  /** `<dataLogDir>/version-2`: txn logs. */
  readonly logDir: string;
  /** No snapshot and no log: write snapshot.0 of the empty tree, then start at zxid 0. */
  readonly fresh: boolean;
  readonly snapshot: LoadedSnapshot | null;
  /** Log entries after the snapshot, ascending by zxid. */
  readonly entries: LogEntry[];
  /** Last entry's zxid, else the snapshot's, else 0. */
  readonly lastZxid: Zxid;
  readonly tailRepairs: TailRepair[];
  readonly skippedSnapshots: ReadonlyArray<{ readonly file: string; readonly reason: string }>;
  /** The `initialize` file was present (and has been deleted). */
  readonly initialized: boolean;
}

export async function recover(disk: Disk, options: RecoveryOptions): Promise<RecoveryResult> {
  const dataLogDir = options.dataLogDir ?? options.dataDir;
  const snapDir = joinPath(options.dataDir, VERSION_DIR);
  const logDir = joinPath(dataLogDir, VERSION_DIR);
  await disk.mkdir(snapDir);
  await disk.mkdir(logDir);
  if (snapDir !== logDir) await checkNotMixed(disk, snapDir, logDir);
  const initialized = await takeInitializeFile(disk, dataLogDir);

  const tailRepairs = await repairLogTail(disk, logDir);
  const { loaded, skipped } = await loadNewestSnapshot(disk, snapDir, options.onNode);
  const hasLogs = (await listLogFiles(disk, logDir)).length > 0;
  const base = { snapDir, logDir, tailRepairs, skippedSnapshots: skipped, initialized };

  if (loaded === null) {
    if (hasLogs && options.trustEmptySnapshot !== true) {
      throw new RecoveryError(`No snapshot found in ${snapDir}, but there are log entries in ${logDir}`);
    }
    if (!hasLogs) {
      if (options.autocreate === false && !initialized) {
        throw new RecoveryError(`no database in ${snapDir} and autocreate is off (create ${joinPath(dataLogDir, INITIALIZE_FILE)} to allow it)`);
      }
      return { ...base, fresh: true, snapshot: null, entries: [], lastZxid: toZxid(0) };
    }
  }
  const snapshotZxid = loaded?.zxid ?? toZxid(-1);
  const entries: LogEntry[] = [];
  for await (const e of readLog(disk, logDir, toZxid(snapshotZxid + 1n))) {
    // Copy: the scanned file buffer (zero fill included) should not stay alive for one entry.
    entries.push({ zxid: e.zxid, entry: new Uint8Array(e.entry) });
  }
  const lastZxid = entries.at(-1)?.zxid ?? (loaded === null ? toZxid(0) : loaded.zxid);
  return { ...base, fresh: false, snapshot: loaded, entries, lastZxid };
}

/** §2: with separate directories, snapshots must not be in the log dir nor logs in the snap dir. */
async function checkNotMixed(disk: Disk, snapDir: string, logDir: string): Promise<void> {
  for (const name of await disk.list(logDir)) {
    if (zxidOfFileName(name, SNAPSHOT_PREFIX) !== null) {
      throw new RecoveryError(`snapshot file ${name} found in the log directory ${logDir}; check dataDir and dataLogDir`);
    }
  }
  for (const name of await disk.list(snapDir)) {
    if (zxidOfFileName(name, LOG_PREFIX) !== null) {
      throw new RecoveryError(`log file ${name} found in the snapshot directory ${snapDir}; check dataDir and dataLogDir`);
    }
  }
}

/** §2, §4.8: `<dataLogDir>/initialize` is consumed at start-up and allows an empty database. */
async function takeInitializeFile(disk: Disk, dataLogDir: string): Promise<boolean> {
  const path = joinPath(dataLogDir, INITIALIZE_FILE);
  if ((await disk.stat(path)) === null) return false;
  await disk.unlink(path);
  await disk.syncDir(dataLogDir);
  return true;
}
