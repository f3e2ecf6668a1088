// Broadcast scripts: quorum commits in zxid order, ACKs only after fsync, the leader's own ACK
// only after its own fsync, pipelined proposals under one fsync, INFORM to observers, SYNC,
// forwarded requests and session touches.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverId, sessionId } from '../../src/util/ids.js';
import { Cluster, txnAt, z } from './harness.js';

const commits = (c: Cluster, id: number) => c.node(id).effects.flatMap((e) => (e.kind === 'commit' ? [e.zxidUpTo] : []));

describe('broadcast', () => {
  test('a proposal commits only once a quorum of voters acked it', () => {
    const c = new Cluster({ voters: [1, 2, 3, 4, 5] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.deliverAll();
    c.fsync(leader.id); // the leader's own ACK: 1 of 5
    c.fsync(1); // 2 of 5
    c.deliverAll();
    assert.equal(leader.sent('COMMIT').length, 0);
    assert.equal(leader.peer.status().committedZxid < zx, true);
    c.fsync(2); // 3 of 5
    c.deliverAll();
    assert.deepEqual(leader.sent('COMMIT', 1).map((p) => p.zxid), [zx]);
    assert.deepEqual(commits(c, leader.id).at(-1), zx);
    // Servers 3 and 4 learn the commit but apply it only after their own fsync.
    assert.deepEqual(c.appliedZxids(3), []);
    c.fsync(3);
    assert.deepEqual(c.appliedZxids(3), [zx]);
  });

  test('a follower ACKs a proposal only after it is fed persisted', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.deliver(leader.id, 1);
    const f = c.node(1);
    assert.ok(f.effects.some((e) => e.kind === 'persist'));
    assert.equal(f.sent('ACK').filter((p) => p.zxid === zx).length, 0);
    c.fsync(1);
    assert.deepEqual(f.sent('ACK').map((p) => p.zxid).at(-1), zx);
  });

  test('the leader applies a commit only after its own fsync, even when followers made the quorum', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.deliverAll();
    c.fsync(1);
    c.fsync(2);
    c.deliverAll();
    assert.deepEqual(leader.sent('COMMIT', 1).map((p) => p.zxid), [zx], 'the quorum is the two followers');
    assert.equal(commits(c, leader.id).includes(zx), false);
    c.fsync(leader.id);
    assert.equal(commits(c, leader.id).at(-1), zx);
  });

  test('pipelined proposals: one fsync covers many, ACKs one per txn, commits in order', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zs = [0, 1, 2, 3].map(() => c.propose(leader.id));
    c.deliverAll();
    // One disk completion for the whole batch on follower 1.
    const f = c.node(1);
    f.diskOps.splice(0, f.diskOps.length - 1);
    c.fsync(1);
    assert.deepEqual(f.sent('ACK').map((p) => p.zxid).slice(-4), zs);
    c.fsync(leader.id);
    c.deliverAll();
    assert.deepEqual(leader.sent('COMMIT', 1).map((p) => p.zxid), zs);
    assert.deepEqual(c.appliedZxids(1), zs);
    assert.deepEqual(c.appliedZxids(leader.id), zs);
  });

  test('a later zxid with a quorum waits for an earlier one without', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const [a, b] = [c.propose(leader.id), c.propose(leader.id)];
    c.deliverAll();
    // Feed follower 1 an ACK for b only (as a reordering shell might).
    c.input(leader.id, { kind: 'message', from: serverId(1), message: { kind: 'packet', type: 'ACK', zxid: b } });
    c.fsync(leader.id);
    assert.equal(leader.sent('COMMIT').length, 0, 'b has a quorum but a does not');
    c.input(leader.id, { kind: 'message', from: serverId(1), message: { kind: 'packet', type: 'ACK', zxid: a } });
    assert.deepEqual(leader.sent('COMMIT', 1).map((p) => p.zxid), [a, b]);
  });

  test('observers get INFORM, never PROPOSAL, and never ACK', () => {
    const c = new Cluster({ voters: [1, 2, 3], observers: [4] });
    const leader = c.elect();
    const zx = c.propose(leader.id);
    c.deliverAll();
    assert.equal(leader.sent('PROPOSAL', 4).length, 0);
    assert.deepEqual(leader.sent('INFORM', 4).map((p) => p.zxid), [zx]);
    assert.deepEqual(c.appliedZxids(4), [zx]);
    assert.ok(c.node(4).sent('ACK').every((p) => Number(p.zxid & 0xffffffffn) === 0), 'only NEWLEADER/UPTODATE acks');
  });

  test('a proposal not matching the next zxid, or on a follower, is rejected', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    const wrong = c.input(leader.id, { kind: 'propose', txn: txnAt(z(1, 5)) });
    assert.deepEqual(wrong.map((e) => e.kind === 'proposalRejected' && e.reason), ['zxidMismatch']);
    const onFollower = c.input(1, { kind: 'propose', txn: txnAt(z(1, 1)) });
    assert.deepEqual(onFollower.map((e) => e.kind === 'proposalRejected' && e.reason), ['notServing']);
  });

  test('a learner sync completes after every earlier commit is applied', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    c.autoDisk = false;
    const zx = c.propose(leader.id);
    c.deliverAll();
    c.input(1, { kind: 'forward', request: { sessionId: sessionId(7), cxid: 1, opType: 9, body: new Uint8Array(), authinfo: null } });
    c.deliverAll();
    assert.equal(leader.sent('SYNC', 1).length, 0, 'outstanding proposal');
    c.fsync(leader.id);
    c.fsync(2);
    c.deliverAll();
    assert.equal(leader.sent('SYNC', 1).length, 1);
    assert.equal(c.node(1).effects.some((e) => e.kind === 'syncCompleted'), false, 'txn not yet applied on 1');
    c.fsync(1);
    assert.deepEqual(c.appliedZxids(1), [zx]);
    assert.equal(c.node(1).effects.filter((e) => e.kind === 'syncCompleted').length, 1);
  });

  test('forwarded requests and PING touch tables reach the leader core', () => {
    const c = new Cluster({ voters: [1, 2, 3] });
    const leader = c.elect();
    const request = { sessionId: sessionId(0x01000001), cxid: 3, opType: 1, body: Uint8Array.of(1, 2), authinfo: null };
    c.input(1, { kind: 'forward', request });
    c.input(1, { kind: 'touchSessions', touches: [{ sessionId: sessionId(0x01000001), timeoutMs: 4000 }] });
    c.tick();
    assert.ok(leader.effects.some((e) => e.kind === 'requestReceived' && e.from === 1 && e.request.cxid === 3));
    const touched = leader.effects.flatMap((e) => (e.kind === 'sessionsTouched' ? e.touches : []));
    assert.deepEqual(touched, [{ sessionId: sessionId(0x01000001), timeoutMs: 4000 }]);
    c.input(2, { kind: 'revalidate', sessionId: sessionId(9), timeoutMs: 3000 });
    c.deliverAll();
    assert.ok(leader.effects.some((e) => e.kind === 'revalidateRequested' && e.from === 2));
    c.input(leader.id, { kind: 'revalidateReply', to: serverId(2), sessionId: sessionId(9), valid: true });
    c.deliverAll();
    assert.ok(c.node(2).effects.some((e) => e.kind === 'revalidated' && e.valid));
  });
});
