// Applies one txn to the DataTree (storage-and-quorum.md §1.4): deterministic, and idempotent
// enough that a fuzzy snapshot plus a replay of the log from its zxid gives the exact tree
// (a create that finds its node only re-applies the parent cversion/pzxid update; a delete or
// setData of a missing node changes nothing). Returns the result the reply is built from and the
// watch triggers in firing order (protocol.md §6.7), each with the ACL it is delivered under.
//
// Everything comes from the txn: zxid, time and session id are the leader's, never local.

import { ErrorCode } from '../proto/error-codes.js';
import { EventType } from '../proto/opcodes.js';
import { assert } from '../util/assert.js';
import type { SessionId } from '../util/ids.js';
import type { DataTree } from '../tree/data-tree.js';
import { DIGEST_VERSION } from '../tree/digest.js';
import { CONTAINER_OWNER, ttlOwner } from '../tree/owner.js';
import { parentOf } from '../tree/path.js';
import type {
  ApplyOutcome, ApplyResult, CloseSessionTxn, MultiTxn, SubTxn, Txn, TxnDigest, TxnHeader, WatchTrigger,
} from './types.js';

type Triggers = WatchTrigger[];

function result(type: number, err: number, path: string | null = null, stat: ApplyResult['stat'] = null): ApplyResult {
  return { type, err, path, stat, multi: null };
}

/** Applies `txn` and advances lastProcessedZxid. */
export function applyTxn(tree: DataTree, txn: Txn): ApplyOutcome {
  const { header, record } = txn;
  assert(header.type === record.type, () => `txn header type ${header.type} != record type ${record.type}`);
  const triggers: Triggers = [];
  let outcome: ApplyResult;
  switch (record.type) {
    case -10:
      tree.sessions.set(header.clientId, record.timeOut);
      outcome = result(record.type, ErrorCode.ok);
      break;
    case -11:
      closeSession(tree, header, record, triggers);
      outcome = result(record.type, ErrorCode.ok);
      break;
    case 14:
      outcome = applyMulti(tree, header, record, triggers);
      break;
    default:
      outcome = applySub(tree, header, record, triggers, false);
  }
  if (header.zxid > tree.lastProcessedZxid) tree.lastProcessedZxid = header.zxid;
  tree.noteDigest(header.zxid);
  return { result: outcome, triggers };
}

/** The TxnDigest the leader stamps on a txn it has just applied. */
export function digestForTxn(tree: DataTree): TxnDigest {
  return { version: DIGEST_VERSION, treeDigest: tree.digest() };
}

/** `txn` with the digest of `tree` after applying it; a top-level error txn carries none. */
export function stampDigest(txn: Txn, tree: DataTree): Txn {
  return { ...txn, digest: txn.record.type === -1 ? null : digestForTxn(tree) };
}

/** After applying `txn`: true if it carries a version-2 digest that differs from the tree's. */
export function digestMismatch(tree: DataTree, txn: Txn): boolean {
  return txn.digest !== null && txn.digest.version === DIGEST_VERSION && txn.digest.treeDigest !== tree.digest();
}

function applySub(tree: DataTree, header: TxnHeader, sub: SubTxn, triggers: Triggers, inMulti: boolean): ApplyResult {
  switch (sub.type) {
    case 1:
    case 15:
    case 19:
    case 21:
      return applyCreate(tree, header, sub, triggers, inMulti);
    case 2:
    case 20: {
      const err = deleteWithTriggers(tree, sub.path, header, triggers);
      return result(sub.type, err, sub.path);
    }
    case 5:
    case 16: {
      const err = tree.setData(sub.path, sub.data, sub.version, header.zxid, header.time);
      if (err !== ErrorCode.ok) return result(sub.type, err, sub.path);
      const node = tree.getNode(sub.path)!;
      triggers.push({ path: sub.path, type: EventType.nodeDataChanged, acl: tree.aclOf(node) });
      return result(sub.type, err, sub.path, tree.statOf(node));
    }
    case 7: {
      const err = tree.setAcl(sub.path, sub.acl, sub.version);
      if (err !== ErrorCode.ok) return result(sub.type, err, sub.path);
      return result(sub.type, err, sub.path, tree.statOf(tree.getNode(sub.path)!));
    }
    case 13:
      return result(sub.type, ErrorCode.ok, sub.path);
    case -1:
      return result(sub.type, sub.err);
  }
}

function applyCreate(tree: DataTree, header: TxnHeader,
  sub: Extract<SubTxn, { type: 1 | 15 | 19 | 21 }>, triggers: Triggers, inMulti: boolean): ApplyResult {
  let owner = 0n;
  if (sub.type === 19) owner = CONTAINER_OWNER;
  else if (sub.type === 21) owner = ttlOwner(sub.ttl);
  else if (sub.ephemeral) owner = header.clientId;
  const err = tree.createNode(sub.path, sub.data, sub.acl, owner, sub.parentCVersion, header.zxid, header.time);
  if (err !== ErrorCode.ok) return result(sub.type, err, sub.path);
  const node = tree.getNode(sub.path)!;
  const parentPath = parentOf(sub.path);
  triggers.push({ path: sub.path, type: EventType.nodeCreated, acl: tree.aclOf(node) });
  triggers.push({ path: parentPath, type: EventType.nodeChildrenChanged, acl: tree.aclOf(tree.getNode(parentPath)!) });
  // protocol.md §4.6: in a multi, create and create2 answer as type 1 (path only), container
  // and TTL creates as type 15 (path + Stat). Alone, create2/container/TTL reply with a Stat.
  const withStat = inMulti ? sub.type === 19 || sub.type === 21 : sub.type !== 1;
  const type = inMulti ? (withStat ? 15 : 1) : sub.type;
  return result(type, ErrorCode.ok, sub.path, withStat ? tree.statOf(node) : null);
}

function deleteWithTriggers(tree: DataTree, path: string, header: TxnHeader, triggers: Triggers): number {
  const node = tree.getNode(path);
  if (node === undefined) return tree.deleteNode(path, header.zxid); // noNode; see deleteNode
  const acl = tree.aclOf(node);
  const err = tree.deleteNode(path, header.zxid);
  if (err !== ErrorCode.ok) return err;
  const parentPath = parentOf(path);
  triggers.push({ path, type: EventType.nodeDeleted, acl });
  triggers.push({ path: parentPath, type: EventType.nodeChildrenChanged, acl: tree.aclOf(tree.getNode(parentPath)!) });
  return ErrorCode.ok;
}

function closeSession(tree: DataTree, header: TxnHeader, record: CloseSessionTxn, triggers: Triggers): void {
  const session: SessionId = header.clientId;
  // The listed paths first, then whatever ephemerals of the session remain (older writers list none).
  for (const path of record.paths2Delete ?? []) deleteWithTriggers(tree, path, header, triggers);
  for (const path of tree.ephemeralsOf(session)) deleteWithTriggers(tree, path, header, triggers);
  tree.sessions.delete(session);
}

function applyMulti(tree: DataTree, header: TxnHeader, record: MultiTxn, triggers: Triggers): ApplyResult {
  const failed = record.txns.some((t) => t.type === -1);
  let results: ApplyResult[];
  if (failed) {
    // A logged failed multi changes nothing: ops before the failure report 0, the failing op its
    // code, later ops (logged as ErrorTxn -2) -2. No triggers.
    let afterFailure = false;
    results = record.txns.map((t) => {
      if (t.type !== -1) return result(-1, afterFailure ? ErrorCode.runtimeInconsistency : ErrorCode.ok);
      afterFailure = true;
      return result(-1, t.err);
    });
  } else {
    results = record.txns.map((t) => applySub(tree, header, t, triggers, true));
  }
  return { type: record.type, err: ErrorCode.ok, path: null, stat: null, multi: results };
}
