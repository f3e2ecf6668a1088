// The README's recipes snippet, run as written against zkts (imports via src instead of the
// package name).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startZkts, type Server } from '../../support/zkts-server.js';
import { connect } from '../../../src/client/index.js';
import { LeaderLatch, Mutex } from '../../../src/recipes/index.js';

let server: Server;
before(async () => {
  server = await startZkts();
});
after(async () => {
  await server.stop();
});

test('the README recipes snippet works as written', async () => {
  const log: string[] = [];
  const console = { log: (s: string) => log.push(s) };
  // --- snippet ---
  const client = await connect(server.connectString);
  const lock = new Mutex(client, '/locks/orders');
  if (await lock.acquire({ timeoutMs: 5_000 })) {
    try { console.log('one process at a time'); } finally { await lock.release(); }
  }
  const latch = new LeaderLatch(client, '/election/scheduler', 'host-1');
  latch.onChange((isLeader) => console.log(isLeader ? 'leading' : 'following'));
  await latch.start();
  // --- end ---
  await latch.await({ timeoutMs: 5000 });
  assert.deepEqual(log, ['one process at a time', 'leading']);
  await latch.close();
  await client.close();
});
