// ElectionTransport on loopback: survival rules between three in-process transports, the
// acceptor's handshake rules, frame limits, the queue of one, re-send on reconnect, and fuzzed
// input on the election port. Every wait is bounded; every transport and socket is closed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { ElectionTransport, type ElectionPeer } from '../../src/quorum/election-transport.js';
import { encodeHandshake, parseHandshake } from '../../src/quorum/net/election-handshake.js';
import { encodeNotification } from '../../src/zab/wire.js';
import type { Notification } from '../../src/zab/messages.js';
import { serverId, type ServerId } from '../../src/util/ids.js';
import { freePort } from '../support/ports.js';
import { frame, rawExchange, recordingLogger, sleep, vote, waitFor, within } from './helpers.js';

const FAST = { connectTimeoutMs: 1_000, handshakeTimeoutMs: 300, reconnectDelayMinMs: 20, reconnectDelayMaxMs: 200 };

interface Node {
  readonly transport: ElectionTransport;
  readonly received: { from: ServerId; n: Notification }[];
  readonly log: ReturnType<typeof recordingLogger>;
  /** `+sid` on peerConnected, `-sid` on peerDisconnected, in order. */
  readonly events: number[];
}

const open: ElectionTransport[] = [];
after(async () => {
  await Promise.all(open.map((t) => t.close()));
});

async function ports(count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await freePort());
  return out;
}

function peersOf(all: readonly number[], me: number): ElectionPeer[] {
  return all.flatMap((port, i) => (i + 1 === me ? [] : [{ sid: serverId(i + 1), host: '127.0.0.1', port }]));
}

async function startNode(all: readonly number[], me: number, extraPeers: ElectionPeer[] = []): Promise<Node> {
  const received: Node['received'] = [];
  const events: number[] = [];
  const log = recordingLogger();
  const transport = new ElectionTransport({
    myId: serverId(me),
    listen: { host: '127.0.0.1', port: all[me - 1]! },
    peers: [...peersOf(all, me), ...extraPeers],
    handlers: {
      notification: (from, n) => received.push({ from, n }),
      peerConnected: (sid) => events.push(sid),
      peerDisconnected: (sid) => events.push(-sid),
    },
    logger: log,
    ...FAST,
  });
  open.push(transport);
  await transport.start();
  return { transport, received, log, events };
}

describe('three election transports', () => {
  test('each pair keeps exactly one connection, initiated by the larger sid', async () => {
    const all = await ports(3);
    // Larger sids first, so the smaller ones' own dials meet live peers and must be pokes only.
    const three = await startNode(all, 3);
    const two = await startNode(all, 2);
    const nodes = [await startNode(all, 1), two, three];
    await waitFor('full mesh', () => nodes.every((n) => n.transport.connectedPeers().length === 2));
    await sleep(150); // let pokes and dial-backs settle, then check nothing extra is open
    for (let a = 1; a <= 3; a++) {
      const node = nodes[a - 1]!;
      assert.equal(node.transport.socketCount, 2, `server ${a} has only its two peer sockets`);
      // No connection initiated by the smaller sid was ever used, even briefly.
      assert.deepEqual([...node.events].sort(), [1, 2, 3].filter((b) => b !== a), `server ${a} events ${node.events}`);
      for (let b = 1; b <= 3; b++) {
        if (a === b) continue;
        const mine = node.transport.connectionInfo(serverId(b));
        const theirs = nodes[b - 1]!.transport.connectionInfo(serverId(a));
        assert.ok(mine !== null && theirs !== null);
        assert.equal(mine.initiator, Math.max(a, b));
        assert.equal(mine.localPort, theirs.remotePort, 'both ends see the same TCP connection');
      }
    }
    // Both directions carry frames on that one connection.
    for (let a = 1; a <= 3; a++) {
      for (let b = 1; b <= 3; b++) if (a !== b) nodes[a - 1]!.transport.send(serverId(b), vote(a, BigInt(10 * a + b)));
    }
    await waitFor('all votes', () => nodes.every((n) => n.received.length === 2));
    for (let b = 1; b <= 3; b++) {
      const got = nodes[b - 1]!.received.map((r) => [r.from, r.n.electionEpoch]).sort();
      const want = [1, 2, 3].filter((a) => a !== b).map((a) => [a, BigInt(10 * a + b)]).sort();
      assert.deepEqual(got, want);
      assert.deepEqual(nodes[b - 1]!.log.warnings(), []);
    }
    await Promise.all(nodes.map((n) => n.transport.close()));
    assert.ok(nodes.every((n) => n.transport.socketCount === 0));
  });

  test('a send queue of one drops older unsent notifications; a new connection re-sends the last one', async () => {
    const all = await ports(2);
    const two = await startNode(all, 1); // sid 1, peer 2 is down
    for (let epoch = 1n; epoch <= 3n; epoch++) assert.equal(two.transport.send(serverId(2), vote(1, epoch)), true);
    assert.equal(two.transport.stats.dropped, 2);
    const peer = await startNode(all, 2);
    await waitFor('the queued vote', () => peer.received.length >= 1);
    await sleep(150);
    assert.deepEqual(peer.received.map((r) => r.n.electionEpoch), [3n], 'only the newest unsent vote arrives');

    await peer.transport.close();
    const restarted = await startNode(all, 2);
    await waitFor('the re-sent vote', () => restarted.received.length >= 1);
    assert.deepEqual(restarted.received.map((r) => [r.from, r.n.electionEpoch]), [[1, 3n]]);
  });
});

describe('acceptor rules', () => {
  async function lone(): Promise<{ node: Node; port: number; all: number[] }> {
    const all = await ports(3);
    const node = await startNode(all, 2);
    return { node, port: all[1]!, all };
  }

  test('bad version, bad address length, own sid and unknown sid are closed and logged', async () => {
    const { node, port } = await lone();
    const badVersion = Buffer.alloc(8);
    badVersion.writeBigInt64BE(-5n);
    const zeroLength = encodeHandshake(3n, 'x').subarray(0, 20);
    zeroLength.writeInt32BE(0, 16);
    const longLength = Buffer.from(zeroLength);
    longLength.writeInt32BE(2049, 16);
    const cases = [badVersion, zeroLength, longLength, encodeHandshake(2n, '127.0.0.1:1'), encodeHandshake(9n, '127.0.0.1:1')];
    for (const bytes of cases) {
      const result = await rawExchange(port, bytes);
      assert.equal(result.closedByPeer, true);
    }
    assert.equal(node.transport.stats.protocolErrors, cases.length);
    const reasons = node.log.warnings().map((l) => (l.fields as { reason: string }).reason);
    assert.match(reasons[0]!, /version -5/);
    assert.match(reasons[1]!, /address length 0/);
    assert.match(reasons[2]!, /address length 2049/);
    assert.match(reasons[3]!, /my own sid/);
    assert.match(reasons[4]!, /not a configured/);
  });

  test('a pre-3.5 peer sending only its sid is accepted; frames are limited to 1..524288 bytes', async () => {
    const { node, port } = await lone();
    const sidOnly = Buffer.alloc(8);
    sidOnly.writeBigInt64BE(3n);
    // The largest legal frame: a v2 notification whose config fills it.
    const big = encodeNotification(vote(3, 7n, 'x'.repeat(524288 - 44)));
    assert.equal(big.length, 524288);
    const ok = await rawExchange(port, Buffer.concat([sidOnly, frame(big)]), 300);
    assert.equal(ok.closedByPeer, false);
    await waitFor('the big frame', () => node.received.length === 1);
    assert.equal(node.received[0]!.from, 3);
    assert.equal(node.received[0]!.n.config?.length, 524288 - 44);

    const tooBig = Buffer.alloc(4);
    tooBig.writeInt32BE(524289);
    const empty = Buffer.alloc(4);
    const garbage = frame(Buffer.from('not a notification'));
    for (const bad of [tooBig, empty, garbage]) {
      const errors = node.transport.stats.protocolErrors;
      const result = await rawExchange(port, Buffer.concat([sidOnly, bad]));
      assert.equal(result.closedByPeer, true);
      assert.equal(node.transport.stats.protocolErrors, errors + 1);
    }
  });

  test('a newer connection from the same sid replaces the older one', async () => {
    const { node, port } = await lone();
    const sidOnly = Buffer.alloc(8);
    sidOnly.writeBigInt64BE(3n);
    const first = net.connect({ host: '127.0.0.1', port });
    first.on('error', () => {});
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    first.write(sidOnly);
    await waitFor('the first connection', () => node.transport.connectionInfo(serverId(3)) !== null);
    const firstPort = node.transport.connectionInfo(serverId(3))!.remotePort;
    const second = net.connect({ host: '127.0.0.1', port });
    second.on('error', () => {});
    second.write(Buffer.concat([sidOnly, frame(encodeNotification(vote(3, 5n)))]));
    assert.equal(await within(firstClosed.then(() => 'closed'), 2_000, () => 'open'), 'closed', 'the older connection is shut down');
    await waitFor('the vote on the second', () => node.received.length === 1);
    assert.notEqual(node.transport.connectionInfo(serverId(3))!.remotePort, firstPort);
    second.destroy();
  });

  test('a smaller sid is closed and dialed back at its advertised address', async () => {
    const { node, port } = await lone();
    const handshakes: Buffer[] = [];
    const fakeOne = net.createServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        const parsed = parseHandshake(Buffer.concat(chunks));
        if (parsed !== null) handshakes.push(Buffer.concat(chunks));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => fakeOne.listen(0, '127.0.0.1', resolve));
    const advertised = (fakeOne.address() as net.AddressInfo).port;
    try {
      const result = await rawExchange(port, encodeHandshake(1n, `127.0.0.1:${advertised}`));
      assert.equal(result.closedByPeer, true, 'the smaller sid is not kept');
      await waitFor('the dial-back', () => handshakes.length >= 1);
      const parsed = parseHandshake(handshakes[0]!);
      assert.equal(parsed?.sid, 2n);
      assert.equal(parsed?.version, 'v1');
      assert.deepEqual(parsed?.addresses, [`127.0.0.1:${port}`]);
      await waitFor('the dialed-back connection', () => node.transport.connectionInfo(serverId(1))?.initiator === 2);
    } finally {
      await node.transport.close();
      await new Promise<void>((resolve) => fakeOne.close(() => resolve()));
    }
  });
});

describe('reconnects', () => {
  test('back off from the minimum, doubling to the maximum, on the injected timers; close() clears them all', async () => {
    const [mine, downPort] = await ports(2);
    const delays: number[] = [];
    const live = new Set<unknown>();
    const transport = new ElectionTransport({
      myId: serverId(5),
      listen: { host: '127.0.0.1', port: mine! },
      peers: [{ sid: serverId(4), host: '127.0.0.1', port: downPort! }],
      connectTimeoutMs: 1_000,
      reconnectDelayMinMs: 10,
      reconnectDelayMaxMs: 40,
      timers: {
        setTimeout: (fn, delayMs) => {
          if (delayMs !== 1_000) delays.push(delayMs);
          const handle = setTimeout(() => {
            live.delete(handle);
            fn();
          }, delayMs);
          live.add(handle);
          return handle;
        },
        clearTimeout: (handle) => {
          live.delete(handle);
          clearTimeout(handle as ReturnType<typeof setTimeout>);
        },
      },
    });
    open.push(transport);
    await transport.start();
    await waitFor('five reconnect delays', () => delays.length >= 5);
    assert.deepEqual(delays.slice(0, 5), [10, 20, 40, 40, 40]);
    await transport.close();
    assert.equal(live.size, 0, 'no timer left running');
    assert.equal(transport.socketCount, 0);
  });
});

describe('fuzzed election input', () => {
  test('random and mutated bytes never crash the transport, which keeps serving', async () => {
    const all = await ports(3);
    const node = await startNode(all, 2);
    const port = all[1]!;
    const valid = Buffer.concat([encodeHandshake(3n, '127.0.0.1:1'), frame(encodeNotification(vote(3, 1n)))]);
    const inputs = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length)).map(([at, byte, cut]) => {
        const copy = Buffer.from(valid);
        copy[at] = byte;
        return copy.subarray(0, Math.max(cut, at + 1));
      }),
    );
    const samples = fc.sample(inputs, { numRuns: 60, seed: 42 });
    for (let i = 0; i < samples.length; i += 10) {
      await Promise.all(samples.slice(i, i + 10).map((bytes) => rawExchange(port, bytes, 300)));
    }
    assert.ok(node.transport.stats.protocolErrors > 0, 'some inputs were refused');
    // Still serving: a real peer connects and votes.
    const three = await startNode(all, 3);
    three.transport.send(serverId(2), vote(3, 99n));
    await waitFor('a vote after the fuzz', () => node.received.some((r) => r.n.electionEpoch === 99n));
  });
});
