// Rolling restart of every member of a 3-member zkts ensemble, one at a time, under a write load:
// no acknowledged write is lost, a session opened before the first restart is still the same
// session at the end with its ephemeral node, and the members end with identical trees.
// An observer joins too, and serves reads and writes like a follower.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { assertIdenticalTrees } from '../support/ensemble-workload.js';
import { WriteLoad } from '../support/write-load.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 4, observers: [4] });
});
after(async () => {
  await ensemble?.stop();
});

test('rolling restart under load: sessions survive, nothing acknowledged is lost', async () => {
  await ensemble.waitForQuorum();
  assert.equal(await ensemble.mode(4), 'observer');
  const keeper = await connect(ensemble.connectString, { sessionTimeoutMs: 8000 });
  await keeper.create('/rolling-eph', Buffer.from('kept'), { mode: 'ephemeral' });
  const session = keeper.sessionId;
  const load = await WriteLoad.start({ connectStrings: ensemble.members.map((m) => m.connectString), root: '/rolling' });
  try {
    for (const id of [1, 2, 3, 4]) {
      await load.progress(20);
      await ensemble.kill(id, 'SIGTERM');
      await ensemble.restart(id);
      await ensemble.waitForQuorum(30_000);
    }
    await load.progress(20);
  } finally {
    await load.stop();
  }
  assert.equal(keeper.sessionId, session);
  assert.equal((await keeper.getData('/rolling-eph')).data?.toString(), 'kept');
  const dumps = await assertIdenticalTrees(ensemble, [1, 2, 3, 4]);
  for (const path of load.acknowledged) assert.ok(dumps.get(1)!.has(path), `acknowledged ${path} lost`);
  await keeper.close();
});
