// Epoch counter rollover under load: a seeded run (the same draws as runner.ts's runSeed, so a
// seed means the same cluster, fault mix and fault schedule) with a tiny counterLimit, so every
// few txns the leader drains and a new epoch starts. After the fault phase a majority is healed
// and the ensemble must keep serving while clients keep writing: a serving leader within
// LIVENESS_BOUND_MS, then `probes` fresh writes that each complete within that bound, then the
// safety checkers. (runSeed's full drain, which also waits for every abandoned session to expire,
// is not asked for here: with a counter of a few txns per epoch, and session deadlines renewed by
// each new leader, expiring dozens of sessions takes longer than its bound by design.)

import { ErrorCode } from '../../proto/error-codes.js';
import { checkAckedWrites, checkCommittedPrefix, checkSessionOrder } from '../checkers.js';
import { SESSION_TIMEOUT_MS } from '../clients.js';
import { SimCluster } from '../cluster.js';
import { CALM, drawFaultMix, type FaultKind } from '../faults.js';
import { injectFaults } from '../injector.js';
import { SimFailure } from '../observations.js';
import { Prng } from '../prng.js';
import { describe, LIVENESS_BOUND_MS } from '../runner.js';

export interface RolloverResult {
  readonly ok: boolean;
  readonly failure: string | null;
  readonly voters: number;
  /** Epochs the serving leaders went through after healing (rollovers under load). */
  readonly epochsAfterHeal: number;
  readonly committed: number;
}

export function runRolloverLiveness(seed: number, faults: readonly FaultKind[], counterLimit: number, probes = 5): RolloverResult {
  const draw = new Prng(seed ^ 0x5eed);
  const voters = draw.pick([3, 3, 5, 5, 7]);
  const observers = draw.chance(0.3) ? 1 : 0;
  const mix = { ...drawFaultMix(draw, faults), lyingDisk: false };
  const c = new SimCluster({ seed, voters, observers, clients: draw.int(3, 8), mix, zab: { counterLimit } });
  const epochs = new Set<number>();
  let failure: string | null = null;
  try {
    c.start();
    injectFaults(c, draw.fork(), 6000);
    c.runFor(6000);
    healMajority(c, draw.fork());
    for (let i = 0; i < probes && failure === null; i++) {
      failure = probe(c, epochs);
    }
    if (failure === null) {
      const prefix = checkCommittedPrefix(c.replicas);
      failure = prefix.problem ?? checkAckedWrites(c.world.history, prefix.reference) ?? checkSessionOrder(prefix.reference);
      if (failure === null && c.obs.digestMismatches > 0) failure = `${c.obs.digestMismatches} digest mismatches`;
    }
  } catch (e) {
    if (!(e instanceof SimFailure)) throw e;
    failure = e.message;
  }
  return { ok: failure === null, failure, voters, epochsAfterHeal: epochs.size, committed: c.obs.committedAt.size };
}

/** As runSeed: heal the network, calm it, restart all but at most a minority of the voters. */
function healMajority(c: SimCluster, rng: Prng): void {
  c.network.heal();
  c.setMix({ ...CALM, lyingDisk: false, tickSkew: c.spec.mix.tickSkew });
  const stayDownMax = Math.floor((c.voterIds.length - 1) / 2);
  let stayingDown = 0;
  for (const r of c.replicas.filter((x) => !x.up)) {
    if (c.voterIds.includes(r.id) && stayingDown < stayDownMax && rng.chance(0.3)) stayingDown++;
    else c.restart(r.id);
  }
}

/** One fresh write through a serving leader must complete within the bound (retried across
 * leader changes, as a client would). */
function probe(c: SimCluster, epochs: Set<number>): string | null {
  const deadline = c.sched.nowMs + LIVENESS_BOUND_MS;
  const session = c.world.newSessionId();
  let outcome = 'pending' as 'pending' | 'ok' | 'bad';
  let cxid = 0;
  while (outcome !== 'ok' && c.sched.nowMs < deadline) {
    c.runFor(deadline - c.sched.nowMs, () => c.servingLeader() !== null);
    const l = c.servingLeader();
    if (l === null) break;
    epochs.add(l.peer?.status().currentEpoch ?? -1);
    outcome = 'pending';
    c.world.request(0, l, session, ++cxid, { kind: 'createSession', timeoutMs: SESSION_TIMEOUT_MS }, (e) => {
      outcome = e.outcome === 'ok' && e.result?.err === ErrorCode.ok ? 'ok' : 'bad';
    });
    c.runFor(deadline - c.sched.nowMs, () => outcome !== 'pending');
    if ((outcome as string) !== 'ok') c.runFor(50);
  }
  if (outcome === 'ok') return null;
  return `liveness: no write completed within ${LIVENESS_BOUND_MS} ms at ${c.sched.nowMs} ms (serving leader: ${c.servingLeader()?.id ?? 'none'}); ${describe(c)}`;
}
