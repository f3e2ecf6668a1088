// Connection management against the fake server: handshake, xids, FIFO matching, coalescing,
// pings, read timeout, reconnect order (auth, setWatches, queued), expiry, skipping a server
// that closes, auth failure, bounds, abort, fail-fast mode and close.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ZkClient } from '../../../src/client/index.js';
import { Session } from '../../../src/client/session.js';
import { FakeServer, STAT } from './fake-server.js';
import type { StateEvent } from '../../../src/client/types.js';

const servers: FakeServer[] = [];
const clients: ZkClient[] = [];
async function fake(): Promise<FakeServer> {
  const s = await new FakeServer().start();
  servers.push(s);
  return s;
}
async function client(connectString: string, options: Parameters<typeof connect>[1] = {}): Promise<ZkClient> {
  const c = await connect(connectString, { sessionTimeoutMs: 3000, shuffleSeed: 1, ...options });
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop();
});

describe('handshake and requests', () => {
  test('ConnectRequest fields; xids from 1; replies matched FIFO', async () => {
    const s = await fake();
    s.onRequest = ({ request }) => (request.op === 'exists' ? { response: { kind: 'stat', stat: STAT } } : {});
    const c = await client(s.connectString, { canBeReadOnly: true });
    const req = s.conns[0]!.connectRequest!;
    assert.equal(req.sessionId, 0n);
    assert.equal(req.lastZxidSeen, 0n);
    assert.equal(req.timeoutMs, 3000);
    assert.equal(req.readOnly, true);
    assert.equal(req.passwd.length, 16);
    assert.equal(c.sessionId, 0x1000n);
    assert.equal(c.state, 'connected');
    const results = await Promise.all([c.exists('/a'), c.exists('/b'), c.exists('/c')]);
    assert.deepEqual(results.map((r) => r?.version), [0, 0, 0]);
    assert.deepEqual(s.received.filter((r) => r.request.op === 'exists').map((r) => r.header.xid), [1, 2, 3]);
  });

  test('xids wrap from 2^31-1 back to 1', async () => {
    const s = await fake();
    const session = new Session({
      hosts: [{ host: '127.0.0.1', port: s.port }], chroot: null, sessionTimeoutMs: 3000, connectTimeoutMs: 1000,
      canBeReadOnly: false, failWhileDisconnected: false, maxOutstandingRequests: 10, frameBytesMax: 1 << 20,
      random: () => 0.5, watchLists: () => ({ dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] }),
      onNotification: () => {}, firstXid: 0x7ffffffe,
    });
    await session.start();
    for (let i = 0; i < 3; i++) await session.submit({ op: 'sync', path: '/' });
    assert.deepEqual(s.received.map((r) => r.header.xid), [0x7ffffffe, 0x7fffffff, 1]);
    await session.close();
  });

  test('requests issued in one turn go out in one socket write', async () => {
    const s = await fake();
    const c = await client(s.connectString);
    const before = s.conns[0]!.chunks.length;
    await Promise.all(Array.from({ length: 200 }, () => c.sync('/')));
    const chunks = s.conns[0]!.chunks.length - before;
    assert.ok(chunks <= 3, `200 requests arrived in ${chunks} chunks`);
  });

  test('an error reply rejects with the class for its code, carrying code and path', async () => {
    const s = await fake();
    s.onRequest = () => ({ err: -110 });
    const c = await client(s.connectString);
    await assert.rejects(c.create('/x', 'd'), (e: Error & { code: number; path: string }) => {
      assert.equal(e.name, 'NodeExistsError');
      assert.equal(e.code, -110);
      assert.equal(e.path, '/x');
      return true;
    });
  });

  test('a reply with an unexpected xid drops the connection and fails the request with ConnectionLoss', async () => {
    const s = await fake();
    s.onRequest = ({ header, conn }) => {
      if (s.conns.length === 1) {
        conn.reply(header.xid + 100, 0, null);
        return 'hold';
      }
      return {};
    };
    const c = await client(s.connectString);
    await assert.rejects(c.sync('/'), { name: 'ConnectionLossError' });
    await s.waitFor(() => s.conns.length === 2 && c.state === 'connected', 3000, 'reconnect');
    await c.sync('/');
  });
});

describe('liveness', () => {
  test('pings at a third of the negotiated timeout when idle', async () => {
    const s = await fake();
    s.onConnect = () => ({ kind: 'accept', timeoutMs: 600 });
    const c = await client(s.connectString);
    assert.equal(c.negotiatedTimeoutMs, 600);
    const t0 = Date.now();
    await s.waitFor(() => s.ops().includes('ping'), 2000, 'a ping');
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 150 && elapsed < 700, `first ping after ${elapsed} ms`);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(c.state, 'connected', 'answered pings keep the connection');
    assert.equal(s.conns.length, 1);
  });

  test('silence for two thirds of the timeout: reconnect with the same session, auth, then setWatches(lastZxid), then queued requests', async () => {
    const s = await fake();
    s.onConnect = () => ({ kind: 'accept', timeoutMs: 900 });
    s.onRequest = ({ request }) => {
      if (request.op === 'getData') return { response: { kind: 'getData', data: Buffer.from('v'), stat: STAT }, zxid: 0x42n };
      return {};
    };
    const c = await client(s.connectString, { authInfos: [{ scheme: 'digest', auth: 'u:p' }] });
    const states: string[] = [];
    c.onStateChange((e) => states.push(e.state));
    await c.getData('/w', { watch: () => {} });
    assert.equal(c.lastZxid, 0x42n);
    s.conns[0]!.silent = true;
    await s.waitFor(() => c.state === 'disconnected', 2000, 'disconnect');
    const queued = c.sync('/q'); // waits for the new connection
    await s.waitFor(() => s.conns.length === 2 && c.state === 'connected', 3000, 'reconnect');
    await queued;
    const second = s.conns[1]!;
    assert.equal(second.connectRequest!.sessionId, 0x1000n);
    assert.deepEqual(Buffer.from(second.connectRequest!.passwd), s.password);
    assert.equal(second.connectRequest!.lastZxidSeen, 0x42n);
    const onSecond = s.received.filter((r) => r.conn === second && r.request.op !== 'ping');
    assert.deepEqual(onSecond.map((r) => r.request.op), ['auth', 'setWatches', 'sync']);
    const sw = onSecond[1]!.request;
    assert.ok(sw.op === 'setWatches');
    assert.equal(sw.relativeZxid, 0x42n);
    assert.deepEqual(sw.dataWatches, ['/w']);
    assert.deepEqual(states, ['disconnected', 'connected']);
  });
});

describe('reconnect decisions', () => {
  test('a server that closes without a ConnectResponse is skipped for the next host', async () => {
    const behind = await fake();
    const good = await fake();
    behind.onConnect = () => ({ kind: 'close' });
    const c = await client(`127.0.0.1:${behind.port},127.0.0.1:${good.port}`);
    assert.equal(c.server, `127.0.0.1:${good.port}`);
  });

  test('timeout 0 in the ConnectResponse: expired for good, requests fail with SessionExpiredError', async () => {
    const s = await fake();
    const c = await client(s.connectString);
    const events: StateEvent[] = [];
    c.onStateChange((e) => events.push(e));
    const iterated = (async () => {
      const seen: string[] = [];
      for await (const e of c.states()) seen.push(e.state);
      return seen;
    })();
    s.onConnect = () => ({ kind: 'expire' });
    s.conns[0]!.close();
    await s.waitFor(() => c.state === 'expired', 3000, 'expiry');
    await assert.rejects(c.getData('/x'), { name: 'SessionExpiredError', code: -112 });
    assert.deepEqual(events.map((e) => e.state), ['disconnected', 'expired']);
    assert.deepEqual(await iterated, ['disconnected', 'expired']);
    const conns = s.conns.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.conns.length, conns, 'no reconnect after expiry');
  });

  test('auth failure (-115) ends the session in authFailed', async () => {
    const s = await fake();
    const c = await client(s.connectString);
    await assert.rejects(c.addAuth('bad', 'x'), { name: 'AuthFailedError' });
    assert.equal(c.state, 'authFailed');
    await assert.rejects(c.sync('/'), { name: 'AuthFailedError' });
  });

  test('read-only server surfaces connectedReadOnly', async () => {
    const s = await fake();
    s.onConnect = () => ({ kind: 'accept', readOnly: true });
    const c = await client(s.connectString, { canBeReadOnly: true });
    assert.equal(c.state, 'connectedReadOnly');
  });

  test('first connect gives up after initialConnectTimeoutMs with ConnectionLossError', async () => {
    const s = await fake();
    s.onConnect = () => ({ kind: 'hang' });
    const t0 = Date.now();
    await assert.rejects(connect(s.connectString, { initialConnectTimeoutMs: 400, connectTimeoutMs: 200 }), { name: 'ConnectionLossError' });
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('bounds, abort, fail-fast, close', () => {
  test('maxOutstandingRequests: the next request rejects with ClientQueueFullError', async () => {
    const s = await fake();
    s.onRequest = () => 'hold';
    const c = await client(s.connectString, { maxOutstandingRequests: 2 });
    const held = [c.sync('/'), c.sync('/')];
    held.forEach((p) => p.catch(() => undefined));
    await assert.rejects(c.sync('/'), (e: Error & { code: number }) => e.name === 'ClientQueueFullError' && e.code === -127);
  });

  test('abort stops waiting for a sent request and for a queued one', async () => {
    const s = await fake();
    s.onRequest = () => 'hold';
    const c = await client(s.connectString);
    const ac = new AbortController();
    const p = c.getData('/slow', { signal: ac.signal });
    await s.waitFor(() => s.ops().includes('getData'));
    ac.abort();
    await assert.rejects(p, { name: 'AbortError' });
    await assert.rejects(c.sync('/', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  test("whileDisconnected 'fail' rejects at once with ConnectionLossError", async () => {
    const s = await fake();
    const c = await client(s.connectString, { whileDisconnected: 'fail' });
    s.onConnect = () => ({ kind: 'hang' });
    s.conns[0]!.close();
    await s.waitFor(() => c.state === 'disconnected');
    await assert.rejects(c.sync('/'), { name: 'ConnectionLossError' });
  });

  test('close sends closeSession, waits for its reply, then fails later calls', async () => {
    const s = await fake();
    const c = await client(s.connectString);
    await c.close();
    assert.ok(s.ops().includes('closeSession'));
    assert.equal(c.state, 'closed');
    await assert.rejects(c.sync('/'), { name: 'ClientClosedError', code: -112 });
  });
});
