// Partitions on a 3-member zkts ensemble whose member-to-member paths run through fault-injecting
// TCP proxies (clients still reach every member directly):
// - the leader cut from the others stops committing (a write through it is never acknowledged),
//   the majority elects a new leader and goes on, and after healing the old leader follows and
//   holds the same tree — no split brain;
// - a follower SIGSTOPped for longer than syncLimit is dropped and resyncs after SIGCONT.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { assertIdenticalTrees, dumpMember } from '../support/ensemble-workload.js';
import { WriteLoad } from '../support/write-load.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 3, proxied: true, tickTimeMs: 200, syncLimit: 5 });
});
after(async () => {
  await ensemble?.stop();
});


test('a leader cut from the quorum stops committing; the majority elects a new one; healed, the old leader follows', async () => {
  const oldLeader = await ensemble.waitForQuorum();
  const others = [1, 2, 3].filter((id) => id !== oldLeader);
  const onOldLeader = await connect(ensemble.member(oldLeader).connectString, { sessionTimeoutMs: 6000 });
  const load = await WriteLoad.start({ connectStrings: others.map((id) => ensemble.member(id).connectString), root: '/partition' });
  try {
    await load.progress(20);
    ensemble.isolate(oldLeader);
    // The write through the cut-off leader must never be acknowledged.
    await assert.rejects(onOldLeader.create('/written-in-minority', null, { signal: AbortSignal.timeout(6000) }));
    const newLeader = await ensemble.waitForQuorum(30_000, others);
    assert.ok(others.includes(newLeader));
    await load.progress(50); // the majority goes on
    ensemble.heal();
    await ensemble.waitForQuorum(30_000);
    assert.equal(await ensemble.mode(oldLeader), 'follower');
    await load.progress(20);
  } finally {
    await load.stop();
    await onOldLeader.close().catch(() => undefined);
  }
  await assertIdenticalTrees(ensemble, [1, 2, 3]);
  const dump = await dumpMember(ensemble.member(oldLeader));
  assert.equal(dump.has('/written-in-minority'), false, 'a write of the minority leader survived');
  for (const path of load.acknowledged) assert.ok(dump.has(path), `acknowledged ${path} lost`);
});

test('a follower paused past syncLimit is dropped and resyncs after SIGCONT', async () => {
  const leader = await ensemble.waitForQuorum();
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  const others = [1, 2, 3].filter((id) => id !== follower);
  const load = await WriteLoad.start({ connectStrings: others.map((id) => ensemble.member(id).connectString), root: '/paused' });
  try {
    await ensemble.kill(follower, 'SIGSTOP');
    // syncLimit is 5 ticks of 200 ms: stay stopped for three times that.
    await new Promise((r) => setTimeout(r, 3000));
    await load.progress(30); // the other two still form a quorum
    const leaderLog = ensemble.member(leader).readLog();
    await ensemble.kill(follower, 'SIGCONT');
    await ensemble.waitForQuorum(30_000);
    await load.progress(20);
    // The leader dropped it (a new learner connection followed), and it caught up.
    assert.match(ensemble.member(leader).readLog().slice(leaderLog.length), /sync to a learner: (DIFF|SNAP|TRUNC)/);
  } finally {
    await load.stop();
  }
  await assertIdenticalTrees(ensemble, [1, 2, 3]);
});
