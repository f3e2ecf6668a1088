// The Database the server core runs on, backed by the DataTree and txn/apply. Adapts the tree's
// node records to the plain views prep and reads use.

import type { Stat } from '../../proto/data.js';
import type { SessionId, Zxid } from '../../util/ids.js';
import { DataTree } from '../../tree/data-tree.js';
import { applyTxn, digestMismatch } from '../../txn/apply.js';
import type { ApplyOutcome, Txn } from '../../txn/types.js';
import type { ContainerCandidate, Database, NodeSnapshot } from './database.js';

export class TreeDatabase implements Database {
  constructor(readonly tree: DataTree = DataTree.fresh()) {}

  get lastProcessedZxid(): Zxid {
    return this.tree.lastProcessedZxid;
  }

  node(path: string): NodeSnapshot | undefined {
    const node = this.tree.getNode(path);
    if (node === undefined) return undefined;
    return {
      data: node.data,
      acl: this.tree.aclOf(node),
      stat: node.stat,
      childCount: node.children.size,
      digest: this.tree.nodeDigestOf(path) ?? 0,
    };
  }

  stat(path: string): Stat | undefined {
    const node = this.tree.getNode(path);
    return node === undefined ? undefined : this.tree.statOf(node);
  }

  children(path: string): string[] {
    return this.tree.getChildren(path) ?? [];
  }

  ephemeralsOf(session: SessionId): Iterable<string> {
    return this.tree.ephemeralsOf(session);
  }

  ephemeralCount(): number {
    return this.tree.ephemeralCount();
  }

  *sessionsWithEphemerals(): Iterable<[SessionId, Iterable<string>]> {
    for (const id of this.tree.sessionsWithEphemerals()) yield [id, this.tree.ephemeralsOf(id)];
  }

  countAllChildren(path: string): number {
    return this.tree.countAllChildren(path);
  }

  nodeCount(): number {
    return this.tree.nodeCount();
  }

  approximateDataSize(): number {
    return this.tree.approximateDataSize();
  }

  *containerCandidates(): Iterable<ContainerCandidate> {
    for (const c of this.tree.containerCandidates()) {
      yield { path: c.path, childCount: c.childCount, cversion: c.storedCversion, mtime: c.mtime, ttlMs: 0, isContainer: true };
    }
    for (const c of this.tree.ttlCandidates()) {
      yield { path: c.path, childCount: c.childCount, cversion: c.storedCversion, mtime: c.mtime, ttlMs: c.ttlMs ?? 0, isContainer: false };
    }
  }

  digest(): bigint {
    return this.tree.digest();
  }

  digestHistory(): ReadonlyArray<readonly [Zxid, bigint]> {
    return this.tree.digestHistory();
  }

  sessions(): Iterable<[SessionId, number]> {
    return this.tree.sessions.entries();
  }

  /** Txns whose carried digest differed from the tree's after applying them (never ignored: counted and reported). */
  digestMismatches = 0;

  apply(txn: Txn): ApplyOutcome {
    const outcome = applyTxn(this.tree, txn);
    if (digestMismatch(this.tree, txn)) this.digestMismatches++;
    return outcome;
  }
}
