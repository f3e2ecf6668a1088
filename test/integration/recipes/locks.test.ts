// Locks against each target: the fair re-entrant Mutex (no herd: 50 waiters, each release wakes
// exactly one), timeout and abort, release on session expiry, ExclusiveLock, ReadWriteLock,
// Semaphore leases and MultiLock.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ExclusiveLock, MultiLock, Mutex, ReadWriteLock, Semaphore, sequenceOf,
} from '../../../src/recipes/index.js';
import { targetKinds } from '../../support/target.js';
import { countingClient, Env, sleep, waitUntil } from './helpers.js';

for (const kind of targetKinds()) {
  describe(`recipes: locks [${kind}]`, { timeout: 120_000 }, () => {
    const env = new Env(kind);
    before(() => env.start());
    after(() => env.stop());

    test('mutex: exclusive across clients, re-entrant per instance', async () => {
      const a = new Mutex(await env.client(), '/locks/m1');
      const b = new Mutex(await env.client(), '/locks/m1');
      assert.equal(await a.acquire(), true);
      assert.equal(await a.acquire(), true, 're-entrant');
      assert.equal(await b.acquire({ timeoutMs: 200 }), false);
      await a.release();
      assert.equal(await b.acquire({ timeoutMs: 200 }), false, 'still held once');
      const bGot = b.acquire({ timeoutMs: 5000 });
      await sleep(100);
      await a.release();
      assert.equal(await bGot, true);
      assert.equal(a.isAcquired, false);
      assert.equal(b.isAcquired, true);
      await b.release();
      assert.deepEqual(await b.participants(), []);
      await assert.rejects(b.release(), /not holding/);
    });

    test('mutex: 50 waiters, each release wakes exactly one, in queue order', async () => {
      const holder = new Mutex(await env.client(), '/locks/herd');
      assert.equal(await holder.acquire(), true);
      const counted = await Promise.all([0, 1, 2, 3, 4].map(async () => countingClient(await env.client())));
      const order: number[] = [];
      const waiters: Array<Promise<void>> = [];
      for (let i = 0; i < 50; i++) {
        const m = new Mutex(counted[i % 5]!.client, '/locks/herd');
        waiters.push(m.acquire({ timeoutMs: 60_000 }).then(async (ok) => {
          assert.equal(ok, true);
          order.push(sequenceOf(m.lockPath!));
          await m.release();
        }));
      }
      await waitUntil(() => counted.reduce((n, c) => n + (c.calls.get('exists') ?? 0), 0) === 50, 20_000, '50 waiters watching');
      const sum = (f: (c: (typeof counted)[number]) => number): number => counted.reduce((n, c) => n + f(c), 0);
      assert.equal(sum((c) => c.calls.get('getChildren') ?? 0), 50, 'one children read per waiter');
      assert.equal(sum((c) => c.watchesFired.n), 0);
      await holder.release();
      await waitUntil(() => order.length >= 1, 10_000, 'first waiter');
      await waitUntil(() => order.length === 50, 30_000, 'all waiters');
      await Promise.all(waiters);
      assert.deepEqual(order, [...order].sort((x, y) => x - y), 'FIFO: sequence order');
      // Each release fired exactly one watch and caused exactly one more children read.
      assert.equal(sum((c) => c.watchesFired.n), 50);
      assert.equal(sum((c) => c.calls.get('getChildren') ?? 0), 100);
      assert.equal(sum((c) => c.calls.get('exists') ?? 0), 50);
    });

    test('mutex: timeout and abort leave no node behind', async () => {
      const a = new Mutex(await env.client(), '/locks/t');
      const bc = await env.client();
      const b = new Mutex(bc, '/locks/t');
      await a.acquire();
      const t0 = Date.now();
      assert.equal(await b.acquire({ timeoutMs: 300 }), false);
      assert.ok(Date.now() - t0 >= 290);
      assert.equal((await a.participants()).length, 1);
      const ac = new AbortController();
      const pending = b.acquire({ signal: ac.signal });
      await sleep(150);
      assert.equal((await a.participants()).length, 2);
      ac.abort(new Error('give up'));
      await assert.rejects(pending, { message: 'give up' });
      assert.equal((await a.participants()).length, 1);
      await a.release();
    });

    test('mutex: released when the holder session expires', async () => {
      const { client: holderClient, proxy } = await env.proxiedClient();
      const holder = new Mutex(holderClient, '/locks/exp');
      const lost: Error[] = [];
      holder.onLost((e) => lost.push(e));
      assert.equal(await holder.acquire(), true);
      const waiter = new Mutex(await env.client(), '/locks/exp');
      const got = waiter.acquire({ timeoutMs: 20_000 });
      await sleep(200);
      await env.expire(holderClient, proxy);
      assert.equal(await got, true);
      assert.equal(holder.isAcquired, false);
      assert.equal(lost.length, 1);
      await holder.release().catch(() => undefined);
      await waiter.release();
    });

    test('mutex: a holder in another process killed with SIGKILL frees the lock when its session expires', async () => {
      const holder = env.spawn(['mutex', env.connectString, '/locks/proc']);
      await holder.waitLine(/^HELD$/, 15_000);
      const waiter = new Mutex(await env.client(), '/locks/proc');
      assert.equal(await waiter.acquire({ timeoutMs: 1500 }), false, 'held while the holder lives');
      const killedAtMs = await holder.killNow();
      assert.equal(await waiter.acquire({ timeoutMs: 10_000 }), true);
      const afterMs = Date.now() - killedAtMs;
      assert.ok(afterMs >= 1000, `acquired ${afterMs} ms after the kill: before the 2000 ms session could expire`);
      await waiter.release();
    });

    test('exclusive lock on one ephemeral node', async () => {
      const a = new ExclusiveLock(await env.client(), '/locks/ex/one');
      const b = new ExclusiveLock(await env.client(), '/locks/ex/one');
      assert.equal(await a.acquire(), true);
      assert.equal(await b.acquire({ timeoutMs: 200 }), false);
      const bGot = b.acquire({ timeoutMs: 5000 });
      await a.release();
      assert.equal(await bGot, true);
      await b.release();
    });

    test('read-write lock: readers share, a writer excludes, a queued writer blocks later readers', async () => {
      const r1 = new ReadWriteLock(await env.client(), '/locks/rw');
      const r2 = new ReadWriteLock(await env.client(), '/locks/rw');
      const w = new ReadWriteLock(await env.client(), '/locks/rw');
      const r3 = new ReadWriteLock(await env.client(), '/locks/rw');
      assert.equal(await r1.readLock.acquire(), true);
      assert.equal(await r2.readLock.acquire({ timeoutMs: 2000 }), true, 'readers share');
      const wGot = w.writeLock.acquire({ timeoutMs: 10_000 });
      await sleep(200);
      assert.equal(await r3.readLock.acquire({ timeoutMs: 300 }), false, 'reader behind a waiting writer waits');
      await r1.readLock.release();
      await sleep(100);
      assert.equal(w.writeLock.isAcquired, false);
      await r2.readLock.release();
      assert.equal(await wGot, true);
      assert.equal(await w.readLock.acquire({ timeoutMs: 1000 }), true, 'the writer may also read (downgrade)');
      const r3Got = r3.readLock.acquire({ timeoutMs: 10_000 });
      await w.writeLock.release();
      assert.equal(await r3Got, true, 'readers share with the downgraded reader');
      await w.readLock.release();
      await r3.readLock.release();
    });

    test('semaphore: at most maxLeases, leases go with their session', async () => {
      const { client: c1, proxy } = await env.proxiedClient();
      const s1 = new Semaphore(c1, '/locks/sem', 2);
      const s2 = new Semaphore(await env.client(), '/locks/sem', 2);
      const s3 = new Semaphore(await env.client(), '/locks/sem', 2);
      const l1 = await s1.acquire();
      const l2 = await s2.acquire();
      assert.ok(l1 !== null && l2 !== null);
      assert.equal(await s3.acquire({ timeoutMs: 300 }), null);
      assert.equal((await s3.leaseNames()).length, 2, 'the timed-out attempt left no lease');
      const l3 = s3.acquire({ timeoutMs: 10_000 });
      await sleep(100);
      await l2.release();
      const got3 = await l3;
      assert.ok(got3 !== null);
      const l4 = s2.acquire({ timeoutMs: 20_000 });
      await sleep(100);
      await env.expire(c1, proxy);
      const got4 = await l4;
      assert.ok(got4 !== null, 'the expired holder lease freed a slot');
      assert.equal((await s2.leaseNames()).length, 2);
      assert.equal(await s2.acquireMany(2, { timeoutMs: 200 }), null);
      await got3.release();
      await got4.release();
      const both = await s2.acquireMany(2, { timeoutMs: 2000 });
      assert.equal(both?.length, 2);
      for (const l of both ?? []) await l.release();
    });

    test('multi-lock: all or nothing', async () => {
      const c = await env.client();
      const other = new Mutex(await env.client(), '/locks/multi/b');
      await other.acquire();
      const a = new Mutex(c, '/locks/multi/a');
      const multi = new MultiLock([a, new Mutex(c, '/locks/multi/b')]);
      assert.equal(await multi.acquire({ timeoutMs: 300 }), false);
      assert.equal(a.isAcquired, false, 'the first lock was given back');
      assert.deepEqual(await a.participants(), []);
      await other.release();
      assert.equal(await multi.acquire({ timeoutMs: 2000 }), true);
      assert.equal(await other.acquire({ timeoutMs: 200 }), false);
      await multi.release();
      assert.equal(await other.acquire({ timeoutMs: 2000 }), true);
      await other.release();
    });
  });
}
