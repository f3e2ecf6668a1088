// The recipes' pure helpers (no server): sequence parsing and ordering across protected names,
// the 64-bit counter encoding, and the service provider strategies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeLong, encodeLong, RandomStrategy, RoundRobinStrategy, sequenceOf, sortBySequence, StickyStrategy, type ServiceInstance,
} from '../../../src/recipes/index.js';

const seqName = (prefix: string, seq: number): string => `${prefix}${String(seq).padStart(10, '0')}`;

test('sortBySequence orders by the numeric suffix whatever the (protected) prefix', () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 30 }),
    fc.array(fc.constantFrom('lock-', '_c_9f1e-lock-', '_c_0000-lock-', 'x-read-', 'x-write-'), { minLength: 30, maxLength: 30 }),
    (seqs, prefixes) => {
      const names = seqs.map((s, i) => seqName(prefixes[i]!, s));
      const sorted = sortBySequence(names);
      assert.deepEqual(sorted.map(sequenceOf), [...seqs].sort((a, b) => a - b));
    },
  ));
  assert.equal(sequenceOf('no-suffix'), -1);
});

test('encodeLong/decodeLong round-trip every signed 64-bit value; empty data is 0', () => {
  fc.assert(fc.property(fc.bigIntN(64), (v) => {
    const bytes = encodeLong(v);
    assert.equal(bytes.length, 8);
    assert.equal(decodeLong(bytes), v);
  }));
  assert.equal(decodeLong(null), 0n);
  assert.equal(decodeLong(Buffer.alloc(0)), 0n);
  assert.throws(() => decodeLong(Buffer.alloc(3)), /8-byte/);
});

const inst = (id: string): ServiceInstance => ({ name: 's', id, address: id, registrationTimeMs: 0 });

test('provider strategies: round-robin cycles, random uses its source, sticky stays until its instance goes', () => {
  const all = [inst('a'), inst('b'), inst('c')];
  const rr = new RoundRobinStrategy();
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick(all)?.id), ['a', 'b', 'c', 'a']);
  assert.equal(rr.pick([]), null);
  assert.equal(new RandomStrategy(() => 0.5).pick(all)?.id, 'b');
  const sticky = new StickyStrategy();
  assert.equal(sticky.pick(all)?.id, 'a');
  assert.equal(sticky.pick(all)?.id, 'a');
  const next = sticky.pick([inst('b'), inst('c')])?.id;
  assert.ok(next === 'b' || next === 'c', 'moves on when a leaves');
  assert.equal(sticky.pick(all)?.id, next, 'and sticks to the new one, even when a is back');
});
