// Transaction records as logged by Apache ZooKeeper (storage-and-quorum.md §1.2–1.5): a header,
// a body chosen by the header type, and an optional tree digest. The same bytes are a log
// record's body and a PROPOSAL's data, so these types are the unit of replication.

import type { Acl, Stat } from '../proto/data.js';
import type { EventType } from '../proto/opcodes.js';
import type { SessionId, Zxid } from '../util/ids.js';

export interface TxnHeader {
  readonly clientId: SessionId;
  readonly cxid: number;
  readonly zxid: Zxid;
  /** Leader wall clock when the txn was prepared, ms since the epoch. */
  readonly time: number;
  readonly type: number;
}

export interface TxnDigest {
  readonly version: number;
  readonly treeDigest: bigint;
}

export type CreateTxn = {
  readonly type: 1 | 15; // create, create2
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly ephemeral: boolean;
  /** -1 in legacy (V0) records: apply uses parent.cversion + 1. */
  readonly parentCVersion: number;
};
export type CreateContainerTxn = {
  readonly type: 19;
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly parentCVersion: number;
};
export type CreateTtlTxn = {
  readonly type: 21;
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly parentCVersion: number;
  readonly ttl: number;
};
export type DeleteTxn = { readonly type: 2 | 20; readonly path: string }; // delete, deleteContainer
export type SetDataTxn = {
  readonly type: 5 | 16; // setData, reconfig
  readonly path: string;
  readonly data: Uint8Array | null;
  /** The new version, already incremented. */
  readonly version: number;
};
export type SetAclTxn = {
  readonly type: 7;
  readonly path: string;
  readonly acl: readonly Acl[];
  /** The new aversion, already incremented. */
  readonly version: number;
};
export type CheckVersionTxn = { readonly type: 13; readonly path: string; readonly version: number };
export type CreateSessionTxn = { readonly type: -10; readonly timeOut: number };
/** paths2Delete is null when the record had no body (older writers). */
export type CloseSessionTxn = { readonly type: -11; readonly paths2Delete: readonly string[] | null };
export type ErrorTxn = { readonly type: -1; readonly err: number };
export type MultiTxn = { readonly type: 14; readonly txns: readonly SubTxn[] };

/** The records allowed inside a multi. */
export type SubTxn =
  | CreateTxn
  | CreateContainerTxn
  | CreateTtlTxn
  | DeleteTxn
  | SetDataTxn
  | SetAclTxn
  | CheckVersionTxn
  | ErrorTxn;

export type TxnRecord = SubTxn | CreateSessionTxn | CloseSessionTxn | MultiTxn;

export interface Txn {
  readonly header: TxnHeader;
  readonly record: TxnRecord;
  readonly digest: TxnDigest | null;
}

/** A watch event a txn fires: the server maps it onto connections' watch tables. */
export interface WatchTrigger {
  readonly path: string;
  readonly type: EventType;
  /** ACL of the node the event is about (the parent's for NodeChildrenChanged), taken when the
   * txn applied: a watch event reaches only connections with READ on it (protocol.md §6.7). */
  readonly acl: readonly Acl[];
}

/** What applying one (sub)txn produced; the reply is built from it. */
export interface ApplyResult {
  /** The txn's type as logged (create results of a multi report 1 or 15 per the rules of protocol.md §4.6). */
  readonly type: number;
  readonly err: number;
  /** Created path (create*), or the path the txn touched. */
  readonly path: string | null;
  /** Stat of the node after the txn (create2/container/TTL, setData, setACL). */
  readonly stat: Stat | null;
  /** Per-op results of a multi. */
  readonly multi: readonly ApplyResult[] | null;
}

export interface ApplyOutcome {
  readonly result: ApplyResult;
  /** In firing order: NodeCreated/NodeDeleted/NodeDataChanged before the parent's NodeChildrenChanged. */
  readonly triggers: readonly WatchTrigger[];
}
