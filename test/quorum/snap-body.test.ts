// The SNAP body on the learner stream (storage-and-quorum.md §4.7, §10.4). SnapBodyReader alone:
// whole input, byte by byte and random splits give the same body and the same trailing bytes;
// malformed and oversized bodies fail. Over loopback: sendSnapshot() after send(SNAP) round trips
// a many-node tree; a body written in many small pieces between other packets arrives whole, and
// packets after it are decoded again; a truncated body, garbage instead of "BenWasHere" and a body
// over snapshotBytesMax each disconnect with one log line. Every wait is bounded.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { LeaderListener, connectToLeader, type QuorumConnection, type QuorumTransportOptions } from '../../src/quorum/learner-transport.js';
import { SnapBodyReader } from '../../src/quorum/net/snap-body-reader.js';
import { encodeSnapshot, SnapshotFormatError, type SnapshotContent, type SnapshotNode } from '../../src/storage/format/snapshot-format.js';
import type { QuorumPacket } from '../../src/zab/messages.js';
import { encodeQuorumPacket } from '../../src/zab/wire.js';
import { zxid } from '../../src/util/ids.js';
import { recordingLogger, sleep, waitFor, within } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tree(nodeCount: number): SnapshotContent {
  const nodes: SnapshotNode[] = [];
  const stat = (i: number) => ({
    czxid: zxid(i),
    mzxid: zxid(i + 1),
    ctime: 1_700_000_000_000 + i,
    mtime: 1_700_000_000_001 + i,
    version: i % 7,
    cversion: i % 5,
    aversion: 0,
    ephemeralOwner: i % 11 === 0 ? 0x1234n : 0n,
    pzxid: zxid(i),
  });
  nodes.push({ path: '/', data: null, aclRef: -1n, stat: stat(0) });
  for (let i = 1; i < nodeCount; i++) {
    const data = i % 3 === 0 ? null : Uint8Array.from({ length: i % 50 }, (_, k) => (i + k) & 0xff);
    nodes.push({ path: `/n${i}`, data, aclRef: BigInt(1 + (i % 2)), stat: stat(i) });
  }
  return {
    sessions: [
      [0x100000001n, 30_000],
      [0x100000002n, 4_000],
    ],
    aclCache: [
      [1n, [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]],
      [2n, [{ perms: 1, id: { scheme: 'digest', id: 'u:hash' } }, { perms: 31, id: { scheme: 'ip', id: '10.0.0.1' } }]],
    ],
    nodes,
  };
}

const wireBody = (content: SnapshotContent): Buffer => Buffer.concat([...encodeSnapshot(content, 4096, 'wire')]);
const plain = (content: SnapshotContent | null) =>
  content === null ? null : { sessions: [...content.sessions], aclCache: [...content.aclCache], nodes: [...content.nodes] };
const snap = (at: number): QuorumPacket => ({ kind: 'packet', type: 'SNAP', zxid: zxid(at) });
const ping = (at: number): QuorumPacket => ({ kind: 'packet', type: 'PING', zxid: zxid(at), touches: [] });

describe('SnapBodyReader', () => {
  const content = tree(300);
  const body = wireBody(content);
  const after = encodeQuorumPacket(ping(9));
  const input = Buffer.concat([body, after]);

  function feed(pieces: Buffer[]) {
    const reader = new SnapBodyReader(1 << 20);
    let result = null;
    const extra: Buffer[] = [];
    for (const piece of pieces) {
      if (result !== null) extra.push(piece);
      else result = reader.push(piece);
    }
    assert.ok(result !== null, 'body complete');
    assert.equal(result.bodyBytes, body.length);
    assert.equal(result.nodeCount, 300);
    assert.deepEqual(plain(result.content), plain(content));
    assert.deepEqual(Buffer.concat([result.rest, ...extra]), after);
  }

  test('whole, byte by byte and in random splits', () => {
    feed([input]);
    feed([...input].map((b) => Buffer.of(b)));
    fc.assert(
      fc.property(fc.array(fc.nat(input.length), { maxLength: 40 }), (cuts) => {
        const sorted = [0, ...cuts.sort((a, b) => a - b), input.length];
        feed(sorted.slice(1).map((end, i) => input.subarray(sorted[i], end)));
      }),
      { numRuns: 50, seed: 3 },
    );
  });

  test('an empty tree (root only, no sessions or ACLs)', () => {
    const empty: SnapshotContent = { sessions: [], aclCache: [], nodes: [tree(1).nodes[Symbol.iterator]().next().value as SnapshotNode] };
    const result = new SnapBodyReader(1024).push(wireBody(empty));
    assert.deepEqual(plain(result?.content ?? null), plain(empty));
  });

  test('malformed or oversized bodies fail, and stay failed', () => {
    const wrongTrailer = Buffer.from(body);
    wrongTrailer.write('BenWasGone', body.length - 10, 'latin1');
    const negativeCount = Buffer.from(body);
    negativeCount.writeInt32BE(-2, 0);
    const cases: [Buffer, number, RegExp][] = [
      [wrongTrailer, 1 << 20, /BenWasHere/],
      [negativeCount, 1 << 20, /bad session count -2/],
      [body, body.length - 1, /longer than/],
    ];
    for (const [bytes, bytesMax, reason] of cases) {
      const reader = new SnapBodyReader(bytesMax);
      assert.throws(() => reader.push(bytes), (err: unknown) => err instanceof SnapshotFormatError && reason.test(err.message));
      assert.throws(() => reader.push(Buffer.of(0)), SnapshotFormatError);
    }
    // An announced length past the bound fails before those bytes arrive.
    const reader = new SnapBodyReader(64 * 1024);
    const start = Buffer.alloc(8 + 4 + 2);
    start.writeInt32BE(0, 0); // no sessions
    start.writeInt32BE(0, 4); // no ACLs
    start.writeInt32BE(2, 8); // path "/a"
    start.write('/a', 12, 'latin1');
    const dataLength = Buffer.alloc(4);
    dataLength.writeInt32BE(1_000_000);
    assert.throws(() => reader.push(Buffer.concat([start, dataLength])), /longer than 65536/);
  });
});

async function learnerTo(port: number, options: QuorumTransportOptions = {}): Promise<QuorumConnection> {
  const connection = await connectToLeader({ host: '127.0.0.1', port, connectTimeoutMs: 2_000, snapshotAfterSnap: true, ...options });
  cleanups.push(async () => {
    connection.close();
    await connection.closed;
  });
  return connection;
}

/** A raw leader: writes `stream` to the first learner in pieces of 1..`pieceMax` bytes, then optionally ends. */
async function rawLeader(stream: Buffer, pieceMax: number, end: boolean): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    void (async () => {
      const cuts = fc.sample(fc.integer({ min: 1, max: pieceMax }), { numRuns: 64, seed: 5 });
      for (let at = 0, i = 0; at < stream.length && !socket.destroyed; i++) {
        const next = Math.min(stream.length, at + cuts[i % cuts.length]!);
        socket.write(stream.subarray(at, next));
        at = next;
        if (i % 16 === 0) await sleep(1); // separate segments
      }
      if (end) socket.end();
    })();
  });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

async function next(connection: QuorumConnection): Promise<QuorumPacket | null> {
  return within(connection.receive(), 5_000, () => {
    throw new Error('no packet within 5 s');
  });
}

describe('SNAP body over the learner transport', () => {
  test('sendSnapshot after send(SNAP) round trips a many-node tree; packets after it decode again', async () => {
    const accepted: QuorumConnection[] = [];
    const listener = new LeaderListener({ host: '127.0.0.1', port: 0, onConnection: (c) => accepted.push(c) });
    const port = await listener.listen();
    cleanups.push(() => listener.close());
    const learner = await learnerTo(port);
    await waitFor('accept', () => accepted.length === 1);
    const content = tree(20_000);
    const leader = accepted[0]!;
    leader.send(ping(1));
    leader.send(snap(0x100000005));
    leader.sendSnapshot(content);
    leader.send({ kind: 'packet', type: 'NEWLEADER', zxid: zxid(0x200000000), config: null });
    assert.equal((await next(learner))?.type, 'PING');
    assert.equal(learner.takeSnapshot(), null);
    const got = await next(learner);
    assert.deepEqual(got, snap(0x100000005));
    assert.deepEqual(plain(learner.takeSnapshot()), plain(content));
    assert.equal(learner.takeSnapshot(), null, 'handed out once');
    assert.equal((await next(learner))?.type, 'NEWLEADER');
  });

  test('a body bigger than outboundBytesMax is sent whole; a queued SNAP holds reads until taken', async () => {
    const accepted: QuorumConnection[] = [];
    const listener = new LeaderListener({ host: '127.0.0.1', port: 0, outboundBytesMax: 16 * 1024, onConnection: (c) => accepted.push(c) });
    const port = await listener.listen();
    cleanups.push(() => listener.close());
    const learner = await learnerTo(port, { inboundBytesMax: 64 * 1024 });
    await waitFor('accept', () => accepted.length === 1);
    const content = tree(100_000); // ~7 MB of body: more than the loopback socket buffers take at once
    const leader = accepted[0]!;
    leader.send(snap(9));
    leader.sendSnapshot(content);
    assert.equal(leader.send(ping(3)), false, 'the caller is told to wait for drain, not dropped');
    assert.equal(leader.isClosed, false);
    // The SNAP with its body counts against inboundBytesMax: reads pause until it is taken.
    await waitFor('SNAP queued', () => learner.queuedBytes > 64 * 1024);
    assert.equal(learner.readingPaused, true);
    assert.deepEqual(await next(learner), snap(9));
    assert.equal(learner.readingPaused, false);
    assert.equal([...learner.takeSnapshot()!.nodes].length, 100_000);
    assert.deepEqual(await next(learner), ping(3));
    await within(leader.drained(), 2_000, () => undefined);
    assert.equal(leader.isClosed, false);
  });

  test('a body written in many small pieces arrives whole, between other packets', async () => {
    const content = tree(3_000);
    const stream = Buffer.concat([
      encodeQuorumPacket(ping(1)),
      encodeQuorumPacket(snap(7)),
      wireBody(content),
      encodeQuorumPacket(ping(2)),
      encodeQuorumPacket({ kind: 'packet', type: 'UPTODATE', zxid: zxid(-1) }),
    ]);
    const port = await rawLeader(stream, 700, false);
    const learner = await learnerTo(port);
    const packets = [await next(learner), await next(learner)];
    assert.deepEqual(packets, [ping(1), snap(7)]);
    assert.deepEqual(plain(learner.takeSnapshot()), plain(content));
    assert.deepEqual(await next(learner), ping(2));
    assert.equal((await next(learner))?.type, 'UPTODATE');
    assert.equal(learner.isClosed, false);
  });

  test('without snapshotAfterSnap, SNAP is an ordinary packet', async () => {
    const stream = Buffer.concat([encodeQuorumPacket(snap(7)), encodeQuorumPacket(ping(2))]);
    const port = await rawLeader(stream, 5, false);
    const learner = await learnerTo(port, { snapshotAfterSnap: false });
    assert.deepEqual([await next(learner), await next(learner)], [snap(7), ping(2)]);
    assert.equal(learner.takeSnapshot(), null);
  });

  const content = tree(500);
  const body = wireBody(content);
  const garbage = Buffer.from(body);
  garbage.write('NotBenHere', body.length - 10, 'latin1');
  const faults: [string, Buffer, QuorumTransportOptions, RegExp, RegExp][] = [
    ['a truncated body', body.subarray(0, body.length - 100), {}, /mid-SNAP body/, /truncated SNAP body/],
    ['garbage instead of BenWasHere', garbage, {}, /bad SNAP body.*BenWasHere/, /dropping quorum peer/],
    ['a body over snapshotBytesMax', body, { snapshotBytesMax: 10_000 }, /bad SNAP body.*longer than 10000/, /dropping quorum peer/],
  ];
  for (const [what, bodyBytes, options, reason, logLine] of faults) {
    test(`${what} disconnects with one log line; packets before it are delivered`, async () => {
      // After a truncated body the stream ends; otherwise a packet follows that must not be delivered.
      const tail = bodyBytes.length < body.length ? [] : [encodeQuorumPacket(ping(2))];
      const stream = Buffer.concat([encodeQuorumPacket(ping(1)), encodeQuorumPacket(snap(7)), bodyBytes, ...tail]);
      const port = await rawLeader(stream, 900, true);
      const log = recordingLogger();
      const learner = await learnerTo(port, { ...options, logger: log });
      assert.deepEqual(await next(learner), ping(1));
      assert.equal(await next(learner), null, 'the SNAP with a bad body is not delivered');
      assert.equal(learner.takeSnapshot(), null);
      assert.match(await learner.closed, reason);
      assert.equal(log.warnings().length, 1);
      assert.match(log.warnings()[0]!.message, logLine);
    });
  }
});
