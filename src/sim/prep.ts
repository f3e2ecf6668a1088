// The leader-side "prep" of the simulation: turns a client write into a txn with the zxid the
// consensus core expects, checked against the speculative tree (the committed tree plus every
// txn already proposed), applied to it, and stamped with the resulting tree digest so replicas
// detect divergence at that zxid. A failed precondition becomes an error txn (as ZooKeeper
// does), so its reply too waits for the commit and is ordered with the session's other writes.

import { OPEN_ACL_UNSAFE } from '../proto/data.js';
import { ErrorCode } from '../proto/error-codes.js';
import { applyTxn, stampDigest } from '../txn/apply.js';
import type { DataTree } from '../tree/data-tree.js';
import type { Txn, TxnRecord } from '../txn/types.js';
import type { SessionId, Zxid } from '../util/ids.js';
import type { WriteOp } from './ops.js';

/** Builds the txn for `op`, applies it to `spec`, and returns it with its digest. */
export function prepTxn(spec: DataTree, sessionId: SessionId, cxid: number, op: WriteOp, zxid: Zxid, timeMs: number): Txn {
  const record = recordFor(spec, sessionId, op);
  const txn: Txn = { header: { clientId: sessionId, cxid, zxid, time: timeMs, type: record.type }, record, digest: null };
  applyTxn(spec, txn);
  return stampDigest(txn, spec);
}

function fail(err: number): TxnRecord {
  return { type: -1, err };
}

function recordFor(spec: DataTree, sessionId: SessionId, op: WriteOp): TxnRecord {
  if (op.kind === 'createSession') return { type: -10, timeOut: op.timeoutMs };
  if (!spec.sessions.has(sessionId)) return fail(ErrorCode.sessionExpired);
  switch (op.kind) {
    case 'closeSession':
      return { type: -11, paths2Delete: spec.ephemeralsOf(sessionId) };
    case 'create': {
      if (spec.getNode(op.path) !== undefined) return fail(ErrorCode.nodeExists);
      const parent = spec.getNode('/');
      if (parent === undefined) return fail(ErrorCode.noNode);
      return { type: 1, path: op.path, data: Buffer.from(op.data), acl: OPEN_ACL_UNSAFE, ephemeral: op.ephemeral, parentCVersion: parent.stat.cversion + 1 };
    }
    case 'set': {
      const node = spec.getNode(op.path);
      if (node === undefined) return fail(ErrorCode.noNode);
      if (op.version !== -1 && op.version !== node.stat.version) return fail(ErrorCode.badVersion);
      return { type: 5, path: op.path, data: Buffer.from(op.data), version: node.stat.version + 1 };
    }
    case 'delete': {
      const node = spec.getNode(op.path);
      if (node === undefined) return fail(ErrorCode.noNode);
      if (op.version !== -1 && op.version !== node.stat.version) return fail(ErrorCode.badVersion);
      return { type: 2, path: op.path };
    }
  }
}
