// Scrambled schedules for the scripted network: random deliveries, ticks, proposals, fsyncs,
// partitions, crashes and restarts. The harness checks safety at every effect (ACK after
// fsync, epochs before ACKEPOCH/NEWLEADER ACK, apply only durable txns, one txn per zxid, one
// leader per epoch). After healing, a leader must be elected, every acknowledged (committed on
// the leader) txn must survive, and all servers must apply the same sequence.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Zxid } from '../../src/util/ids.js';
import { Cluster, isServing } from './harness.js';

export type Action =
  | { kind: 'deliver'; link: number }
  | { kind: 'deliverAll' }
  | { kind: 'tick'; count: number }
  | { kind: 'propose'; count: number }
  | { kind: 'fsync'; node: number }
  | { kind: 'fsyncAll' }
  | { kind: 'epochsFirst'; node: number }
  | { kind: 'crash'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'partition'; mask: number }
  | { kind: 'heal' }
  | { kind: 'reset'; a: number; b: number }
  | { kind: 'duplicate'; link: number };

export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(50).map((link) => ({ kind: 'deliver' as const, link })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'deliverAll' as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }).map((count) => ({ kind: 'tick' as const, count })) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }).map((count) => ({ kind: 'propose' as const, count })) },
  { weight: 3, arbitrary: fc.nat(7).map((node) => ({ kind: 'fsync' as const, node })) },
  { weight: 3, arbitrary: fc.constant({ kind: 'fsyncAll' as const }) },
  { weight: 2, arbitrary: fc.nat(7).map((node) => ({ kind: 'epochsFirst' as const, node })) },
  { weight: 1, arbitrary: fc.nat(7).map((node) => ({ kind: 'crash' as const, node })) },
  { weight: 1, arbitrary: fc.nat(7).map((node) => ({ kind: 'restart' as const, node })) },
  { weight: 1, arbitrary: fc.nat(255).map((mask) => ({ kind: 'partition' as const, mask })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'heal' as const }) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(7), fc.nat(7)).map(([a, b]) => ({ kind: 'reset' as const, a, b })) },
  { weight: 2, arbitrary: fc.nat(50).map((link) => ({ kind: 'duplicate' as const, link })) },
);

export function runScramble(size: number, actions: readonly Action[], observers: number[] = []): void {
  const voters = Array.from({ length: size }, (_, i) => i + 1);
  const c = new Cluster({ voters, observers, autoDisk: false, config: { counterLimit: 6, committedLogMax: 3 } });
  const all = [...voters, ...observers];
  const acknowledged = new Set<Zxid>();
  const down = new Set<number>();
  const pick = (n: number) => all[n % all.length] as number;
  for (const a of actions) {
    switch (a.kind) {
      case 'deliver': {
        const links = c.deliverable();
        const chosen = links[a.link % Math.max(links.length, 1)];
        if (chosen !== undefined) c.deliver(...chosen);
        break;
      }
      case 'deliverAll':
        c.deliverAll();
        break;
      case 'tick':
        for (let i = 0; i < a.count; i++) for (const id of all) c.input(id, { kind: 'tick' });
        break;
      case 'propose':
        for (const id of all) {
          const n = c.node(id);
          for (let i = 0; i < a.count && n.up && n.peer.nextZxid() !== null; i++) c.propose(id);
        }
        break;
      case 'fsync':
        c.fsync(pick(a.node));
        break;
      case 'epochsFirst':
        c.saveEpochsFirst(pick(a.node));
        break;
      case 'fsyncAll':
        for (const id of all) c.fsync(id);
        break;
      case 'crash': {
        const id = pick(a.node);
        // Keep a voter majority up so the cluster can always recover.
        if (!down.has(id) && (observers.includes(id) || [...down].filter((d) => voters.includes(d)).length + 1 < size / 2)) {
          c.crash(id);
          down.add(id);
        }
        break;
      }
      case 'restart': {
        const id = pick(a.node);
        if (down.delete(id)) c.restart(id);
        break;
      }
      case 'partition': {
        const side = all.filter((id) => (a.mask >> (id - 1)) & 1);
        c.partition(side, all.filter((id) => !side.includes(id)));
        break;
      }
      case 'heal':
        c.heal();
        break;
      case 'reset':
        if (pick(a.a) !== pick(a.b)) c.reset(pick(a.a), pick(a.b));
        break;
      case 'duplicate': {
        const links = c.deliverable();
        const chosen = links[a.link % Math.max(links.length, 1)];
        if (chosen !== undefined) c.duplicateHead(...chosen);
        break;
      }
    }
    // Acknowledged = applied on a leader that serves (the client would get its answer). Not any
    // leader: a restarted server applies its whole log at boot, committed or not (ZooKeeper).
    for (const id of all) {
      const n = c.node(id);
      if (n.up && n.role === 'leading' && isServing(n)) for (const t of n.applied) acknowledged.add(t.header.zxid);
    }
  }
  // Heal everything and check recovery.
  c.heal();
  for (const id of down) c.restart(id);
  c.autoDisk = true;
  const leader = c.elect();
  c.propose(leader.id, 'final');
  c.deliverAll();
  const reference = c.appliedZxids(leader.id);
  for (const id of all) assert.deepEqual(c.appliedZxids(id), reference, `server ${id} differs from leader ${leader.id}`);
  for (const zx of acknowledged) assert.ok(reference.includes(zx), `acknowledged ${zx.toString(16)} was lost`);
}

