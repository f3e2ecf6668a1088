// Sessions in a 3-member zkts ensemble: global (created through any member, known to all), moved
// when a client re-attaches through another member (the leader learns the new owner through
// REVALIDATE; a write still arriving through the old member is refused with SESSIONMOVED, as in
// ZooKeeper), expired by the leader only (its ephemerals vanish everywhere), and `sync` makes a
// member catch up before a read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, SessionMovedError, type ZkClient } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';

let ensemble: Ensemble;
const clients: ZkClient[] = [];
before(async () => {
  ensemble = await startEnsemble({ size: 3 });
});
after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await ensemble?.stop();
});

async function clientOf(id: number, options: Parameters<typeof connect>[1] = {}): Promise<ZkClient> {
  const client = await connect(ensemble.member(id).connectString, { sessionTimeoutMs: 6000, ...options });
  clients.push(client);
  return client;
}

test('a session moved to another member: the old connection may not write any more', async () => {
  const a = await clientOf(1);
  await a.create('/moved', null);
  const b = await clientOf(2, { sessionId: a.sessionId, sessionPassword: a.sessionPassword });
  assert.equal(b.sessionId, a.sessionId);
  await b.setData('/moved', Buffer.from('from b')); // the new owner writes
  await assert.rejects(a.setData('/moved', Buffer.from('from a')), SessionMovedError);
  assert.equal((await b.getData('/moved')).data?.toString(), 'from b');
});

test('an ephemeral created through one member disappears everywhere when its session expires', async () => {
  const owner = await clientOf(3, { sessionTimeoutMs: 2000 });
  await owner.create('/expiring', null, { mode: 'ephemeral' });
  const watchers = [await clientOf(1), await clientOf(2)];
  for (const w of watchers) {
    await w.sync('/');
    assert.notEqual(await w.exists('/expiring'), null);
  }
  // Freeze the owner's member: its client stops pinging through it, and only the leader can
  // expire the session. (If member 3 leads, a new leader does it after the election.)
  await ensemble.kill(3, 'SIGSTOP');
  try {
    const deadline = Date.now() + 20_000;
    for (const w of watchers) {
      for (;;) {
        await w.sync('/').catch(() => undefined);
        if ((await w.exists('/expiring').catch(() => 'error')) === null) break;
        assert.ok(Date.now() < deadline, 'the ephemeral outlived its session');
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await ensemble.kill(3, 'SIGCONT');
  }
  await ensemble.waitForQuorum(30_000);
});

test('sync on a follower: a read after it sees every write committed before it', async () => {
  const leader = await ensemble.waitForQuorum();
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  const writer = await clientOf(leader);
  const reader = await clientOf(follower);
  for (let i = 0; i < 20; i++) {
    await writer.setData('/moved', Buffer.from(`v${i}`));
    await reader.sync('/moved');
    assert.equal((await reader.getData('/moved')).data?.toString(), `v${i}`);
  }
});
