// Named scenario (ZOOKEEPER-1154 / 1549 family): a follower that crashed holding txns that were
// never committed rejoins after a new leader took over without them. It must drop those txns
// from its log and its tree (TRUNC when the new leader's history ends in the old epoch; SNAP when
// the new leader already wrote in its new epoch, since a TRUNC never crosses an epoch), and then
// converge to the new leader's state. Checked with the simulator's checkers plus direct asserts.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zxidEpoch, type Zxid } from '../../src/util/ids.js';
import { applied, loggedZxids, Script } from '../../src/sim/scenarios/script.js';
import type { Replica } from '../../src/sim/replica.js';

/** 5 voters; the leader's proposals of /u1 and /u2 reach only follower 1, whose ACKs are cut:
 * they are logged durably on the leader and on 1, never committed. Then both crash. */
function strandUncommitted(s: Script): { leader: Replica; f: Replica; uncommitted: Zxid[] } {
  const leader = s.start();
  const f = s.r(1);
  assert.notEqual(leader.id, f.id);
  const session = s.session(leader);
  s.create(leader, session, '/base');
  s.converge();
  for (const o of s.c.replicas) {
    if (o === leader || o === f) continue;
    s.c.network.cutLink(leader.id, o.id); // proposals held: no other follower logs them
  }
  s.c.network.cutLink(f.id, leader.id); // f's ACKs held: only the leader's own ack counts
  const logged = f.disk.log.length;
  const a = s.write(leader, session, { kind: 'create', path: '/u1', data: 'x', ephemeral: false });
  const b = s.write(leader, session, { kind: 'create', path: '/u2', data: 'y', ephemeral: false });
  s.until(() => f.disk.log.length === logged + 2, 'follower 1 holding both proposals durably');
  const uncommitted = f.disk.log.slice(-2).map((t) => t.header.zxid);
  assert.equal(applied(leader, uncommitted[0]!), false, 'not committed anywhere');
  s.c.crash(leader.id);
  s.c.crash(f.id);
  s.c.network.heal();
  s.until(() => a.outcome !== 'pending' && b.outcome !== 'pending', 'the stranded writes answered');
  assert.notEqual(a.outcome, 'ok');
  assert.notEqual(b.outcome, 'ok');
  return { leader, f, uncommitted };
}

function assertGone(f: Replica, uncommitted: readonly Zxid[]): void {
  for (const z of uncommitted) {
    assert.ok(!loggedZxids(f).includes(z), `txn ${z.toString(16)} still in server ${f.id}'s log`);
    assert.equal(applied(f, z), false);
  }
  assert.equal(f.tree.getNode('/u1'), undefined, '/u1 left in the tree');
  assert.equal(f.tree.getNode('/u2'), undefined, '/u2 left in the tree');
  assert.ok(f.tree.getNode('/base') !== undefined, 'committed /base kept');
}

describe('scenario: follower with uncommitted txns rejoins after a new leader truncated them', () => {
  test('TRUNC: the new leader has not written yet; the txns vanish from log and tree, and it converges', () => {
    const s = new Script({ voters: 5, seed: 11 });
    const { leader: old, f, uncommitted } = strandUncommitted(s);
    const next = s.leader();
    assert.ok(zxidEpoch(next.appliedZxid) < zxidEpoch(uncommitted[0]!) + 1, 'the new leader has no new-epoch txns');
    s.c.restart(f.id);
    s.converge();
    const trunc = s.packetsOf('TRUNC', { to: f.id });
    assert.equal(trunc.length, 1, 'follower 1 was synced by TRUNC');
    assert.ok(trunc[0]!.zxid < uncommitted[0]!, 'TRUNC cuts below the stranded txns');
    assertGone(f, uncommitted);
    // The ensemble keeps working, and the old leader (which logged them too) is cleaned as well.
    const session = s.session(next);
    s.create(next, session, '/after');
    s.c.restart(old.id);
    s.converge();
    assertGone(old, uncommitted);
    for (const r of s.c.replicas) assert.ok(r.tree.getNode('/after') !== undefined);
    assert.equal(s.check(), null);
  });

  test('SNAP: the new leader wrote in its new epoch first; the txns still vanish, and it converges', () => {
    const s = new Script({ voters: 5, seed: 12 });
    const { f, uncommitted } = strandUncommitted(s);
    const next = s.leader();
    const session = s.session(next);
    s.create(next, session, '/new-epoch');
    assert.ok(zxidEpoch(next.appliedZxid) > zxidEpoch(uncommitted[0]!));
    s.c.restart(f.id);
    s.converge();
    assert.equal(s.packetsOf('TRUNC', { to: f.id }).length, 0, 'a TRUNC never crosses an epoch');
    assert.equal(s.packetsOf('SNAP', { to: f.id }).length, 1);
    assertGone(f, uncommitted);
    assert.ok(f.tree.getNode('/new-epoch') !== undefined);
    assert.equal(s.check(), null);
  });
});
