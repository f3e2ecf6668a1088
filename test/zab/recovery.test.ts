// Crash scripts around durability: a leader dying between proposal and commit, a follower
// dying between log write and fsync, a leader that violates the protocol, and a new election
// connection.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverId } from '../../src/util/ids.js';
import { Cluster, txnAt, z } from './harness.js';

describe('recovery', () => {
  test('a txn one follower made durable survives the leader dying before it committed', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.deliver(leader.id, 1); // only server 1 gets it
    c.fsync(1);
    assert.equal(leader.sent('COMMIT').length, 0);
    c.crash(leader.id);
    c.autoDisk = true;
    const next = c.elect([1, 2]);
    assert.equal(next.id, 1, 'the server holding the txn is the most up-to-date');
    assert.deepEqual(c.appliedZxids(1), [zx]);
    assert.deepEqual(c.appliedZxids(2), [zx]);
  });

  test('a follower that crashes between log write and fsync loses the txn and gets it back by DIFF', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.deliverAll();
    assert.equal(c.node(1).unsynced.length, 1);
    c.crash(1); // the unsynced append is lost
    c.fsync(leader.id);
    c.fsync(2);
    c.deliverAll();
    assert.deepEqual(c.appliedZxids(2), [zx]);
    c.autoDisk = true;
    c.restart(1);
    assert.equal(c.node(1).durableZxid, z(0, 0));
    c.elect();
    assert.deepEqual(c.appliedZxids(1), [zx]);
  });

  test('a proposal that skips a zxid ends the connection instead of being logged', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    const effects = c.input(1, { kind: 'message', from: leader.id, message: { kind: 'packet', type: 'PROPOSAL', zxid: z(1, 2), txn: txnAt(z(1, 2)) } });
    assert.ok(effects.some((e) => e.kind === 'disconnect' && e.peer === leader.id));
    assert.ok(!effects.some((e) => e.kind === 'persist'));
    assert.equal(c.node(1).role, 'looking');
  });

  test('a COMMIT for a txn the follower never received ends the connection', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.input(1, { kind: 'message', from: leader.id, message: { kind: 'packet', type: 'COMMIT', zxid: z(1, 1) } });
    assert.equal(c.node(1).role, 'looking');
    assert.deepEqual(c.appliedZxids(1), []);
  });

  test('a LOOKING server tells a newly connected voter its vote', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const effects = c.input(1, { kind: 'peerConnected', peer: serverId(2) });
    assert.deepEqual(
      effects.map((e) => e.kind === 'send' && e.to === 2 && e.message.kind === 'notification' && e.message.leader),
      [1n],
    );
  });

  test('a failed snapshot transfer drops the learner', () => {
    const c = new Cluster({ voters: [1, 2, 3], config: { committedLogMax: 1 } });
    const leader = c.elect();
    c.crash(1);
    for (let i = 0; i < 3; i++) c.propose(leader.id);
    c.deliverAll();
    c.restart(1);
    c.elect();
    assert.ok(leader.sent('SNAP', 1).length > 0);
    const effects = c.input(leader.id, { kind: 'snapshotSent', to: serverId(1), ok: false });
    assert.deepEqual(effects, [{ kind: 'disconnect', peer: 1 }]);
  });

  test('a leader stepping down with an fsync in flight votes only once it completes', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.partition([leader.id], [1, 2]);
    c.tick(c.config(leader.id).syncLimitTicks + 2, [leader.id]);
    assert.equal(leader.peer.status().waitingFor, 'durable');
    const notifications = () => leader.effects.filter((e) => e.kind === 'send' && e.message.kind === 'notification').length;
    const before = notifications();
    c.tick(3, [leader.id]);
    assert.equal(notifications(), before, 'no vote with a log that is not on disk yet');
    c.fsync(leader.id);
    assert.equal(leader.role, 'looking');
    const vote = [...leader.effects].reverse().find((e) => e.kind === 'send' && e.message.kind === 'notification');
    assert.ok(vote?.kind === 'send' && vote.message.kind === 'notification' && vote.message.zxid === zx);
  });
});
