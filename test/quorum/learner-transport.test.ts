// LeaderListener / connectToLeader on loopback: packets round trip both ways (also written in
// random small pieces), bad input disconnects only that peer with a log line, reads pause when
// the consumer falls behind, a read timeout closes a silent peer, and fuzzed bytes never crash
// the listener. Every wait is bounded; every socket is closed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import fc from 'fast-check';
import { LeaderListener, connectToLeader, type QuorumConnection } from '../../src/quorum/learner-transport.js';
import type { QuorumPacket } from '../../src/zab/messages.js';
import { encodeQuorumPacket } from '../../src/zab/wire.js';
import { sessionId, zxid } from '../../src/util/ids.js';
import { rawExchange, recordingLogger, sleep, waitFor, within } from './helpers.js';
import { samplePackets } from './packets.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function leader(options: { packetBytesMax?: number; inboundBytesMax?: number } = {}) {
  const accepted: QuorumConnection[] = [];
  const log = recordingLogger();
  const listener = new LeaderListener({ host: '127.0.0.1', port: 0, onConnection: (c) => accepted.push(c), logger: log, ...options });
  const port = await listener.listen();
  cleanups.push(() => listener.close());
  return { listener, port, accepted, log };
}

async function learner(port: number): Promise<QuorumConnection> {
  const connection = await connectToLeader({ host: '127.0.0.1', port, connectTimeoutMs: 2_000 });
  cleanups.push(async () => {
    connection.close();
    await connection.closed;
  });
  return connection;
}

/** Receives `count` packets, each wait bounded. */
async function take(connection: QuorumConnection, count: number, timeoutMs = 5_000): Promise<(QuorumPacket | null)[]> {
  const out: (QuorumPacket | null)[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      await within(connection.receive(), timeoutMs, () => {
        throw new Error(`no packet ${i} within ${timeoutMs} ms`);
      }),
    );
  }
  return out;
}

const bytesOf = (packets: readonly (QuorumPacket | null)[]): Buffer[] => packets.map((p) => (p === null ? Buffer.from('null') : encodeQuorumPacket(p)));

describe('learner transport', () => {
  test('every packet shape round trips both ways', async () => {
    const { port, accepted } = await leader();
    const toLeader = await learner(port);
    await waitFor('accept', () => accepted.length === 1);
    const fromLearner = accepted[0]!;
    const packets = samplePackets();
    for (const p of packets) assert.equal(toLeader.send(p), true);
    for (const p of packets) fromLearner.send(p);
    assert.deepEqual(bytesOf(await take(fromLearner, packets.length)), bytesOf(packets));
    assert.deepEqual(bytesOf(await take(toLeader, packets.length)), bytesOf(packets));
  });

  test('a burst sent in one tick arrives whole and in order, and send() reports backpressure', async () => {
    const { port, accepted } = await leader();
    const toLeader = await learner(port);
    await waitFor('accept', () => accepted.length === 1);
    const fromLearner = accepted[0]!;
    // 2000 requests of 16 KiB (32 MiB): far past one batch (64 KiB), and past what the kernel and
    // the reader (which pauses at inboundBytesMax) take in before the socket's buffer fills.
    const burst: QuorumPacket[] = Array.from({ length: 2000 }, (_, i) => ({
      kind: 'packet', type: 'REQUEST', zxid: zxid(0),
      request: { sessionId: sessionId(BigInt(i + 1)), cxid: i, opType: 1, body: new Uint8Array(16 * 1024).fill(i & 0xff), authinfo: null },
    }));
    const answers = burst.map((p) => toLeader.send(p));
    assert.equal(answers[0], true);
    assert.ok(answers.includes(false), 'send() never asked the caller to wait for drained()');
    const received = await take(fromLearner, burst.length);
    assert.deepEqual(bytesOf(received), bytesOf(burst));
  });

  test('packets written in random small pieces arrive whole and in order', async () => {
    const { port, accepted } = await leader();
    const packets = samplePackets();
    const stream = Buffer.concat(packets.map((p) => encodeQuorumPacket(p)));
    const cuts = fc.sample(fc.integer({ min: 1, max: 17 }), { numRuns: stream.length, seed: 7 });
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    cleanups.push(async () => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    await waitFor('accept', () => accepted.length === 1);
    for (let at = 0, i = 0; at < stream.length; i++) {
      const end = Math.min(stream.length, at + cuts[i % cuts.length]!);
      socket.write(stream.subarray(at, end));
      at = end;
      if (i % 8 === 0) await sleep(1); // let pieces leave as separate segments
    }
    assert.deepEqual(bytesOf(await take(accepted[0]!, packets.length)), bytesOf(packets));
  });

  test('unknown, malformed, oversized and truncated packets drop only that peer, with a log line', async () => {
    const { port, accepted, log, listener } = await leader({ packetBytesMax: 4096 });
    const ack = encodeQuorumPacket({ kind: 'packet', type: 'ACK', zxid: zxid(5) });
    const unknown = Buffer.from(ack);
    unknown.writeInt32BE(99, 0);
    const badData = encodeQuorumPacket({ kind: 'packet', type: 'ACK', zxid: zxid(5) });
    badData.writeInt32BE(18, 0); // ACKEPOCH needs data
    const oversized = Buffer.alloc(16);
    oversized.writeInt32BE(2, 0);
    oversized.writeInt32BE(1_000_000, 12);
    const badLength = Buffer.from(ack);
    badLength.writeInt32BE(-7, 12);
    const truncated = ack.subarray(0, 13);
    const cases: [Buffer, RegExp, boolean][] = [
      [unknown, /unsupported quorum packet type 99/, true],
      [badData, /ACKEPOCH without data/, true],
      [oversized, /exceeds 4096/, true],
      [badLength, /bad length -7/, true],
      [truncated, /mid-record/, false],
    ];
    for (const [bad, reason, closedByUs] of cases) {
      const before = accepted.length;
      const warnings = log.warnings().length;
      // A good packet first: it is still delivered before the connection ends.
      const result = await rawExchange(port, Buffer.concat([ack, bad]), closedByUs ? 2_000 : 200);
      assert.equal(result.closedByPeer, closedByUs);
      await waitFor('accept', () => accepted.length === before + 1);
      const connection = accepted[before]!;
      const reasonText = await within(connection.closed, 2_000, () => 'not closed');
      assert.deepEqual(bytesOf(await take(connection, 2)), bytesOf([{ kind: 'packet', type: 'ACK', zxid: zxid(5) }, null]));
      await waitFor('a warning', () => log.warnings().length > warnings);
      const logged = log.warnings().slice(warnings).map((l) => JSON.stringify(l.fields) + l.message).join('\n');
      assert.match(closedByUs ? reasonText : logged, reason);
    }
    // The listener still serves.
    const fresh = await learner(port);
    fresh.send({ kind: 'packet', type: 'ACK', zxid: zxid(6) });
    await waitFor('accept', () => listener.connectionCount >= 1 && accepted.length === cases.length + 1);
    assert.equal((await take(accepted.at(-1)!, 1))[0]?.zxid, 6n);
  });

  test('reads pause while the consumer is behind, and resume as it catches up', async () => {
    const inboundBytesMax = 64 * 1024;
    const { port, accepted } = await leader({ inboundBytesMax });
    const toLeader = await learner(port);
    await waitFor('accept', () => accepted.length === 1);
    const body = Buffer.alloc(10_000, 7);
    const count = 2_000; // ~20 MB: far more than the bound and the loopback socket buffers
    let refused = 0;
    for (let cxid = 0; cxid < count; cxid++) {
      const ok = toLeader.send({ kind: 'packet', type: 'REQUEST', zxid: zxid(-1), request: { sessionId: sessionId(1), cxid, opType: 5, body, authinfo: null } });
      if (!ok) refused++;
    }
    assert.ok(refused > 0, 'the sender was told to wait for drain');
    const connection = accepted[0]!;
    await waitFor('reads paused', () => connection.readingPaused);
    await sleep(100);
    assert.ok(connection.queuedBytes < inboundBytesMax + 128 * 1024, `queued ${connection.queuedBytes} bytes`);
    const got = await take(connection, count);
    assert.deepEqual(
      got.map((p) => (p?.type === 'REQUEST' ? p.request.cxid : -1)),
      [...Array(count).keys()],
    );
    assert.equal(connection.readingPaused, false);
    await within(toLeader.drained(), 2_000, () => undefined);
  });

  test('a read timeout closes a silent peer', async () => {
    const { port, accepted } = await leader();
    await learner(port);
    await waitFor('accept', () => accepted.length === 1);
    accepted[0]!.setReadTimeout(100);
    const reason = await within(accepted[0]!.closed, 2_000, () => 'still open');
    assert.match(reason, /nothing received for 100 ms/);
  });

  test('fuzzed bytes on the quorum port never crash the listener', async () => {
    const { port, accepted } = await leader({ packetBytesMax: 64 * 1024 });
    const valid = Buffer.concat(samplePackets().map((p) => encodeQuorumPacket(p)));
    const inputs = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(valid.length)).map(([at, byte, cut]) => {
        const copy = Buffer.from(valid);
        copy[at] = byte;
        return copy.subarray(0, Math.max(cut, at + 1));
      }),
    );
    const samples = fc.sample(inputs, { numRuns: 60, seed: 11 });
    for (let i = 0; i < samples.length; i += 10) {
      await Promise.all(samples.slice(i, i + 10).map((bytes) => rawExchange(port, bytes, 200)));
    }
    // Drain whatever decoded; every connection ends (closed by us or by the fuzzer).
    for (const c of accepted) {
      c.close('test done');
      for (let p = await c.receive(); p !== null; p = await c.receive());
    }
    const n = accepted.length;
    const fresh = await learner(port);
    fresh.send({ kind: 'packet', type: 'PING', zxid: zxid(1), touches: [] });
    await waitFor('accept', () => accepted.length === n + 1);
    assert.equal((await take(accepted[n]!, 1))[0]?.type, 'PING');
  });
});
