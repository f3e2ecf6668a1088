// Pure helpers between the public API and the wire records: caller paths to server requests
// (chroot applied, protocol.md §6.13), create modes to opcodes and flags (§4.2), and multi
// results back to the caller's view (§4.6). No I/O.
// Invariants: every path that goes out has the chroot prefixed; every path that comes back has
// it stripped; a bad path is rejected locally with BadArgumentsError before anything is sent.

import { OPEN_ACL_UNSAFE, type Acl } from '../proto/data.js';
import { BadArgumentsError, errorForCode, type ZooKeeperError } from '../proto/errors.js';
import { CreateFlag } from '../proto/opcodes.js';
import type { MultiOp, MultiResult } from '../proto/multi.js';
import type { Request } from '../proto/requests.js';
import { toClientPath, toServerPath } from './connect-string.js';
import type { CreateMode, Data, OpResult, ReadOp, ReadResult, TransactionOp } from './types.js';

const FLAGS: Record<CreateMode, number> = {
  persistent: CreateFlag.persistent,
  ephemeral: CreateFlag.ephemeral,
  persistentSequential: CreateFlag.persistentSequential,
  ephemeralSequential: CreateFlag.ephemeralSequential,
  container: CreateFlag.container,
  persistentWithTtl: CreateFlag.persistentWithTtl,
  persistentSequentialWithTtl: CreateFlag.persistentSequentialWithTtl,
};

export function toBytes(data: Data | undefined): Uint8Array | null {
  if (data === undefined) return new Uint8Array(0);
  if (data === null) return null;
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** A copy the caller owns (reply bodies are views of socket chunks). */
export function ownBytes(data: Uint8Array | null): Buffer | null {
  return data === null ? null : Buffer.from(data);
}

/**
 * Client-side path check (§6.6, a subset: the server validates fully). Sequential creates may
 * end in '/', as ZooKeeper validates them as path + "1".
 */
export function checkPath(path: string, sequential = false): void {
  if (typeof path !== 'string' || path.length === 0) throw new BadArgumentsError(String(path), { cause: 'Path length must be > 0' });
  if (path.charAt(0) !== '/') throw new BadArgumentsError(path, { cause: 'Path must start with / character' });
  if (path.length > 1 && path.endsWith('/') && !sequential) throw new BadArgumentsError(path, { cause: 'Path must not end with / character' });
  if (path.includes('//')) throw new BadArgumentsError(path, { cause: 'empty node name specified' });
  if (path.includes('\u0000')) throw new BadArgumentsError(path, { cause: 'null character not allowed' });
}

export interface CreateSpec {
  readonly mode?: CreateMode | undefined;
  readonly acl?: readonly Acl[] | undefined;
  readonly ttlMs?: number | undefined;
}

function isSequential(mode: CreateMode): boolean {
  return mode === 'persistentSequential' || mode === 'ephemeralSequential' || mode === 'persistentSequentialWithTtl';
}

function isTtl(mode: CreateMode): boolean {
  return mode === 'persistentWithTtl' || mode === 'persistentSequentialWithTtl';
}

/** The create sub-record (op chosen as the Java client does, §4.2). */
export function createOp(chroot: string | null, path: string, data: Data | undefined, spec: CreateSpec, withStat: boolean): MultiOp {
  const mode = spec.mode ?? 'persistent';
  checkPath(path, isSequential(mode));
  const base = { path: toServerPath(chroot, path), data: toBytes(data), acl: spec.acl ?? OPEN_ACL_UNSAFE, flags: FLAGS[mode] };
  if (isTtl(mode)) {
    if (spec.ttlMs === undefined) throw new BadArgumentsError(path, { cause: `mode ${mode} needs ttlMs` });
    return { op: 'createTTL', ...base, ttl: spec.ttlMs };
  }
  if (spec.ttlMs !== undefined) throw new BadArgumentsError(path, { cause: `ttlMs given with mode ${mode}` });
  if (mode === 'container') return { op: 'createContainer', ...base };
  return { op: withStat ? 'create2' : 'create', ...base };
}

export function createRequest(chroot: string | null, path: string, data: Data | undefined, spec: CreateSpec, withStat: boolean): Request {
  return createOp(chroot, path, data, spec, withStat) as Request;
}

/** A transaction op as a multi sub-op. */
export function multiOpFor(chroot: string | null, op: TransactionOp): MultiOp {
  switch (op.op) {
    case 'create':
      return createOp(chroot, op.path, op.data, op.options ?? {}, false);
    case 'delete':
      checkPath(op.path);
      return { op: 'delete', path: toServerPath(chroot, op.path), version: op.version ?? -1 };
    case 'setData':
      checkPath(op.path);
      return { op: 'setData', path: toServerPath(chroot, op.path), data: toBytes(op.data), version: op.version ?? -1 };
    case 'check':
      checkPath(op.path);
      return { op: 'check', path: toServerPath(chroot, op.path), version: op.version };
    default:
      throw new BadArgumentsError(undefined, { cause: `unknown transaction op ${JSON.stringify(op)}` });
  }
}

export function readOpFor(chroot: string | null, op: ReadOp): MultiOp {
  checkPath(op.path);
  return { op: op.op, path: toServerPath(chroot, op.path), watch: false };
}

/** The first failing op of a multi reply, or null when every op succeeded. */
export function multiFailure(results: readonly MultiResult[], ops: readonly TransactionOp[]): ZooKeeperError | null {
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (r.op === 'error' && r.err !== 0) return errorForCode(r.err, ops[i]?.path);
  }
  return null;
}

export function opResultFor(chroot: string | null, result: MultiResult): OpResult {
  switch (result.op) {
    case 'create': return { op: 'create', path: toClientPath(chroot, result.path) };
    case 'create2': return { op: 'create', path: toClientPath(chroot, result.path), stat: result.stat };
    case 'delete': return { op: 'delete' };
    case 'setData': return { op: 'setData', stat: result.stat };
    case 'check': return { op: 'check' };
    default: throw errorForCode(-5, undefined, { cause: `unexpected multi result ${result.op}` });
  }
}

export function readResultFor(result: MultiResult, path: string): ReadResult {
  switch (result.op) {
    case 'getData': return { op: 'getData', data: ownBytes(result.data), stat: result.stat };
    case 'getChildren': return { op: 'getChildren', children: [...result.children] };
    case 'error': return { op: 'error', error: errorForCode(result.err, path) };
    default: throw errorForCode(-5, path, { cause: `unexpected multiRead result ${result.op}` });
  }
}

const multiResultsByError = new WeakMap<ZooKeeperError, readonly MultiResult[]>();

/** Attaches a failed multi's raw per-op results to its error (see multiErrorResults). */
export function rememberMultiResults(error: ZooKeeperError, results: readonly MultiResult[]): void {
  multiResultsByError.set(error, results);
}

/**
 * For an error thrown by multi()/commit(): each op's code (0 before the failing op, its code,
 * then -2 after it; §4.6), or undefined for other errors.
 */
export function multiErrorResults(error: unknown): number[] | undefined {
  const results = multiResultsByError.get(error as ZooKeeperError);
  return results?.map((r) => (r.op === 'error' ? r.err : 0));
}
