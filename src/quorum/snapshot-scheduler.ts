// When to snapshot and purge, for the standalone server and the ensemble replica
// (storage-and-quorum.md §3.3, §4.6): after about snapCount committed txns (snapCount/2 plus a
// random share of snapCount/2, so the servers of an ensemble do not all snapshot at once) the txn
// log is rolled and a fuzzy snapshot of the live tree is written in chunks while serving goes on.
// With autopurge.purgeInterval > 0, old snapshots and logs are purged at start and then every
// purgeInterval hours, keeping autopurge.snapRetainCount snapshots (storage/purge.ts).
//
// Invariants:
// - At most one snapshot is written at a time; commits counted while one is written count
//   towards the next. The log is rolled before the tree's zxid is read, so the new log segment
//   starts after the snapshot's zxid and replay from it is exact (txn application is idempotent).
// - At most one purge runs at a time. The purge timer is unref'd: it never keeps the process up.
// - A failed snapshot or purge is logged, never thrown: the log still holds every txn.
// - After stop() resolves nothing is running and nothing new starts.

import type { Disk } from '../io/disk.js';
import type { ServerConfig } from '../config/index.js';
import { purge } from '../storage/purge.js';
import { writeSnapshot } from '../storage/snapshots.js';
import type { TxnLog } from '../storage/txn-log.js';
import type { DataTree } from '../tree/data-tree.js';
import { fuzzySnapshotContentOf, logDir, snapshotDir, type DataDirs } from './load-database.js';

/** Snapshot bytes encoded per event-loop turn: small enough that serving never waits long. */
export const SNAPSHOT_CHUNK_BYTES = 128 * 1024;
const HOUR_MS = 60 * 60 * 1000;

/** The pino-compatible subset the scheduler logs through. */
export interface SchedulerLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export type SnapshotSchedulerConfig = Pick<
  ServerConfig,
  'snapCount' | 'snapshotCompression' | 'autopurgeSnapRetainCount' | 'autopurgePurgeIntervalHours'
>;

export interface SnapshotSchedulerOptions {
  /** The log to roll before each snapshot (a replica replaces its log after a SNAP sync). */
  readonly log: () => TxnLog;
  readonly disk: Disk;
  /** The tree to snapshot now (a replica may replace its tree after a SNAP sync). */
  readonly tree: () => DataTree;
  readonly dirs: DataDirs;
  readonly config: SnapshotSchedulerConfig;
  readonly logger: SchedulerLogger;
  /** A number in [0, 1); Math.random in production, seeded in tests. */
  readonly random: () => number;
}

/** Txns between snapshots: snapCount/2 plus a random share of snapCount/2. */
export function nextSnapshotThreshold(snapCount: number, random: () => number): number {
  const half = Math.max(1, Math.floor(snapCount / 2));
  return half + Math.floor(random() * half);
}

export class SnapshotScheduler {
  private txnsSinceSnapshot = 0;
  private threshold: number;
  private snapshotting: Promise<void> | null = null;
  private purging: Promise<string[]> | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: SnapshotSchedulerOptions) {
    this.threshold = nextSnapshotThreshold(options.config.snapCount, options.random);
    const intervalHours = options.config.autopurgePurgeIntervalHours;
    if (intervalHours > 0) {
      // As Apache's cleanup task: a first purge right away, then every interval.
      setImmediate(() => void this.purgeNow());
      this.purgeTimer = setInterval(() => void this.purgeNow(), intervalHours * HOUR_MS);
      this.purgeTimer.unref();
    }
  }

  /** Committed txns since the last snapshot started; the current trigger point. */
  get progress(): { readonly txnsSinceSnapshot: number; readonly threshold: number } {
    return { txnsSinceSnapshot: this.txnsSinceSnapshot, threshold: this.threshold };
  }

  /** A snapshot is being written. */
  get snapshotInFlight(): boolean {
    return this.snapshotting !== null;
  }

  /** Counts txns applied to the tree; starts a snapshot once past the threshold and none is running. */
  noteCommitted(count = 1): void {
    this.txnsSinceSnapshot += count;
    if (this.txnsSinceSnapshot >= this.threshold && this.snapshotting === null && !this.stopped) this.start();
  }

  /** Takes a snapshot now (after the one in flight, if any); resolves once it is written or failed. */
  async takeNow(): Promise<void> {
    while (this.snapshotting !== null) await this.snapshotting;
    if (this.stopped) return;
    this.start();
    await this.snapshotting;
  }

  /** Purges now (joins a purge in flight); the deleted file names. Failures are logged, giving []. */
  purgeNow(): Promise<string[]> {
    if (this.purging !== null) return this.purging;
    if (this.stopped) return Promise.resolve([]);
    const { disk, dirs, config, logger } = this.options;
    this.purging = purge(disk, { snapDir: snapshotDir(dirs), logDir: logDir(dirs), snapshotsToKeep: config.autopurgeSnapRetainCount })
      .then(
        (deleted) => {
          logger.info({ deleted, snapRetainCount: config.autopurgeSnapRetainCount }, 'purge finished');
          return deleted;
        },
        (err: unknown) => {
          logger.error({ err }, 'purge failed');
          return [];
        },
      )
      .finally(() => {
        this.purging = null;
      });
    return this.purging;
  }

  /** Stops the timer and waits for a snapshot or purge in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.purgeTimer !== null) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    await Promise.all([this.snapshotting, this.purging]);
  }

  /**
   * Rolls the log to a new segment and writes a fuzzy snapshot of the tree (§3.3, §4.6): the file
   * is named by the zxid applied when the walk starts; the log from there reproduces the state.
   */
  private start(): void {
    const { log, disk, dirs, config, logger } = this.options;
    this.txnsSinceSnapshot = 0;
    this.threshold = nextSnapshotThreshold(config.snapCount, this.options.random);
    log().roll();
    const tree = this.options.tree();
    const zxid = tree.lastProcessedZxid;
    const compression = config.snapshotCompression === 'gz' ? 'gz' : 'none';
    this.snapshotting = fuzzySnapshotContentOf(tree)
      .then((content) => writeSnapshot(disk, snapshotDir(dirs), zxid, content, { compression, chunkBytes: SNAPSHOT_CHUNK_BYTES }))
      .then((name) => logger.info({ file: name }, 'snapshot written'))
      .catch((err: unknown) => logger.error({ err }, 'snapshot failed'))
      .finally(() => {
        this.snapshotting = null;
      });
  }
}
