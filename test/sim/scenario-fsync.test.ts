// Named scenario: a restart between a log write and its fsync. Written-but-unsynced records are
// lost at power loss (and the last surviving one may be torn and dropped by recovery). Checked on
// a follower (it never ACKed what it lost, so nothing acknowledged depends on it, and DIFF gives
// it back) and on the leader (writes a follower quorum committed and clients saw acknowledged
// survive the leader's loss of its unsynced tail; the ensemble converges to one history).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zxid } from '../../src/util/ids.js';
import { applied, loggedZxids, Script } from '../../src/sim/scenarios/script.js';

describe('scenario: restart between log write and fsync', () => {
  test('follower: the unsynced txns it loses were never ACKed; it gets them back and converges', () => {
    const s = new Script({ voters: 3, seed: 31 });
    const leader = s.start();
    const session = s.session(leader);
    s.converge();
    const f = s.c.replicas.find((r) => r !== leader)!;
    s.slowDisk(f.id, 400);
    const e = s.writeAndWait(leader, session, { kind: 'create', path: '/w', data: 'w', ephemeral: false });
    assert.equal(e.outcome, 'ok', 'committed by the leader and the other follower');
    const z = zxid(e.result!.zxid!);
    s.until(() => f.disk.unsynced.some((t) => t.header.zxid === z), 'the txn written but not synced on the follower');
    assert.equal(s.packets.filter((p) => p.type === 'ACK' && p.from === f.id && p.zxid === z).length, 0, 'no ACK before fsync');
    const lost = s.powerLossDroppingUnsynced(f.id);
    assert.ok(lost >= 1);
    assert.ok(!loggedZxids(f).includes(z));
    s.slowDisk(f.id, 2);
    s.c.restart(f.id);
    s.converge();
    assert.ok(applied(f, z) && f.tree.getNode('/w') !== undefined);
    assert.equal(s.check(), null);
  });

  test('leader: it loses (and tears) its unsynced tail; acknowledged writes survive everywhere', () => {
    const s = new Script({ voters: 3, seed: 32 });
    const leader = s.start();
    const [f1, f2] = s.c.replicas.filter((r) => r !== leader) as [typeof leader, typeof leader];
    const session = s.session(f1);
    s.converge();
    s.slowDisk(leader.id, 500);
    leader.disk.mix = { ...leader.disk.mix, tornWriteChance: 1 };
    const writes = [1, 2, 3].map((i) => s.write(f1, session, { kind: 'create', path: `/w${i}`, data: `${i}`, ephemeral: false }));
    s.until(() => writes.every((w) => w.outcome === 'ok'), 'writes acknowledged through follower ' + f1.id);
    assert.ok(leader.disk.unsynced.length >= 1, 'the leader still has unsynced records');
    const zs = writes.map((w) => zxid(w.result!.zxid!));
    const lostBefore = leader.disk.stats.lostUnsyncedRecords;
    s.c.crash(leader.id);
    assert.ok(leader.disk.stats.lostUnsyncedRecords > lostBefore, 'power loss dropped unsynced records');
    assert.ok(!zs.every((z) => loggedZxids(leader).includes(z)), 'the leader lost part of its tail');
    s.slowDisk(leader.id, 2);
    s.leader();
    s.c.restart(leader.id);
    s.converge();
    for (const r of [leader, f1, f2]) for (const z of zs) assert.ok(applied(r, z), `server ${r.id} has ${z.toString(16)}`);
    assert.equal(s.check(), null);
  });
});
