// Named scenario: a snapshot (SNAP sync) taken while txns are being applied on the leader. The
// leader's disk is slow, so txns the followers' ACKs committed wait for its own fsync before it
// applies them, and clients keep writing: at the moment the snapshot is cut the leader has
// committed txns it has not applied yet. The snapshot is the applied state; the
// committed txns above it and the outstanding proposals follow it on the stream. The follower
// that got the SNAP must converge to the identical tree (equal digests, one history).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionId } from '../../src/util/ids.js';
import { Script } from '../../src/sim/scenarios/script.js';
import type { SnapshotImage } from '../../src/sim/disk.js';

describe('scenario: SNAP taken while the leader applies txns', () => {
  test('the follower that got the snapshot converges to the identical tree', () => {
    const s = new Script({ voters: 5, seed: 51, zab: { committedLogMax: 3 } });
    const leader = s.start();
    // Four followers: three fast ones commit without the slow leader's own ACK.
    const [f, other] = s.c.replicas.filter((r) => r !== leader) as [typeof leader, typeof leader];
    s.converge();
    const session: SessionId = s.session(other);
    s.c.crash(f.id);
    for (let i = 0; i < 8; i++) s.create(other, session, `/n${i}`); // beyond the DIFF window
    s.slowDisk(leader.id, 60);
    let atSnap: { committed: bigint; applied: bigint; appended: bigint; imageZxid: bigint } | null = null;
    const net = s.c.network;
    const sendSnapshot = net.sendSnapshot.bind(net);
    net.sendSnapshot = (from, to, image: SnapshotImage) => {
      const st = leader.peer!.status();
      atSnap ??= { committed: st.committedZxid, applied: st.appliedZxid, appended: st.appendedZxid, imageZxid: image.zxid };
      sendSnapshot(from, to, image);
    };
    // Keep writing through the other follower while f rejoins.
    let i = 0;
    const writeSome = (): void => {
      if (i >= 40) return;
      s.write(other, session, { kind: 'set', path: `/n${i % 8}`, data: `v${i}`, version: -1 });
      i++;
      s.c.sched.after(15, writeSome);
    };
    writeSome();
    s.c.runFor(200);
    s.c.restart(f.id);
    s.until(() => i >= 40, 'the write load');
    s.slowDisk(leader.id, 2);
    s.converge();
    assert.equal(s.packetsOf('SNAP', { to: f.id }).length, 1, 'f was synced by SNAP');
    assert.ok(atSnap !== null);
    const snap = atSnap as { committed: bigint; applied: bigint; appended: bigint; imageZxid: bigint };
    assert.equal(snap.imageZxid, snap.applied, 'the snapshot is the applied state');
    assert.ok(snap.committed > snap.applied, 'committed txns were waiting to be applied on the leader when the snapshot was cut');
    assert.equal(f.tree.digest(), leader.tree.digest());
    assert.equal(f.appliedZxid, leader.appliedZxid);
    assert.equal(s.check(), null);
  });
});
