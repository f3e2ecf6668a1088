// What the server core needs from the replicated database (DataTree + session table): reads
// for answering requests, a lookup for prep, and apply for committed txns. The core depends on
// this interface, not on the tree's internals.

import type { Acl, Stat, StatPersisted } from '../../proto/data.js';
import type { SessionId, Zxid } from '../../util/ids.js';
import type { ApplyOutcome, Txn } from '../../txn/types.js';

export interface NodeSnapshot {
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly stat: StatPersisted;
  readonly childCount: number;
  /** The node's current share of the tree digest, as the tree has it cached. */
  readonly digest: number;
}

export interface ContainerCandidate {
  readonly path: string;
  readonly childCount: number;
  /** Stored child-create counter: a container that never had a child is kept. */
  readonly cversion: number;
  readonly mtime: number;
  /** 0 for containers; the TTL in ms for TTL nodes. */
  readonly ttlMs: number;
  readonly isContainer: boolean;
}

export interface Database {
  readonly lastProcessedZxid: Zxid;
  node(path: string): NodeSnapshot | undefined;
  /** The visible Stat of a node (cversion as clients see it). */
  stat(path: string): Stat | undefined;
  children(path: string): string[];
  ephemeralsOf(session: SessionId): Iterable<string>;
  ephemeralCount(): number;
  sessionsWithEphemerals(): Iterable<[SessionId, Iterable<string>]>;
  countAllChildren(path: string): number;
  nodeCount(): number;
  approximateDataSize(): number;
  containerCandidates(): Iterable<ContainerCandidate>;
  digest(): bigint;
  /** (zxid, digest) at every applied zxid divisible by 128, newest 1024, oldest first. */
  digestHistory(): ReadonlyArray<readonly [Zxid, bigint]>;
  /** Applied txns whose carried digest disagreed with the tree's (a sign of divergence). */
  readonly digestMismatches: number;
  /** Sessions recovered from disk with their timeouts. */
  sessions(): Iterable<[SessionId, number]>;
  apply(txn: Txn): ApplyOutcome;
}
