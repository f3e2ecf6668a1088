// Answers the requests that do not change the tree: reads, watch management, whoAmI, sync.
// Served from the committed tree, in the connection's order, after the session's own writes.
// Check order per protocol.md §6.1: existence first, then READ; exists watches register even
// when the node is missing.

import type { Id } from '../../proto/data.js';
import { ErrorCode } from '../../proto/error-codes.js';
import { AddWatchMode, Perm } from '../../proto/opcodes.js';
import type { MultiResult } from '../../proto/multi.js';
import type { Request } from '../../proto/requests.js';
import type { Response } from '../../proto/responses.js';
import { checkAcl, maskDigestIds, whoAmI } from '../../acl/index.js';
import type { SessionId } from '../../util/ids.js';
import type { Database } from './database.js';
import type { WatchManager } from './watch-manager.js';

export interface ReadContext {
  readonly db: Database;
  readonly watches: WatchManager;
  readonly watcherId: number;
  readonly session: SessionId;
  readonly authIds: readonly Id[];
  readonly skipAcl: boolean;
  readonly existsChecksRead: boolean;
}

export interface ReadAnswer {
  readonly err: number;
  readonly response: Response | null;
  /** Watch events to send before the reply (setWatches catching up). */
  readonly events: readonly { type: number; path: string }[];
}

const NO_EVENTS: readonly { type: number; path: string }[] = [];

function ok(response: Response | null): ReadAnswer {
  return { err: 0, response, events: NO_EVENTS };
}

function error(err: number): ReadAnswer {
  return { err, response: null, events: NO_EVENTS };
}

function canRead(ctx: ReadContext, path: string, perm: number = Perm.read): boolean {
  const node = ctx.db.node(path);
  return node === undefined || checkAcl(node.acl, perm, ctx.authIds, { skipAcl: ctx.skipAcl });
}

export function answerRead(request: Request, ctx: ReadContext): ReadAnswer {
  const { db } = ctx;
  switch (request.op) {
    case 'exists': {
      if (request.path.includes('\u0000')) return error(ErrorCode.badArguments);
      const stat = db.stat(request.path);
      // 3.9 (ZOOKEEPER-2590): exists needs READ on an existing node; 3.8 checked nothing.
      if (stat !== undefined && ctx.existsChecksRead && !canRead(ctx, request.path)) return error(ErrorCode.noAuth);
      if (request.watch) ctx.watches.add(ctx.watcherId, request.path, stat === undefined ? 'exist' : 'data');
      return stat === undefined ? error(ErrorCode.noNode) : ok({ kind: 'stat', stat });
    }
    case 'getData': {
      const node = db.node(request.path);
      const stat = db.stat(request.path);
      if (node === undefined || stat === undefined) return error(ErrorCode.noNode);
      if (!canRead(ctx, request.path)) return error(ErrorCode.noAuth);
      if (request.watch) ctx.watches.add(ctx.watcherId, request.path, 'data');
      return ok({ kind: 'getData', data: node.data, stat });
    }
    case 'getChildren':
    case 'getChildren2': {
      const stat = db.stat(request.path);
      if (stat === undefined) return error(ErrorCode.noNode);
      if (!canRead(ctx, request.path)) return error(ErrorCode.noAuth);
      if (request.watch) ctx.watches.add(ctx.watcherId, request.path, 'child');
      const children = db.children(request.path);
      return ok(request.op === 'getChildren' ? { kind: 'getChildren', children } : { kind: 'getChildren2', children, stat });
    }
    case 'getAllChildrenNumber': {
      if (db.stat(request.path) === undefined) return error(ErrorCode.noNode);
      if (!canRead(ctx, request.path)) return error(ErrorCode.noAuth);
      return ok({ kind: 'getAllChildrenNumber', totalNumber: db.countAllChildren(request.path) });
    }
    case 'getACL': {
      const node = db.node(request.path);
      const stat = db.stat(request.path);
      if (node === undefined || stat === undefined) return error(ErrorCode.noNode);
      if (!canRead(ctx, request.path, Perm.read | Perm.admin)) return error(ErrorCode.noAuth);
      const admin = checkAcl(node.acl, Perm.admin, ctx.authIds, { skipAcl: ctx.skipAcl });
      return ok({ kind: 'getACL', acl: admin ? node.acl : maskDigestIds(node.acl), stat });
    }
    case 'getEphemerals': {
      const prefix = request.prefixPath;
      const all = [...db.ephemeralsOf(ctx.session)];
      const ephemerals = prefix === '' || prefix === '/' ? all : all.filter((p) => p.startsWith(prefix));
      return ok({ kind: 'getEphemerals', ephemerals });
    }
    case 'sync':
      return ok({ kind: 'sync', path: request.path });
    case 'whoAmI':
      return ok({ kind: 'whoAmI', clientInfo: whoAmI(ctx.authIds) });
    case 'multiRead': {
      if (!request.opsAllowed) return error(ErrorCode.marshallingError);
      const results: MultiResult[] = request.ops.map((op): MultiResult => {
        const stat = db.stat(op.path);
        const node = db.node(op.path);
        if (stat === undefined || node === undefined) return { op: 'error', err: ErrorCode.noNode };
        if (!canRead(ctx, op.path)) return { op: 'error', err: ErrorCode.noAuth };
        if (op.op === 'getData') return { op: 'getData', data: node.data, stat };
        return { op: 'getChildren', children: db.children(op.path) };
      });
      return ok({ kind: 'multi', results });
    }
    case 'addWatch': {
      const kind = request.mode === AddWatchMode.persistentRecursive ? 'persistentRecursive' : request.mode === AddWatchMode.persistent ? 'persistent' : null;
      if (kind === null) return error(ErrorCode.badArguments);
      ctx.watches.add(ctx.watcherId, request.path, kind);
      return ok({ kind: 'error', err: 0 });
    }
    case 'checkWatches':
    case 'removeWatches': {
      const type = request.type;
      if (type !== 1 && type !== 2 && type !== 3) return error(ErrorCode.badArguments);
      const found = request.op === 'checkWatches'
        ? ctx.watches.has(ctx.watcherId, request.path, type)
        : ctx.watches.remove(ctx.watcherId, request.path, type);
      return found ? ok(null) : error(ErrorCode.noWatcher);
    }
    case 'setWatches':
    case 'setWatches2': {
      const lists = {
        dataWatches: request.dataWatches,
        existWatches: request.existWatches,
        childWatches: request.childWatches,
        persistentWatches: request.op === 'setWatches2' ? request.persistentWatches : [],
        persistentRecursiveWatches: request.op === 'setWatches2' ? request.persistentRecursiveWatches : [],
      };
      const events = ctx.watches.setWatches(ctx.watcherId, request.relativeZxid, lists, (path) => {
        const stat = db.stat(path);
        return stat === undefined ? undefined : { czxid: stat.czxid, mzxid: stat.mzxid, pzxid: stat.pzxid };
      });
      return { err: 0, response: null, events };
    }
    default:
      return error(ErrorCode.unimplemented);
  }
}
