// fast-check arbitraries for the client protocol records: every request op, every response
// kind, multi ops and results. Byte fields are Buffers so decoded views compare equal.

import fc from 'fast-check';
import type { Acl, Stat } from '../../../src/proto/data.js';
import type { MultiOp, MultiResult } from '../../../src/proto/multi.js';
import type { Request } from '../../../src/proto/requests.js';
import type { ClientInfo, Response } from '../../../src/proto/responses.js';
import type { SessionId, Zxid } from '../../../src/util/ids.js';

export const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
export const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
export const zxid = int64.map((v) => v as Zxid);
export const sessionId = int64.map((v) => v as SessionId);
/** Longs carried as numbers (times, TTLs) must be exact doubles. */
export const safeLong = fc.maxSafeInteger();
/** Any code points except lone surrogates, which UTF-8 cannot carry. */
export const text = fc.string({ unit: 'binary', maxLength: 12 });
export const nullableText = fc.option(text, { nil: null });
export const bytes = fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a));
export const nullableBytes = fc.option(bytes, { nil: null });
export const textList = fc.array(text, { maxLength: 4 });

export const acl: fc.Arbitrary<Acl> = fc.record({ perms: int32, id: fc.record({ scheme: text, id: text }) });
export const aclList = fc.array(acl, { maxLength: 3 });

export const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: zxid,
  mzxid: zxid,
  ctime: safeLong,
  mtime: safeLong,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: sessionId,
  dataLength: int32,
  numChildren: int32,
  pzxid: zxid,
});

const create = fc.record({ path: text, data: nullableBytes, acl: aclList, flags: int32 });
const createTTL = fc.record({ path: text, data: nullableBytes, acl: aclList, flags: int32, ttl: safeLong });
const pathVersion = fc.record({ path: text, version: int32 });
const pathWatch = fc.record({ path: text, watch: fc.boolean() });
const setData = fc.record({ path: text, data: nullableBytes, version: int32 });
const path = fc.record({ path: text });

function tagged<const N extends string, T>(op: N, record: fc.Arbitrary<T>): fc.Arbitrary<{ op: N } & T> {
  return record.map((r) => ({ op, ...r }));
}

export const multiOp: fc.Arbitrary<MultiOp> = fc.oneof(
  tagged('create', create),
  tagged('create2', create),
  tagged('createContainer', create),
  tagged('createTTL', createTTL),
  tagged('delete', pathVersion),
  tagged('setData', setData),
  tagged('check', pathVersion),
  tagged('getData', pathWatch),
  tagged('getChildren', pathWatch),
);

/** Written independently of multi.ts: which ops each multi kind allows (§4.6, §6.14). */
export function expectedOpsAllowed(kind: 'multi' | 'multiRead', ops: readonly MultiOp[]): boolean {
  return ops.every((op) => {
    const read = op.op === 'getData' || op.op === 'getChildren';
    if (kind === 'multiRead') return read;
    if (read) return false;
    const plainCreate = op.op === 'create' || op.op === 'create2' || op.op === 'createContainer';
    return !(plainCreate && (op.flags === 5 || op.flags === 6));
  });
}

function multi(kind: 'multi' | 'multiRead'): fc.Arbitrary<Request> {
  return fc
    .array(multiOp, { maxLength: 4 })
    .map((ops) => ({ op: kind, ops, opsAllowed: expectedOpsAllowed(kind, ops) }));
}

/** One arbitrary per request op, by op name, so tests can cover every kind by name. */
export const requestByOp: Record<Request['op'], fc.Arbitrary<Request>> = {
  create: tagged('create', create),
  create2: tagged('create2', create),
  createContainer: tagged('createContainer', create),
  createTTL: tagged('createTTL', createTTL),
  delete: tagged('delete', pathVersion),
  exists: tagged('exists', pathWatch),
  getData: tagged('getData', pathWatch),
  setData: tagged('setData', setData),
  getACL: tagged('getACL', path),
  setACL: tagged('setACL', fc.record({ path: text, acl: aclList, version: int32 })),
  getChildren: tagged('getChildren', pathWatch),
  getChildren2: tagged('getChildren2', pathWatch),
  sync: tagged('sync', path),
  check: tagged('check', pathVersion),
  multi: multi('multi'),
  multiRead: multi('multiRead'),
  reconfig: tagged('reconfig', fc.record({
    joiningServers: nullableText,
    leavingServers: nullableText,
    newMembers: nullableText,
    curConfigId: int64,
  })),
  checkWatches: tagged('checkWatches', fc.record({ path: text, type: int32 })),
  removeWatches: tagged('removeWatches', fc.record({ path: text, type: int32 })),
  deleteContainer: tagged('deleteContainer', path),
  auth: tagged('auth', fc.record({ type: int32, scheme: text, auth: nullableBytes })),
  setWatches: tagged('setWatches', fc.record({
    relativeZxid: zxid,
    dataWatches: textList,
    existWatches: textList,
    childWatches: textList,
  })),
  setWatches2: tagged('setWatches2', fc.record({
    relativeZxid: zxid,
    dataWatches: textList,
    existWatches: textList,
    childWatches: textList,
    persistentWatches: textList,
    persistentRecursiveWatches: textList,
  })),
  sasl: tagged('sasl', fc.record({ token: nullableBytes })),
  getEphemerals: tagged('getEphemerals', fc.record({ prefixPath: text })),
  getAllChildrenNumber: tagged('getAllChildrenNumber', path),
  addWatch: tagged('addWatch', fc.record({ path: text, mode: int32 })),
  whoAmI: fc.constant({ op: 'whoAmI' as const }),
  ping: fc.constant({ op: 'ping' as const }),
  closeSession: fc.constant({ op: 'closeSession' as const }),
};

export const multiResult: fc.Arbitrary<MultiResult> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), path: text }),
  fc.record({ op: fc.constant('create2' as const), path: text, stat }),
  fc.constant({ op: 'delete' as const }),
  fc.constant({ op: 'check' as const }),
  fc.record({ op: fc.constant('setData' as const), stat }),
  fc.record({ op: fc.constant('getData' as const), data: nullableBytes, stat }),
  fc.record({ op: fc.constant('getChildren' as const), children: textList }),
  fc.record({ op: fc.constant('error' as const), err: int32 }),
);

const clientInfo: fc.Arbitrary<ClientInfo> = fc.record({ authScheme: text, user: text });

/** One arbitrary per response kind. */
export const responseByKind: Record<Response['kind'], fc.Arbitrary<Response>> = {
  create: fc.record({ kind: fc.constant('create' as const), path: text }),
  create2: fc.record({ kind: fc.constant('create2' as const), path: text, stat }),
  stat: fc.record({ kind: fc.constant('stat' as const), stat }),
  getData: fc.record({ kind: fc.constant('getData' as const), data: nullableBytes, stat }),
  getACL: fc.record({ kind: fc.constant('getACL' as const), acl: aclList, stat }),
  getChildren: fc.record({ kind: fc.constant('getChildren' as const), children: textList }),
  getChildren2: fc.record({ kind: fc.constant('getChildren2' as const), children: textList, stat }),
  sync: fc.record({ kind: fc.constant('sync' as const), path: text }),
  multi: fc.record({ kind: fc.constant('multi' as const), results: fc.array(multiResult, { maxLength: 4 }) }),
  getEphemerals: fc.record({ kind: fc.constant('getEphemerals' as const), ephemerals: textList }),
  getAllChildrenNumber: fc.record({ kind: fc.constant('getAllChildrenNumber' as const), totalNumber: int32 }),
  whoAmI: fc.record({ kind: fc.constant('whoAmI' as const), clientInfo: fc.array(clientInfo, { maxLength: 3 }) }),
  error: fc.record({ kind: fc.constant('error' as const), err: int32 }),
  sasl: fc.record({ kind: fc.constant('sasl' as const), token: nullableBytes }),
};

export const anyRequest: fc.Arbitrary<Request> = fc.oneof(...Object.values(requestByOp));
export const anyResponse: fc.Arbitrary<Response> = fc.oneof(...Object.values(responseByKind));
