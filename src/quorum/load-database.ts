// Loads the database from a data directory as ZooKeeper does at start (storage-and-quorum.md
// §4.8): the newest valid snapshot, then every logged txn after it. A fresh directory gets
// snapshot.0 so that Apache ZooKeeper also accepts it later (it refuses logs without a snapshot).

import { joinPath, type Disk } from '../io/disk.js';
import { DataTree } from '../tree/data-tree.js';
import { DIGEST_VERSION } from '../tree/digest.js';
import { applyTxn } from '../txn/apply.js';
import { decodeTxnEntry, encodeTxnEntry } from '../txn/codec.js';
import type { Txn } from '../txn/types.js';
import { listLogFiles, readLog, repairLogTail, type TailRepair } from '../storage/log-files.js';
import { loadNewestSnapshot, writeSnapshot } from '../storage/snapshots.js';
import { VERSION_DIR } from '../storage/format/file-names.js';
import { writeSnapshotNode, type SnapshotContent } from '../storage/format/snapshot-format.js';
import { JuteWriter } from '../jute/writer.js';
import { zxid as toZxid, type SessionId, type Zxid } from '../util/ids.js';

export interface LoadedDatabase {
  readonly tree: DataTree;
  readonly snapshotZxid: Zxid;
  readonly replayedTxns: number;
  /** The newest replayed txns, ascending (what a leader can DIFF from; see LoadOptions). */
  readonly recentTxns: readonly Txn[];
  readonly repairs: readonly TailRepair[];
  readonly skippedSnapshots: ReadonlyArray<{ file: string; reason: string }>;
}

export interface DataDirs {
  readonly dataDir: string;
  readonly dataLogDir: string;
}

export function snapshotDir(dirs: DataDirs): string {
  return joinPath(dirs.dataDir, VERSION_DIR);
}

export function logDir(dirs: DataDirs): string {
  return joinPath(dirs.dataLogDir, VERSION_DIR);
}

/**
 * What a snapshot of the tree holds, taken in one synchronous pass so the ACL map and the nodes
 * agree (a node created mid-walk could otherwise reference an ACL missing from the map); the
 * file is then written asynchronously in chunks while the server keeps serving.
 */
export function snapshotContentOf(tree: DataTree): SnapshotContent {
  const nodes = [];
  for (const node of tree.walkPreOrder()) {
    nodes.push({ path: node.path === '' ? '/' : node.path, data: node.data, aclRef: BigInt(node.aclRef), stat: node.stat });
  }
  return {
    sessions: [...tree.sessions.entries()].map(([id, timeout]) => [id as bigint, timeout] as const),
    aclCache: tree.aclCacheEntries().map(([ref, acls]) => [BigInt(ref), acls] as const),
    nodes,
    digest: { zxid: tree.lastProcessedZxid, version: DIGEST_VERSION, digest: tree.digest() },
  };
}

/** The tree a decoded snapshot (or SNAP body) holds, as of `zxid`: the inverse of snapshotContentOf. */
export function treeOfSnapshot(content: Pick<SnapshotContent, 'sessions' | 'aclCache' | 'nodes'>, zxid: Zxid): DataTree {
  return DataTree.fromSnapshot(
    Array.from(content.sessions, ([id, timeout]) => [id as SessionId, timeout] as const),
    Array.from(content.aclCache, ([ref, acls]) => [Number(ref), acls] as const),
    Array.from(content.nodes, (n) => ({ path: n.path, data: n.data, aclRef: Number(n.aclRef), stat: n.stat })),
    zxid,
  );
}

const SNAPSHOT_WALK_CHUNK_NODES = 1000;
const SNAPSHOT_NODE_CHUNK_BYTES = 128 * 1024;

/**
 * The same content taken while the server keeps serving (a fuzzy snapshot): the walk yields to
 * the event loop every few thousand nodes, sessions are taken at the start, and the ACL map and
 * digest at the end, so the map covers every reference the walk saw. Replaying the log from the
 * zxid the caller names the file by gives the exact state (applying a txn is idempotent).
 */
export async function fuzzySnapshotContentOf(tree: DataTree): Promise<SnapshotContent> {
  const sessions = [...tree.sessions.entries()].map(([id, timeout]) => [id as bigint, timeout] as const);
  // Nodes are encoded as the walk reaches them, into chunks: no object per node, and the bytes
  // held until the file is written are the snapshot's own size.
  const encodedNodes: Uint8Array[] = [];
  let w = new JuteWriter(SNAPSHOT_NODE_CHUNK_BYTES + 1024);
  let count = 0;
  for (const node of tree.walkNodes()) {
    writeSnapshotNode(w, node.path, node.data, node.aclRef, node.stat);
    if (w.length >= SNAPSHOT_NODE_CHUNK_BYTES) {
      encodedNodes.push(w.view());
      w = new JuteWriter(SNAPSHOT_NODE_CHUNK_BYTES + 1024);
    }
    if (++count % SNAPSHOT_WALK_CHUNK_NODES === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (w.length > 0) encodedNodes.push(w.view());
  return {
    sessions,
    aclCache: tree.aclCacheEntries().map(([ref, acls]) => [BigInt(ref), acls] as const),
    nodes: [],
    encodedNodes,
    digest: { zxid: tree.lastProcessedZxid, version: DIGEST_VERSION, digest: tree.digest() },
  };
}

export interface LoadOptions {
  /** Keep at least this many of the newest replayed txns (ZooKeeper's commitLogCount). Default 0. */
  readonly recentTxnsMax?: number;
  /**
   * Also keep the newest replayed txns that weigh at most this many bytes, given the loaded tree
   * (diff-budget.ts); `recentBytesMax` bounds them while replaying. Default none.
   */
  readonly recentTxnsBudget?: (tree: DataTree) => number;
  readonly recentBytesMax?: number;
}

/** The newest txns replayed: at least `countMin`, and more while they weigh at most a byte bound. */
class RecentTxns {
  private readonly txns: Txn[] = [];
  private readonly sizes: number[] = [];
  private start = 0;
  private bytes = 0;

  constructor(private readonly countMin: number, private readonly bytesMax: number) {}

  push(txn: Txn): void {
    const size = encodeTxnEntry(txn).length; // the bytes decodeTxnEntry kept: no encoding
    this.txns.push(txn);
    this.sizes.push(size);
    this.bytes += size;
    this.dropOldest(this.bytesMax);
  }

  /** The txns kept, after dropping the oldest beyond `bytesMax` (never below countMin). */
  take(bytesMax: number): Txn[] {
    this.dropOldest(bytesMax);
    return this.txns.slice(this.start);
  }

  private dropOldest(bytesMax: number): void {
    while (this.txns.length - this.start > this.countMin && this.bytes > bytesMax) this.bytes -= this.sizes[this.start++]!;
    if (this.start > 4096 && this.start * 2 > this.txns.length) {
      this.txns.splice(0, this.start);
      this.sizes.splice(0, this.start);
      this.start = 0;
    }
  }
}

export async function loadDatabase(disk: Disk, dirs: DataDirs, options: LoadOptions = {}): Promise<LoadedDatabase> {
  const budgetFor = options.recentTxnsBudget;
  const recent = new RecentTxns(options.recentTxnsMax ?? 0, budgetFor === undefined ? 0 : (options.recentBytesMax ?? Infinity));
  const snapDir = snapshotDir(dirs);
  const txnDir = logDir(dirs);
  await disk.mkdir(snapDir);
  await disk.mkdir(txnDir);
  const repairs = await repairLogTail(disk, txnDir);
  const { loaded, skipped } = await loadNewestSnapshot(disk, snapDir);
  let tree: DataTree;
  let snapshotZxid: Zxid;
  if (loaded === null) {
    if ((await listLogFiles(disk, txnDir)).length > 0) {
      throw new Error(`No snapshot found, but there are log entries in ${txnDir}`);
    }
    tree = DataTree.fresh();
    snapshotZxid = toZxid(0);
    await writeSnapshot(disk, snapDir, snapshotZxid, snapshotContentOf(tree));
  } else {
    tree = treeOfSnapshot(loaded.snapshot, loaded.zxid);
    snapshotZxid = loaded.zxid;
  }
  let replayedTxns = 0;
  for await (const record of readLog(disk, txnDir, toZxid(snapshotZxid + 1n))) {
    if (record.zxid <= tree.lastProcessedZxid) continue;
    const txn = decodeTxnEntry(record.entry);
    applyTxn(tree, txn);
    replayedTxns++;
    recent.push(txn);
  }
  const recentTxns = recent.take(budgetFor === undefined ? 0 : budgetFor(tree));
  return { tree, snapshotZxid, replayedTxns, recentTxns, repairs, skippedSnapshots: skipped };
}
