// The Java client (zkCli.sh -r) against a zkts member serving read-only (readonlymode.enabled, its
// quorum gone): it connects, reads, and gets ZooKeeper's NotReadOnly answer for a write; without
// -r it is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { leaveServer3ReadOnly } from '../support/ensemble-workload.js';
import { zkCliOneShot } from '../support/zkcli.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 3, extraCfg: { 'readonlymode.enabled': 'true' } });
});
after(async () => {
  await ensemble?.stop();
});

test('zkCli.sh -r reads from a read-only zkts member and is refused writes', async () => {
  const lone = await leaveServer3ReadOnly(ensemble, '/ro-java', 'kept');
  const read = await zkCliOneShot(lone.connectString, ['-r', 'get', '/ro-java']);
  assert.match(read.stdout, /^kept$/m, read.stdout + read.stderr);
  const write = await zkCliOneShot(lone.connectString, ['-r', 'create', '/ro-java/x']);
  assert.match(write.stdout + write.stderr, /Not a read-only call|NotReadOnly/, write.stdout + write.stderr);
  const refused = await zkCliOneShot(lone.connectString, ['get', '/ro-java'], { timeoutMs: 15_000 });
  assert.doesNotMatch(refused.stdout, /^kept$/m, refused.stdout + refused.stderr);
});
