// Queues against each target: FIFO order with concurrent consumers (every item exactly once),
// priority and delay order, take timeouts, and the locking queue with consumers in separate
// processes, one killed with SIGKILL holding an item: no item lost, none acked twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DelayQueue, DistributedQueue, LockingQueue, PriorityQueue } from '../../../src/recipes/index.js';
import { targetKinds } from '../../support/target.js';
import { Env, sleep, waitUntil } from './helpers.js';

for (const kind of targetKinds()) {
  describe(`recipes: queues [${kind}]`, { timeout: 120_000 }, () => {
    const env = new Env(kind);
    before(() => env.start());
    after(() => env.stop());

    test('FIFO queue: order kept, concurrent consumers get every item exactly once', async () => {
      const producer = new DistributedQueue(await env.client(), '/queues/fifo');
      for (let i = 0; i < 30; i++) await producer.put(`item-${i}`);
      assert.equal(await producer.size(), 30);
      assert.equal((await producer.peek())?.toString(), 'item-0');
      const consumers = await Promise.all([0, 1, 2].map(async () => new DistributedQueue(await env.client(), '/queues/fifo')));
      const got: string[][] = [[], [], []];
      await Promise.all(consumers.map(async (q, i) => {
        for (;;) {
          const item = await q.take({ timeoutMs: 300 });
          if (item === null) return;
          got[i]!.push(item.toString());
        }
      }));
      const all = got.flat();
      assert.equal(all.length, 30);
      assert.equal(new Set(all).size, 30, 'no duplicates');
      for (const list of got) {
        const idx = list.map((s) => Number(s.slice(5)));
        assert.deepEqual(idx, [...idx].sort((a, b) => a - b), 'each consumer sees FIFO order');
      }
      assert.equal(await producer.take({ timeoutMs: 100 }), null);
    });

    test('FIFO queue: a waiting take gets an item put later', async () => {
      const q = new DistributedQueue(await env.client(), '/queues/wait');
      const taking = q.take({ timeoutMs: 10_000 });
      await sleep(100);
      await new DistributedQueue(await env.client(), '/queues/wait').put('late');
      assert.equal((await taking)?.toString(), 'late');
      const ac = new AbortController();
      const aborted = q.take({ signal: ac.signal });
      ac.abort(new Error('stop'));
      await assert.rejects(aborted, { message: 'stop' });
    });

    test('priority queue: lower number first, FIFO within a priority', async () => {
      const q = new PriorityQueue(await env.client(), '/queues/prio');
      await q.put('low-a', 10);
      await q.put('high', -5);
      await q.put('mid', 0);
      await q.put('low-b', 10);
      const out: string[] = [];
      for (let i = 0; i < 4; i++) out.push((await q.take({ timeoutMs: 1000 }))!.toString());
      assert.deepEqual(out, ['high', 'mid', 'low-a', 'low-b']);
    });

    test('delay queue: an item is not handed out before its due time', async () => {
      const q = new DelayQueue(await env.client(), '/queues/delay');
      const t0 = Date.now();
      await q.put('later', t0 + 600);
      await q.put('now', t0);
      assert.equal((await q.take({ timeoutMs: 1000 }))?.toString(), 'now');
      assert.equal(await q.take({ timeoutMs: 100 }), null, 'not due yet');
      const item = await q.take({ timeoutMs: 5000 });
      assert.equal(item?.toString(), 'later');
      assert.ok(Date.now() >= t0 + 600);
    });

    test('locking queue: release hands the item out again, ack removes it once', async () => {
      const a = new LockingQueue(await env.client(), '/queues/lock1');
      const b = new LockingQueue(await env.client(), '/queues/lock1');
      await a.put('x');
      const held = await a.take({ timeoutMs: 1000 });
      assert.equal(held?.data.toString(), 'x');
      assert.equal(await b.take({ timeoutMs: 200 }), null, 'a held item is not handed out');
      const waiting = b.take({ timeoutMs: 5000 });
      await held!.release();
      const again = await waiting;
      assert.equal(again?.data.toString(), 'x');
      await again!.ack();
      assert.equal(await a.size(), 0);
      await assert.rejects(held!.ack(), { name: 'NoNodeError' }, 'a stale holder cannot ack');
    });

    test('locking queue with consumers in separate processes: one dies holding an item, nothing lost or acked twice', async () => {
      const q = new LockingQueue(await env.client(), '/queues/procs');
      for (let i = 0; i < 20; i++) await q.put(`job-${i}`);
      const doomed = env.spawn(['consume', env.connectString, '/queues/procs', 'die']);
      const took = (await doomed.waitLine(/^TOOK /, 15_000)).line.slice(5);
      const workers = [0, 1].map(() => env.spawn(['consume', env.connectString, '/queues/procs', 'ack']));
      const acked = (): string[] => workers.flatMap((w) => w.lines.filter((l) => l.line.startsWith('ACKED ')).map((l) => l.line.slice(6)));
      await waitUntil(() => acked().length === 19, 20_000, '19 jobs acked');
      assert.equal(acked().includes(took), false, 'the held job is not handed out while its holder lives');
      await doomed.killNow();
      await waitUntil(() => acked().length === 20, 20_000, 'the dead consumer job acked by another');
      await sleep(300);
      const all = acked();
      assert.equal(all.length, 20);
      assert.deepEqual(new Set(all), new Set(Array.from({ length: 20 }, (_, i) => `job-${i}`)));
      assert.equal(await q.size(), 0);
      const delivered = workers.flatMap((w) => w.lines.filter((l) => l.line.startsWith('TOOK ')));
      assert.equal(delivered.length, 20, 'live consumers were handed each job once');
      for (const w of workers) await w.killNow();
    });
  });
}
