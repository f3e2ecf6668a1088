// Starting a member: a busy election port is retried (electionPortBindRetry) until it is free, as
// ZooKeeper does for a port a previous process still holds; the member then joins its quorum.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 3 });
});
after(async () => {
  await ensemble?.stop();
});

test('a member whose election port is busy at start retries, then joins', async () => {
  await ensemble.waitForQuorum();
  const member = ensemble.member(1);
  await ensemble.kill(1, 'SIGKILL');
  // The other members keep dialing the port: drop what they open, so close() can finish.
  const squatter = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(member.electionPort, member.host, resolve));
  const restarted = ensemble.restart(1);
  await new Promise((r) => setTimeout(r, 2500));
  assert.match(ensemble.member(1).readLog(), /could not bind the election port; retrying/);
  await new Promise<void>((resolve) => squatter.close(() => resolve()));
  await restarted;
  await ensemble.waitForQuorum(30_000);
  assert.notEqual(await ensemble.mode(1), null);
});

test('standaloneEnabled=false with one server line: a quorum of one that leads itself', async () => {
  const one = await startEnsemble({ size: 1, extraCfg: { standaloneEnabled: 'false' } });
  try {
    assert.equal(await one.waitForQuorum(30_000), 1);
    assert.equal(await one.mode(1), 'leader');
  } finally {
    await one.stop();
  }
});
