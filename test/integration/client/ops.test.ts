// Every client operation against each target (Apache ZooKeeper and zkts): success and error
// paths, typed results, watches (one-shot, persistent, recursive, iterator), chroot in and out,
// auth, pipelining and abort. One server per target; each test works under its own path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  connect, multiErrorResults, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type ZkClient,
} from '../../../src/client/index.js';
import type { WatchEvent } from '../../../src/client/types.js';
import { startTarget, targetKinds, type Server } from '../../support/target.js';
import { firstOf, sleep, waitState } from './helpers.js';

const digest = (user: string, password: string): string =>
  `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;

for (const kind of targetKinds()) {
  describe(`zkts client ops [${kind}]`, { timeout: 120_000 }, () => {
    let server: Server | undefined;
    const clients: ZkClient[] = [];
    const open = async (suffix = '', options: Parameters<typeof connect>[1] = {}): Promise<ZkClient> => {
      assert.ok(server);
      const c = await connect(server.connectString + suffix, { sessionTimeoutMs: 10_000, initialConnectTimeoutMs: 10_000, ...options });
      clients.push(c);
      return c;
    };
    before(async () => {
      server = await startTarget(kind);
    });
    after(async () => {
      for (const c of clients) await c.close().catch(() => undefined);
      await server?.stop();
    });

    test('create in every mode, with typed results', async () => {
      const c = await open();
      assert.equal(await c.create('/modes'), '/modes');
      assert.equal(await c.create('/modes/p', 'data'), '/modes/p');
      const eph = await c.create2('/modes/e', 'x', { mode: 'ephemeral' });
      assert.equal(eph.path, '/modes/e');
      assert.equal(eph.stat.ephemeralOwner, c.sessionId);
      assert.equal(eph.stat.dataLength, 1);
      assert.equal(await c.create('/modes/s-', null, { mode: 'persistentSequential' }), '/modes/s-0000000002');
      assert.match(await c.create('/modes/es-', null, { mode: 'ephemeralSequential' }), /^\/modes\/es-\d{10}$/);
      const container = await c.create2('/modes/c', null, { mode: 'container' });
      assert.equal(container.path, '/modes/c');
      assert.equal(container.stat.ephemeralOwner, 0n);
      assert.equal(await c.create('/modes/t', 'x', { mode: 'persistentWithTtl', ttlMs: 60_000 }), '/modes/t');
      assert.match(await c.create('/modes/ts-', 'x', { mode: 'persistentSequentialWithTtl', ttlMs: 60_000 }), /^\/modes\/ts-\d{10}$/);
      const nullData = await c.getData('/modes/s-0000000002');
      assert.equal(nullData.data, null, 'null data stays null');
      assert.deepEqual((await c.getData('/modes/p')).data, Buffer.from('data'));
    });

    test('create errors carry their class, code and path', async () => {
      const c = await open();
      await c.create('/cerr');
      await assert.rejects(c.create('/cerr'), { name: 'NodeExistsError', code: -110, path: '/cerr' });
      await assert.rejects(c.create('/cerr/missing/x'), { name: 'NoNodeError', code: -101, path: '/cerr/missing/x' });
      await c.create('/cerr/e', null, { mode: 'ephemeral' });
      await assert.rejects(c.create('/cerr/e/x'), { name: 'NoChildrenForEphemeralsError', code: -108 });
      await assert.rejects(c.create('/cerr/acl', null, { acl: [] }), { name: 'InvalidAclError', code: -114 });
      await assert.rejects(c.create('/cerr/ttl', null, { mode: 'persistentWithTtl', ttlMs: 0 }), { name: 'BadArgumentsError', code: -8 });
    });

    test('delete, exists, getData, setData with versions', async () => {
      const c = await open();
      await c.create('/d', 'v0');
      await c.create('/d/child');
      assert.equal(await c.exists('/d/none'), null);
      const s0 = await c.exists('/d');
      assert.equal(s0?.version, 0);
      assert.equal(s0?.numChildren, 1);
      const s1 = await c.setData('/d', 'v1', { version: 0 });
      assert.equal(s1.version, 1);
      await assert.rejects(c.setData('/d', 'v2', { version: 0 }), { name: 'BadVersionError', path: '/d' });
      await assert.rejects(c.setData('/d/none', 'x'), { name: 'NoNodeError' });
      await assert.rejects(c.getData('/d/none'), { name: 'NoNodeError', path: '/d/none' });
      const got = await c.getData('/d');
      assert.equal(got.data?.toString(), 'v1');
      assert.equal(got.stat.version, 1);
      await assert.rejects(c.delete('/d'), { name: 'NotEmptyError', code: -111 });
      await assert.rejects(c.delete('/d/child', { version: 5 }), { name: 'BadVersionError' });
      await c.delete('/d/child', { version: 0 });
      await c.delete('/d');
      await assert.rejects(c.delete('/d'), { name: 'NoNodeError' });
    });

    test('getChildren (with Stat), getAllChildrenNumber, getEphemerals, sync', async () => {
      const c = await open();
      await c.create('/k');
      for (const n of ['a', 'b', 'c']) await c.create(`/k/${n}`);
      await c.create('/k/a/x', null, { mode: 'ephemeral' });
      assert.deepEqual((await c.getChildren('/k')).sort(), ['a', 'b', 'c']);
      const withStat = await c.getChildren('/k', { stat: true });
      assert.deepEqual(withStat.children.sort(), ['a', 'b', 'c']);
      assert.equal(withStat.stat.numChildren, 3);
      await assert.rejects(c.getChildren('/k/none'), { name: 'NoNodeError' });
      assert.equal(await c.getAllChildrenNumber('/k'), 4);
      assert.deepEqual(await c.getEphemerals('/k'), ['/k/a/x']);
      await c.sync('/k');
      await c.sync('/does/not/exist');
    });

    test('getACL, setACL, addAuth, whoAmI and NoAuth', async () => {
      const c = await open();
      await c.create('/acl', 'x');
      const { acl, stat } = await c.getACL('/acl');
      assert.deepEqual(acl, [...OPEN_ACL_UNSAFE]);
      assert.equal(stat.aversion, 0);
      await assert.rejects(c.setACL('/acl', READ_ACL_UNSAFE, { version: 3 }), { name: 'BadVersionError', path: '/acl' });
      const after1 = await c.setACL('/acl', READ_ACL_UNSAFE, { version: 0 });
      assert.equal(after1.aversion, 1);
      await assert.rejects(c.setData('/acl', 'y'), { name: 'NoAuthError', code: -102, path: '/acl' });
      await c.addAuth('digest', 'alice:secret');
      const who = await c.whoAmI();
      assert.ok(who.some((i) => i.authScheme === 'digest' && i.user === 'alice'), JSON.stringify(who));
      await c.create('/acl2', 'x', { acl: [{ perms: 31, id: { scheme: 'digest', id: digest('alice', 'secret') } }] });
      const other = await open();
      await assert.rejects(other.getData('/acl2'), { name: 'NoAuthError' });
      assert.equal((await c.getData('/acl2')).data?.toString(), 'x');
      const viaAuthInfo = await open('', { authInfos: [{ scheme: 'digest', auth: 'alice:secret' }] });
      assert.equal((await viaAuthInfo.getData('/acl2')).data?.toString(), 'x');
    });

    test('an unknown auth scheme ends the session in authFailed', async () => {
      const c = await open();
      const states: string[] = [];
      c.onStateChange((e) => states.push(e.state));
      await assert.rejects(c.addAuth('nosuchscheme', 'x'), { name: 'AuthFailedError', code: -115 });
      await waitState(c, 'authFailed', 5000);
      await assert.rejects(c.getData('/'), { name: 'AuthFailedError' });
      assert.deepEqual(states, ['authFailed']);
    });

    test('multi, transaction and multiRead', async () => {
      const c = await open();
      const results = await c.transaction().create('/m').create('/m/a', 'x').setData('/m/a', 'y', 0).check('/m/a', 1).commit();
      assert.deepEqual(results.map((r) => r.op), ['create', 'create', 'setData', 'check']);
      assert.equal(results[1]!.op === 'create' && results[1]!.path, '/m/a');
      assert.equal(results[2]!.op === 'setData' && results[2]!.stat.version, 1);
      const err = await c.multi([
        { op: 'create', path: '/m/b' },
        { op: 'delete', path: '/m/none' },
        { op: 'create', path: '/m/c' },
      ]).catch((e: unknown) => e);
      assert.ok(err instanceof Error && err.name === 'NoNodeError', String(err));
      assert.equal((err as unknown as { path: string }).path, '/m/none');
      assert.deepEqual(multiErrorResults(err), [0, -101, -2]);
      assert.equal(await c.exists('/m/b'), null, 'nothing applied');
      const reads = await c.multiRead([{ op: 'getData', path: '/m/a' }, { op: 'getChildren', path: '/m' }, { op: 'getData', path: '/m/none' }]);
      assert.equal(reads[0]!.op === 'getData' && reads[0]!.data?.toString(), 'y');
      assert.deepEqual(reads[1]!.op === 'getChildren' && reads[1]!.children, ['a']);
      assert.ok(reads[2]!.op === 'error' && reads[2]!.error.name === 'NoNodeError' && reads[2]!.error.path === '/m/none');
    });

    test('one-shot watches fire once, per the dispatch table', async () => {
      const c = await open();
      const writer = await open();
      await c.create('/w');
      const data = firstOf<WatchEvent>();
      const child = firstOf<WatchEvent>();
      const exist = firstOf<WatchEvent>();
      await c.getData('/w', { watch: data.push });
      await c.getChildren('/w', { watch: child.push });
      assert.equal(await c.exists('/w/new', { watch: exist.push }), null);
      await writer.setData('/w', 'a');
      assert.deepEqual(await data.first, { type: 'nodeDataChanged', path: '/w' });
      await writer.create('/w/new');
      assert.deepEqual(await exist.first, { type: 'nodeCreated', path: '/w/new' });
      assert.deepEqual(await child.first, { type: 'nodeChildrenChanged', path: '/w' });
      await writer.setData('/w', 'b');
      await writer.create('/w/new2');
      await c.sync('/w');
      await sleep(100);
      assert.equal(data.values.length, 1);
      assert.equal(child.values.length, 1);
      // nodeDeleted reaches data and child watchers of the node.
      const gone = firstOf<WatchEvent>();
      await c.getData('/w/new', { watch: gone.push });
      await writer.delete('/w/new');
      assert.deepEqual(await gone.first, { type: 'nodeDeleted', path: '/w/new' });
    });

    test('persistent and recursive watches stay; removeWatches ends them', async () => {
      // Two sessions: the server keeps one watch mode per (connection, path), so one session's
      // recursive watch on /pw would replace its persistent one (§6.7).
      const c = await open();
      const r = await open();
      const writer = await open();
      await c.create('/pw');
      const persistent: WatchEvent[] = [];
      const recursive: WatchEvent[] = [];
      await c.addWatch('/pw', (e) => persistent.push(e));
      await r.addWatch('/pw', (e) => recursive.push(e), { mode: 'persistentRecursive' });
      await writer.setData('/pw', '1');
      await writer.setData('/pw', '2');
      await writer.create('/pw/x');
      await writer.create('/pw/x/y');
      await writer.setData('/pw/x/y', 'z');
      await c.sync('/pw');
      await r.sync('/pw');
      await sleep(50);
      assert.deepEqual(persistent.map((e) => `${e.type} ${e.path}`), [
        'nodeDataChanged /pw', 'nodeDataChanged /pw', 'nodeChildrenChanged /pw',
      ]);
      assert.deepEqual(recursive.map((e) => `${e.type} ${e.path}`), [
        'nodeDataChanged /pw', 'nodeDataChanged /pw', 'nodeCreated /pw/x', 'nodeCreated /pw/x/y', 'nodeDataChanged /pw/x/y',
      ]);
      await c.removeWatches('/pw', 'any');
      await r.removeWatches('/pw', 'any');
      assert.equal(persistent.at(-1)?.type, 'persistentWatchRemoved');
      assert.equal(recursive.at(-1)?.type, 'persistentWatchRemoved');
      const before = [persistent.length, recursive.length];
      await writer.setData('/pw', '3');
      await c.sync('/pw');
      await r.sync('/pw');
      await sleep(50);
      assert.deepEqual([persistent.length, recursive.length], before, 'removed watchers stay silent');
      await assert.rejects(c.removeWatches('/pw', 'data'), { name: 'NoWatcherError', code: -121 });
    });

    test('watch() as an async iterator, stopped by an AbortSignal', async () => {
      const c = await open();
      const writer = await open();
      await c.create('/it');
      const ac = new AbortController();
      const seen: string[] = [];
      const loop = (async () => {
        for await (const e of c.watch('/it', { mode: 'persistentRecursive', signal: ac.signal })) {
          seen.push(`${e.type} ${e.path}`);
          if (seen.length === 3) ac.abort();
        }
      })();
      const ended = loop.catch((e: unknown) => e);
      await sleep(100);
      await writer.create('/it/a');
      await writer.setData('/it/a', 'x');
      await writer.delete('/it/a');
      assert.equal(((await ended) as Error).name, 'AbortError');
      assert.deepEqual(seen, ['nodeCreated /it/a', 'nodeDataChanged /it/a', 'nodeDeleted /it/a']);
    });

    test('chroot applies to requests, results, multi, ephemerals and watch events', async () => {
      const root = await open();
      await root.create('/chroot');
      const c = await open('/chroot');
      assert.equal(await c.create('/a', 'x'), '/a');
      assert.ok(await root.exists('/chroot/a'));
      assert.equal(await c.create('/s-', null, { mode: 'ephemeralSequential' }), '/s-0000000001');
      assert.deepEqual(await c.getEphemerals(), ['/s-0000000001']);
      const results = await c.transaction().create('/b').create('/b/c', null, { mode: 'container' }).commit();
      assert.deepEqual(results.map((r) => r.op === 'create' && r.path), ['/b', '/b/c']);
      const events: WatchEvent[] = [];
      await c.exists('/', { watch: (e) => events.push(e) });
      await c.addWatch('/', (e) => events.push(e), { mode: 'persistentRecursive' });
      await root.setData('/chroot', 'y');
      await root.create('/chroot/b/d');
      await c.sync('/');
      await sleep(50);
      // The exists watcher and the recursive watcher are two functions: each hears the change.
      assert.deepEqual(events.map((e) => `${e.type} ${e.path}`), ['nodeDataChanged /', 'nodeDataChanged /', 'nodeCreated /b/d']);
      const missing = await open('/nochroot');
      await assert.rejects(missing.create('/x'), { name: 'NoNodeError', path: '/x' });
    });

    test('pipelining: 1000 requests in flight on one connection', async () => {
      const c = await open();
      await c.create('/pipe');
      const t0 = Date.now();
      const paths = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.create(`/pipe/n${i}`, String(i))));
      assert.deepEqual(paths, Array.from({ length: 1000 }, (_, i) => `/pipe/n${i}`));
      const reads = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.getData(`/pipe/n${i}`)));
      assert.ok(reads.every((r, i) => r.data?.toString() === String(i)));
      assert.equal(await c.getAllChildrenNumber('/pipe'), 1000);
      // czxids prove the server applied them in issue order.
      for (let i = 1; i < reads.length; i++) assert.ok(reads[i]!.stat.czxid > reads[i - 1]!.stat.czxid);
      assert.ok(Date.now() - t0 < 60_000);
    });

    test('data near the 1 MB frame limit round-trips', async () => {
      const c = await open();
      const big = Buffer.alloc(1_000_000, 0x61);
      await c.create('/big', big);
      const got = await c.getData('/big');
      assert.equal(got.stat.dataLength, big.length);
      assert.ok(got.data?.equals(big));
    });

    test('AbortSignal stops waiting for an op', async () => {
      const c = await open();
      await assert.rejects(c.getData('/', { signal: AbortSignal.abort() }), { name: 'AbortError' });
      const ac = new AbortController();
      const many = Array.from({ length: 200 }, () => c.getChildren('/', { signal: ac.signal }));
      ac.abort();
      const settled = await Promise.allSettled(many);
      assert.ok(settled.some((s) => s.status === 'rejected' && (s.reason as Error).name === 'AbortError'));
      await c.sync('/'); // the connection is still fine
    });

    test('close ends the session: ephemerals go, later calls fail', async () => {
      const c = await open();
      const other = await open();
      await c.create('/bye', null, { mode: 'ephemeral' });
      const gone = firstOf<WatchEvent>();
      await other.exists('/bye', { watch: gone.push });
      await c.close();
      assert.equal(c.state, 'closed');
      assert.deepEqual(await gone.first, { type: 'nodeDeleted', path: '/bye' });
      await assert.rejects(c.getData('/'), { name: 'ClientClosedError', code: -112 });
    });
  });
}
