// Prep: turns a write request into the txn that will be logged, validating it against the
// PrepView (committed tree + prepared changes) in ZooKeeper's check order (protocol.md §6.1).
// A failed write becomes an error txn: it still consumes a zxid and is logged, as in ZooKeeper.

import type { Acl, Id, StatPersisted } from '../../proto/data.js';
import { ErrorCode } from '../../proto/error-codes.js';
import { OpCode, Perm } from '../../proto/opcodes.js';
import type { SessionId, Zxid } from '../../util/ids.js';
import type { CloseSessionTxn, SubTxn, TxnRecord } from '../../txn/types.js';
import type { NodeView, PrepView } from './prep-view.js';
import { CONTAINER_OWNER, TTL_MS_MAX, ownerKind, ttlOwner } from '../../tree/owner.js';
import { SPECIAL_PATHS, parentOf, sequenceSuffix } from '../../tree/path.js';


export type WriteOp =
  | {
      readonly op: 'create';
      readonly opcode: 1 | 15 | 19 | 21;
      readonly path: string;
      readonly data: Uint8Array | null;
      readonly acl: readonly Acl[] | null;
      readonly flags: number;
      readonly ttl: number;
    }
  | { readonly op: 'delete'; readonly opcode: 2 | 20; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: Uint8Array | null; readonly version: number }
  | { readonly op: 'setACL'; readonly path: string; readonly acl: readonly Acl[] | null; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

/** The policy prep needs from the ACL and path modules, injected so prep stays testable. */
export interface PrepPolicy {
  readonly extendedTypesEnabled: boolean;
  fixupAcl(acl: readonly Acl[] | null, authIds: readonly Id[]): Acl[] | null;
  checkAcl(acl: readonly Acl[], perm: number, authIds: readonly Id[]): boolean;
  /** null when valid; the full client-side path validation of protocol.md §6.6. */
  validatePath(path: string): string | null;
}

export interface PrepContext {
  readonly zxid: Zxid;
  readonly timeMs: number;
  readonly session: SessionId;
  readonly authIds: readonly Id[];
  readonly view: PrepView;
  readonly policy: PrepPolicy;
}

class PrepError extends Error {
  constructor(readonly code: number) {
    super(`prep error ${code}`);
  }
}


function fail(code: number): never {
  throw new PrepError(code);
}

function isNormalEphemeral(owner: bigint): boolean {
  return ownerKind(owner) === 'ephemeral';
}

function requireNode(view: PrepView, path: string): NodeView {
  return view.get(path) ?? fail(ErrorCode.noNode);
}

function requirePerm(ctx: PrepContext, node: NodeView, perm: number): void {
  if (!ctx.policy.checkAcl(node.acl, perm, ctx.authIds)) fail(ErrorCode.noAuth);
}

function checkVersion(expected: number, actual: number): void {
  if (expected !== -1 && expected !== actual) fail(ErrorCode.badVersion);
}

type Record = (path: string, node: NodeView | null) => void;

function prepCreate(op: Extract<WriteOp, { op: 'create' }>, ctx: PrepContext, record: Record): SubTxn {
  const { flags } = op;
  if (flags < 0 || flags > 6) fail(ErrorCode.badArguments);
  const isTtl = flags === 5 || flags === 6;
  const isContainer = flags === 4;
  const isSequential = flags === 2 || flags === 3 || flags === 6;
  const isEphemeral = flags === 1 || flags === 3;
  if (isTtl || op.opcode === OpCode.createTTL) {
    if (!ctx.policy.extendedTypesEnabled) fail(ErrorCode.unimplemented);
    if (!isTtl || op.opcode !== OpCode.createTTL) fail(ErrorCode.badArguments);
    if (!(op.ttl > 0 && op.ttl <= TTL_MS_MAX)) fail(ErrorCode.badArguments);
  }
  const lastSlash = op.path.lastIndexOf('/');
  if (lastSlash < 0 || op.path.includes('\u0000')) fail(ErrorCode.badArguments);
  const acl = ctx.policy.fixupAcl(op.acl, ctx.authIds) ?? fail(ErrorCode.invalidAcl);
  const parentPath = lastSlash === 0 ? '/' : op.path.substring(0, lastSlash);
  const parent = requireNode(ctx.view, parentPath);
  requirePerm(ctx, parent, Perm.create);
  const path = isSequential ? op.path + sequenceSuffix(parent.stat.cversion) : op.path;
  if (ctx.policy.validatePath(path) !== null) fail(ErrorCode.badArguments);
  if (ctx.view.get(path) !== undefined) fail(ErrorCode.nodeExists);
  if (isNormalEphemeral(parent.stat.ephemeralOwner)) fail(ErrorCode.noChildrenForEphemerals);

  const parentCVersion = parent.stat.cversion + 1;
  const owner = isEphemeral ? ctx.session : isContainer ? CONTAINER_OWNER : isTtl ? ttlOwner(op.ttl) : 0n;
  const stat: StatPersisted = {
    czxid: ctx.zxid,
    mzxid: ctx.zxid,
    ctime: ctx.timeMs,
    mtime: ctx.timeMs,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: owner,
    pzxid: ctx.zxid,
  };
  record(path, { path, data: op.data, acl, stat, childCount: 0 });
  record(parentPath, {
    ...parent,
    stat: { ...parent.stat, cversion: parentCVersion, pzxid: ctx.zxid },
    childCount: parent.childCount + 1,
  });
  if (isEphemeral) ctx.view.noteEphemeral(ctx.zxid, ctx.session, path, true);
  if (isContainer) return { type: OpCode.createContainer, path, data: op.data, acl, parentCVersion };
  if (isTtl) return { type: OpCode.createTTL, path, data: op.data, acl, parentCVersion, ttl: op.ttl };
  return { type: op.opcode === OpCode.create2 ? 15 : 1, path, data: op.data, acl, ephemeral: isEphemeral, parentCVersion };
}

function prepDelete(op: Extract<WriteOp, { op: 'delete' }>, ctx: PrepContext, record: Record): SubTxn {
  const { path } = op;
  const lastSlash = path.lastIndexOf('/');
  if (lastSlash < 0 || path.includes('\u0000') || SPECIAL_PATHS.has(path)) fail(ErrorCode.badArguments);
  const parentPath = lastSlash === 0 ? '/' : path.substring(0, lastSlash);
  const parent = requireNode(ctx.view, parentPath);
  if (op.opcode === OpCode.delete) requirePerm(ctx, parent, Perm.delete);
  const node = requireNode(ctx.view, path);
  if (op.opcode === OpCode.deleteContainer) {
    if (isNormalEphemeral(node.stat.ephemeralOwner)) fail(ErrorCode.badVersion);
  } else {
    checkVersion(op.version, node.stat.version);
  }
  if (node.childCount > 0) fail(ErrorCode.notEmpty);
  record(path, null);
  record(parentPath, {
    ...parent,
    stat: { ...parent.stat, pzxid: ctx.zxid },
    childCount: parent.childCount - 1,
  });
  if (isNormalEphemeral(node.stat.ephemeralOwner)) {
    ctx.view.noteEphemeral(ctx.zxid, node.stat.ephemeralOwner as SessionId, path, false);
  }
  return { type: op.opcode, path };
}

function prepSetData(op: Extract<WriteOp, { op: 'setData' }>, ctx: PrepContext, record: Record): SubTxn {
  if (ctx.policy.validatePath(op.path) !== null) fail(ErrorCode.badArguments);
  const node = requireNode(ctx.view, op.path);
  requirePerm(ctx, node, Perm.write);
  checkVersion(op.version, node.stat.version);
  const version = node.stat.version + 1;
  record(op.path, {
    ...node,
    data: op.data,
    stat: { ...node.stat, version, mzxid: ctx.zxid, mtime: ctx.timeMs },
  });
  return { type: OpCode.setData, path: op.path, data: op.data, version };
}

function prepSetAcl(op: Extract<WriteOp, { op: 'setACL' }>, ctx: PrepContext, record: Record): SubTxn {
  if (ctx.policy.validatePath(op.path) !== null) fail(ErrorCode.badArguments);
  const acl = ctx.policy.fixupAcl(op.acl, ctx.authIds) ?? fail(ErrorCode.invalidAcl);
  const node = requireNode(ctx.view, op.path);
  requirePerm(ctx, node, Perm.admin);
  checkVersion(op.version, node.stat.aversion);
  const version = node.stat.aversion + 1;
  record(op.path, { ...node, acl, stat: { ...node.stat, aversion: version } });
  return { type: OpCode.setACL, path: op.path, acl, version };
}

function prepCheck(op: Extract<WriteOp, { op: 'check' }>, ctx: PrepContext): SubTxn {
  if (ctx.policy.validatePath(op.path) !== null) fail(ErrorCode.badArguments);
  const node = requireNode(ctx.view, op.path);
  requirePerm(ctx, node, Perm.read);
  checkVersion(op.version, node.stat.version);
  return { type: OpCode.check, path: op.path, version: op.version };
}

function prepOne(op: WriteOp, ctx: PrepContext, record: Record): SubTxn {
  switch (op.op) {
    case 'create': return prepCreate(op, ctx, record);
    case 'delete': return prepDelete(op, ctx, record);
    case 'setData': return prepSetData(op, ctx, record);
    case 'setACL': return prepSetAcl(op, ctx, record);
    case 'check': return prepCheck(op, ctx);
  }
}

/** A single write: its txn record, or an error txn with the first failing check's code. */
export function prepWrite(op: WriteOp, ctx: PrepContext): TxnRecord {
  const save = ctx.view.savepoint();
  try {
    return prepOne(op, ctx, (path, node) => ctx.view.setWithin(save, ctx.zxid, path, node));
  } catch (e) {
    if (!(e instanceof PrepError)) throw e;
    ctx.view.rollback(save);
    return { type: OpCode.error, err: e.code };
  }
}

/**
 * A multi: ops are prepared in order, each seeing the earlier ones. At the first failure every
 * change of the multi is rolled back; the ops before it keep their records, the failing op becomes
 * error(code) and the later ones error(-2), as ZooKeeper logs it.
 */
export function prepMulti(ops: readonly WriteOp[], ctx: PrepContext): TxnRecord {
  const save = ctx.view.savepoint();
  const txns: SubTxn[] = [];
  for (let i = 0; i < ops.length; i++) {
    try {
      txns.push(prepOne(ops[i]!, ctx, (path, node) => ctx.view.setWithin(save, ctx.zxid, path, node)));
    } catch (e) {
      if (!(e instanceof PrepError)) throw e;
      ctx.view.rollback(save);
      txns.push({ type: OpCode.error, err: e.code });
      for (let j = i + 1; j < ops.length; j++) txns.push({ type: OpCode.error, err: ErrorCode.runtimeInconsistency });
      return { type: OpCode.multi, txns };
    }
  }
  return { type: OpCode.multi, txns };
}

/** closeSession deletes the session's ephemerals as they will be once prepared txns apply. */
export function prepCloseSession(ctx: PrepContext): CloseSessionTxn {
  const paths = ctx.view.ephemeralsOf(ctx.session).filter((p) => ctx.view.get(p) !== undefined).sort();
  for (const path of paths) {
    const parentPath = parentOf(path);
    const parent = ctx.view.get(parentPath);
    ctx.view.set(ctx.zxid, path, null);
    ctx.view.noteEphemeral(ctx.zxid, ctx.session, path, false);
    if (parent !== undefined) {
      ctx.view.set(ctx.zxid, parentPath, {
        ...parent,
        stat: { ...parent.stat, pzxid: ctx.zxid },
        childCount: parent.childCount - 1,
      });
    }
  }
  return { type: OpCode.closeSession, paths2Delete: paths };
}
