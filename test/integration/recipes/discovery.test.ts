// Service discovery, group membership, PersistentNode (re-created after deletion and after session
// expiry, TTL variant), unique ordered IDs, and config watching, against each target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigLog, GroupMember, IdGenerator, PersistentNode, RandomStrategy, ReconnectingClient, RoundRobinStrategy,
  ServiceDiscovery, StickyStrategy, watchConfig,
} from '../../../src/recipes/index.js';
import { targetKinds } from '../../support/target.js';
import { Env, sleep, waitUntil } from './helpers.js';

interface Payload { readonly zone: string }

for (const kind of targetKinds()) {
  describe(`recipes: discovery, membership, nodes, ids, config [${kind}]`, { timeout: 120_000 }, () => {
    const env = new Env(kind);
    before(() => env.start());
    after(() => env.stop());

    test('service discovery: register, list, providers, instance gone with its session', async () => {
      const { client: c1, proxy: p1 } = await env.proxiedClient();
      const d1 = new ServiceDiscovery<Payload>(c1, '/services');
      const d2 = new ServiceDiscovery<Payload>(await env.client(), '/services');
      const a = await d1.register({ name: 'api', id: 'a', address: '10.0.0.1', port: 80, payload: { zone: 'x' } });
      await d2.register({ name: 'api', id: 'b', address: '10.0.0.2', port: 80, payload: { zone: 'y' } });
      await d2.register({ name: 'db', id: 'd', address: '10.0.0.9' });
      const reader = new ServiceDiscovery<Payload>(await env.client(), '/services');
      assert.deepEqual(await reader.names(), ['api', 'db']);
      const listed = await reader.instances('api');
      assert.deepEqual(listed.map((i) => [i.id, i.address, i.payload?.zone]), [['a', '10.0.0.1', 'x'], ['b', '10.0.0.2', 'y']]);
      assert.equal((await reader.instance('api', 'a'))?.registrationTimeMs, a.registrationTimeMs);
      const rr = await reader.provider('api', new RoundRobinStrategy());
      const random = await reader.provider('api', new RandomStrategy(() => 0.99));
      const sticky = await reader.provider('api', new StickyStrategy());
      assert.deepEqual([rr.instance()?.id, rr.instance()?.id, rr.instance()?.id], ['a', 'b', 'a']);
      assert.equal(random.instance()?.id, 'b');
      assert.equal(sticky.instance()?.id, 'a');
      assert.equal(sticky.instance()?.id, 'a');
      await d1.update({ ...a, payload: { zone: 'z' } });
      await waitUntil(() => rr.all().find((i) => i.id === 'a')?.payload?.zone === 'z', 5000, 'update seen');
      await env.expire(c1, p1);
      await waitUntil(() => rr.all().length === 1, 10_000, 'the expired instance is gone from the cache');
      assert.equal(sticky.instance()?.id, 'b', 'sticky moves on when its instance disappears');
      assert.equal(rr.instance()?.id, 'b');
      await d2.unregister({ name: 'api', id: 'b' });
      await waitUntil(() => rr.instance() === null, 5000, 'no instance left');
      for (const p of [rr, random, sticky]) await p.close();
      await d2.close();
    });

    test('service registration comes back after session expiry with a ReconnectingClient', async () => {
      const proxy = await env.proxy();
      const rc = await ReconnectingClient.connect(proxy.connectString, { sessionTimeoutMs: 4000, initialConnectTimeoutMs: 10_000 });
      env.closers.push(() => rc.close());
      const d = new ServiceDiscovery(rc, '/services2');
      await d.register({ name: 'web', id: 'w1', address: 'h1' });
      const reader = new ServiceDiscovery(await env.client(), '/services2');
      const first = rc.client;
      await env.expire(first, proxy);
      await waitUntil(() => rc.client !== first, 10_000, 'a new session');
      let back = null;
      for (let i = 0; i < 100 && back === null; i++) {
        back = await reader.instance('web', 'w1');
        if (back === null) await sleep(50);
      }
      assert.equal(back?.address, 'h1');
      const stat = await (await env.client()).exists('/services2/web/w1');
      assert.equal(stat?.ephemeralOwner, rc.client.sessionId, 'owned by the new session');
      await d.close();
      assert.equal(await reader.instance('web', 'w1'), null, 'unregistered on close');
    });

    test('group membership: members and payloads, a member leaves with its session', async () => {
      const { client: c3, proxy } = await env.proxiedClient();
      const m1 = new GroupMember(await env.client(), '/group', 'm1', 'one');
      const m2 = new GroupMember(await env.client(), '/group', 'm2', 'two');
      const m3 = new GroupMember(c3, '/group', 'm3', 'three');
      await m1.start();
      await m2.start();
      await m3.start();
      await waitUntil(() => m1.members().size === 3, 5000, 'three members');
      assert.deepEqual([...m1.members()].map(([id, p]) => [id, p.toString()]), [['m1', 'one'], ['m2', 'two'], ['m3', 'three']]);
      await m2.setPayload('TWO');
      await waitUntil(() => m1.members().get('m2')?.toString() === 'TWO', 5000, 'payload change');
      await env.expire(c3, proxy);
      await waitUntil(() => m1.members().size === 2, 10_000, 'm3 left');
      assert.deepEqual([...(await m2.readMembers()).keys()].sort(), ['m1', 'm2']);
      await m2.close();
      await waitUntil(() => !m1.members().has('m2'), 5000, 'm2 left');
      await m1.close();
      await m3.close();
    });

    test('persistent node: re-created after deletion and after session expiry; sequential and TTL modes', async () => {
      const admin = await env.client();
      const proxy = await env.proxy();
      const rc = await ReconnectingClient.connect(proxy.connectString, { sessionTimeoutMs: 4000, initialConnectTimeoutMs: 10_000 });
      env.closers.push(() => rc.close());
      const node = new PersistentNode(rc, '/pn/eph', 'data');
      node.start();
      assert.equal(await node.waitForInitialCreate({ timeoutMs: 5000 }), true);
      assert.equal((await admin.getData('/pn/eph')).data?.toString(), 'data');
      await admin.delete('/pn/eph');
      let stat = null;
      for (let i = 0; i < 100 && stat === null; i++) {
        stat = await admin.exists('/pn/eph');
        if (stat === null) await sleep(50);
      }
      assert.ok(stat !== null, 're-created after a delete');
      const first = rc.client;
      await env.expire(first, proxy);
      await waitUntil(() => rc.client !== first, 10_000, 'a new session');
      stat = null;
      for (let i = 0; i < 100 && stat?.ephemeralOwner !== rc.client.sessionId; i++) {
        stat = await admin.exists('/pn/eph');
        await sleep(50);
      }
      assert.equal(stat?.ephemeralOwner, rc.client.sessionId, 're-created on the new session');
      await node.setData('new');
      assert.equal((await admin.getData('/pn/eph')).data?.toString(), 'new');
      await node.close();
      assert.equal(await admin.exists('/pn/eph'), null, 'deleted on close');

      const seq = new PersistentNode(await env.client(), '/pn/seq-', 's', { mode: 'ephemeralSequential' });
      seq.start();
      assert.equal(await seq.waitForInitialCreate({ timeoutMs: 5000 }), true);
      const firstPath = seq.actualPath!;
      assert.match(firstPath, /^\/pn\/_c_[0-9a-f-]+-seq-\d{10}$/);
      await admin.delete(firstPath);
      await waitUntil(() => seq.actualPath !== null && seq.actualPath !== firstPath, 5000, 'a new sequential node');
      await seq.close();

      const ttl = new PersistentNode(await env.client(), '/pn/ttl', 't', { mode: 'persistentWithTtl', ttlMs: 60_000, touchIntervalMs: 200 });
      ttl.start();
      assert.equal(await ttl.waitForInitialCreate({ timeoutMs: 5000 }), true);
      const s0 = await admin.exists('/pn/ttl');
      assert.equal(s0!.ephemeralOwner, 0n, 'a TTL node is not ephemeral');
      await sleep(500);
      const s1 = await admin.exists('/pn/ttl');
      assert.ok(s1!.version > s0!.version, 'touched while running');
      await ttl.close();
      assert.equal(await admin.exists('/pn/ttl'), null);
    });

    test('unique ordered ids from sequential nodes', async () => {
      const gens = await Promise.all([0, 1, 2].map(async () => new IdGenerator(await env.client(), '/ids/orders')));
      const perGen: number[][] = [[], [], []];
      await Promise.all(gens.map(async (g, i) => {
        for (let k = 0; k < 15; k++) perGen[i]!.push(await g.next());
      }));
      const all = perGen.flat();
      assert.equal(new Set(all).size, 45, 'unique');
      for (const ids of perGen) assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'increasing per caller');
      const later = await gens[0]!.next();
      assert.ok(later > Math.max(...all), 'a later id is larger than every earlier one');
    });

    test('config: watchConfig yields current then changes in order; ConfigLog yields every version', async () => {
      const w = await env.client();
      await w.create('/config');
      await w.create('/config/app', 'v0');
      const ac = new AbortController();
      const seen: Array<[string | undefined, number | undefined]> = [];
      const reading = (async () => {
        for await (const v of watchConfig(await env.client(), '/config/app', { signal: ac.signal })) {
          seen.push([v.data?.toString(), v.stat?.version]);
          if (v.data?.toString() === 'v5') ac.abort();
        }
      })();
      await waitUntil(() => seen.length === 1, 5000, 'the current value');
      for (let i = 1; i <= 5; i++) {
        await w.setData('/config/app', `v${i}`);
        await sleep(30);
      }
      await reading;
      assert.deepEqual(seen[0], ['v0', 0]);
      assert.deepEqual(seen.at(-1), ['v5', 5]);
      const versions = seen.map(([, v]) => v!);
      assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
      assert.equal(new Set(versions).size, versions.length, 'no value twice');

      const log = new ConfigLog(w, '/config/log');
      const reader = new ConfigLog(await env.client(), '/config/log');
      const got: string[] = [];
      const ac2 = new AbortController();
      await log.publish('c0');
      const following = (async () => {
        for await (const e of reader.entries({ signal: ac2.signal })) {
          got.push(e.data.toString());
          if (got.length === 21) ac2.abort();
        }
      })();
      for (let i = 1; i <= 20; i++) await log.publish(`c${i}`);
      await following;
      assert.deepEqual(got, Array.from({ length: 21 }, (_, i) => `c${i}`), 'every version, in order');
      await log.compact(3);
      assert.equal((await log.latest())?.data.toString(), 'c20');
      const tail: string[] = [];
      for await (const e of reader.entries({ afterSeq: 0, signal: AbortSignal.timeout(500) })) tail.push(e.data.toString());
      assert.deepEqual(tail, ['c18', 'c19', 'c20'], 'a late reader sees what is left after compaction');
    });
  });
}
