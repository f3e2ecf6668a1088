// Named scenario: the leader crashes after proposing but before committing. The proposal either
// commits everywhere or nowhere (never on some servers only), the client that sent it never got
// "ok" for it, and every write acknowledged before the crash survives on every server.
//   - reached a quorum: the followers logged and ACKed it, but the ACKs never reached the leader;
//     the next leader holds it, so it commits everywhere (in the new epoch's history).
//   - reached nobody: only the crashed leader logged it; it commits nowhere, and the old leader
//     drops it when it rejoins.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Zxid } from '../../src/util/ids.js';
import { applied, loggedZxids, Script } from '../../src/sim/scenarios/script.js';

function setup(seed: number) {
  const s = new Script({ voters: 3, seed });
  const leader = s.start();
  const session = s.session(leader);
  const acked = [s.create(leader, session, '/a1'), s.create(leader, session, '/a2')];
  s.converge();
  return { s, leader, session, acked };
}

function allOrNothing(s: Script, z: Zxid): 'everywhere' | 'nowhere' {
  const holders = s.c.replicas.filter((r) => applied(r, z)).length;
  assert.ok(holders === 0 || holders === s.c.replicas.length, `txn applied on ${holders} of ${s.c.replicas.length} servers`);
  return holders === 0 ? 'nowhere' : 'everywhere';
}

describe('scenario: leader crashes after proposing, before committing', () => {
  test('the proposal reached the followers: it commits everywhere, acknowledged writes survive', () => {
    const { s, leader, session, acked } = setup(21);
    for (const r of s.c.replicas) if (r !== leader) s.c.network.cutLink(r.id, leader.id); // ACKs held
    const w = s.write(leader, session, { kind: 'create', path: '/p', data: 'p', ephemeral: false });
    const followers = s.c.replicas.filter((r) => r !== leader);
    const before = followers[0]!.disk.log.length;
    s.until(() => followers.every((r) => r.disk.log.length === before + 1 && r.disk.unsynced.length === 0), 'followers logged the proposal');
    const z = followers[0]!.disk.log.at(-1)!.header.zxid;
    assert.equal(applied(leader, z), false, 'the leader did not commit it');
    s.c.crash(leader.id);
    s.c.network.heal();
    s.converge();
    s.c.restart(leader.id);
    s.converge();
    assert.notEqual(w.outcome, 'ok', 'never acknowledged');
    assert.equal(allOrNothing(s, z), 'everywhere');
    for (const r of s.c.replicas) assert.ok(r.tree.getNode('/p') !== undefined && r.tree.getNode('/a1') !== undefined && r.tree.getNode('/a2') !== undefined);
    for (const e of acked) assert.equal(e.outcome, 'ok');
    assert.equal(s.check(), null);
  });

  test('the proposal reached nobody: it commits nowhere, the old leader drops it on rejoining', () => {
    const { s, leader, session } = setup(22);
    for (const r of s.c.replicas) if (r !== leader) s.c.network.cutLink(leader.id, r.id); // proposal held
    const before = leader.disk.log.length;
    const w = s.write(leader, session, { kind: 'create', path: '/p', data: 'p', ephemeral: false });
    s.until(() => leader.disk.log.length === before + 1, 'the leader logged its proposal durably');
    const z = leader.disk.log.at(-1)!.header.zxid;
    s.c.crash(leader.id);
    s.c.network.heal();
    const next = s.leader();
    const s2 = s.session(next);
    s.create(next, s2, '/later');
    s.c.restart(leader.id);
    s.converge();
    assert.notEqual(w.outcome, 'ok');
    assert.equal(allOrNothing(s, z), 'nowhere');
    assert.ok(!loggedZxids(leader).includes(z), 'the old leader dropped it from its log');
    for (const r of s.c.replicas) assert.equal(r.tree.getNode('/p'), undefined);
    for (const r of s.c.replicas) assert.ok(r.tree.getNode('/later') !== undefined);
    assert.equal(s.check(), null);
  });
});
