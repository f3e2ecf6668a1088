// readonlymode.enabled: a member cut off from its quorum serves clients that accept a read-only
// server (reads answered, writes NOTREADONLY, srvr "Mode: read-only"), refuses the others, and
// goes back to normal service once its quorum is back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, NotReadOnlyError } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { leaveServer3ReadOnly } from '../support/ensemble-workload.js';
import { fourLetterWord } from '../support/server-process.js';

let ensemble: Ensemble;
before(async () => {
  ensemble = await startEnsemble({ size: 3, extraCfg: { 'readonlymode.enabled': 'true' } });
});
after(async () => {
  await ensemble?.stop();
});

test('a member without its quorum serves read-only clients, and only them', async () => {
  const lone = await leaveServer3ReadOnly(ensemble, '/ro', 'before');
  assert.match(await fourLetterWord(lone.host, lone.clientPort, 'srvr'), /READ-ONLY mode; serving only read-only clients/);
  assert.equal(await fourLetterWord(lone.host, lone.clientPort, 'isro'), 'ro');

  const reader = await connect(lone.connectString, { canBeReadOnly: true, sessionTimeoutMs: 6000 });
  try {
    assert.equal(reader.state, 'connectedReadOnly');
    assert.equal((await reader.getData('/ro')).data?.toString(), 'before');
    await assert.rejects(reader.create('/ro/new'), NotReadOnlyError);
    await assert.rejects(reader.setData('/ro', Buffer.from('x')), NotReadOnlyError);
  } finally {
    await reader.close();
  }
  // A client that did not ask for a read-only server is refused.
  await assert.rejects(connect(lone.connectString, { initialConnectTimeoutMs: 2000 }));

  await ensemble.restart(1);
  await ensemble.restart(2);
  await ensemble.waitForQuorum(30_000);
  assert.notEqual(await ensemble.mode(3), null);
  const writer = await connect(lone.connectString);
  await writer.setData('/ro', Buffer.from('after'));
  await writer.close();
});
