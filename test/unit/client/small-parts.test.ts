// Fifo, AsyncQueue and the reconnect prime frames.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fifo } from '../../../src/client/fifo.js';
import { AsyncQueue, QueueOverflowError } from '../../../src/client/async-queue.js';
import { authFrame, setWatchesFrames } from '../../../src/client/prime-frames.js';
import { decodeRequestFrame } from '../../../src/proto/requests.js';
import { zxid } from '../../../src/util/ids.js';

test('Fifo keeps order across compaction (model check)', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat()), { maxLength: 5000 }), (ops) => {
    const fifo = new Fifo<number>();
    const model: number[] = [];
    for (const op of ops) {
      if (op < 0) assert.equal(fifo.shift(), model.shift());
      else {
        fifo.push(op);
        model.push(op);
      }
      assert.equal(fifo.length, model.length);
    }
    assert.deepEqual(fifo.drain(), model);
    assert.equal(fifo.length, 0);
  }), { numRuns: 50 });
});

describe('AsyncQueue', () => {
  test('delivers pushed items in order, then ends', async () => {
    const q = new AsyncQueue<number>(10);
    q.push(1);
    q.push(2);
    setTimeout(() => {
      q.push(3);
      q.end();
    }, 10);
    const got: number[] = [];
    for await (const v of q) got.push(v);
    assert.deepEqual(got, [1, 2, 3]);
  });
  test('overflow fails the stream after the buffered items', async () => {
    const q = new AsyncQueue<number>(2);
    q.push(1);
    q.push(2);
    q.push(3);
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const v of q) got.push(v);
    }, QueueOverflowError);
    assert.deepEqual(got, [1, 2]);
  });
  test('return() runs the cleanup once', async () => {
    let cleanups = 0;
    const q = new AsyncQueue<number>(2, () => cleanups++);
    q.push(1);
    for await (const v of q) {
      void v;
      break;
    }
    q.end();
    assert.equal(cleanups, 1);
  });
});

describe('prime frames', () => {
  test('auth frame carries xid -4', () => {
    const { header, request } = decodeRequestFrame(authFrame('digest', Buffer.from('u:p')).subarray(4));
    assert.deepEqual(header, { xid: -4, type: 100 });
    assert.ok(request.op === 'auth' && request.scheme === 'digest');
  });
  test('setWatches with server paths and relativeZxid; setWatches2 only with persistent watches', () => {
    const lists = { dataWatches: ['/d'], existWatches: ['/'], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };
    const [plain] = setWatchesFrames(lists, '/app', zxid(0x99));
    const a = decodeRequestFrame(plain!.subarray(4));
    assert.deepEqual(a.header, { xid: -8, type: 101 });
    assert.ok(a.request.op === 'setWatches');
    assert.equal(a.request.relativeZxid, 0x99n);
    assert.deepEqual(a.request.dataWatches, ['/app/d']);
    assert.deepEqual(a.request.existWatches, ['/app']);
    const [v2] = setWatchesFrames({ ...lists, persistentRecursiveWatches: ['/r'] }, null, zxid(1));
    const b = decodeRequestFrame(v2!.subarray(4));
    assert.equal(b.header.type, 105);
    assert.ok(b.request.op === 'setWatches2');
    assert.deepEqual(b.request.persistentRecursiveWatches, ['/r']);
    assert.deepEqual(setWatchesFrames({ ...lists, dataWatches: [], existWatches: [] }, null, zxid(1)), []);
  });
});
