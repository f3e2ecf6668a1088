// The leader's view for preparing writes: the committed tree plus the changes of writes already
// prepared but not yet applied (ZooKeeper's "outstanding changes"). Pipelined writes of any
// session are validated against this view, so two creates of one path in flight cannot both pass.
// Invariant: a pending record with zxid Z is dropped once the txn with zxid Z is applied, unless a
// later prepared txn has replaced it.

import type { Acl, StatPersisted } from '../../proto/data.js';
import type { SessionId, Zxid } from '../../util/ids.js';
import { digestAdd, nodeDigest } from '../../tree/digest.js';

export interface NodeView {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly stat: StatPersisted;
  readonly childCount: number;
  /** This state's share of the tree digest, when already known (saves recomputing it). */
  readonly digest?: number;
}

/** Read access to the committed tree, as prep needs it. */
export interface CommittedTree {
  lookup(path: string): NodeView | undefined;
  ephemeralsOf(session: SessionId): Iterable<string>;
  /** The committed tree digest (storage-and-quorum.md §5). */
  digest(): bigint;
}

/** Undo information for a multi: the records it replaced and the digest before it. */
export interface Savepoint {
  readonly records: Map<string, PendingRecord | undefined>;
  readonly digest: bigint;
}

interface PendingRecord {
  readonly zxid: Zxid;
  /** null: the node is deleted by a pending txn. */
  readonly node: NodeView | null;
}

export class PrepView {
  private readonly pending = new Map<string, PendingRecord>();
  /** Prepared txns in zxid order with the paths each touched, so applied() is O(paths). */
  private readonly touched: { zxid: Zxid; paths: string[] }[] = [];
  /** Pending ephemeral creates (true) and deletes (false) per session, for closeSession. */
  private readonly pendingEphemerals = new Map<SessionId, Map<string, { zxid: Zxid; exists: boolean }>>();

  /**
   * The tree digest once every prepared txn has applied: a txn carries it so replicas (and
   * replay) can detect divergence at that zxid. Maintained from the node states prep records.
   */
  private pendingDigest: bigint;

  constructor(private readonly tree: CommittedTree) {
    this.pendingDigest = tree.digest();
  }

  get digest(): bigint {
    return this.pendingDigest;
  }

  get(path: string): NodeView | undefined {
    const record = this.pending.get(path);
    if (record !== undefined) return record.node ?? undefined;
    return this.tree.lookup(path);
  }

  /** Records the state a prepared txn leaves `path` in. */
  set(zxid: Zxid, path: string, node: NodeView | null): void {
    const previous = this.get(path);
    if (previous !== undefined) {
      this.pendingDigest = digestAdd(this.pendingDigest, previous.digest ?? nodeDigest(path, previous.data, previous.stat), -1);
    }
    let stored = node;
    if (node !== null) {
      const digest = nodeDigest(path, node.data, node.stat);
      this.pendingDigest = digestAdd(this.pendingDigest, digest, 1);
      // Spelled out rather than spread: this runs for every node every write touches.
      stored = { path: node.path, data: node.data, acl: node.acl, stat: node.stat, childCount: node.childCount, digest };
    }
    this.pending.set(path, { zxid, node: stored });
    const last = this.touched[this.touched.length - 1];
    if (last !== undefined && last.zxid === zxid) last.paths.push(path);
    else this.touched.push({ zxid, paths: [path] });
  }

  noteEphemeral(zxid: Zxid, owner: SessionId, path: string, exists: boolean): void {
    let paths = this.pendingEphemerals.get(owner);
    if (paths === undefined) this.pendingEphemerals.set(owner, (paths = new Map()));
    paths.set(path, { zxid, exists });
  }

  /** The session's ephemerals as they will be once every prepared txn has applied. */
  ephemeralsOf(session: SessionId): string[] {
    const out = new Set(this.tree.ephemeralsOf(session));
    const pending = this.pendingEphemerals.get(session);
    if (pending !== undefined) {
      for (const [path, change] of pending) {
        if (change.exists) out.add(path);
        else out.delete(path);
      }
    }
    return [...out];
  }

  /** A savepoint for multi: changes made with setWithin() after it can be rolled back. */
  savepoint(): Savepoint {
    return { records: new Map(), digest: this.pendingDigest };
  }

  setWithin(save: Savepoint, zxid: Zxid, path: string, node: NodeView | null): void {
    if (!save.records.has(path)) save.records.set(path, this.pending.get(path));
    this.set(zxid, path, node);
  }

  rollback(save: Savepoint): void {
    for (const [path, previous] of save.records) {
      if (previous === undefined) this.pending.delete(path);
      else this.pending.set(path, previous);
    }
    this.pendingDigest = save.digest;
  }

  /** Drops the records of txns up to zxid; a record replaced by a later txn stays. */
  applied(zxid: Zxid): void {
    while (this.touched.length > 0 && this.touched[0]!.zxid <= zxid) {
      const entry = this.touched.shift()!;
      for (const path of entry.paths) {
        const record = this.pending.get(path);
        if (record !== undefined && record.zxid <= zxid) this.pending.delete(path);
      }
    }
    // Nothing in flight: the committed digest is the truth (a divergence never compounds).
    if (this.pending.size === 0) this.pendingDigest = this.tree.digest();
    for (const [session, paths] of this.pendingEphemerals) {
      for (const [path, change] of paths) if (change.zxid <= zxid) paths.delete(path);
      if (paths.size === 0) this.pendingEphemerals.delete(session);
    }
  }
}
