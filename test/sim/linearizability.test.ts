// The Wing–Gong/Porcupine checker with the znode model: accepts linearizable histories and
// rejects stale reads, lost writes and writes that took effect out of order.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLinearizable, type Operation } from '../../src/sim/linearizability.js';
import { nodeModel, type NodeInput } from '../../src/sim/node-model.js';
import type { OpResult } from '../../src/sim/ops.js';

const ok = (version: number | null = null, data: string | null = null): OpResult => ({ err: 0, version, data, zxid: null });
const err = (code: number): OpResult => ({ err: code, version: null, data: null, zxid: null });
const op = (input: NodeInput, output: OpResult | null, call: number, ret: number, key = '/k'): Operation<NodeInput, OpResult> => ({ key, input, output, call, ret });
const create = (data: string): NodeInput => ({ kind: 'create', path: '/k', data, ephemeral: false });
const set = (data: string, version = -1): NodeInput => ({ kind: 'set', path: '/k', data, version });
const read: NodeInput = { kind: 'read', path: '/k' };

describe('linearizability checker', () => {
  test('accepts a sequential history', () => {
    const h = [op(create('a'), ok(0), 1, 2), op(set('b'), ok(1), 3, 4), op(read, ok(1, 'b'), 5, 6)];
    assert.equal(checkLinearizable(nodeModel, h).ok, true);
  });

  test('accepts concurrent writes read in either order', () => {
    const base = [op(create('a'), ok(0), 1, 2), op(set('b'), ok(null), 3, 10), op(set('c'), ok(null), 4, 11)];
    assert.equal(checkLinearizable(nodeModel, [...base, op(read, ok(2, 'c'), 12, 13)]).ok, true);
    assert.equal(checkLinearizable(nodeModel, [...base, op(read, ok(2, 'b'), 12, 13)]).ok, true);
  });

  test('rejects a stale read after a completed write', () => {
    const h = [op(create('a'), ok(0), 1, 2), op(set('b'), ok(1), 3, 4), op(read, ok(0, 'a'), 5, 6)];
    const r = checkLinearizable(nodeModel, h);
    assert.equal(r.ok, false);
    assert.equal(r.badKey, '/k');
  });

  test('rejects a lost write (acknowledged, then a read misses it)', () => {
    const h = [op(create('a'), ok(0), 1, 2), op(read, err(-101), 3, 4)];
    assert.equal(checkLinearizable(nodeModel, h).ok, false);
  });

  test('rejects writes that took effect out of real-time order', () => {
    // b completed before c started, yet c's version says it came first.
    const h = [op(create('a'), ok(0), 1, 2), op(set('b'), ok(2), 3, 4), op(set('c'), ok(1), 5, 6)];
    assert.equal(checkLinearizable(nodeModel, h).ok, false);
  });

  test('rejects a conditional write that succeeded against the wrong version', () => {
    const h = [op(create('a'), ok(0), 1, 2), op(set('b'), ok(1), 3, 4), op(set('c', 0), ok(2), 5, 6)];
    assert.equal(checkLinearizable(nodeModel, h).ok, false);
  });

  test('an unknown write may or may not have taken effect', () => {
    const unknown = op(set('b'), null, 3, Infinity);
    assert.equal(checkLinearizable(nodeModel, [op(create('a'), ok(0), 1, 2), unknown, op(read, ok(0, 'a'), 5, 6)]).ok, true);
    assert.equal(checkLinearizable(nodeModel, [op(create('a'), ok(0), 1, 2), unknown, op(read, ok(1, 'b'), 5, 6)]).ok, true);
    // ...but not a value nobody wrote.
    assert.equal(checkLinearizable(nodeModel, [op(create('a'), ok(0), 1, 2), unknown, op(read, ok(1, 'z'), 5, 6)]).ok, false);
  });

  test('keys are checked independently', () => {
    const h = [op(create('a'), ok(0), 1, 2), { ...op(create('x'), ok(0), 3, 4), key: '/other' }, op(read, ok(0, 'a'), 5, 6)];
    assert.equal(checkLinearizable(nodeModel, h).ok, true);
  });
});
