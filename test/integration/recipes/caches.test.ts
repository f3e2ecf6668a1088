// Caches against each target: NodeCache and TreeCache on persistent (recursive) watches and on
// the one-shot fallback (forced, and chosen automatically when addWatch answers Unimplemented),
// checked against a fresh read of the real tree after changes, after a cut connection, and after
// session expiry (ReconnectingClient: the cache follows the new session; plain client: it stops).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnimplementedError, type ZkClient } from '../../../src/client/index.js';
import { NodeCache, ReconnectingClient, TreeCache, type CacheWatchMode } from '../../../src/recipes/index.js';
import { targetKinds } from '../../support/target.js';
import { Env, waitUntil } from './helpers.js';

/** The real subtree as path -> data string. */
async function snapshot(client: ZkClient, root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (path: string): Promise<void> => {
    try {
      const { data } = await client.getData(path);
      out.set(path, data?.toString() ?? '');
      for (const c of await client.getChildren(path)) await walk(path === '/' ? `/${c}` : `${path}/${c}`);
    } catch (err) {
      if ((err as { code?: number }).code !== -101) throw err;
    }
  };
  await walk(root);
  return out;
}

function cached(cache: TreeCache): Map<string, string> {
  return new Map(cache.paths().map((p) => [p, cache.get(p)?.data?.toString() ?? '']));
}

async function converges(cache: TreeCache, client: ZkClient, root: string, what: string): Promise<void> {
  let real = await snapshot(client, root);
  await waitUntil(() => JSON.stringify([...cached(cache)]) === JSON.stringify([...real].sort()), 10_000, what).catch(async (err: unknown) => {
    real = await snapshot(client, root);
    assert.deepEqual([...cached(cache)], [...real].sort(), `${what}: ${String(err)}`);
  });
}

/** A client whose addWatch is refused like a pre-3.6 server does. */
function withoutAddWatch(client: ZkClient): ZkClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'addWatch') return (path: string) => Promise.reject(new UnimplementedError(path));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

async function mutate(w: ZkClient, root: string, round: number): Promise<void> {
  await w.create(`${root}/r${round}`, `r${round}`);
  await w.create(`${root}/r${round}/x`, 'x');
  await w.create(`${root}/r${round}/x/y`, 'y');
  await w.setData(`${root}/a`, `a-${round}`);
  await w.delete(`${root}/r${round}/x/y`);
  await w.setData(`${root}/r${round}/x`, `x-${round}`);
}

for (const kind of targetKinds()) {
  describe(`recipes: caches [${kind}]`, { timeout: 120_000 }, () => {
    const env = new Env(kind);
    before(() => env.start());
    after(() => env.stop());

    for (const mode of ['auto', 'oneShot'] as CacheWatchMode[]) {
      test(`node cache (${mode}): follows create, updates and delete`, async () => {
        const path = `/caches/node-${mode}`;
        const w = await env.client();
        await w.create('/caches').catch(() => undefined);
        const cache = new NodeCache(await env.client(), path, mode);
        const seen: Array<string | null> = [];
        cache.onChange((n) => seen.push(n === null ? null : n.data?.toString() ?? ''));
        await cache.start();
        assert.equal(cache.current, null);
        assert.equal(cache.persistentWatch, mode === 'auto');
        await w.create(path, 'v0');
        await waitUntil(() => cache.current?.data?.toString() === 'v0', 5000, 'created');
        for (let i = 1; i <= 3; i++) await w.setData(path, `v${i}`);
        await waitUntil(() => cache.current?.data?.toString() === 'v3', 5000, 'updated');
        await w.delete(path);
        await waitUntil(() => cache.current === null, 5000, 'deleted');
        assert.equal(seen[0], 'v0');
        assert.equal(seen.at(-2), 'v3');
        assert.equal(seen.at(-1), null);
        assert.equal(new Set(seen.filter((s) => s !== null)).size, seen.length - 1, 'each value once');
        await cache.close();
      });
    }

    test('node cache falls back to one-shot watches when addWatch is unimplemented', async () => {
      const w = await env.client();
      await w.create('/caches/fallback', 'a');
      const cache = new NodeCache(withoutAddWatch(await env.client()), '/caches/fallback');
      await cache.start();
      assert.equal(cache.persistentWatch, false);
      await w.setData('/caches/fallback', 'b');
      await waitUntil(() => cache.current?.data?.toString() === 'b', 5000, 'fallback update');
      await cache.close();
    });

    for (const mode of ['auto', 'oneShot', 'fallback'] as const) {
      test(`tree cache (${mode}): matches the real tree through changes and a cut connection`, async () => {
        const root = `/caches/tree-${mode}`;
        const w = await env.client();
        await w.create('/caches').catch(() => undefined);
        await w.create(root, 'root');
        await w.create(`${root}/a`, 'a');
        await w.create(`${root}/a/b`, 'b');
        const { client, proxy } = await env.proxiedClient();
        const cache = new TreeCache(mode === 'fallback' ? withoutAddWatch(client) : client, root, mode === 'oneShot' ? 'oneShot' : 'auto');
        const events: string[] = [];
        cache.on((e) => events.push(e.type === 'initialized' ? 'initialized' : `${e.type} ${e.node.path}`));
        await cache.start();
        assert.equal(cache.recursiveWatch, mode === 'auto');
        assert.deepEqual(events, [`added ${root}`, `added ${root}/a`, `added ${root}/a/b`, 'initialized']);
        await mutate(w, root, 1);
        await converges(cache, w, root, 'after changes');
        assert.ok(events.includes(`updated ${root}/a`));
        // y may come and go between two reads; if it was seen, its removal was seen too.
        assert.equal(events.includes(`added ${root}/r1/x/y`), events.includes(`removed ${root}/r1/x/y`));
        proxy.cutAll();
        await mutate(w, root, 2);
        await w.delete(`${root}/a/b`);
        await converges(cache, w, root, 'after a cut connection');
        assert.equal(cache.get(`${root}/a/b`), undefined);
        await cache.close();
      });
    }

    test('tree cache on a ReconnectingClient follows across session expiry; on a plain client it stops', async () => {
      const root = '/caches/tree-exp';
      const w = await env.client();
      await w.create('/caches').catch(() => undefined);
      await w.create(root, 'root');
      await w.create(`${root}/a`, 'a');
      const proxy = await env.proxy();
      const rc = await ReconnectingClient.connect(proxy.connectString, { sessionTimeoutMs: 4000, initialConnectTimeoutMs: 10_000 });
      env.closers.push(() => rc.close());
      const cache = new TreeCache(rc, root);
      await cache.start();
      const { client: plainClient, proxy: plainProxy } = await env.proxiedClient();
      const plain = new TreeCache(plainClient, root);
      await plain.start();
      const first = rc.client;
      await env.expire(first, proxy);
      await env.expire(plainClient, plainProxy);
      await mutate(w, root, 1);
      await waitUntil(() => rc.client !== first && rc.client.state === 'connected', 10_000, 'a new session');
      await converges(cache, w, root, 'after session expiry');
      await mutate(w, root, 2);
      await converges(cache, w, root, 'on the new session');
      assert.equal(cache.isLive, true);
      assert.equal(plain.isLive, false);
      assert.equal(plain.get(`${root}/r1`), undefined, 'the plain cache stopped');
      await cache.close();
      await plain.close();
    });
  });
}
