// A 3-member zkts ensemble on loopback (real processes, real disks): the leader is SIGKILLed
// under a write load from clients spread over the members. A new leader must be elected, the
// clients fail over, no acknowledged write is lost, and once the old leader is back every member
// holds the identical tree. Sessions survive the failover with their ephemerals and watches.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { assertIdenticalTrees } from '../support/ensemble-workload.js';
import { WriteLoad } from '../support/write-load.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 3 });
});
after(async () => {
  await ensemble?.stop();
});

async function assertAllWritesEverywhere(ids: readonly number[], acknowledged: ReadonlySet<string>): Promise<void> {
  const dumps = await assertIdenticalTrees(ensemble, ids);
  const first = dumps.get(ids[0]!)!;
  for (const path of acknowledged) assert.ok(first.has(path), `acknowledged ${path} is missing on server.${ids[0]}`);
}

test('kill -9 of the leader under load: a new leader, failover, nothing acknowledged lost, identical trees', async () => {
  const leader = await ensemble.waitForQuorum();
  const watcher = await connect(ensemble.connectString, { sessionTimeoutMs: 8000 });
  await watcher.create('/failover-eph', null, { mode: 'ephemeral' });
  const sessionBefore = watcher.sessionId;
  // A watch set before the failover fires for a write after it (re-registered on reconnect).
  await watcher.create('/failover-watched', Buffer.from('v1'));
  const fired = new Promise<string>((resolve) => {
    void watcher.getData('/failover-watched', { watch: (event) => resolve(`${event.type} ${event.path}`) });
  });
  const load = await WriteLoad.start({ connectStrings: [ensemble.connectString, ...ensemble.members.map((m) => m.connectString)], root: '/failover' });
  try {
    await load.progress(100);
    await ensemble.kill(leader, 'SIGKILL');
    const survivors = ensemble.members.map((m) => m.id).filter((id) => id !== leader);
    const newLeader = await ensemble.waitForQuorum(30_000, survivors);
    assert.notEqual(newLeader, leader);
    await load.progress(100); // writes go on through the survivors
    await ensemble.restart(leader);
    await ensemble.waitForQuorum(30_000);
    await load.progress(50);
  } finally {
    await load.stop();
  }
  assert.ok(load.acknowledged.size >= 250);
  const writer = await connect(ensemble.connectString);
  await writer.setData('/failover-watched', Buffer.from('v2'));
  await writer.close();
  assert.equal(await fired, 'nodeDataChanged /failover-watched');
  // The session outlived the failover, and so did its ephemeral.
  assert.equal(watcher.sessionId, sessionBefore);
  assert.notEqual(await watcher.exists('/failover-eph'), null);
  await assertAllWritesEverywhere([1, 2, 3], load.acknowledged);
  await watcher.close();
});
