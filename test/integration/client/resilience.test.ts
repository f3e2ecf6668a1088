// Connection management against real servers (Apache ZooKeeper and zkts): connection loss and
// reconnect with the same session (watches restored with lastZxid catch-up), session expiry,
// server restart with the session surviving, and two standalone servers (a server behind the
// client's lastZxid is skipped; a server that does not know the session reports it expired).
// Connections are cut or frozen with a TCP proxy; servers are killed and restarted by pid.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ZkClient } from '../../../src/client/index.js';
import { seededRandom, shuffled } from '../../../src/client/connect-string.js';
import type { WatchEvent } from '../../../src/client/types.js';
import { startTarget, targetKinds, type Server, type StartOptions } from '../../support/target.js';
import { TcpProxy, firstOf, killServer, relaunch, sleep, waitState, waitUntil } from './helpers.js';

/** A shuffle seed that keeps a two-host list in the given order. */
function seedKeepingOrder(): number {
  for (let seed = 1; ; seed++) if (shuffled(['a', 'b'], seededRandom(seed))[0] === 'a') return seed;
}

for (const kind of targetKinds()) {
  describe(`zkts client resilience [${kind}]`, { timeout: 180_000 }, () => {
    const servers: Server[] = [];
    const proxies: TcpProxy[] = [];
    const clients: ZkClient[] = [];
    const start = async (opts: StartOptions = {}): Promise<Server> => {
      const s = await startTarget(kind, opts);
      servers.push(s);
      return s;
    };
    const proxy = async (server: Server): Promise<TcpProxy> => {
      const p = await new TcpProxy(server.port).start();
      proxies.push(p);
      return p;
    };
    const open = async (connectString: string, options: Parameters<typeof connect>[1] = {}): Promise<ZkClient> => {
      const c = await connect(connectString, { sessionTimeoutMs: 10_000, initialConnectTimeoutMs: 15_000, ...options });
      clients.push(c);
      return c;
    };
    after(async () => {
      for (const c of clients) await c.close().catch(() => undefined);
      for (const p of proxies) await p.stop();
      for (const s of servers) await s.stop().catch(() => undefined);
    });

    test('connection loss: same session after reconnect, queued requests sent, watches restored with catch-up', async () => {
      const server = await start();
      const p = await proxy(server);
      const c = await open(p.connectString);
      const writer = await open(server.connectString);
      const sessionId = c.sessionId;
      await c.create('/loss');
      await c.create('/loss/e', null, { mode: 'ephemeral' });
      await c.create('/loss/x', 'v1');
      const dataEvent = firstOf<WatchEvent>(15_000);
      const childEvent = firstOf<WatchEvent>(15_000);
      await c.getData('/loss/x', { watch: dataEvent.push });
      await c.getChildren('/loss', { watch: childEvent.push });
      await c.create('/loss/p');
      const persistent: WatchEvent[] = [];
      await c.addWatch('/loss/p', (e) => persistent.push(e), { mode: 'persistentRecursive' });
      await c.create('/loss/gone');
      const createdEvent = firstOf<WatchEvent>(15_000);
      const deletedEvent = firstOf<WatchEvent>(15_000);
      assert.equal(await c.exists('/loss/new', { watch: createdEvent.push }), null);
      await c.getData('/loss/gone', { watch: deletedEvent.push });
      const states: string[] = [];
      c.onStateChange((e) => states.push(e.state));

      p.pause();
      p.cutAll();
      await waitState(c, 'disconnected', 5000);
      // Changes made while the client is away are reported by setWatches on reconnect.
      await writer.setData('/loss/x', 'v2');
      await writer.create('/loss/y');
      await writer.create('/loss/new');
      await writer.delete('/loss/gone');
      const queued = c.getData('/loss/x');
      await assert.rejects(c.getData('/loss/x', { signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' });
      p.resume();

      await waitState(c, 'connected', 15_000);
      assert.equal(c.sessionId, sessionId);
      assert.equal((await queued).data?.toString(), 'v2');
      assert.deepEqual(await dataEvent.first, { type: 'nodeDataChanged', path: '/loss/x' });
      assert.deepEqual(await childEvent.first, { type: 'nodeChildrenChanged', path: '/loss' });
      assert.deepEqual(await createdEvent.first, { type: 'nodeCreated', path: '/loss/new' });
      assert.deepEqual(await deletedEvent.first, { type: 'nodeDeleted', path: '/loss/gone' });
      assert.ok(await writer.exists('/loss/e'), 'the ephemeral survived the reconnect');
      // The recursive watch came back with setWatches2 (no catch-up events for it).
      await writer.create('/loss/p/q');
      await waitUntil(() => persistent.length === 1, 5000, 'recursive watch event after reconnect');
      assert.deepEqual(persistent, [{ type: 'nodeCreated', path: '/loss/p/q' }]);
      assert.deepEqual(states, ['disconnected', 'connected']);
    });

    test("whileDisconnected 'fail': in-flight and new requests fail with ConnectionLossError", async () => {
      const server = servers[0] ?? (await start());
      const p = await proxy(server);
      const c = await open(p.connectString, { whileDisconnected: 'fail' });
      p.pause();
      const inFlight = c.getData('/');
      await sleep(50);
      p.cutAll();
      await assert.rejects(inFlight, { name: 'ConnectionLossError', path: '/' });
      await waitState(c, 'disconnected', 5000);
      await assert.rejects(c.exists('/'), { name: 'ConnectionLossError' });
      p.resume();
      await waitState(c, 'connected', 15_000);
      await c.sync('/');
    });

    test('session expiry: a client frozen past its timeout sees expired, for good', async () => {
      // tickTime 500 allows a 1000 ms session.
      const server = await start({ extraCfg: { tickTime: '500' } });
      const p = await proxy(server);
      const c = await open(p.connectString, { sessionTimeoutMs: 1000 });
      assert.equal(c.negotiatedTimeoutMs, 1000);
      const watcher = await open(server.connectString);
      await c.create('/exp', null, { mode: 'ephemeral' });
      const deleted = firstOf<WatchEvent>(15_000);
      await watcher.exists('/exp', { watch: deleted.push });
      const seen: string[] = [];
      const stream = (async () => {
        for await (const e of c.states()) seen.push(e.state);
      })();
      p.pause(); // no pings reach the server; nothing reaches the client
      assert.deepEqual(await deleted.first, { type: 'nodeDeleted', path: '/exp' });
      assert.equal(c.state, 'disconnected');
      p.resume();
      await waitState(c, 'expired', 15_000);
      await stream;
      assert.deepEqual(seen, ['disconnected', 'expired']);
      await assert.rejects(c.getData('/'), { name: 'SessionExpiredError', code: -112 });
      const accepted = p.accepted;
      await sleep(500);
      assert.equal(p.accepted, accepted, 'no reconnect attempts after expiry');
    });

    test('server restart on the same dataDir within the timeout: the session survives', async () => {
      const first = await start();
      const c = await open(first.connectString, { sessionTimeoutMs: 20_000 });
      const sessionId = c.sessionId;
      await c.create('/rs', 'kept');
      await c.create('/rs/e', null, { mode: 'ephemeral' });
      const created = firstOf<WatchEvent>(30_000);
      assert.equal(await c.exists('/rs/later', { watch: created.push }), null);
      await killServer(first);
      await waitState(c, 'disconnected', 5000);
      const second = await relaunch(first);
      servers.splice(servers.indexOf(first), 1, second); // stop the new process, not the dead one
      await waitState(c, 'connected', 30_000);
      assert.equal(c.sessionId, sessionId);
      assert.equal((await c.getData('/rs')).data?.toString(), 'kept');
      assert.ok(await c.exists('/rs/e'), 'ephemeral kept');
      const other = await open(second.connectString);
      await other.create('/rs/later');
      assert.deepEqual(await created.first, { type: 'nodeCreated', path: '/rs/later' }, 'exist watch restored');
    });

    test('two standalone servers: the one behind our lastZxid is skipped, the session resumes on the restarted one', async () => {
      const a = await start();
      const b = await start();
      const pb = await proxy(b);
      const c = await open(`${a.connectString},${pb.connectString}`, { shuffleSeed: seedKeepingOrder(), sessionTimeoutMs: 20_000, connectTimeoutMs: 2000 });
      assert.equal(c.server, a.connectString);
      const sessionId = c.sessionId;
      for (let i = 0; i < 5; i++) await c.create(`/behind${i}`);
      await killServer(a);
      await waitUntil(() => pb.accepted >= 2, 15_000, 'two attempts on the server that is behind');
      assert.equal(c.state, 'disconnected', 'the server behind was not used');
      const a2 = await relaunch(a);
      servers.splice(servers.indexOf(a), 1, a2);
      await waitState(c, 'connected', 30_000);
      assert.equal(c.server, a.connectString);
      assert.equal(c.sessionId, sessionId);
      assert.ok(await c.exists('/behind4'));
    });

    test('two standalone servers: a server that does not know the session reports it expired; a new client fails over for reads', async () => {
      const a = await start();
      const b = await start();
      const onB = await open(b.connectString);
      await onB.create('/only-on-b', 'b');
      for (let i = 0; i < 20; i++) await onB.create(`/ahead${i}`); // b's zxid passes a's
      await onB.close();
      const connectString = `${a.connectString},${b.connectString}`;
      const c = await open(connectString, { shuffleSeed: seedKeepingOrder(), connectTimeoutMs: 2000 });
      assert.equal(c.server, a.connectString);
      const states: string[] = [];
      c.onStateChange((e) => states.push(e.state));
      await killServer(a);
      await waitState(c, 'expired', 20_000);
      assert.deepEqual(states, ['disconnected', 'expired']);
      await assert.rejects(c.getData('/only-on-b'), { name: 'SessionExpiredError' });
      const fresh = await open(connectString, { shuffleSeed: seedKeepingOrder(), connectTimeoutMs: 2000 });
      assert.equal(fresh.server, b.connectString, 'a is down, b answers');
      assert.equal((await fresh.getData('/only-on-b')).data?.toString(), 'b');
    });
  });
}
