// One simulation run from a seed, VOPR style: draw the cluster size and fault mix, run a fault
// phase, check safety; heal a majority (restart servers, heal partitions, calm the network and
// disks) and check liveness (a leader serves a quorum, a new write completes, all live servers
// converge, abandoned sessions expire) within a bound of virtual time; then run the checkers.
// The same seed and options replay the same run exactly (compare `traceHash`).

import { ErrorCode } from '../proto/error-codes.js';
import type { SessionId } from '../util/ids.js';
import type { ZabConfig } from '../zab/types.js';
import { SESSION_TIMEOUT_MS } from './clients.js';
import { SimCluster } from './cluster.js';
import { checkAckedWrites, checkCommittedPrefix, checkHistoryLinearizable, checkReads, checkSessionOrder, checkSessions } from './checkers.js';
import { CALM, drawFaultMix, type FaultKind, type FaultMix } from './faults.js';
import { injectFaults } from './injector.js';
import { SimFailure } from './observations.js';
import { Prng } from './prng.js';

export interface RunOptions {
  readonly seed: number;
  readonly faults: readonly FaultKind[];
  readonly faultPhaseMs?: number;
  readonly lyingDisk?: boolean;
  /** Overrides the drawn cluster size. */
  readonly voters?: number;
  /** Test-only overrides of the zab configuration (e.g. a tiny counterLimit). */
  readonly zab?: Partial<ZabConfig>;
}

export interface RunResult {
  readonly seed: number;
  readonly ok: boolean;
  readonly failure: string | null;
  readonly phase: 'faults' | 'liveness' | 'check';
  readonly traceHash: string;
  readonly voters: number;
  readonly observers: number;
  readonly mix: FaultMix;
  readonly faults: Readonly<Record<string, number>>;
  readonly virtualMs: number;
  readonly events: number;
  readonly committed: number;
  readonly clientOps: number;
  readonly explored: number;
}

export const LIVENESS_BOUND_MS = 15_000;

export function reproduceCommand(seed: number, faults: readonly FaultKind[], lyingDisk = false): string {
  return `npm run sim -- --seed ${seed} --faults ${faults.length === 0 ? 'none' : faults.join(',')}${lyingDisk ? ' --lying-disk' : ''}`;
}

export function runSeed(opts: RunOptions): RunResult {
  const draw = new Prng(opts.seed ^ 0x5eed);
  const voters = opts.voters ?? draw.pick([3, 3, 5, 5, 7]);
  const observers = draw.chance(0.3) ? 1 : 0;
  const mix: FaultMix = { ...drawFaultMix(draw, opts.faults), lyingDisk: opts.lyingDisk ?? false };
  const c = new SimCluster({ seed: opts.seed, voters, observers, clients: draw.int(3, 8), mix, ...(opts.zab !== undefined ? { zab: opts.zab } : {}) });
  let phase: RunResult['phase'] = 'faults';
  let failure: string | null = null;
  let explored = 0;
  try {
    c.start();
    injectFaults(c, draw.fork(), opts.faultPhaseMs ?? 6000);
    c.runFor(opts.faultPhaseMs ?? 6000);
    phase = 'liveness';
    failure = liveness(c, draw.fork());
    if (failure === null) {
      phase = 'check';
      const r = finalChecks(c);
      failure = r.problem;
      explored = r.explored;
    }
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    failure = e instanceof SimFailure ? e.message : `${e.name}: ${e.message}`;
  }
  return {
    seed: opts.seed,
    ok: failure === null,
    failure,
    phase,
    traceHash: traceHash(c),
    voters,
    observers,
    mix,
    faults: { ...c.faultCounts, resets: c.network.stats.resets, lostNotifications: c.network.stats.notificationsLost, duplicatedNotifications: c.network.stats.notificationsDuplicated, tornRecords: sum(c.replicas.map((r) => r.disk.stats.tornRecords)), lostUnsyncedRecords: sum(c.replicas.map((r) => r.disk.stats.lostUnsyncedRecords)) },
    virtualMs: c.sched.nowMs,
    events: c.sched.eventsRun,
    committed: c.obs.committedAt.size,
    clientOps: c.world.history.length,
    explored,
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Heal a majority and require progress within LIVENESS_BOUND_MS of virtual time. */
function liveness(c: SimCluster, rng: Prng): string | null {
  c.network.heal();
  c.setMix({ ...CALM, lyingDisk: c.spec.mix.lyingDisk, tickSkew: c.spec.mix.tickSkew });
  // Restart servers, leaving at most a minority of voters down.
  const down = c.replicas.filter((r) => !r.up);
  const stayDownMax = Math.floor((c.voterIds.length - 1) / 2);
  let stayingDown = 0;
  for (const r of down) {
    if (c.voterIds.includes(r.id) && stayingDown < stayDownMax && rng.chance(0.3)) stayingDown++;
    else c.restart(r.id);
  }
  const deadline = c.sched.nowMs + LIVENESS_BOUND_MS;
  c.runFor(LIVENESS_BOUND_MS, () => c.servingLeader() !== null);
  const leader = c.servingLeader();
  if (leader === null) return `liveness: no leader served a quorum within ${LIVENESS_BOUND_MS} ms after healing; ${describe(c)}`;
  // A fresh write through a serving leader must complete (retried while leadership settles,
  // e.g. across an epoch rollover).
  let probe = 'pending' as 'pending' | 'ok' | 'bad';
  const session = c.world.newSessionId();
  let cxid = 0;
  while (probe !== 'ok' && c.sched.nowMs < deadline) {
    const l = c.servingLeader();
    if (l === null) {
      c.runFor(100);
      continue;
    }
    probe = 'pending';
    c.world.request(0, l, session, ++cxid, { kind: 'createSession', timeoutMs: SESSION_TIMEOUT_MS }, (e) => {
      probe = e.outcome === 'ok' && e.result?.err === ErrorCode.ok ? 'ok' : 'bad';
    });
    c.runFor(deadline - c.sched.nowMs, () => probe !== 'pending');
    if ((probe as string) !== 'ok') c.runFor(100);
  }
  if (probe !== 'ok') return `liveness: no write completed on a healed leader within ${LIVENESS_BOUND_MS} ms (last: ${probe})`;
  // Drain: clients stop, pending requests resolve, abandoned sessions expire, servers converge.
  c.world.active = false;
  const converged = (): boolean => {
    const l = c.servingLeader();
    if (l === null) return false;
    const live = liveSessions(c);
    live.add(session);
    return c.replicas.every((r) => !r.up || (r.serving && r.appliedZxid === l.appliedZxid)) && [...l.tree.sessions.keys()].every((s) => live.has(s));
  };
  c.runFor(3 * SESSION_TIMEOUT_MS);
  c.runFor(LIVENESS_BOUND_MS, converged);
  if (!converged()) return `liveness: servers did not converge (or sessions did not expire) within ${LIVENESS_BOUND_MS} ms; ${c.servingLeader()?.tree.sessions.size ?? '?'} sessions on the leader; ${describe(c)}`;
  return null;
}

/** Each server's state, for failure messages. */
export function describe(c: SimCluster): string {
  return c.replicas
    .map((r) => {
      if (!r.up) return `${r.id}:down`;
      const s = r.peer?.status();
      return `${r.id}:${r.role}${r.serving ? '*' : ''} e${s?.acceptedEpoch}/${s?.currentEpoch} applied ${r.appliedZxid.toString(16)} wait=${s?.waitingFor}`;
    })
    .join(', ');
}

function liveSessions(c: SimCluster): Set<SessionId> {
  const live = new Set<SessionId>();
  for (const cl of c.clients) if (cl.liveSession !== null) live.add(cl.liveSession);
  return live;
}

function finalChecks(c: SimCluster): { problem: string | null; explored: number } {
  const prefix = checkCommittedPrefix(c.replicas);
  if (prefix.problem !== null) return { problem: prefix.problem, explored: 0 };
  const live = liveSessions(c);
  for (const e of c.world.history) if (e.client === 0) live.add(e.sessionId);
  const problem =
    checkAckedWrites(c.world.history, prefix.reference) ??
    checkSessionOrder(prefix.reference) ??
    checkSessions(c.replicas, live) ??
    (c.obs.digestMismatches > 0 ? `${c.obs.digestMismatches} digest mismatches` : null) ??
    checkReads(c.world.history, prefix.reference);
  if (problem !== null) return { problem, explored: 0 };
  return checkHistoryLinearizable(c.world.history);
}

function traceHash(c: SimCluster): string {
  let h = 0x811c9dc5;
  const mixIn = (n: number): void => {
    h = Math.imul(h ^ (n | 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ Math.floor(n / 0x1_0000_0000), 0x01000193) >>> 0;
  };
  mixIn(c.sched.eventsRun);
  mixIn(c.sched.nowMs);
  mixIn(c.sched.timeHash);
  for (const e of c.world.history) {
    mixIn(e.callSeq);
    mixIn(e.retSeq === Infinity ? -1 : e.retSeq);
    mixIn(e.result === null ? -2 : e.result.err);
    mixIn(Number(e.result?.zxid ?? -1n));
  }
  for (const r of c.replicas) mixIn(Number(r.appliedZxid));
  return h.toString(16).padStart(8, '0');
}
