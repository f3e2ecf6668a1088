// FrameSplitter: the same frames from the whole input, byte by byte and random splits; zero-copy
// within a chunk; out-of-range lengths rejected before their body arrives; the first-int peek.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FRAME_BYTES_MAX_DEFAULT, FrameLengthError, FrameSplitter } from '../../../src/proto/frames.js';

function frameOf(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

function drain(splitter: FrameSplitter, into: Buffer[]): void {
  for (let frame = splitter.next(); frame !== null; frame = splitter.next()) into.push(Buffer.from(frame));
}

function splitAll(chunks: readonly Buffer[]): Buffer[] {
  const splitter = new FrameSplitter();
  const frames: Buffer[] = [];
  for (const chunk of chunks) {
    splitter.push(chunk);
    drain(splitter, frames);
  }
  assert.equal(splitter.bufferedBytes, 0);
  return frames;
}

/** Cuts `bytes` at the given offsets (any order, duplicates allowed). */
function cut(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

const payloads = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 });

describe('FrameSplitter', () => {
  test('whole input, byte by byte and random splits give the same frames', () => {
    fc.assert(
      fc.property(payloads, fc.array(fc.nat(), { maxLength: 12 }), (items, offsets) => {
        const expected = items.map((p) => Buffer.from(p));
        const stream = Buffer.concat(items.map(frameOf));
        assert.deepStrictEqual(splitAll([stream]), expected);
        const bytewise = [...stream].map((b) => Buffer.from([b]));
        assert.deepStrictEqual(splitAll(bytewise), expected);
        assert.deepStrictEqual(splitAll(cut(stream, offsets)), expected);
      }),
      { numRuns: 200 },
    );
  });

  test('frames inside one chunk are views of it, not copies', () => {
    const stream = Buffer.concat([frameOf(Buffer.from('abc')), frameOf(Buffer.from('defg'))]);
    const splitter = new FrameSplitter();
    splitter.push(stream);
    const first = splitter.next();
    const second = splitter.next();
    assert.ok(first !== null && second !== null);
    assert.equal(first.buffer, stream.buffer);
    assert.equal(first.byteOffset, stream.byteOffset + 4);
    assert.equal(second.toString(), 'defg');
    assert.equal(splitter.next(), null);
  });

  test('a frame across chunks is assembled; partial frames wait', () => {
    const splitter = new FrameSplitter();
    const stream = frameOf(Buffer.from('hello world'));
    splitter.push(stream.subarray(0, 2));
    assert.equal(splitter.next(), null);
    splitter.push(stream.subarray(2, 9));
    assert.equal(splitter.next(), null);
    assert.equal(splitter.bufferedBytes, 9);
    splitter.push(stream.subarray(9));
    assert.equal(splitter.next()?.toString(), 'hello world');
    assert.equal(splitter.next(), null);
  });

  test('empty frames are returned as empty payloads', () => {
    const splitter = new FrameSplitter();
    splitter.push(Buffer.alloc(8));
    assert.equal(splitter.next()?.length, 0);
    assert.equal(splitter.next()?.length, 0);
    assert.equal(splitter.next(), null);
  });

  test('an oversize length is rejected from its 4-byte prefix alone, and stays rejected', () => {
    const splitter = new FrameSplitter();
    splitter.push(Buffer.from('00100000', 'hex')); // 0x100000 = jute.maxbuffer + 1
    assert.throws(() => splitter.next(), (e: unknown) => e instanceof FrameLengthError && e.length === 0x100000);
    splitter.push(Buffer.alloc(16));
    assert.throws(() => splitter.next(), FrameLengthError);
  });

  test('a length of exactly jute.maxbuffer is accepted', () => {
    const splitter = new FrameSplitter();
    splitter.push(Buffer.from('000fffff', 'hex'));
    assert.equal(splitter.next(), null);
    splitter.push(Buffer.alloc(FRAME_BYTES_MAX_DEFAULT));
    assert.equal(splitter.next()?.length, FRAME_BYTES_MAX_DEFAULT);
  });

  test('negative lengths and lengths above a configured maximum are rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: -1 }), (length) => {
        const splitter = new FrameSplitter();
        const prefix = Buffer.alloc(4);
        prefix.writeInt32BE(length);
        for (const b of prefix) splitter.push(Buffer.from([b]));
        assert.throws(() => splitter.next(), FrameLengthError);
      }),
    );
    const small = new FrameSplitter(10);
    small.push(frameOf(Buffer.alloc(10)));
    assert.equal(small.next()?.length, 10);
    small.push(frameOf(Buffer.alloc(11)));
    assert.throws(() => small.next(), (e: unknown) => e instanceof FrameLengthError && e.frameBytesMax === 10);
  });

  test('firstInt exposes the first 4 bytes for the four-letter-word check', () => {
    const splitter = new FrameSplitter();
    for (const b of Buffer.from('ruo')) {
      splitter.push(Buffer.from([b]));
      assert.equal(splitter.firstInt(), null);
    }
    splitter.push(Buffer.from('k'));
    assert.equal(splitter.firstInt(), 0x72756f6b);
    assert.equal(splitter.drainRaw().toString(), 'ruok');
    assert.equal(splitter.bufferedBytes, 0);
  });

  test('firstInt stays the stream start after frames are consumed', () => {
    const splitter = new FrameSplitter();
    splitter.push(Buffer.concat([frameOf(Buffer.from('ab')), frameOf(Buffer.from('c'))]));
    assert.equal(splitter.firstInt(), 2);
    drain(splitter, []);
    assert.equal(splitter.firstInt(), 2);
  });

  test('many small chunks with a pending partial frame stay correct across compaction', () => {
    const splitter = new FrameSplitter();
    const payload = Buffer.alloc(3000, 9);
    const stream = Buffer.concat([frameOf(payload), frameOf(Buffer.from('z'))]);
    const frames: Buffer[] = [];
    for (const b of stream) {
      splitter.push(Buffer.from([b]));
      drain(splitter, frames);
    }
    assert.deepStrictEqual(frames, [payload, Buffer.from('z')]);
  });
});
