// The checkers run after every simulation (the always-on ones run during it, in
// observations.ts and replica.ts): one committed sequence, no lost acknowledged write, each
// session's requests in order, ephemerals only of live sessions, abandoned sessions expired,
// writes linearizable and reads sequentially consistent.
//
// Reads: a server answers from its own, possibly stale, tree, so reads are not linearizable; they
// must be sequentially consistent. A read is checked exactly against the committed sequence at
// the zxid its server had applied (the value there, for that key), and per session those zxids
// never go back and never precede the session's own completed writes. The writes go through the
// per-key linearizability search.

import type { Txn } from '../txn/types.js';
import { hex64, type SessionId } from '../util/ids.js';
import { checkLinearizable, type Operation } from './linearizability.js';
import { nodeModel, type NodeInput } from './node-model.js';
import type { HistoryEntry } from './clients.js';
import { KEYS } from './clients.js';
import { sameTxn } from './observations.js';
import type { OpResult } from './ops.js';
import type { Replica } from './replica.js';

/** The first problem found, or null. */
export function checkCommittedPrefix(replicas: readonly Replica[]): { reference: Txn[]; problem: string | null } {
  const up = replicas.filter((r) => r.up);
  let reference: Txn[] = [];
  for (const r of up) if (r.history.length > reference.length) reference = r.history;
  for (const r of up) {
    for (let i = 0; i < r.history.length; i++) {
      if (!sameTxn(r.history[i]!, reference[i]!)) return { reference, problem: `server ${r.id} history diverges at index ${i} (${hex64(r.history[i]!.header.zxid)})` };
    }
  }
  return { reference, problem: null };
}

export function checkAckedWrites(history: readonly HistoryEntry[], reference: readonly Txn[]): string | null {
  const byZxid = new Map<bigint, Txn>();
  for (const t of reference) byZxid.set(t.header.zxid, t);
  for (const e of history) {
    if (e.outcome !== 'ok' || e.op.kind === 'read' || e.result?.zxid == null) continue;
    const t = byZxid.get(e.result.zxid);
    if (t === undefined || t.header.clientId !== e.sessionId || t.header.cxid !== e.cxid) {
      return `acknowledged write lost: session ${hex64(e.sessionId)} cxid ${e.cxid} (${e.op.kind}) at ${hex64(e.result.zxid)}`;
    }
  }
  return null;
}

export function checkSessionOrder(reference: readonly Txn[]): string | null {
  const last = new Map<SessionId, number>();
  for (const t of reference) {
    if (t.header.cxid === 0) continue; // server-initiated (expiry)
    const prev = last.get(t.header.clientId) ?? 0;
    if (t.header.cxid <= prev) return `session ${hex64(t.header.clientId)}: cxid ${t.header.cxid} took effect after ${prev}`;
    last.set(t.header.clientId, t.header.cxid);
  }
  return null;
}

/** Ephemerals belong to live sessions; every session not held by a client has expired. */
export function checkSessions(replicas: readonly Replica[], liveSessions: ReadonlySet<SessionId>): string | null {
  for (const r of replicas.filter((x) => x.up)) {
    for (const owner of r.tree.sessionsWithEphemerals()) {
      if (!r.tree.sessions.has(owner)) return `server ${r.id}: ephemerals of closed session ${hex64(owner)} remain`;
    }
    for (const s of r.tree.sessions.keys()) {
      if (!liveSessions.has(s)) return `server ${r.id}: abandoned session ${hex64(s)} never expired`;
    }
  }
  return null;
}

/** Reads: the value at the zxid they report, monotonic per session, after the session's own writes. */
export function checkReads(history: readonly HistoryEntry[], reference: readonly Txn[]): string | null {
  const changes = new Map<string, { zxid: bigint; exists: boolean; data: string; version: number }[]>();
  for (const k of KEYS) changes.set(k, [{ zxid: -1n, exists: false, data: '', version: 0 }]);
  for (const t of reference) {
    const rec = t.record;
    if ((rec.type === 1 || rec.type === 5 || rec.type === 2) && changes.has(rec.path)) {
      const list = changes.get(rec.path)!;
      const data = rec.type === 2 ? '' : Buffer.from((rec as { data: Uint8Array | null }).data ?? new Uint8Array()).toString();
      list.push({ zxid: t.header.zxid, exists: rec.type !== 2, data, version: rec.type === 5 ? rec.version : 0 });
    }
  }
  const floor = new Map<SessionId, bigint>();
  for (const e of [...history].sort((a, b) => a.retSeq - b.retSeq)) {
    if (e.outcome !== 'ok' || e.result === null) continue;
    if (e.op.kind !== 'read') {
      if (e.result.zxid !== null) floor.set(e.sessionId, maxBig(floor.get(e.sessionId) ?? -1n, e.result.zxid));
      continue;
    }
    const z = e.result.zxid ?? -1n;
    const min = floor.get(e.sessionId) ?? -1n;
    if (z < min) return `session ${hex64(e.sessionId)} read ${e.op.path} at ${hex64(z)}, older than ${hex64(min)} it had seen`;
    floor.set(e.sessionId, z);
    const list = changes.get(e.op.path) ?? [];
    let state = list[0];
    for (const c of list) if (c.zxid <= z) state = c;
    if (state === undefined) continue;
    const r = e.result;
    const match = state.exists ? r.err === 0 && r.data === state.data && r.version === state.version : r.err === -101;
    if (!match) return `session ${hex64(e.sessionId)} read ${e.op.path}=${r.err === 0 ? `${r.data}@v${r.version}` : 'none'} at ${hex64(z)}, committed state there is ${state.exists ? `${state.data}@v${state.version}` : 'none'}`;
  }
  return null;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Per-key linearizability of the writes (reads are checked exactly by checkReads). */
export function checkHistoryLinearizable(history: readonly HistoryEntry[]): { problem: string | null; explored: number } {
  const ops: Operation<NodeInput, OpResult>[] = [];
  for (const e of history) {
    if (e.op.kind !== 'create' && e.op.kind !== 'set' && e.op.kind !== 'delete') continue;
    if (!KEYS.includes(e.op.path) || e.outcome === 'failed' || e.outcome === 'pending') continue;
    ops.push({ key: e.op.path, input: e.op, output: e.outcome === 'ok' ? e.result : null, call: e.callSeq, ret: e.retSeq });
  }
  const r = checkLinearizable(nodeModel, ops);
  if (r.exhausted) return { problem: `linearizability search exhausted on ${r.badKey}`, explored: r.explored };
  return { problem: r.ok ? null : `history of ${r.badKey} is not linearizable`, explored: r.explored };
}
