// A quorum member's data directory as its consensus core uses it: the txn log it appends to, the
// epoch files, and the two ways a leader rewrites a learner's history — TRUNC (cut the log, reload
// the tree from disk) and SNAP (the leader's snapshot replaces tree and log). Each of these returns
// the tree the member continues with.
//
// Invariants: jobs (epochs, truncate, snapshot load) run one at a time, each after every append
// issued before it is durable; after loadSnapshot the log holds no record (the next append starts
// a fresh file) and snapshot.<zxid> is durable; after truncate no log record or snapshot is newer
// than the truncation zxid.

import { join } from 'node:path';
import type { Disk } from '../io/disk.js';
import { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE, readEpochs, writeEpoch } from '../storage/epochs.js';
import type { SnapshotContent } from '../storage/format/snapshot-format.js';
import { listLogFiles } from '../storage/log-files.js';
import { listSnapshots, writeSnapshot } from '../storage/snapshots.js';
import { TxnLog } from '../storage/txn-log.js';
import { DataTree } from '../tree/data-tree.js';
import { encodeTxnEntry } from '../txn/codec.js';
import type { Txn } from '../txn/types.js';
import { hex64, zxidEpoch, type Zxid } from '../util/ids.js';
import type { DurableState } from '../zab/types.js';
import { COMMITTED_LOG_MAX } from './quorum-config.js';
import { DIFF_BUDGET_CAP_BYTES, diffBudgetBytes } from './diff-budget.js';
import { loadDatabase, logDir, snapshotContentOf, snapshotDir, treeOfSnapshot, type DataDirs } from './load-database.js';

export interface StorageLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export class ReplicaStorage {
  private jobs: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly disk: Disk,
    private readonly dirs: DataDirs,
    /** Written into /zookeeper/config of every tree this storage hands out. */
    private readonly configText: string,
    private readonly preAllocBytes: number,
    private currentLog: TxnLog,
  ) {}

  /**
   * Loads the data directory as a member starts: the tree (snapshot + every logged txn, as
   * ZooKeeper applies the whole log at start), the epochs (from the last txn when the files are
   * missing, e.g. a dataDir a standalone server wrote — then written), and the newest txns a
   * leader can DIFF from.
   */
  static async open(
    disk: Disk,
    dirs: DataDirs,
    configText: string,
    preAllocBytes: number,
    logger: StorageLogger,
  ): Promise<{ storage: ReplicaStorage; tree: DataTree; durable: DurableState }> {
    const loaded = await loadDatabase(disk, dirs, {
      recentTxnsMax: COMMITTED_LOG_MAX,
      recentTxnsBudget: diffBudgetBytes,
      recentBytesMax: DIFF_BUDGET_CAP_BYTES,
    });
    for (const repair of loaded.repairs) logger.warn({ repair }, 'truncated a torn txn log tail');
    const tree = loaded.tree;
    tree.setQuorumConfig(configText);
    const lastZxid = tree.lastProcessedZxid;
    const epochs = await readEpochs(disk, snapshotDir(dirs));
    const currentEpoch = epochs.currentEpoch ?? zxidEpoch(lastZxid);
    const acceptedEpoch = Math.max(epochs.acceptedEpoch ?? currentEpoch, currentEpoch);
    if (epochs.currentEpoch === null) await writeEpoch(disk, snapshotDir(dirs), CURRENT_EPOCH_FILE, currentEpoch);
    if (epochs.acceptedEpoch === null) await writeEpoch(disk, snapshotDir(dirs), ACCEPTED_EPOCH_FILE, acceptedEpoch);
    logger.info(
      { snapshotZxid: `0x${hex64(loaded.snapshotZxid)}`, replayedTxns: loaded.replayedTxns, lastZxid: `0x${hex64(lastZxid)}`, acceptedEpoch, currentEpoch },
      'database loaded',
    );
    const log = await TxnLog.open(disk, logDir(dirs), { preAllocBytes, lastZxid });
    return {
      storage: new ReplicaStorage(disk, dirs, configText, preAllocBytes, log),
      tree,
      durable: { acceptedEpoch, currentEpoch, lastLoggedZxid: lastZxid, recentTxns: loaded.recentTxns },
    };
  }

  /** The log appends go to (replaced by a snapshot load). */
  get log(): TxnLog {
    return this.currentLog;
  }

  /** Appends one txn: `durable` resolves once it is on disk; `entryBytes` is the txn's size. */
  append(txn: Txn): { readonly durable: Promise<void>; readonly entryBytes: number } {
    const entry = encodeTxnEntry(txn);
    return { durable: this.currentLog.append(txn.header.zxid, entry), entryBytes: entry.length };
  }

  /** Runs `work` after the earlier jobs and after every append issued so far is durable. */
  private job<T>(work: () => Promise<T>): Promise<T> {
    const log = this.currentLog;
    const next = this.jobs.then(() => log.commit()).then(work);
    this.jobs = next.catch(() => undefined);
    return next;
  }

  saveEpochs(acceptedEpoch: number, currentEpoch: number): Promise<void> {
    return this.job(async () => {
      await writeEpoch(this.disk, snapshotDir(this.dirs), ACCEPTED_EPOCH_FILE, acceptedEpoch);
      await writeEpoch(this.disk, snapshotDir(this.dirs), CURRENT_EPOCH_FILE, currentEpoch);
    });
  }

  /** TRUNC: cut the log after `zxid`, drop newer snapshots, and reload the tree from disk. */
  truncate(zxid: Zxid): Promise<DataTree> {
    return this.job(async () => {
      await this.currentLog.truncate(zxid);
      const snapDir = snapshotDir(this.dirs);
      for (const snap of await listSnapshots(this.disk, snapDir)) {
        if (snap.zxid > zxid) await this.disk.unlink(join(snapDir, snap.name));
      }
      const loaded = await loadDatabase(this.disk, this.dirs);
      loaded.tree.setQuorumConfig(this.configText);
      return loaded.tree;
    });
  }

  /** SNAP: the snapshot that followed the SNAP packet becomes the tree; the log starts empty. */
  loadSnapshot(content: SnapshotContent, zxid: Zxid): Promise<DataTree> {
    return this.job(async () => {
      const tree = treeOfSnapshot(content, zxid);
      tree.setQuorumConfig(this.configText);
      await writeSnapshot(this.disk, snapshotDir(this.dirs), zxid, snapshotContentOf(tree));
      await this.currentLog.close();
      const dir = logDir(this.dirs);
      for (const file of await listLogFiles(this.disk, dir)) await this.disk.unlink(join(dir, file.name));
      await this.disk.syncDir(dir);
      this.currentLog = await TxnLog.open(this.disk, dir, { preAllocBytes: this.preAllocBytes, lastZxid: null });
      return tree;
    });
  }

  /** Waits for the jobs and closes the log. */
  async close(): Promise<void> {
    await this.jobs;
    await this.currentLog.close().catch(() => undefined);
  }
}
