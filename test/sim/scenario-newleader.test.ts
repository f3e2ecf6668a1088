// Named scenario (ZOOKEEPER-3911 / 4643 / 4646 / 4785 family): a follower ACKs NEWLEADER only
// once every txn the leader synced to it is durable. The leader commits its whole log when a
// quorum ACKs NEWLEADER, so a follower that ACKed with those txns still in its page cache, then
// lost power, would let a later quorum elect a leader without them: committed txns lost. Here the
// follower (slow disk) crashes right after its NEWLEADER ACK reached the leader, losing whatever
// was unsynced, the leader crashes too, and the follower plus a server that never had the txn
// must still carry it forward.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zxidCounter, type Zxid } from '../../src/util/ids.js';
import { applied, loggedZxids, Script } from '../../src/sim/scenarios/script.js';

describe('scenario: follower ACKs NEWLEADER only after its synced txns are durable', () => {
  test('crash right after the NEWLEADER ACK: the txns committed by that ACK are not lost', () => {
    const s = new Script({ voters: 3, seed: 41 });
    const leader = s.start();
    const session = s.session(leader);
    s.create(leader, session, '/base');
    s.converge();
    const [f, other] = s.c.replicas.filter((r) => r !== leader) as [typeof leader, typeof leader];
    s.c.crash(other.id); // never sees the txn below
    s.c.network.cutLink(leader.id, f.id); // f never gets the proposal in this epoch
    const before = leader.disk.log.length;
    s.write(leader, session, { kind: 'create', path: '/w', data: 'w', ephemeral: false });
    s.until(() => leader.disk.log.length === before + 1, 'the leader logged /w durably');
    const w: Zxid = leader.disk.log.at(-1)!.header.zxid;
    s.c.crash(f.id);
    s.c.network.heal();
    // f comes back with a slow disk; the old leader wins the election (longer log) and syncs /w to f.
    s.slowDisk(f.id, 150); // slow, but within initLimit per phase
    let ackSeen = false;
    let durableAtAck = false;
    s.onReceive(leader.id, (from, m) => {
      if (ackSeen || from !== f.id || m.kind !== 'packet' || m.type !== 'ACK' || zxidCounter(m.zxid) !== 0) return;
      ackSeen = true;
      durableAtAck = f.disk.log.some((t) => t.header.zxid === w);
      assert.ok(applied(leader, w), 'the NEWLEADER quorum committed /w on the leader');
      s.c.sched.after(0, () => {
        s.powerLossDroppingUnsynced(f.id);
        s.c.crash(leader.id);
      });
    });
    s.c.restart(f.id);
    s.until(() => ackSeen && !f.up, 'the NEWLEADER ACK and the crash');
    assert.ok(s.packetsOf('DIFF', { to: f.id }).length > 0, 'f was synced by DIFF');
    assert.equal(durableAtAck, true, '/w was durable on f when its NEWLEADER ACK arrived');
    assert.ok(loggedZxids(f).includes(w), '/w survived the power loss on f');
    // A quorum of f and the server that never had /w: /w must be carried forward.
    s.slowDisk(f.id, 2);
    s.c.restart(f.id);
    s.c.restart(other.id);
    const next = s.leader();
    assert.notEqual(next.id, leader.id);
    s.c.restart(leader.id);
    s.converge();
    for (const r of s.c.replicas) assert.ok(applied(r, w) && r.tree.getNode('/w') !== undefined, `server ${r.id} has /w`);
    assert.equal(s.check(), null);
  });
});
