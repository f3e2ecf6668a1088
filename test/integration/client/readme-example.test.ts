// The README's client example, run as written (paths under a chroot created first).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startZkts, type Server } from '../../support/zkts-server.js';
import { connect } from '../../../src/index.js';

let server: Server;
before(async () => {
  server = await startZkts();
});
after(async () => {
  await server.stop();
});

test('the README example works as written', async () => {
  const setup = await connect(server.connectString);
  await setup.create('/app');
  await setup.close();

  const seen: string[] = [];
  const zk = await connect(`${server.connectString}/app`, { sessionTimeoutMs: 10_000 });
  await zk.create('/config', Buffer.from('v1'));
  const { data, stat } = await zk.getData('/config', { watch: (event) => seen.push(`once:${event.type}:${event.path}`) });
  assert.equal(data?.toString(), 'v1');
  const controller = new AbortController();
  const stream = (async () => {
    for await (const event of zk.watch('/config', { mode: 'persistentRecursive', signal: controller.signal })) {
      seen.push(`stream:${event.type}:${event.path}`);
      if (seen.length >= 2) break;
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  await zk.transaction().create('/a').setData('/config', Buffer.from('v2'), stat.version).commit();
  await stream;
  controller.abort();
  assert.equal((await zk.getData('/config')).data?.toString(), 'v2');
  assert.equal(seen.length, 2);
  assert.ok(seen.some((s) => s.startsWith('once:') && s.endsWith(':/config')));
  assert.ok(seen.some((s) => s.startsWith('stream:') && s.endsWith(':/config')));
  await zk.close();
});
