// Tests for the benchmark's pure parts: request templates (decoded back with the server's codec),
// reply checking, percentiles, ratios, quota splitting and option parsing. No servers, no timing.
// Run: node --import tsx --test bench/bench.test.ts
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteWriter } from '../src/jute/writer.js';
import { decodeRequestFrame, writeReply, type Stat } from '../src/proto/index.js';
import type { SessionId, Zxid } from '../src/util/ids.js';
import { splitEvenly } from './load.js';
import { parseBenchOptions, UsageError } from './options.js';
import { emptyTally, LatencyLog, RequestTemplate, SessionPipeline } from './pipeline.js';
import type { RawSession } from './raw-session.js';
import { replyProblem } from './reply-check.js';
import { percentile, ratioRows, resultRow } from './report.js';

function stamped(template: RequestTemplate, xid: number): Buffer {
  const out = Buffer.alloc(template.frameBytes);
  template.stamp(out, 0, xid);
  return out;
}

function decodeFrame(frame: Buffer): ReturnType<typeof decodeRequestFrame> {
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'length prefix covers the rest of the frame');
  return decodeRequestFrame(frame.subarray(4));
}

const stat = (dataLength: number): Stat => ({
  czxid: 1n as Zxid, mzxid: 1n as Zxid, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0,
  ephemeralOwner: 0n as SessionId, dataLength, numChildren: 0, pzxid: 1n as Zxid,
});

describe('RequestTemplate', () => {
  test('create frames carry the xid and a fresh fixed-width path each time', () => {
    const t = new RequestTemplate('create', '/b/c3-', Buffer.alloc(7, 1));
    const paths = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { header, request } = decodeFrame(stamped(t, 100 + i));
      assert.equal(header.xid, 100 + i);
      assert.equal(request.op, 'create');
      if (request.op !== 'create') return;
      assert.equal(request.path, `/b/c3-${String(i).padStart(10, '0')}`);
      assert.equal(request.data?.length, 7);
      assert.equal(request.flags, 0);
      paths.add(request.path);
    }
    assert.equal(paths.size, 12);
  });

  test('fixed-path ops decode to the request asked for, several frames side by side', () => {
    for (const op of ['setData', 'getData', 'exists'] as const) {
      const t = new RequestTemplate(op, '/b/n5', Buffer.alloc(3, 2));
      const out = Buffer.alloc(t.frameBytes * 3);
      for (let i = 0; i < 3; i++) t.stamp(out, i * t.frameBytes, i + 1);
      for (let i = 0; i < 3; i++) {
        const { header, request } = decodeFrame(out.subarray(i * t.frameBytes, (i + 1) * t.frameBytes));
        assert.equal(header.xid, i + 1);
        assert.equal(request.op, op);
        assert.equal('path' in request ? request.path : undefined, '/b/n5');
        if (request.op === 'setData') assert.equal(request.version, -1);
        if (request.op === 'getData' || request.op === 'exists') assert.equal(request.watch, false);
      }
    }
  });
});

describe('replyProblem', () => {
  const reply = (err: number, body: Parameters<typeof writeReply>[4]): Buffer => {
    const w = new JuteWriter();
    writeReply(w, 7, 5n, err, body);
    return w.view().subarray(4);
  };
  test('accepts the right bodies', () => {
    assert.equal(replyProblem('create', reply(0, { kind: 'create', path: '/b/c0-0000000001' }), '/b/c0-', 10), null);
    assert.equal(replyProblem('getData', reply(0, { kind: 'getData', data: new Uint8Array(10), stat: stat(10) }), '/b/n0', 10), null);
    assert.equal(replyProblem('exists', reply(0, { kind: 'stat', stat: stat(10) }), '/b/n0', 10), null);
  });
  test('rejects errors, wrong sizes and wrong paths', () => {
    assert.match(replyProblem('exists', reply(-101, null), '/b/n0', 10) ?? '', /err -101/);
    assert.match(replyProblem('getData', reply(0, { kind: 'getData', data: new Uint8Array(3), stat: stat(3) }), '/b/n0', 10) ?? '', /data length 3/);
    assert.match(replyProblem('create', reply(0, { kind: 'create', path: '/other' }), '/b/c0-', 10) ?? '', /expected a path/);
    assert.match(replyProblem('setData', Buffer.alloc(5), '/b/n0', 10) ?? '', /undecodable/);
  });
});

describe('report', () => {
  test('nearest-rank percentiles', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(percentile(sorted, 50), 5);
    assert.equal(percentile(sorted, 99), 10);
    assert.equal(percentile(sorted, 0), 1);
    assert.ok(Number.isNaN(percentile(new Float64Array(0), 50)));
  });

  test('percentile is an element at or above the share asked for', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = Float64Array.from(values).sort();
        const v = percentile(sorted, p);
        const atOrBelow = sorted.filter((x) => x <= v).length;
        assert.ok(atOrBelow / sorted.length >= p / 100);
        assert.ok(values.includes(v));
      }),
    );
  });

  test('ratios are zkts over apache, and null when a side is invalid', () => {
    const outcome = (measured: number, errors: number, ms: number) => ({
      measured, errors, firstErrorCode: errors === 0 ? 0 : -4, elapsedMs: 1000, latenciesSorted: Float64Array.from([ms, ms]),
    });
    const rows = [
      resultRow('getData', 'apache', outcome(1000, 0, 2)),
      resultRow('getData', 'zkts', outcome(3000, 0, 1)),
      resultRow('exists', 'apache', outcome(1000, 0, 2)),
      resultRow('exists', 'zkts', outcome(3000, 1, 1)),
    ];
    const [getData, exists] = ratioRows(rows, ['getData', 'exists']);
    assert.equal(getData?.throughputRatio, 3);
    assert.equal(getData?.p50Ratio, 0.5);
    assert.equal(exists?.throughputRatio, null);
    assert.equal(rows[3]?.valid, false);
  });
});

describe('splitEvenly', () => {
  test('parts sum to the total and differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 64 }), (total, parts) => {
        const split = splitEvenly(total, parts);
        assert.equal(split.length, parts);
        assert.equal(split.reduce((a, b) => a + b, 0), total);
        assert.ok(Math.max(...split) - Math.min(...split) <= 1);
      }),
    );
  });
});

describe('parseBenchOptions', () => {
  test('defaults and flags', () => {
    const d = parseBenchOptions([]);
    assert.ok(d !== null);
    assert.equal(d.sessions, 8);
    assert.equal(d.depth, 32);
    assert.equal(d.seconds, 5);
    assert.equal(d.opsTotal, null);
    assert.equal(d.dataBytes, 100);
    assert.deepEqual(d.servers, ['apache', 'zkts']);
    const o = parseBenchOptions(['--sessions', '4', '--ops', '1000', '--only', 'exists,create', '--seconds', '0.5']);
    assert.equal(o?.sessions, 4);
    assert.equal(o?.opsTotal, 1000);
    assert.equal(o?.seconds, 0.5);
    assert.deepEqual(o?.ops, ['create', 'exists']);
    assert.equal(parseBenchOptions(['--help']), null);
    assert.equal(d.ensembleSize, 0);
    assert.equal(parseBenchOptions(['--ensemble', '3'])?.ensembleSize, 3);
  });
  test('rejects bad values', () => {
    assert.throws(() => parseBenchOptions(['--sessions', '0']), UsageError);
    assert.throws(() => parseBenchOptions(['--depth', '1.5']), UsageError);
    assert.throws(() => parseBenchOptions(['--only', 'delete']), UsageError);
    assert.throws(() => parseBenchOptions(['--bogus']), UsageError);
    assert.throws(() => parseBenchOptions(['--ensemble', '0']), UsageError);
    assert.throws(() => parseBenchOptions(['--servers', 'apache,mixed']), UsageError);
    assert.deepEqual(parseBenchOptions(['--servers', 'mixed,apache', '--ensemble', '3'])?.servers, ['apache', 'mixed']);
  });
});

describe('SessionPipeline', () => {
  /** A stand-in for RawSession that records writes and lets the test play the server. */
  function fakeSession() {
    let xid = 1;
    let handler: ((frame: Buffer) => void) | null = null;
    const sent: number[] = [];
    const session = {
      takeXid: () => xid++,
      write: (frames: Buffer) => {
        for (let at = 0; at < frames.length; at += frames.readInt32BE(at) + 4) sent.push(frames.readInt32BE(at + 4));
      },
      setReplyHandler: (h: ((frame: Buffer) => void) | null) => {
        handler = h;
      },
    };
    const replyTo = (x: number, err: number): void => {
      const w = new JuteWriter();
      if (err === 0) writeReply(w, x, 1n, 0, { kind: 'stat', stat: stat(4) });
      else writeReply(w, x, 1n, err, null);
      handler?.(w.view().subarray(4));
    };
    return { session: session as unknown as RawSession, sent, replyTo, handlerSet: () => handler !== null };
  }
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

  test('keeps depth outstanding, sends exactly the quota, counts error replies, then goes idle', async () => {
    const fake = fakeSession();
    const tally = emptyTally();
    const latencies = new LatencyLog();
    const errors: Error[] = [];
    let idle = 0;
    const pipeline = new SessionPipeline(fake.session, 4, latencies, tally, (e) => errors.push(e));
    pipeline.start(
      { template: new RequestTemplate('exists', '/b/n0', Buffer.alloc(4)), warmupEndMs: 0, measureEndMs: null, measuredQuota: 10, replyProblem: () => null },
      () => idle++,
    );
    assert.deepEqual(fake.sent, [1, 2, 3, 4]);
    for (let answered = 0; answered < 10; answered++) {
      fake.replyTo(answered + 1, answered === 2 || answered === 7 ? -101 : 0);
      await flush();
      assert.ok(fake.sent.length - (answered + 1) <= 4, 'never more than depth outstanding');
    }
    assert.equal(fake.sent.length, 10);
    assert.equal(tally.measured, 10);
    assert.equal(tally.errors, 2);
    assert.equal(tally.firstErrorCode, -101);
    assert.equal(latencies.take().length, 10);
    assert.equal(idle, 1);
    assert.equal(fake.handlerSet(), false, 'the session is handed back when idle');
    assert.deepEqual(errors, []);
  });

  test('a reply out of order, or of another size than the first, is an error', async () => {
    const fake = fakeSession();
    const errors: Error[] = [];
    const pipeline = new SessionPipeline(fake.session, 2, new LatencyLog(), emptyTally(), (e) => errors.push(e));
    pipeline.start(
      { template: new RequestTemplate('exists', '/b/n0', Buffer.alloc(4)), warmupEndMs: 0, measureEndMs: null, measuredQuota: 5, replyProblem: () => null },
      () => undefined,
    );
    fake.replyTo(2, 0);
    assert.match(errors[0]?.message ?? '', /xid 2 does not match/);
  });

  test('the first successful reply is checked', () => {
    const fake = fakeSession();
    const errors: Error[] = [];
    const pipeline = new SessionPipeline(fake.session, 2, new LatencyLog(), emptyTally(), (e) => errors.push(e));
    pipeline.start(
      { template: new RequestTemplate('exists', '/b/n0', Buffer.alloc(4)), warmupEndMs: 0, measureEndMs: null, measuredQuota: 5, replyProblem: () => 'bad body' },
      () => undefined,
    );
    fake.replyTo(1, 0);
    assert.match(errors[0]?.message ?? '', /bad body/);
  });
});
