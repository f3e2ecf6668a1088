// Barriers, counters and shared values against each target: barrier set/wait/remove, a double
// barrier with N participants, an atomic long under concurrent increments (no update lost),
// compare-and-set, and SharedValue / SharedCount versioned updates followed by every client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Barrier, DistributedAtomicLong, DoubleBarrier, SharedCount, SharedValue,
} from '../../../src/recipes/index.js';
import { targetKinds } from '../../support/target.js';
import { Env, sleep, waitUntil } from './helpers.js';

for (const kind of targetKinds()) {
  describe(`recipes: barriers, counters, values [${kind}]`, { timeout: 120_000 }, () => {
    const env = new Env(kind);
    before(() => env.start());
    after(() => env.stop());

    test('barrier: waiters block until it is removed', async () => {
      const b = new Barrier(await env.client(), '/coord/barrier');
      await b.set();
      await b.set();
      const waiter = new Barrier(await env.client(), '/coord/barrier');
      assert.equal(await waiter.wait({ timeoutMs: 200 }), false);
      const waiting = waiter.wait({ timeoutMs: 5000 });
      await sleep(100);
      await b.remove();
      assert.equal(await waiting, true);
      assert.equal(await waiter.wait({ timeoutMs: 10 }), true);
    });

    test('double barrier: nobody enters before all N arrive, nobody leaves before all left', async () => {
      const n = 4;
      const barriers = await Promise.all(Array.from({ length: n }, async (_, i) => new DoubleBarrier(await env.client(), '/coord/double', n, `m${i}`)));
      const entered: number[] = [];
      const entering = barriers.slice(0, n - 1).map((b, i) => b.enter({ timeoutMs: 10_000 }).then((ok) => { assert.ok(ok); entered.push(i); }));
      await sleep(300);
      assert.deepEqual(entered, [], 'three of four wait');
      const lone = new DoubleBarrier(await env.client(), '/coord/double-timeout', 2, 'only');
      assert.equal(await lone.enter({ timeoutMs: 200 }), false);
      assert.deepEqual(await lone.client.getChildren('/coord/double-timeout'), [], 'a timed-out entry is withdrawn');
      assert.equal(await barriers[n - 1]!.enter({ timeoutMs: 5000 }), true);
      await Promise.all(entering);
      assert.equal(entered.length, n - 1);
      const left: number[] = [];
      const leaving = barriers.slice(0, n - 1).map((b, i) => b.leave({ timeoutMs: 10_000 }).then((ok) => { assert.ok(ok); left.push(i); }));
      await sleep(300);
      assert.deepEqual(left, [], 'leavers wait for the last member');
      assert.equal(await barriers[n - 1]!.leave({ timeoutMs: 5000 }), true);
      await Promise.all(leaving);
      assert.deepEqual(await barriers[0]!.client.getChildren('/coord/double'), []);
    });

    test('atomic long: concurrent increments from several clients lose no update', async () => {
      const counters = await Promise.all([0, 1, 2, 3].map(async () => new DistributedAtomicLong(await env.client(), '/coord/counters/a')));
      assert.equal(await counters[0]!.get(), 0n);
      const results = await Promise.all(counters.flatMap((c) => Array.from({ length: 10 }, () => c.increment())));
      assert.ok(results.every((r) => r.succeeded));
      assert.equal(await counters[0]!.get(), 40n);
      const pre = results.map((r) => r.preValue).sort((a, b) => (a < b ? -1 : 1));
      assert.deepEqual(pre, Array.from({ length: 40 }, (_, i) => BigInt(i)), 'each increment saw a distinct value');
      assert.deepEqual(await counters[1]!.compareAndSet(40n, 100n), { succeeded: true, preValue: 40n, postValue: 100n });
      assert.equal((await counters[2]!.compareAndSet(40n, 7n)).succeeded, false);
      assert.equal((await counters[3]!.add(-(2n ** 62n))).postValue, 100n - 2n ** 62n);
      await counters[0]!.trySet(-1n);
      assert.equal(await counters[1]!.get(), -1n);
    });

    test('shared value and count: versioned updates, every client follows', async () => {
      const v1 = new SharedValue(await env.client(), '/coord/value', 'seed');
      const v2 = new SharedValue(await env.client(), '/coord/value', 'other-seed');
      await v1.start();
      await v2.start();
      assert.equal(v2.value.toString(), 'seed', 'the first seed wins');
      const seen: Array<[string, number]> = [];
      v2.onChange((v) => seen.push([v.value.toString(), v.version]));
      const version = v1.versioned.version;
      assert.equal(await v1.trySetValue('one', version), true);
      assert.equal(await v2.trySetValue('two', version), false, 'stale version loses');
      await waitUntil(() => v2.value.toString() === 'one', 5000, 'v2 follows');
      assert.equal(await v2.trySetValue('two'), true);
      await waitUntil(() => v1.value.toString() === 'two', 5000, 'v1 follows');
      assert.deepEqual(seen.map(([s]) => s), ['one', 'two']);
      assert.ok(seen[0]![1] < seen[1]![1]);
      v1.close();
      v2.close();
      const c1 = new SharedCount(await env.client(), '/coord/count', 5);
      const c2 = new SharedCount(await env.client(), '/coord/count', 9);
      await c1.start();
      await c2.start();
      assert.equal(c2.count, 5);
      assert.equal(await c2.trySetCount(6), true);
      await waitUntil(() => c1.count === 6, 5000, 'c1 follows');
      assert.equal(await c1.trySetCount(7, 0), false);
      c1.close();
      c2.close();
    });
  });
}
