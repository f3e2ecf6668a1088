// Liveness and epoch scripts: a leader without a quorum steps down, a follower without pings
// re-elects, a follower that stops acking is dropped, the 32-bit counter rolls over into a new
// epoch, and an elected leader that never gets its quorum gives up after initLimit.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zxidCounter, zxidEpoch } from '../../src/util/ids.js';
import { Cluster, txnAt, z } from './harness.js';

describe('liveness', () => {
  test('a leader cut off from its quorum steps down; the majority elects a new leader', () => {
    const c = new Cluster({ voters: [1, 2, 3, 4, 5] });
    const old = c.elect();
    c.partition([old.id, 4], [1, 2, 3]);
    c.tick(c.config(old.id).syncLimitTicks + 2);
    assert.equal(old.role, 'looking', 'only 2 of 5 voters live');
    const fresh = c.elect([1, 2, 3]);
    assert.equal(fresh.peer.status().currentEpoch, 2);
    const zx = c.propose(fresh.id);
    c.deliverAll();
    assert.deepEqual(c.appliedZxids(1), [zx]);
    // The minority cannot elect anyone, then rejoins the new epoch when healed.
    c.tick(20);
    assert.notEqual(old.role, 'leading');
    c.heal();
    c.elect();
    assert.deepEqual(c.appliedZxids(old.id), [zx]);
  });

  test('a leader keeps leading while a quorum answers pings', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.crash(1);
    c.tick(30);
    assert.equal(leader.role, 'leading');
    assert.ok(leader.sent('PING', 2).length >= 30);
  });

  test('a follower that hears nothing from the leader goes back to election', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.cutLink(leader.id, 1);
    c.tick(c.config(1).syncLimitTicks + 1);
    assert.notEqual(c.node(1).role, 'following');
    assert.equal(leader.role, 'leading', 'the leader still has 2 of 3');
  });

  test('a follower whose oldest proposal stays unacked past syncLimit is dropped', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    c.propose(leader.id);
    c.deliverAll();
    c.fsync(leader.id);
    c.fsync(2);
    c.deliverAll();
    // Server 1's disk is stuck: it answers pings but never acks.
    c.tick(c.config(1).syncLimitTicks + 1);
    assert.ok(leader.effects.some((e) => e.kind === 'disconnect' && e.peer === 1));
    assert.equal(leader.role, 'leading');
  });

  test('an elected leader whose learners never arrive gives up after initLimit', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    c.deliverAll(); // notifications
    c.input(3, { kind: 'tick' }); // finalize waits are over: 3 leads
    c.input(1, { kind: 'tick' });
    c.input(2, { kind: 'tick' });
    assert.equal(c.node(3).role, 'leading');
    c.cutLink(1, 3); // FOLLOWERINFOs are lost
    c.cutLink(2, 3);
    c.tick(c.config(3).initLimitTicks, [3]);
    assert.equal(c.node(3).role, 'leading', 'still within initLimit');
    c.tick(1, [3]);
    assert.equal(c.node(3).role, 'looking');
    assert.equal(c.node(3).peer.status().acceptedEpoch, 0, 'no epoch was chosen without a quorum');
    c.heal();
    assert.equal(c.elect().peer.status().currentEpoch, 1);
  });

  test('counter rollover: the leader drains, then a new epoch starts and proposals resume', () => {
    const c = new Cluster({ voters: [1, 2, 3], config: { counterLimit: 4 } });
    const leader = c.elect();
    const zs = [c.propose(leader.id), c.propose(leader.id), c.propose(leader.id)];
    assert.deepEqual(zs, [z(1, 1), z(1, 2), z(1, 3)]);
    assert.equal(leader.peer.nextZxid(), null, 'counter 4 is never used');
    const before = leader.peer.now;
    c.deliverAll();
    assert.equal(leader.role, 'looking', 'stepped down as soon as the last txn committed');
    const next = c.elect();
    assert.ok(leader.peer.now - before <= 2, `new epoch after ${leader.peer.now - before} ticks: no timeout-driven stall`);
    assert.equal(next.peer.status().currentEpoch, 2);
    assert.equal(next.peer.nextZxid(), z(2, 1));
    c.propose(next.id);
    c.deliverAll();
    for (const id of [1, 2, 3]) assert.deepEqual(c.appliedZxids(id), [...zs, z(2, 1)]);
    const all = [...c.nodes.values()].flatMap((n) => n.applied.map((t) => t.header.zxid));
    assert.ok(all.every((zx) => zxidCounter(zx) < 4 && zxidEpoch(zx) <= 2));
  });

  test('a proposal during rollover is rejected as epochExhausted', () => {
    const c = new Cluster({ voters: [1, 2, 3], config: { counterLimit: 2 } });
    const leader = c.elect();
    c.autoDisk = false;
    c.propose(leader.id); // counter 1: the last one of the epoch
    const effects = c.input(leader.id, { kind: 'propose', txn: txnAt(z(1, 2)) });
    assert.deepEqual(effects.map((e) => e.kind === 'proposalRejected' && e.reason), ['epochExhausted']);
  });
});
