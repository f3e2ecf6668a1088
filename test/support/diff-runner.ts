// Runs differential-test ops (diff-ops.ts) against one server through node-zookeeper-client and
// reduces each result to a comparable value: the error code, and Stats without ctime/mtime,
// with ephemeralOwner replaced by the label of the owning session slot (session ids differ
// between servers), children sorted. Both sides must open sessions in the same order so their
// zxids line up; the caller runs every op on both sides before the next op, then drains the
// watch events on both sides.
import { ACL, Id, ZkError, connectSession, type Event, type MultiOp, type ZkSession, type ZkStat } from './nzk.js';
import { SESSION_AUTH, aclEntries, forgetSession, observe, type AclSpec, type GenState, type Op } from './diff-ops.js';
import type { Server } from './server-process.js';

/** One server and its session slots. */
export interface Side {
  readonly server: Server;
  readonly sessions: ZkSession[];
  /** session id -> `s<slot>g<generation>`, for ephemeralOwner. */
  readonly owners: Map<bigint, string>;
  readonly generations: number[];
  /** Watch events received per slot since the last drain, as `type path`. */
  readonly events: string[][];
  /** One watcher function per slot (the client dedups a function registered twice). */
  readonly watchers: ((e: Event) => void)[];
}

export interface NormStat {
  czxid: string;
  mzxid: string;
  pzxid: string;
  version: number;
  cversion: number;
  aversion: number;
  owner: string;
  dataLength: number;
  numChildren: number;
}

/** A normalized result: the error code and, on success, the op's value. */
export interface Outcome {
  code: number;
  value?: unknown;
}

async function openSlot(side: Side, slot: number): Promise<ZkSession> {
  const session = await connectSession(side.server.connectString);
  const auth = SESSION_AUTH[slot];
  if (auth !== null && auth !== undefined) session.addAuth('digest', auth);
  side.sessions[slot] = session;
  side.owners.set(session.sessionId, `s${slot}g${side.generations[slot] ?? 0}`);
  side.watchers[slot] = (e: Event) => side.events[slot]?.push(`${e.getName()} ${e.getPath()}`);
  return session;
}

/** Opens the session slots in order (slot 0 first), each with its digest auth. */
export async function openSide(server: Server): Promise<Side> {
  const side: Side = {
    server,
    sessions: [],
    owners: new Map(),
    generations: SESSION_AUTH.map(() => 0),
    events: SESSION_AUTH.map(() => []),
    watchers: [],
  };
  for (let slot = 0; slot < SESSION_AUTH.length; slot++) await openSlot(side, slot);
  return side;
}

export async function closeSide(side: Side): Promise<void> {
  for (const s of side.sessions) await s.close().catch(() => undefined);
}

function toAcls(spec: AclSpec): ACL[] {
  return aclEntries(spec).map(([perms, scheme, id]) => new ACL(perms, new Id(scheme, id)));
}

function hex(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

export function normStat(side: Side, stat: ZkStat): NormStat {
  const owner = stat.ephemeralOwner === 0n ? 'none' : (side.owners.get(stat.ephemeralOwner) ?? 'unknown');
  return {
    czxid: hex(stat.czxid),
    mzxid: hex(stat.mzxid),
    pzxid: hex(stat.pzxid),
    version: stat.version,
    cversion: stat.cversion,
    aversion: stat.aversion,
    owner,
    dataLength: stat.dataLength,
    numChildren: stat.numChildren,
  };
}

function data(d: Buffer | null): string | null {
  return d === null ? null : d.toString('utf8');
}

function buf(s: string | null): Buffer | null {
  return s === null ? null : Buffer.from(s, 'utf8');
}

function watcherFor(side: Side, op: { s: number; watch?: boolean }): ((e: Event) => void) | undefined {
  return op.watch === true ? side.watchers[op.s] : undefined;
}

/**
 * Makes every session do a round trip, so every watch event caused by earlier requests has
 * been delivered (a server sends a connection's notifications before its later replies);
 * then returns and clears the events per slot.
 */
export async function drainEvents(side: Side): Promise<string[][]> {
  await Promise.all(side.sessions.map((s) => s.exists('/')));
  return side.events.map((list) => list.splice(0));
}

function session(side: Side, slot: number): ZkSession {
  const s = side.sessions[slot];
  if (s === undefined) throw new Error(`no session in slot ${slot}`);
  return s;
}

async function value(side: Side, op: Op): Promise<unknown> {
  switch (op.op) {
    case 'create':
      return session(side, op.s).create(op.path, buf(op.data), op.mode, toAcls(op.acl));
    case 'delete':
      await session(side, op.s).remove(op.path, op.version);
      return undefined;
    case 'setData':
      return normStat(side, await session(side, op.s).setData(op.path, Buffer.from(op.data, 'utf8'), op.version));
    case 'setACL':
      return normStat(side, await session(side, op.s).setACL(op.path, toAcls(op.acl), op.version));
    case 'getData': {
      const r = await session(side, op.s).getData(op.path, watcherFor(side, op));
      return { data: data(r.data), stat: normStat(side, r.stat) };
    }
    case 'exists': {
      const stat = await session(side, op.s).exists(op.path, watcherFor(side, op));
      return stat === null ? null : normStat(side, stat);
    }
    case 'getChildren2': {
      const r = await session(side, op.s).getChildren(op.path, watcherFor(side, op));
      return { children: [...r.children].sort(), stat: normStat(side, r.stat) };
    }
    case 'getACL': {
      const r = await session(side, op.s).getACL(op.path);
      return { acl: r.acls.map((a) => [a.permission, a.id.scheme, a.id.id]), stat: normStat(side, r.stat) };
    }
    case 'multi': {
      const ops: MultiOp[] = op.ops.map((o) => (o.op === 'create' ? { ...o, data: buf(o.data) } : o.op === 'setData' ? { ...o, data: Buffer.from(o.data, 'utf8') } : o));
      const r = await session(side, op.s).multi(ops);
      return {
        code: r.code,
        results: r.results.map((x) => ({
          type: x.type,
          err: x.err,
          ...(x.path !== undefined ? { path: x.path } : {}),
          ...(x.stat !== undefined ? { stat: normStat(side, x.stat) } : {}),
        })),
      };
    }
    case 'reconnect': {
      await session(side, op.s).close();
      side.generations[op.s] = (side.generations[op.s] ?? 0) + 1;
      await openSlot(side, op.s);
      return undefined;
    }
  }
}

/** Runs one op; a ZooKeeper error becomes its code, anything else propagates. */
export async function runOp(side: Side, op: Op): Promise<Outcome> {
  try {
    const v = await value(side, op);
    return v === undefined ? { code: 0 } : { code: 0, value: v };
  } catch (err) {
    if (err instanceof ZkError) return { code: err.code };
    throw err;
  }
}

/** Feeds the generator what a reference outcome created and deleted. */
export function learn(st: GenState, op: Op, outcome: Outcome): void {
  if (outcome.code !== 0) return;
  const ephemeral = (mode: number): boolean => mode === 1 || mode === 3;
  if (op.op === 'create' && typeof outcome.value === 'string') {
    observe(st, [outcome.value], [], ephemeral(op.mode) ? op.s : undefined);
  }
  if (op.op === 'delete') observe(st, [], [op.path]);
  if (op.op === 'reconnect') forgetSession(st, op.s);
  if (op.op === 'multi') {
    const v = outcome.value as { code: number; results: { path?: string }[] };
    if (v.code !== 0) return;
    op.ops.forEach((o, i) => {
      const created = v.results[i]?.path;
      if (o.op === 'create' && created !== undefined) observe(st, [created], [], ephemeral(o.mode) ? op.s : undefined);
      if (o.op === 'delete') observe(st, [], [o.path]);
    });
  }
}

/** The subtree under `root` as sorted `path -> {data, stat, acl}` entries, read by slot 1 (root auth). */
export async function dumpTree(side: Side, root: string): Promise<[string, Outcome][]> {
  const out: [string, Outcome][] = [];
  const walk = async (path: string): Promise<void> => {
    const node = await runOp(side, { op: 'getData', s: 1, path });
    const acl = await runOp(side, { op: 'getACL', s: 1, path });
    out.push([path, { code: node.code, value: { node: node.value, acl: acl.value } }]);
    const kids = await runOp(side, { op: 'getChildren2', s: 1, path });
    if (kids.code !== 0) return;
    for (const child of (kids.value as { children: string[] }).children) await walk(`${path}/${child}`);
  };
  await walk(root);
  return out;
}
