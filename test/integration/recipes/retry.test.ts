// Retry policies and withRetry (no server needed): delays per policy, which errors are retried,
// giving up, and aborting a sleep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLossError, NoNodeError, OperationTimeoutError } from '../../../src/client/index.js';
import {
  BoundedExponentialBackoffRetry, ExponentialBackoffRetry, RetryNTimes, RetryOneTime, RetryUntilElapsed, isRetryable, withRetry,
} from '../../../src/recipes/index.js';

test('exponential backoff grows within base * [1, 2^attempt] and stops after the retries', () => {
  const p = new ExponentialBackoffRetry(10, 3);
  assert.equal(p.delayMs(1, 0, () => 0), 10);
  assert.equal(p.delayMs(1, 0, () => 0.999), 20);
  assert.equal(p.delayMs(3, 0, () => 0.999), 80);
  assert.equal(p.delayMs(4, 0, () => 0), null);
});

test('bounded exponential backoff caps each sleep', () => {
  const p = new BoundedExponentialBackoffRetry(100, 250, 10);
  assert.equal(p.delayMs(1, 0, () => 0), 100);
  assert.equal(p.delayMs(8, 0, () => 0.999), 250);
  assert.equal(p.delayMs(11, 0, () => 0), null);
});

test('n times, one time and until elapsed', () => {
  assert.equal(new RetryNTimes(2, 7).delayMs(2), 7);
  assert.equal(new RetryNTimes(2, 7).delayMs(3), null);
  assert.equal(new RetryOneTime(5).delayMs(1), 5);
  assert.equal(new RetryOneTime(5).delayMs(2), null);
  const u = new RetryUntilElapsed(100, 30);
  assert.equal(u.delayMs(1, 0), 30);
  assert.equal(u.delayMs(9, 90), 10, 'never sleeps past the budget');
  assert.equal(u.delayMs(9, 100), null);
});

test('withRetry retries transient errors until success', async () => {
  let calls = 0;
  const retried: number[] = [];
  const result = await withRetry(async (attempt) => {
    calls++;
    if (attempt < 2) throw attempt === 0 ? new ConnectionLossError('/x') : new OperationTimeoutError();
    return 'ok';
  }, { policy: new RetryNTimes(5, 1), onRetry: (_e, n) => retried.push(n) });
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
  assert.deepEqual(retried, [1, 2]);
});

test('withRetry rethrows a non-retryable error at once and the last error when the policy gives up', async () => {
  let calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw new NoNodeError('/y');
  }, { policy: new RetryNTimes(5, 1) }), { name: 'NoNodeError' });
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    throw new ConnectionLossError(`/z${calls}`);
  }, { policy: new RetryNTimes(2, 1) }), { name: 'ConnectionLossError', path: '/z3' });
  assert.equal(calls, 3);
  assert.equal(isRetryable(new NoNodeError()), false);
});

test('withRetry stops sleeping when its signal aborts', async () => {
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(new Error('stop')), 50);
  await assert.rejects(withRetry(async () => {
    throw new ConnectionLossError();
  }, { policy: new RetryNTimes(5, 10_000), signal: ac.signal }), { message: 'stop' });
  assert.ok(Date.now() - started < 2000);
});

test('withRetry with RetryUntilElapsed uses the injected clock', async () => {
  let nowMs = 0;
  let calls = 0;
  await assert.rejects(withRetry(async () => {
    calls++;
    nowMs += 40;
    throw new ConnectionLossError();
  }, { policy: new RetryUntilElapsed(100, 0), now: () => nowMs }));
  assert.equal(calls, 3, '40, 80 retry; 120 >= 100 gives up');
});
