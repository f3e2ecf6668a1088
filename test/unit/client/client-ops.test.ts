// The client API against the fake server: chroot in and out, watch registration and dispatch,
// removeWatches, the watch() iterator, multi and multiRead result mapping.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, multiErrorResults, type ZkClient } from '../../../src/client/index.js';
import type { WatchEvent } from '../../../src/client/types.js';
import { FakeServer, STAT, defaultResponse } from './fake-server.js';

const servers: FakeServer[] = [];
const clients: ZkClient[] = [];
async function setup(chroot = ''): Promise<{ s: FakeServer; c: ZkClient }> {
  const s = await new FakeServer().start();
  servers.push(s);
  const c = await connect(s.connectString + chroot, { sessionTimeoutMs: 3000 });
  clients.push(c);
  return { s, c };
}
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop();
});

describe('chroot', () => {
  test('prefixes request paths and strips create, multi and notification paths', async () => {
    const { s, c } = await setup('/app');
    s.onRequest = ({ request }) => {
      if (request.op === 'create') return { response: { kind: 'create', path: `${request.path}0000000001` } };
      if (request.op === 'multi') {
        return { response: { kind: 'multi', results: [{ op: 'create', path: '/app/m' }, { op: 'create2', path: '/app/n', stat: STAT }, { op: 'delete' }] } };
      }
      if (request.op === 'getEphemerals') return { response: { kind: 'getEphemerals', ephemerals: ['/app/e1', '/apple/x', '/app/d/e2'] } };
      return {};
    };
    assert.equal(await c.create('/s-', 'x', { mode: 'persistentSequential' }), '/s-0000000001');
    assert.equal(s.received.at(-1)!.request.op === 'create' && (s.received.at(-1)!.request as { path: string }).path, '/app/s-');
    await c.exists('/');
    assert.equal((s.received.at(-1)!.request as { path: string }).path, '/app');
    const results = await c.transaction().create('/m').create('/n').delete('/o').commit();
    assert.deepEqual(results.map((r) => (r.op === 'create' ? r.path : r.op)), ['/m', '/n', 'delete']);
    const multi = s.received.at(-1)!.request;
    assert.ok(multi.op === 'multi');
    assert.deepEqual(multi.ops.map((o) => o.path), ['/app/m', '/app/n', '/app/o']);
    assert.deepEqual(await c.getEphemerals(), ['/e1', '/d/e2']);
    assert.equal((s.received.at(-1)!.request as { prefixPath: string }).prefixPath, '/app/');

    const events: WatchEvent[] = [];
    await c.exists('/', { watch: (e) => events.push(e) });
    await c.exists('/w', { watch: (e) => events.push(e) });
    s.conns[0]!.notify({ type: 3, path: '/app' });
    s.conns[0]!.notify({ type: 3, path: '/app/w' });
    await s.waitFor(() => events.length === 2);
    assert.deepEqual(events, [{ type: 'nodeDataChanged', path: '/' }, { type: 'nodeDataChanged', path: '/w' }]);
  });

  test('setWatches after a reconnect carries server paths', async () => {
    const { s, c } = await setup('/app');
    await c.getData('/d', { watch: () => {} });
    await c.addWatch('/r', () => {}, { mode: 'persistentRecursive' });
    s.conns[0]!.close();
    await s.waitFor(() => s.ops().includes('setWatches2'), 3000, 'setWatches2');
    const sw = s.received.find((r) => r.request.op === 'setWatches2')!.request;
    assert.ok(sw.op === 'setWatches2');
    assert.deepEqual(sw.dataWatches, ['/app/d']);
    assert.deepEqual(sw.persistentRecursiveWatches, ['/app/r']);
  });

  test('a relative path is rejected locally with BadArgumentsError', async () => {
    const { s, c } = await setup('/app');
    await assert.rejects(c.getData('x'), { name: 'BadArgumentsError', code: -8 });
    await assert.rejects(c.create('/a/'), { name: 'BadArgumentsError' });
    assert.equal(s.received.length, 0);
  });
});

describe('watch registration follows the reply', () => {
  test('exists sets an exist watch on NoNode; getData sets none on NoNode', async () => {
    const { s, c } = await setup();
    s.onRequest = () => ({ err: -101 });
    const fired: string[] = [];
    assert.equal(await c.exists('/a', { watch: (e) => fired.push(`exists:${e.type}`) }), null);
    await assert.rejects(c.getData('/a', { watch: (e) => fired.push(`getData:${e.type}`) }), { name: 'NoNodeError', path: '/a' });
    s.conns[0]!.notify({ type: 1, path: '/a' });
    s.conns[0]!.notify({ type: 1, path: '/a' });
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(fired, ['exists:nodeCreated'], 'one-shot, once');
  });

  test('removeWatches tells local watchers and sends the request', async () => {
    const { s, c } = await setup();
    const fired: string[] = [];
    await c.getChildren('/p', { watch: (e) => fired.push(e.type) });
    await c.removeWatches('/p', 'children');
    assert.deepEqual(fired, ['childWatchRemoved']);
    const r = s.received.at(-1)!.request;
    assert.ok(r.op === 'removeWatches');
    assert.equal(r.type, 1);
    s.onRequest = () => ({ err: -121 });
    await assert.rejects(c.removeWatches('/p', 'any'), { name: 'NoWatcherError' });
  });

  test('watch() yields persistent events and removes the server watch when the loop ends', async () => {
    const { s, c } = await setup();
    const seen: WatchEvent[] = [];
    const loop = (async () => {
      for await (const e of c.watch('/p')) {
        seen.push(e);
        if (seen.length === 2) break;
      }
    })();
    await s.waitFor(() => s.ops().includes('addWatch'));
    s.conns[0]!.notify({ type: 3, path: '/p' });
    s.conns[0]!.notify({ type: 4, path: '/p' });
    await loop;
    assert.deepEqual(seen.map((e) => e.type), ['nodeDataChanged', 'nodeChildrenChanged']);
    await s.waitFor(() => s.ops().includes('removeWatches'), 2000, 'removeWatches');
  });

  test('watch() ends with the signal reason on abort', async () => {
    const { s, c } = await setup();
    const ac = new AbortController();
    const loop = (async () => {
      for await (const e of c.watch('/p', { signal: ac.signal, mode: 'persistentRecursive' })) void e;
    })();
    await s.waitFor(() => s.ops().includes('addWatch'));
    const addWatch = s.received.find((r) => r.request.op === 'addWatch')!.request;
    assert.ok(addWatch.op === 'addWatch' && addWatch.mode === 1);
    ac.abort();
    await assert.rejects(loop, { name: 'AbortError' });
  });
});

describe('multi and multiRead', () => {
  test('a failed multi rejects with the first failing op and its path', async () => {
    const { s, c } = await setup();
    s.onRequest = ({ request }) => request.op === 'multi'
      ? { response: { kind: 'multi', results: [{ op: 'error', err: 0 }, { op: 'error', err: -103 }, { op: 'error', err: -2 }] } }
      : { response: defaultResponse(request) };
    const err = await c.transaction().create('/a').setData('/b', 'x', 3).delete('/c').commit().catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'BadVersionError');
    assert.equal((err as unknown as { path: string }).path, '/b');
    assert.deepEqual(multiErrorResults(err), [0, -103, -2]);
    const sent = s.received.at(-1)!.request;
    assert.ok(sent.op === 'multi');
    assert.deepEqual(sent.ops.map((o) => o.op), ['create', 'setData', 'delete']);
  });

  test('multiRead returns per-op results and errors', async () => {
    const { s, c } = await setup();
    s.onRequest = () => ({ response: { kind: 'multi', results: [{ op: 'getData', data: Buffer.from('v'), stat: STAT }, { op: 'error', err: -101 }, { op: 'getChildren', children: ['x'] }] } });
    const r = await c.multiRead([{ op: 'getData', path: '/a' }, { op: 'getData', path: '/missing' }, { op: 'getChildren', path: '/' }]);
    assert.equal(r[0]!.op === 'getData' && r[0]!.data!.toString(), 'v');
    assert.ok(r[1]!.op === 'error' && r[1]!.error.name === 'NoNodeError' && r[1]!.error.path === '/missing');
    assert.deepEqual(r[2]!.op === 'getChildren' && r[2]!.children, ['x']);
  });

  test('create modes choose the opcode and flags', async () => {
    const { s, c } = await setup();
    await c.create('/a', null, { mode: 'ephemeral' });
    await c.create2('/b');
    await c.create('/c', 'x', { mode: 'container' });
    await c.create('/d', 'x', { mode: 'persistentSequentialWithTtl', ttlMs: 5000 });
    await assert.rejects(c.create('/e', 'x', { mode: 'persistentWithTtl' }), { name: 'BadArgumentsError' });
    const sent = s.received.map((r) => r.request);
    assert.deepEqual(sent.map((r) => r.op), ['create', 'create2', 'createContainer', 'createTTL']);
    assert.deepEqual(sent.map((r) => (r as { flags: number }).flags), [1, 0, 4, 6]);
    assert.equal((sent[0] as { data: Uint8Array | null }).data, null);
    assert.equal((sent[3] as { ttl: number }).ttl, 5000);
  });

  test('transaction create keeps null data null and sends empty bytes when data is omitted', async () => {
    const { s, c } = await setup();
    s.onRequest = () => ({ response: { kind: 'multi', results: [{ op: 'create', path: '/a' }, { op: 'create', path: '/b' }] } });
    await c.transaction().create('/a', null).create('/b').commit();
    const multi = s.received.at(-1)!.request;
    assert.ok(multi.op === 'multi');
    assert.deepEqual(multi.ops.map((o) => (o as { data: Uint8Array | null }).data?.length ?? null), [null, 0]);
  });
});
