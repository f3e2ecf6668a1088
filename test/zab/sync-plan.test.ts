// The pure DIFF / TRUNC / SNAP decision of §10.3, case by case.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { zxid, type Zxid } from '../../src/util/ids.js';
import { planSync } from '../../src/zab/sync-plan.js';
import { txnAt, z } from './harness.js';

const window = (...zs: Zxid[]) => zs.map((x) => txnAt(x));
const plan = (peer: Zxid, log: Zxid[], history = log.at(-1) ?? zxid(0), applied = history) => {
  const p = planSync({ peerZxid: peer, historyZxid: history, committedLog: window(...log), appliedZxid: applied });
  return { mode: p.mode, zxid: p.zxid, txns: p.txns.map((t) => t.header.zxid) };
};

describe('planSync', () => {
  const log = [z(1, 3), z(1, 4), z(1, 5), z(2, 1), z(2, 2)];

  test('a learner at the leader’s last zxid: empty DIFF at its zxid', () => {
    assert.deepEqual(plan(z(2, 2), log), { mode: 'DIFF', zxid: z(2, 2), txns: [] });
    assert.deepEqual(plan(zxid(0), [], zxid(0)), { mode: 'DIFF', zxid: zxid(0), txns: [] });
  });

  test('inside the window: DIFF to maxC with the txns after the learner’s zxid', () => {
    assert.deepEqual(plan(z(1, 4), log), { mode: 'DIFF', zxid: z(2, 2), txns: [z(1, 5), z(2, 1), z(2, 2)] });
    assert.deepEqual(plan(z(1, 3), log).txns.length, 4);
  });

  test('an epoch-start learner zxid inside the window: DIFF from the next txn', () => {
    assert.deepEqual(plan(z(2, 0), log), { mode: 'DIFF', zxid: z(2, 2), txns: [z(2, 1), z(2, 2)] });
  });

  test('beyond the leader’s history: TRUNC to its end', () => {
    assert.deepEqual(plan(z(2, 5), log), { mode: 'TRUNC', zxid: z(2, 2), txns: [] });
    assert.deepEqual(plan(z(1, 9), [z(1, 7), z(1, 8)]), { mode: 'TRUNC', zxid: z(1, 8), txns: [] });
  });

  test('a zxid the leader never had, same epoch as the next txn: TRUNC to the one before, then DIFF', () => {
    // The learner has 1.4 and 1.6 (never committed); the leader went 1.4 → 1.5 → …
    const gap = [z(1, 3), z(1, 4), z(1, 7), z(1, 8)];
    assert.deepEqual(plan(z(1, 6), gap), { mode: 'TRUNC', zxid: z(1, 4), txns: [z(1, 7), z(1, 8)] });
  });

  test('a zxid the leader never had, in an older epoch than the next txn: SNAP', () => {
    const p = plan(z(1, 6), log, z(2, 2), z(2, 2));
    assert.deepEqual(p, { mode: 'SNAP', zxid: z(2, 2), txns: [] });
  });

  test('behind the window: SNAP at the applied zxid, then the committed txns above it', () => {
    assert.deepEqual(plan(z(1, 1), log, z(2, 2), z(2, 1)), { mode: 'SNAP', zxid: z(2, 1), txns: [z(2, 2)] });
  });

  test('an epoch-start zxid beyond the history is not truncated (nothing to drop): SNAP', () => {
    assert.equal(plan(z(3, 0), log).mode, 'SNAP');
  });
});
