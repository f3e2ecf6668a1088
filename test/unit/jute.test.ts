// The jute primitives: every value written reads back; longs from numbers and bigints agree.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteReader } from '../../src/jute/reader.js';
import { JuteWriter } from '../../src/jute/writer.js';
import { JuteDecodeError } from '../../src/jute/errors.js';

test('longs written from safe-integer numbers equal those written from bigints', () => {
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => {
      const a = new JuteWriter(4).writeLong(n).toBuffer();
      const b = new JuteWriter(4).writeLong(BigInt(n)).toBuffer();
      assert.deepEqual(a, b);
      assert.equal(new JuteReader(a).readLongNumber(), n);
    }),
  );
  for (const n of [0, -1, 1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1, -(2 ** 32) + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    assert.equal(new JuteReader(new JuteWriter().writeLong(n).toBuffer()).readLongNumber(), n);
  }
});

test('bigint longs wrap to signed 64 bits', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }), (v) => {
      assert.equal(new JuteReader(new JuteWriter().writeLong(v).toBuffer()).readLong(), BigInt.asIntN(64, v));
    }),
  );
});

test('every primitive round-trips; buffers and strings keep null apart from empty', () => {
  fc.assert(
    fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.boolean(), fc.option(fc.uint8Array()), fc.option(fc.string()), fc.option(fc.array(fc.string())), (i, b, buf, str, vec) => {
      const w = new JuteWriter(1).writeInt(i).writeBool(b).writeBuffer(buf).writeUString(str).writeVector(vec, (x, s) => void x.writeUString(s));
      const r = new JuteReader(w.toBuffer());
      assert.equal(r.readInt(), i);
      assert.equal(r.readBool(), b);
      const gotBuf = r.readBuffer();
      assert.deepEqual(gotBuf === null ? null : Buffer.from(gotBuf), buf === null ? null : Buffer.from(buf));
      assert.equal(r.readUString(), str);
      assert.deepEqual(r.readVector((x) => x.readString()), vec);
      assert.equal(r.remaining(), 0);
    }),
  );
});

test('truncated input and hostile lengths are decode errors, not allocations', () => {
  assert.throws(() => new JuteReader(Buffer.from([0, 0, 0])).readInt(), JuteDecodeError);
  assert.throws(() => new JuteReader(Buffer.from('7fffffff', 'hex')).readBuffer(), JuteDecodeError);
  assert.throws(() => new JuteReader(Buffer.from('fffffffe', 'hex')).readUString(), JuteDecodeError);
  assert.throws(() => new JuteReader(Buffer.from('00000010aabb', 'hex')).readBuffer(), JuteDecodeError);
  assert.throws(() => new JuteReader(Buffer.from('7fffffff', 'hex')).readVector((r) => r.readInt()), JuteDecodeError);
});
