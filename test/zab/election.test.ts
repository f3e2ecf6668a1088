// Fast leader election scripts: who wins with different histories, observers never vote or
// count, re-election after the leader is lost, a restarted server joining an existing leader.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_VOTE } from '../../src/zab/messages.js';
import { Cluster, z } from './harness.js';

describe('election', () => {
  test('three fresh servers elect the highest id, all in epoch 1', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    assert.equal(leader.id, 3);
    for (const id of [1, 2, 3]) {
      const s = c.node(id).peer.status();
      assert.equal(s.currentEpoch, 1);
      assert.equal(s.acceptedEpoch, 1);
    }
    assert.deepEqual([1, 2].map((id) => c.node(id).role), ['following', 'following']);
  });

  test('the most up-to-date history wins over a higher id', () => {
    const c = new Cluster({
      voters: [1, 2, 3],
      logs: { 1: [[1, 1], [1, 2], [1, 3]], 2: [[1, 1], [1, 2]], 3: [[1, 1]] },
    });
    const leader = c.elect();
    assert.equal(leader.id, 1);
    // The new epoch is above every accepted epoch, and everyone ends with server 1's history.
    assert.equal(leader.peer.status().currentEpoch, 2);
    for (const id of [2, 3]) assert.deepEqual(c.appliedZxids(id), [z(1, 1), z(1, 2), z(1, 3)]);
  });

  test('a later epoch beats a longer log (five servers)', () => {
    const c = new Cluster({
      voters: [1, 2, 3, 4, 5],
      logs: {
        1: [[1, 1], [1, 2], [1, 3], [1, 4]],
        2: [[1, 1], [2, 1]],
        3: [[1, 1]],
        4: [[1, 1], [1, 2]],
        5: [],
      },
      epochs: { 1: 1, 2: 2, 3: 1, 4: 1, 5: 0 },
    });
    const leader = c.elect();
    assert.equal(leader.id, 2);
    assert.equal(leader.peer.status().currentEpoch, 3);
    for (const id of [1, 3, 4, 5]) assert.deepEqual(c.appliedZxids(id), [z(1, 1), z(2, 1)], `server ${id}`);
  });

  test('observers neither vote nor are proposed, but learn the leader', () => {
    const c = new Cluster({
      voters: [1, 2, 3],
      observers: [4],
      logs: { 4: [[1, 1], [1, 2], [1, 3]], 1: [[1, 1], [1, 2], [1, 3]], 2: [[1, 1]], 3: [[1, 1]] },
    });
    const leader = c.elect();
    assert.equal(leader.id, 1, 'the observer has the longest log but cannot lead');
    assert.equal(c.node(4).role, 'observing');
    assert.equal(c.node(4).peer.status().leader, 1);
    // The observer's notifications carry Long.MIN_VALUE votes.
    const obsVotes = c.node(4).effects.filter((e) => e.kind === 'send' && e.message.kind === 'notification');
    assert.ok(obsVotes.length > 0);
    const first = obsVotes[0];
    assert.ok(first?.kind === 'send' && first.message.kind === 'notification');
    assert.equal(first.message.leader, NO_VOTE);
    assert.ok(obsVotes.every((e) => e.kind === 'send' && e.message.kind === 'notification' && e.message.leader !== 4n));
  });

  test('an observer does not make a quorum: one voter plus observers elects nobody', () => {
    const c = new Cluster({ voters: [1, 2, 3], observers: [4, 5] });
    c.crash(2);
    c.crash(3);
    c.tick(60);
    for (const id of [1, 4, 5]) assert.equal(c.node(id).role, 'looking', `server ${id}`);
    // The second voter back makes a quorum; the observers follow along.
    c.restart(2);
    const leader = c.elect([1, 2, 4, 5]);
    assert.equal(leader.id, 2);
    assert.equal(c.node(4).role, 'observing');
    assert.equal(c.node(5).role, 'observing');
  });

  test('losing the leader triggers a new election in a new epoch', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const first = c.elect();
    c.propose(first.id);
    c.deliverAll();
    c.crash(first.id);
    const second = c.elect([1, 2]);
    assert.equal(second.id, 2);
    assert.equal(second.peer.status().currentEpoch, 2);
    assert.deepEqual(c.appliedZxids(1), [z(1, 1)]);
  });

  test('a restarted server joins the established leader from FOLLOWING/LEADING replies', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.crash(1);
    c.propose(leader.id);
    c.deliverAll();
    const before = leader.peer.status().electionEpoch;
    c.restart(1);
    c.elect();
    assert.equal(c.node(1).peer.status().leader, leader.id);
    assert.equal(leader.peer.status().electionEpoch, before, 'the leader never went back to LOOKING');
    assert.deepEqual(c.appliedZxids(1), [z(1, 1)]);
  });
});
