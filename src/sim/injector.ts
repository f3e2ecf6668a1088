// The fault injector of the fault phase: every 100 ms of virtual time, each fault kind of the
// run's mix fires with its drawn rate. Crashed servers restart after a drawn down time (or at the
// liveness phase); partitions heal after a drawn duration. Partitions come in three shapes:
// symmetric (two groups), asymmetric (one direction of some links), and the current leader cut
// off from a quorum while its clients still reach it. Besides single crashes, a correlated power
// loss takes down a majority at once (only durable data survives it).

import type { ServerId } from '../util/ids.js';
import type { SimCluster } from './cluster.js';
import type { Prng } from './prng.js';

const STEP_MS = 100;

export function injectFaults(c: SimCluster, rng: Prng, phaseMs: number): void {
  const mix = c.spec.mix;
  const endMs = c.sched.nowMs + phaseMs;
  const p = (perSec: number): number => (perSec * STEP_MS) / 1000;
  const step = (): void => {
    if (c.sched.nowMs >= endMs) return;
    c.sched.after(STEP_MS, step);
    const ids = c.ids;
    if (rng.chance(p(mix.crashesPerSec))) {
      const victim = rng.pick(ids);
      if (c.replica(victim).up) {
        c.crash(victim);
        const downMs = rng.int(50, Math.max(50, mix.downMsMax));
        c.sched.after(downMs, () => c.sched.nowMs < endMs && c.restart(victim));
      }
    }
    if (rng.chance(p(mix.crashesPerSec / 4))) {
      // A correlated power loss: a majority of servers at once.
      const victims = ids.filter(() => rng.chance(0.5));
      for (const id of c.voterIds) if (victims.length <= c.voterIds.length / 2 && !victims.includes(id)) victims.push(id);
      for (const id of victims) c.crash(id);
      c.count('powerLoss');
      const downMs = rng.int(50, Math.max(50, mix.downMsMax));
      c.sched.after(downMs, () => {
        if (c.sched.nowMs < endMs) for (const id of victims) c.restart(id);
      });
    }
    if (rng.chance(p(mix.partitionsPerSec)) && !c.network.partitioned) {
      partition(c, rng, ids);
      c.sched.after(rng.int(100, Math.max(100, mix.partitionMsMax)), () => c.network.heal());
    }
    if (rng.chance(p(mix.connResetsPerSec))) {
      const a = rng.pick(ids);
      const b = rng.pick(ids);
      if (a !== b && c.replica(a).up && c.replica(b).up) c.network.reset(a, b);
    }
    if (rng.chance(p(mix.clockJumpsPerSec))) {
      const r = c.replica(rng.pick(ids));
      const ticks = rng.int(2, 12);
      for (let i = 0; i < ticks; i++) r.tick();
      c.count('clockJump');
    }
  };
  c.sched.after(STEP_MS, step);
}

function partition(c: SimCluster, rng: Prng, ids: readonly ServerId[]): void {
  const shape = rng.int(0, 2);
  if (shape === 0) {
    const side = ids.filter(() => rng.chance(0.5));
    c.network.partition([side, ids.filter((id) => !side.includes(id))]);
    c.count('partitionSymmetric');
  } else if (shape === 1) {
    for (const a of ids) for (const b of ids) if (a !== b && rng.chance(0.3)) c.network.cutLink(a, b);
    c.count('partitionAsymmetric');
  } else {
    const leader = c.replicas.find((r) => r.up && r.role === 'leading')?.id ?? rng.pick(ids);
    const others = ids.filter((id) => id !== leader);
    // Cut the leader from a quorum of the others; maybe one stays reachable.
    const keep = rng.chance(0.5) ? rng.pick(others) : null;
    for (const o of others) {
      if (o === keep) continue;
      c.network.cutLink(leader, o);
      c.network.cutLink(o, leader);
    }
    c.count('partitionLeaderIsolated');
  }
}
