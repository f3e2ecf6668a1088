// Tests of the ensemble test tools: the fault-injecting TCP proxy (pass / drop / reject / cutAll,
// head rewriting) with plain sockets on loopback, and the election handshake rewrite. The tools
// driving real Apache ensembles are tested in test/interop/ensemble-tools-apache.test.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { startProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { parseMode } from '../support/ensemble.js';
import { electionHandshakeRewriter } from '../support/ensemble-member.js';
import { PROTOCOL_VERSION_V2, encodeHandshake, parseHandshake } from '../../src/quorum/net/election-handshake.js';
import { sleep, waitFor } from './helpers.js';

interface EchoServer {
  readonly port: number;
  readonly accepted: Socket[];
  /** Bytes received by the echo server, over all connections. */
  received(): string;
  close(): Promise<void>;
}

/** An echo server that records what it receives and closes its side when the client ends. */
async function startEcho(): Promise<EchoServer> {
  const accepted: Socket[] = [];
  let received = '';
  const server: Server = createServer((socket) => {
    accepted.push(socket);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    port: address.port,
    accepted,
    received: () => received,
    close: () => {
      for (const s of accepted) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Client {
  readonly socket: Socket;
  data(): string;
  closed(): boolean;
}

async function dial(port: number): Promise<Client> {
  const socket = connect({ host: '127.0.0.1', port });
  let data = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, data: () => data, closed: () => closed };
}

describe('tcp proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  async function setup(): Promise<{ echo: EchoServer; proxy: TcpProxy }> {
    const echo = await startEcho();
    const proxy = await startProxy(echo.port);
    cleanups.push(() => echo.close(), () => proxy.close());
    return { echo, proxy };
  }

  test('pass forwards both ways and passes a close on', async () => {
    const { echo, proxy } = await setup();
    assert.notEqual(proxy.port, echo.port);
    assert.equal(proxy.mode, 'pass');
    const client = await dial(proxy.port);
    client.socket.write('hello');
    await waitFor('echo', () => client.data() === 'hello');
    assert.equal(proxy.connectionCount(), 1);
    // The echo server closes its side: the client sees the close through the proxy.
    echo.accepted[0]!.destroy();
    await waitFor('close reaches the client', () => client.closed());
    await waitFor('the link is gone', () => proxy.connectionCount() === 0);
  });

  test('drop holds bytes both ways and new connections, and delivers them in order after heal', async () => {
    const { echo, proxy } = await setup();
    const old = await dial(proxy.port);
    old.socket.write('a');
    await waitFor('first echo', () => old.data() === 'a');

    proxy.setMode('drop');
    old.socket.write('b');
    const fresh = await dial(proxy.port); // accepted by the proxy...
    fresh.socket.write('c');
    await sleep(300);
    assert.equal(echo.received(), 'a', 'nothing reached the target during the partition');
    assert.equal(echo.accepted.length, 1, '...but not dialed upstream during the partition');
    assert.equal(old.data(), 'a');
    assert.equal(fresh.data(), '');
    assert.ok(!old.closed() && !fresh.closed(), 'connections stay open');

    proxy.setMode('pass');
    await waitFor('held bytes delivered and echoed', () => old.data() === 'ab' && fresh.data() === 'c');
    assert.equal(echo.accepted.length, 2);
    old.socket.write('d');
    await waitFor('flows again', () => old.data() === 'abd');
  });

  test('a close made during a drop reaches the other side after heal', async () => {
    const { echo, proxy } = await setup();
    const client = await dial(proxy.port);
    client.socket.write('x');
    await waitFor('echo', () => client.data() === 'x');
    proxy.setMode('drop');
    echo.accepted[0]!.destroy();
    await sleep(200);
    assert.ok(!client.closed(), 'the close is held by the partition');
    proxy.setMode('pass');
    await waitFor('close delivered after heal', () => client.closed());
  });

  test('reject closes existing and new connections; pass accepts again', async () => {
    const { echo, proxy } = await setup();
    const client = await dial(proxy.port);
    client.socket.write('x');
    await waitFor('echo', () => client.data() === 'x');
    proxy.setMode('reject');
    await waitFor('existing connection closed', () => client.closed());
    const refused = await dial(proxy.port);
    refused.socket.write('y');
    await waitFor('new connection closed', () => refused.closed());
    assert.equal(echo.received(), 'x');
    proxy.setMode('pass');
    const again = await dial(proxy.port);
    again.socket.write('z');
    await waitFor('works after reject', () => again.data() === 'z');
  });

  test('cutAll closes current connections and keeps the mode', async () => {
    const { proxy } = await setup();
    const a = await dial(proxy.port);
    const b = await dial(proxy.port);
    a.socket.write('1');
    b.socket.write('2');
    await waitFor('both echo', () => a.data() === '1' && b.data() === '2');
    proxy.cutAll();
    await waitFor('both closed', () => a.closed() && b.closed());
    assert.equal(proxy.mode, 'pass');
    assert.equal(proxy.connectionCount(), 0);
    const c = await dial(proxy.port);
    c.socket.write('3');
    await waitFor('new connection works', () => c.data() === '3');
  });

  test('rewriteHead replaces the first bytes once, whatever the chunking', async () => {
    const echo = await startEcho();
    // Waits for "HELLO <name>;" and replaces the name.
    const proxy = await startProxy(echo.port, {
      rewriteHead: (head) => {
        const end = head.indexOf(';');
        return end < 0 ? null : { consumed: end + 1, replacement: Buffer.from('HELLO proxy;') };
      },
    });
    cleanups.push(() => echo.close(), () => proxy.close());
    const client = await dial(proxy.port);
    client.socket.write('HEL');
    await sleep(50);
    client.socket.write('LO me;rest;');
    await waitFor('rewritten head and the rest', () => echo.received() === 'HELLO proxy;rest;');
    client.socket.write('HELLO again;');
    await waitFor('only the head is rewritten', () => echo.received() === 'HELLO proxy;rest;HELLO again;');
  });

  test('the election handshake rewrite keeps version and sid and names the way back', () => {
    const rewrite = electionHandshakeRewriter(() => 4242);
    const original = encodeHandshake(3n, '127.0.0.1:1111');
    assert.equal(rewrite(original.subarray(0, 19)), null, 'incomplete');
    const frame = Buffer.from([0, 0, 0, 1, 7]);
    const result = rewrite(Buffer.concat([original, frame]));
    assert.ok(result !== null);
    assert.equal(result.consumed, original.length);
    const parsed = parseHandshake(result.replacement);
    assert.deepEqual(parsed, { version: 'v1', sid: 3n, addresses: ['127.0.0.1:4242'], bytes: result.replacement.length });
    const v2 = Buffer.from(original);
    v2.writeBigInt64BE(PROTOCOL_VERSION_V2, 0);
    assert.equal(parseHandshake(rewrite(v2)!.replacement)?.version, 'v2');
    const legacy = Buffer.alloc(8);
    legacy.writeBigInt64BE(3n, 0);
    assert.deepEqual(rewrite(legacy), { consumed: 0, replacement: Buffer.alloc(0) });
  });

  test('a target that is down closes the proxied connection', async () => {
    const { echo, proxy } = await setup();
    await echo.close();
    const client = await dial(proxy.port);
    await waitFor('closed when the upstream is refused', () => client.closed());
  });
});

test('parseMode reads the srvr Mode line', () => {
  assert.equal(parseMode('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n'), 'follower');
  assert.equal(parseMode('Mode: leader\n'), 'leader');
  assert.equal(parseMode('Mode: read-only\n'), null);
  assert.equal(parseMode('This ZooKeeper instance is not currently serving requests\n'), null);
});
