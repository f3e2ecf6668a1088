// The DataTree: every znode by full path, with the indexes the server needs (ephemerals by
// session, containers, TTL nodes), the interned ACL cache, the session table, and the tree
// digest kept up to date on every change. Pure: no clock, no I/O. Txns change it only through
// txn/apply.ts, which calls the mutators below.
//
// Invariants:
// - Every node but '/' has its parent in the map, and the parent's `children` holds its name.
// - `digestValue` always equals the sum of nodeDigest() over all nodes (checked by tests).
// - A node's `stat.cversion` is the stored child-create counter; clients see 2*stored - numChildren.
// - The indexes (ephemerals, containers, ttls) hold exactly the nodes whose owner says so.
// - The root is keyed '/'; Apache keys it twice ('' and '/'), which nodeCount() reproduces.

import { type Acl, type Stat, type StatPersisted, READ_ACL_UNSAFE } from '../proto/data.js';
import { ErrorCode } from '../proto/error-codes.js';
import { assert } from '../util/assert.js';
import { type SessionId, type Zxid, ZXID_ZERO } from '../util/ids.js';
import { AclCache, OPEN_ACL_REF } from './acl-cache.js';
import { digestAdd, nodeDigest } from './digest.js';
import { ownerKind, ttlOf, visibleOwner } from './owner.js';
import { childPath, nameOf, parentOf } from './path.js';

export interface ReadonlyZNode {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly stat: Readonly<StatPersisted>;
  readonly children: ReadonlySet<string>;
  readonly aclRef: number;
}

interface ZNode extends ReadonlyZNode {
  data: Uint8Array | null;
  readonly stat: StatPersisted;
  readonly children: Set<string>;
  aclRef: number;
  /** This node's share of the tree digest (0 for excluded paths). */
  digest: number;
}

/** One node as a snapshot stores it: the root's path is '' (as Apache writes it). */
export interface SnapshotNode {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly aclRef: number;
  readonly stat: StatPersisted;
}

/** What the container/TTL reaper needs to decide on one node. */
export interface ReapCandidate {
  readonly path: string;
  readonly childCount: number;
  readonly storedCversion: number;
  readonly mtime: number;
  /** TTL in ms for TTL nodes; null for containers. */
  readonly ttlMs: number | null;
}

export function emptyStat(): StatPersisted {
  return { czxid: ZXID_ZERO, mzxid: ZXID_ZERO, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: ZXID_ZERO };
}

const DIGEST_LOG_INTERVAL = 128n;
const DIGEST_LOG_MAX = 1024;

export class DataTree {
  private readonly nodes = new Map<string, ZNode>();
  private readonly ephemerals = new Map<SessionId, Set<string>>();
  private readonly containers = new Set<string>();
  private readonly ttls = new Set<string>();
  readonly acls = new AclCache();
  /** Session id -> negotiated timeout, maintained by createSession/closeSession txns. */
  readonly sessions = new Map<SessionId, number>();
  lastProcessedZxid: Zxid = ZXID_ZERO;
  private digestValue = 0n;
  /** (zxid, digest) after every applied zxid divisible by 128, the newest 1024 (the `hash` word). */
  private readonly digestLog: Array<readonly [Zxid, bigint]> = [];
  private dataBytes = 0;

  /** A fresh database: '/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config' (protocol.md §6.3). */
  static fresh(): DataTree {
    const tree = new DataTree();
    const empty = new Uint8Array(0);
    tree.insert('/', empty, OPEN_ACL_REF, emptyStat());
    tree.insert('/zookeeper', empty, OPEN_ACL_REF, emptyStat());
    tree.insert('/zookeeper/quota', empty, OPEN_ACL_REF, emptyStat());
    const configStat = { ...emptyStat(), aversion: -1 };
    tree.insert('/zookeeper/config', empty, tree.acls.intern(READ_ACL_UNSAFE), configStat);
    return tree;
  }

  /**
   * Rebuilds a tree from a snapshot: sessions, ACL map entries, and nodes in pre-order (every
   * parent before its children; root path ''). Throws on an orphan, as Apache's loader does.
   */
  static fromSnapshot(
    sessions: Iterable<readonly [SessionId, number]>,
    aclEntries: Iterable<readonly [number, readonly Acl[]]>,
    nodes: Iterable<SnapshotNode>,
    lastProcessedZxid: Zxid,
  ): DataTree {
    const tree = new DataTree();
    for (const [id, timeoutMs] of sessions) tree.sessions.set(id, timeoutMs);
    for (const [ref, acl] of aclEntries) tree.acls.load(ref, acl);
    for (const n of nodes) {
      const path = n.path === '' ? '/' : n.path;
      if (path !== '/' && !tree.nodes.has(parentOf(path))) {
        throw new Error(`snapshot node ${path} appears before its parent ${parentOf(path)}`);
      }
      // A path listed twice (a fuzzy snapshot written by zkts before walkPreOrder copied child
      // lists) loads as Apache's loader does: the later entry wins, minus the earlier's indexes.
      const earlier = tree.nodes.get(path);
      if (earlier !== undefined) tree.remove(earlier);
      tree.acls.loadUse(n.aclRef);
      tree.insert(path, n.data, n.aclRef, { ...n.stat });
      if (earlier !== undefined) for (const name of earlier.children) tree.mustGet(path).children.add(name);
    }
    if (!tree.nodes.has('/')) throw new Error('snapshot has no root node');
    tree.acls.purgeUnused();
    tree.lastProcessedZxid = lastProcessedZxid;
    return tree;
  }

  // ---- lookups -------------------------------------------------------------------------------

  getNode(path: string): ReadonlyZNode | undefined {
    return this.nodes.get(path);
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  /** The client-visible Stat of a node. */
  statOf(node: ReadonlyZNode): Stat {
    const s = node.stat;
    const numChildren = node.children.size;
    return {
      czxid: s.czxid, mzxid: s.mzxid, ctime: s.ctime, mtime: s.mtime,
      version: s.version, cversion: 2 * s.cversion - numChildren, aversion: s.aversion,
      ephemeralOwner: visibleOwner(s.ephemeralOwner),
      dataLength: node.data?.length ?? 0, numChildren, pzxid: s.pzxid,
    };
  }

  /** Child names of a node (insertion order), or null if it does not exist. */
  getChildren(path: string): string[] | null {
    const node = this.nodes.get(path);
    return node === undefined ? null : [...node.children];
  }

  aclOf(node: ReadonlyZNode): readonly Acl[] {
    return this.acls.lookup(node.aclRef);
  }

  aclCacheEntries(): Array<[number, readonly Acl[]]> {
    return this.acls.entries();
  }

  ephemeralsOf(sessionId: SessionId): string[] {
    return [...(this.ephemerals.get(sessionId) ?? [])];
  }

  sessionsWithEphemerals(): SessionId[] {
    return [...this.ephemerals.keys()];
  }

  ephemeralCount(): number {
    let n = 0;
    for (const set of this.ephemerals.values()) n += set.size;
    return n;
  }

  containerCandidates(): ReapCandidate[] {
    return [...this.containers].map((p) => this.reapCandidate(p, null));
  }

  ttlCandidates(): ReapCandidate[] {
    return [...this.ttls].map((p) => this.reapCandidate(p, ttlOf(this.mustGet(p).stat.ephemeralOwner)));
  }

  /** Apache's node count: its map holds the root twice, so a fresh tree reports 5. */
  nodeCount(): number {
    return this.nodes.size + 1;
  }

  /** Sum of path lengths and data lengths over the nodes (Apache's approximate data size). */
  approximateDataSize(): number {
    return this.dataBytes;
  }

  /** getAllChildrenNumber: nodes strictly below `path` (for '/', every node but the root). */
  countAllChildren(path: string): number {
    const start = this.nodes.get(path);
    if (start === undefined) return 0;
    let count = 0;
    const stack: ZNode[] = [start];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      for (const name of node.children) {
        const child = this.nodes.get(childPath(node.path, name));
        if (child === undefined) continue;
        count++;
        stack.push(child);
      }
    }
    return count;
  }

  /** A node's current share of the tree digest (cached; 0 for excluded paths). */
  nodeDigestOf(path: string): number | undefined {
    return this.nodes.get(path)?.digest;
  }

  /** The tree digest (storage-and-quorum.md §5), a signed 64-bit value as on the wire. */
  digest(): bigint {
    return this.digestValue;
  }

  /** Records the digest at `zxid` when it is a multiple of 128, as ZooKeeper's digest log does. */
  noteDigest(zxid: Zxid): void {
    if ((zxid & (DIGEST_LOG_INTERVAL - 1n)) !== 0n) return;
    this.digestLog.push([zxid, this.digestValue]);
    if (this.digestLog.length > DIGEST_LOG_MAX) this.digestLog.shift();
  }

  /** The recorded (zxid, digest) pairs, oldest first. */
  digestHistory(): ReadonlyArray<readonly [Zxid, bigint]> {
    return this.digestLog;
  }

  /**
   * Pre-order walk from the root, children in insertion order, as the snapshot writer needs it.
   * Safe against changes while suspended (fuzzy snapshots): nodes deleted meanwhile are skipped.
   */
  *walkPreOrder(): Generator<SnapshotNode> {
    for (const node of this.walkNodes()) {
      yield { path: node.path === '/' ? '' : node.path, data: node.data, aclRef: node.aclRef, stat: { ...node.stat } };
    }
  }

  /**
   * The live nodes in pre-order from the root ('/'), for a caller that reads each node before it
   * resumes the walk (the fuzzy snapshot encodes them as they come: no copy per node). Each
   * node's child names are copied when it is reached (as Apache does): a live Set iterator would
   * yield a child deleted and created again mid-walk twice, and a fuzzy snapshot holding a path
   * twice loads with stale ephemeral/TTL indexes (found by apply-props). Only the lists on the
   * path from the root are held at once. Children deleted before they are reached are skipped.
   */
  *walkNodes(): Generator<ReadonlyZNode> {
    const root = this.nodes.get('/');
    if (root === undefined) return;
    yield root;
    const stack: Array<{ path: string; names: string[]; at: number }> = [{ path: '/', names: [...root.children], at: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.at === top.names.length) {
        stack.pop();
        continue;
      }
      const node = this.nodes.get(childPath(top.path, top.names[top.at++]!));
      if (node === undefined) continue; // deleted before the walk reached it
      yield node;
      if (node.children.size > 0) stack.push({ path: node.path, names: [...node.children], at: 0 });
    }
  }

  // ---- mutators (called by txn/apply.ts) -------------------------------------------------------

  /**
   * Creates a node. Returns ok, noNode (no parent) or nodeExists; on
   * nodeExists the parent's cversion/pzxid update is still applied, so replaying a create over a
   * fuzzy snapshot that already holds the node is exact.
   */
  createNode(path: string, data: Uint8Array | null, acl: readonly Acl[], owner: bigint,
    parentCVersion: number, zxid: Zxid, time: number): number {
    const parent = this.nodes.get(parentOf(path));
    if (parent === undefined) return ErrorCode.noNode;
    if (parent.children.has(nameOf(path))) {
      this.setCversionPzxid(parent.path, parentCVersion, zxid);
      return ErrorCode.nodeExists;
    }
    this.setCversionPzxid(parent.path, parentCVersion, zxid);
    const stat: StatPersisted = {
      czxid: zxid, mzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: owner, pzxid: zxid,
    };
    this.insert(path, data, this.acls.intern(acl), stat);
    return ErrorCode.ok;
  }

  /** Parent cversion := max(cversion, newCversion) with pzxid; -1 means "current + 1". */
  setCversionPzxid(path: string, newCversion: number, zxid: Zxid): void {
    const node = this.mustGet(path);
    const target = newCversion === -1 ? node.stat.cversion + 1 : newCversion;
    if (target <= node.stat.cversion) return;
    this.change(node, () => {
      node.stat.cversion = target;
      node.stat.pzxid = zxid;
    });
  }

  /**
   * Deletes a node. Returns ok or noNode. The parent's pzxid moves up to zxid. Prep only deletes
   * childless nodes, but replay over a fuzzy snapshot can meet children created by later txns
   * (which the replay then recreates): they go with it, silently, so the tree stays consistent.
   */
  deleteNode(path: string, zxid: Zxid): number {
    if (path === '/') return ErrorCode.noNode;
    const node = this.nodes.get(path);
    if (node === undefined) {
      // Replay over a fuzzy snapshot written after this delete: the node is already gone but the
      // parent may have been written before it, so its pzxid still needs the bump (Apache 3.8,
      // as we read it, skips it). Harmless otherwise: pzxid only moves up.
      const stale = this.nodes.get(parentOf(path));
      if (stale !== undefined && zxid > stale.stat.pzxid) this.change(stale, () => { stale.stat.pzxid = zxid; });
      return ErrorCode.noNode;
    }
    const parent = this.mustGet(parentOf(path));
    this.removeSubtree(node);
    this.change(parent, () => {
      parent.children.delete(nameOf(path));
      if (zxid > parent.stat.pzxid) parent.stat.pzxid = zxid;
    });
    return ErrorCode.ok;
  }

  /**
   * A quorum member's `/zookeeper/config` holds its quorum config text with version −1 and
   * mzxid 0 (storage-and-quorum.md §4.4, §9.3). Not a txn: each server writes its own view, and
   * the node is outside the digest.
   */
  setQuorumConfig(text: string): void {
    const node = this.mustGet('/zookeeper/config');
    const data = new TextEncoder().encode(text);
    this.change(node, () => {
      this.dataBytes += data.length - (node.data?.length ?? 0);
      node.data = data;
      node.stat.version = -1;
      node.stat.mzxid = ZXID_ZERO;
    });
  }

  /** Sets data; `version` is the new version. Returns ok or noNode. */
  setData(path: string, data: Uint8Array | null, version: number, zxid: Zxid, time: number): number {
    const node = this.nodes.get(path);
    if (node === undefined) return ErrorCode.noNode;
    this.change(node, () => {
      this.dataBytes += (data?.length ?? 0) - (node.data?.length ?? 0);
      node.data = data;
      node.stat.mtime = time;
      node.stat.mzxid = zxid;
      node.stat.version = version;
    });
    return ErrorCode.ok;
  }

  /** Sets the ACL; `version` is the new aversion. mzxid is untouched. Returns ok or noNode. */
  setAcl(path: string, acl: readonly Acl[], version: number): number {
    const node = this.nodes.get(path);
    if (node === undefined) return ErrorCode.noNode;
    this.change(node, () => {
      // Release before interning, as Apache does: a list only this node used gets a new ref.
      this.acls.removeUse(node.aclRef);
      node.stat.aversion = version;
      node.aclRef = this.acls.intern(acl);
    });
    return ErrorCode.ok;
  }

  // ---- internals -------------------------------------------------------------------------------

  private mustGet(path: string): ZNode {
    const node = this.nodes.get(path);
    assert(node !== undefined, () => `no node ${path}`);
    return node;
  }

  private reapCandidate(path: string, ttlMs: number | null): ReapCandidate {
    const node = this.mustGet(path);
    return { path, childCount: node.children.size, storedCversion: node.stat.cversion, mtime: node.stat.mtime, ttlMs };
  }

  /** Adds a node (its ACL use already counted) and links it under its parent. */
  private insert(path: string, data: Uint8Array | null, aclRef: number, stat: StatPersisted): void {
    const node: ZNode = { path, data, stat, children: new Set(), aclRef, digest: nodeDigest(path, data, stat) };
    this.nodes.set(path, node);
    this.digestValue = digestAdd(this.digestValue, node.digest, 1);
    this.dataBytes += path.length + (data?.length ?? 0);
    if (path !== '/') {
      const parent = this.mustGet(parentOf(path));
      parent.children.add(nameOf(path));
    }
    this.index(node, 1);
  }

  private removeSubtree(node: ZNode): void {
    const stack: ZNode[] = [node];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      for (const name of n.children) {
        const child = this.nodes.get(childPath(n.path, name));
        if (child !== undefined) stack.push(child);
      }
      this.remove(n);
    }
  }

  private remove(node: ZNode): void {
    this.nodes.delete(node.path);
    this.digestValue = digestAdd(this.digestValue, node.digest, -1);
    this.dataBytes -= node.path.length + (node.data?.length ?? 0);
    this.acls.removeUse(node.aclRef);
    this.index(node, -1);
  }

  /** Runs a change to one node and moves its digest share from old to new. */
  private change(node: ZNode, mutate: () => void): void {
    this.digestValue = digestAdd(this.digestValue, node.digest, -1);
    mutate();
    node.digest = nodeDigest(node.path, node.data, node.stat);
    this.digestValue = digestAdd(this.digestValue, node.digest, 1);
  }

  private index(node: ZNode, sign: 1 | -1): void {
    const owner = node.stat.ephemeralOwner;
    switch (ownerKind(owner)) {
      case 'persistent':
        return;
      case 'container':
        if (sign === 1) this.containers.add(node.path);
        else this.containers.delete(node.path);
        return;
      case 'ttl':
        if (sign === 1) this.ttls.add(node.path);
        else this.ttls.delete(node.path);
        return;
      case 'ephemeral': {
        const id = owner as SessionId;
        let set = this.ephemerals.get(id);
        if (sign === 1) {
          if (set === undefined) this.ephemerals.set(id, (set = new Set()));
          set.add(node.path);
        } else if (set !== undefined) {
          set.delete(node.path);
          if (set.size === 0) this.ephemerals.delete(id);
        }
        return;
      }
    }
  }
}
