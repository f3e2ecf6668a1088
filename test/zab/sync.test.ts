// Sync scripts: which of DIFF / TRUNC / SNAP a rejoining learner gets, and that epochs and txns
// are durable before ACKEPOCH and the NEWLEADER ACK.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zxidEpoch } from '../../src/util/ids.js';
import { Cluster, z, type Node } from './harness.js';

const syncOps = (leader: Node, to: number): string[] =>
  leader.effects.flatMap((e) =>
    e.kind === 'send' && e.to === to && e.message.kind === 'packet' && ['DIFF', 'TRUNC', 'SNAP'].includes(e.message.type)
      ? [`${e.message.type} ${e.message.zxid.toString(16)}`]
      : [],
  );

describe('sync', () => {
  test('a follower slightly behind gets DIFF and the missing txns', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.propose(leader.id);
    c.deliverAll();
    c.crash(1);
    for (let i = 0; i < 3; i++) c.propose(leader.id);
    c.deliverAll();
    c.restart(1);
    c.elect();
    assert.deepEqual(syncOps(leader, 1).at(-1), `DIFF ${z(1, 4).toString(16)}`);
    assert.deepEqual(leader.sent('PROPOSAL', 1).map((p) => p.zxid).slice(-3), [z(1, 2), z(1, 3), z(1, 4)]);
    assert.deepEqual(c.appliedZxids(1), [z(1, 1), z(1, 2), z(1, 3), z(1, 4)]);
    // And it takes part in broadcast afterwards.
    c.propose(leader.id);
    c.deliverAll();
    assert.deepEqual(c.appliedZxids(1).at(-1), z(1, 5));
  });

  test('an up-to-date follower gets an empty DIFF at its own zxid', () => {
    const c = new Cluster({ voters: [1, 2, 3], logs: { 1: [[1, 1], [1, 2]], 2: [[1, 1], [1, 2]], 3: [[1, 1], [1, 2]] } });
    const leader = c.elect();
    assert.deepEqual(syncOps(leader, 1), [`DIFF ${z(1, 2).toString(16)}`]);
    assert.equal(leader.sent('PROPOSAL', 1).length, 0);
  });

  test('a follower far behind the committed-log window gets SNAP', () => {
    const c = new Cluster({ voters: [1, 2, 3], config: { committedLogMax: 2 } });
    const leader = c.elect();
    c.crash(1);
    for (let i = 0; i < 6; i++) c.propose(leader.id);
    c.deliverAll();
    c.restart(1);
    c.elect();
    assert.deepEqual(syncOps(leader, 1).slice(-1), [`SNAP ${z(1, 6).toString(16)}`]);
    assert.deepEqual(c.appliedZxids(1), c.appliedZxids(leader.id));
    c.propose(leader.id);
    c.deliverAll();
    assert.deepEqual(c.appliedZxids(1).at(-1), z(1, 7));
    assert.equal(c.node(1).durableZxid, z(1, 7));
  });

  test('an old leader with a txn nobody acked is truncated when it rejoins (TRUNC)', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const old = c.elect();
    c.propose(old.id);
    c.deliverAll();
    // The leader logs a proposal that never leaves it, then dies.
    c.partition([old.id], [1, 2]);
    c.propose(old.id, 'lost');
    c.fsync(old.id);
    assert.equal(old.durableZxid, z(1, 2));
    c.crash(old.id);
    c.heal();
    const fresh = c.elect([1, 2]);
    c.restart(old.id);
    c.elect();
    assert.deepEqual(syncOps(fresh, old.id), [`TRUNC ${z(1, 1).toString(16)}`]);
    assert.deepEqual(c.appliedZxids(old.id), [z(1, 1)]);
    assert.equal(old.durableZxid, z(1, 1));
    c.propose(fresh.id);
    c.deliverAll();
    assert.deepEqual(c.appliedZxids(old.id), [z(1, 1), z(2, 1)]);
  });

  test('uncommitted txns of an older epoch after newer commits fall back to SNAP', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const old = c.elect();
    c.propose(old.id);
    c.deliverAll();
    c.partition([old.id], [1, 2]);
    c.propose(old.id, 'lost');
    c.fsync(old.id);
    c.crash(old.id);
    c.heal();
    const fresh = c.elect([1, 2]);
    c.propose(fresh.id);
    c.deliverAll();
    c.restart(old.id);
    c.elect();
    assert.equal(syncOps(fresh, old.id)[0]?.split(' ')[0], 'SNAP');
    assert.deepEqual(c.appliedZxids(old.id), [z(1, 1), z(2, 1)]);
  });

  test('acceptedEpoch is durable before ACKEPOCH, currentEpoch and txns before the NEWLEADER ACK', () => {
    const c = new Cluster({ voters: [1, 2, 3], logs: { 1: [[1, 1]], 2: [[1, 1], [1, 2]], 3: [[1, 1], [1, 2]] }, autoDisk: false });
    // Let the election settle with the disk held back.
    for (let i = 0; i < 5; i++) {
      c.deliverAll();
      c.tick();
      for (const id of [2, 3]) c.fsync(id); // the leader's disk works
    }
    const follower = c.node(1);
    assert.equal(c.node(3).role, 'leading');
    assert.equal(follower.role, 'following');
    // Server 1 got LEADERINFO and asked to save acceptedEpoch 2 but sent no ACKEPOCH yet.
    assert.equal(follower.peer.status().waitingFor, 'epochsSaved');
    assert.equal(follower.sent('ACKEPOCH').length, 0);
    c.fsync(1, 1);
    assert.equal(follower.acceptedEpoch, 2);
    assert.equal(follower.sent('ACKEPOCH').length, 1);
    c.deliverAll();
    for (const id of [2, 3]) c.fsync(id);
    c.deliverAll();
    // DIFF + PROPOSAL 0x100000002 + NEWLEADER arrived: no ACK until the txn and currentEpoch are durable.
    assert.equal(follower.sent('ACK').length, 0);
    assert.equal(follower.peer.status().waitingFor, 'durable');
    c.fsync(1, 1); // the txn
    assert.equal(follower.sent('ACK').length, 0);
    assert.equal(follower.peer.status().waitingFor, 'epochsSaved');
    c.fsync(1, 1); // currentEpoch
    assert.equal(follower.currentEpoch, 2);
    assert.deepEqual(follower.sent('ACK').map((p) => zxidEpoch(p.zxid)), [2]);
    c.autoDisk = true;
    c.elect();
    assert.deepEqual(c.appliedZxids(1), [z(1, 1), z(1, 2)]);
  });
});
