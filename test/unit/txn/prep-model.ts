// A tiny prep for property tests: turns random commands into the txns a leader would log
// against the current tree (valid ones, NodeExists/NoNode/NotEmpty as error txns, failed multis
// as Apache logs them). Not the server's prep: just enough to drive applyTxn with real histories.
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type Acl } from '../../../src/proto/data.js';
import { ErrorCode } from '../../../src/proto/error-codes.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import { ownerKind } from '../../../src/tree/owner.js';
import { childPath, sequenceSuffix } from '../../../src/tree/path.js';
import { applyTxn } from '../../../src/txn/apply.js';
import type { SubTxn, Txn, TxnRecord } from '../../../src/txn/types.js';
import { sessionId, zxid, type SessionId } from '../../../src/util/ids.js';

export type Op =
  | { k: 'create'; parent: number; name: string; mode: number; data: Uint8Array | null; session: number }
  | { k: 'delete'; pick: number }
  | { k: 'set'; pick: number; data: Uint8Array | null }
  | { k: 'check'; pick: number };
export type Cmd =
  | Op
  | { k: 'acl'; pick: number; acl: number }
  | { k: 'open'; session: number; timeoutMs: number }
  | { k: 'close'; session: number; list: boolean }
  | { k: 'error' }
  | { k: 'multi'; ops: Op[] };

export const ACLS: readonly (readonly Acl[])[] = [
  OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, [{ perms: 31, id: { scheme: 'digest', id: 'u:h' } }],
];
const DEFAULT_SESSION: SessionId = sessionId(0x100n);

function userPaths(tree: DataTree, withRoot: boolean): string[] {
  const out: string[] = [];
  for (const n of tree.walkPreOrder()) {
    const path = n.path === '' ? '/' : n.path;
    if (path.startsWith('/zookeeper') || (path === '/' && !withRoot)) continue;
    out.push(path);
  }
  return out.sort();
}

function sessionFor(tree: DataTree, pick: number): SessionId {
  const ids = [...tree.sessions.keys()].sort((a, b) => (a < b ? -1 : 1));
  return ids.length === 0 ? DEFAULT_SESSION : ids[pick % ids.length]!;
}

function pickNode(tree: DataTree, pick: number, withRoot: boolean): string | null {
  const paths = userPaths(tree, withRoot);
  return paths.length === 0 ? null : paths[pick % paths.length]!;
}

/** One write op against `tree`: its record, or the error it would fail with. */
function prepOp(tree: DataTree, op: Op, clientId: SessionId): SubTxn | { err: number } {
  switch (op.k) {
    case 'create': {
      const parentPath = pickNode(tree, op.parent, true)!;
      const parent = tree.getNode(parentPath)!;
      if (ownerKind(parent.stat.ephemeralOwner) === 'ephemeral') return { err: ErrorCode.noChildrenForEphemerals };
      const sequential = op.mode === 2 || op.mode === 3;
      const path = childPath(parentPath, op.name + (sequential ? sequenceSuffix(parent.stat.cversion) : ''));
      if (tree.has(path)) return { err: ErrorCode.nodeExists };
      const parentCVersion = parent.stat.cversion + 1;
      const base = { path, data: op.data, acl: ACLS[op.session % ACLS.length]!, parentCVersion };
      if (op.mode === 4) return { type: 19, ...base };
      if (op.mode === 5) return { type: 21, ...base, ttl: 1000 + op.session };
      const ephemeral = (op.mode === 1 || op.mode === 3) && tree.sessions.has(clientId);
      return { type: op.session % 2 === 0 ? 1 : 15, ...base, ephemeral };
    }
    case 'delete': {
      const path = pickNode(tree, op.pick, false);
      if (path === null) return { err: ErrorCode.noNode };
      if (tree.getNode(path)!.children.size > 0) return { err: ErrorCode.notEmpty };
      return { type: 2, path };
    }
    case 'set': {
      const path = pickNode(tree, op.pick, true)!;
      return { type: 5, path, data: op.data, version: tree.getNode(path)!.stat.version + 1 };
    }
    case 'check': {
      const path = pickNode(tree, op.pick, true)!;
      return { type: 13, path, version: tree.getNode(path)!.stat.version };
    }
  }
}

function scratchCopy(tree: DataTree): DataTree {
  return DataTree.fromSnapshot(tree.sessions, tree.aclCacheEntries(), tree.walkPreOrder(), tree.lastProcessedZxid);
}

function headerFor(z: number, clientId: SessionId, type: number): Txn['header'] {
  return { clientId, cxid: z, zxid: zxid(z), time: 1_600_000_000_000 + z * 1000, type };
}

/** The txn a leader would log for `cmd` as zxid `z`. */
export function prep(tree: DataTree, cmd: Cmd, z: number): Txn {
  let clientId = DEFAULT_SESSION;
  let record: TxnRecord;
  switch (cmd.k) {
    case 'open':
      clientId = sessionId(0x200n + BigInt(cmd.session % 5));
      record = { type: -10, timeOut: cmd.timeoutMs };
      break;
    case 'close':
      clientId = sessionFor(tree, cmd.session);
      record = { type: -11, paths2Delete: cmd.list ? tree.ephemeralsOf(clientId) : null };
      break;
    case 'error':
      record = { type: -1, err: ErrorCode.nodeExists };
      break;
    case 'acl': {
      const path = pickNode(tree, cmd.pick, true)!;
      record = { type: 7, path, acl: ACLS[cmd.acl % ACLS.length]!, version: tree.getNode(path)!.stat.aversion + 1 };
      break;
    }
    case 'multi': {
      clientId = sessionFor(tree, cmd.ops.length);
      record = prepMulti(tree, cmd.ops, clientId, z);
      break;
    }
    default: {
      if (cmd.k === 'create') clientId = sessionFor(tree, cmd.session);
      const sub = prepOp(tree, cmd, clientId);
      record = 'err' in sub ? { type: -1, err: sub.err } : sub;
    }
  }
  return { header: headerFor(z, clientId, record.type), record, digest: null };
}

function prepMulti(tree: DataTree, ops: readonly Op[], clientId: SessionId, z: number): TxnRecord {
  const scratch = scratchCopy(tree);
  const subs: SubTxn[] = [];
  for (const op of ops) {
    const sub = prepOp(scratch, op, clientId);
    if ('err' in sub) {
      const after = ops.length - subs.length - 1;
      return { type: 14, txns: [...subs, { type: -1, err: sub.err }, ...Array.from({ length: after }, () => ({ type: -1 as const, err: -2 }))] };
    }
    subs.push(sub);
    applyTxn(scratch, { header: headerFor(z, clientId, sub.type), record: sub, digest: null });
  }
  return { type: 14, txns: subs };
}
