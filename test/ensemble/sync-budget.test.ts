// A member restarted from its dataDir keeps the txns it replays for DIFF by the same size rule as
// while it runs (src/quorum/diff-budget.ts): with the rest of the ensemble restarted, a follower
// 700 txns behind on a ~2 MB tree still gets a DIFF from the new leader, not the whole tree (with
// only the 500 newest txns kept it would be a SNAP). snapCount is large so that no snapshot cuts
// the replayed log short.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { assertIdenticalTrees } from '../support/ensemble-workload.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 3, extraCfg: { snapCount: '100000' } });
});
after(async () => {
  await ensemble?.stop();
});

test('after the others restart, a follower 700 txns behind on a large tree gets a DIFF', async () => {
  const leader = await ensemble.waitForQuorum();
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  const rest = [1, 2, 3].filter((id) => id !== follower);
  const client = await connect(ensemble.member(leader).connectString, { sessionTimeoutMs: 8000 });
  try {
    await client.create('/budget');
    // Ballast: 20 nodes of 100 KB make a ~2 MB snapshot, so ~0.66 MB of txns may go as a DIFF;
    // the 700 creates weigh ~70 KB.
    for (let i = 0; i < 20; i++) await client.create(`/budget/ballast-${i}`, Buffer.alloc(100_000, i));
    await ensemble.kill(follower, 'SIGTERM');
    const batch: Promise<string>[] = [];
    for (let i = 0; i < 700; i++) batch.push(client.create(`/budget/n-${i}`, Buffer.from('x')));
    await Promise.all(batch);
  } finally {
    await client.close();
  }
  for (const id of rest) await ensemble.kill(id, 'SIGTERM');
  for (const id of rest) await ensemble.restart(id);
  await ensemble.waitForQuorum(30_000, rest);
  const mark = ensemble.member(follower).readLog().length;
  await ensemble.restart(follower);
  await ensemble.waitForQuorum(30_000);
  assert.match(ensemble.member(follower).readLog().slice(mark), /sync from the leader: DIFF/);
  await assertIdenticalTrees(ensemble, [1, 2, 3]);
});
