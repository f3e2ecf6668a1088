// Log segments and snapshots: with a small snapCount the server rolls its log and writes
// snapshots while serving; a restart recovers the exact tree from the newest snapshot plus the log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, prepareConfig } from '../support/server-process.js';
import { zktsMainPath } from '../support/zkts-server.js';
import { RawClient, OPEN_ACL, utf8 } from './raw-client.js';

test('rolls the log, writes snapshots while serving, and restarts from them exactly', async () => {
  const cfg = await prepareConfig('zkts-snap', { snapCount: '20', preAllocSize: '16' });
  const main = zktsMainPath();
  let server = await launch('zkts', process.execPath, [main, 'server', cfg.cfgPath], cfg);
  const clients: RawClient[] = [];
  try {
    const c = await RawClient.session(server.port);
    clients.push(c);
    await c.call({ op: 'create', path: '/s', data: null, acl: OPEN_ACL, flags: 0 });
    for (let i = 0; i < 150; i++) {
      c.send({ op: 'create', path: `/s/n${i}`, data: utf8(`v${i}`), acl: OPEN_ACL, flags: 0 });
      if (i % 3 === 0) c.send({ op: 'setData', path: `/s/n${i}`, data: utf8(`w${i}`), version: 0 });
      if (i % 10 === 9) await c.call({ op: 'sync', path: '/' }); // let batches commit: snapshots happen between them
    }
    const last = await c.call({ op: 'delete', path: '/s/n0', version: -1 });
    assert.equal(last.err, 0);
    const before = await c.call({ op: 'getChildren2', path: '/s', watch: false });
    await c.call({ op: 'closeSession' });

    const files = readdirSync(join(cfg.dataDir, 'version-2'));
    const logs = files.filter((f) => f.startsWith('log.'));
    const snaps = files.filter((f) => f.startsWith('snapshot.') && !f.endsWith('.tmp'));
    assert.ok(logs.length >= 3, `expected several log segments, got ${logs.join(', ')}`);
    assert.ok(snaps.length >= 3, `expected several snapshots, got ${snaps.join(', ')}`);

    process.kill(server.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    server = await launch('zkts', process.execPath, [main, 'server', cfg.cfgPath], cfg);
    const r = await RawClient.session(server.port);
    clients.push(r);
    const after = await r.call({ op: 'getChildren2', path: '/s', watch: false });
    assert.equal(after.response?.kind, 'getChildren2');
    if (after.response?.kind === 'getChildren2' && before.response?.kind === 'getChildren2') {
      assert.deepEqual([...after.response.children].sort(), [...before.response.children].sort());
      assert.deepEqual(after.response.stat, before.response.stat);
    }
    for (const i of [3, 4, 149]) {
      const got = await r.call({ op: 'getData', path: `/s/n${i}`, watch: false });
      if (got.response?.kind === 'getData') {
        assert.equal(Buffer.from(got.response.data!).toString(), i % 3 === 0 ? `w${i}` : `v${i}`);
        assert.equal(got.response.stat.version, i % 3 === 0 ? 1 : 0);
      } else assert.fail(`missing /s/n${i}`);
    }
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
});
