// The README's recipes snippet, run as written against zkts (imports via src instead of the
// package name).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startZkts, type Server } from '../../support/zkts-server.js';
import { connect } from '../../../src/client/index.js';
import { LeaderLatch, Mutex } from '../../../src/recipes/index.js';
import * as recipes from '../../../src/recipes/index.js';

let server: Server;
before(async () => {
  server = await startZkts();
});
after(async () => {
  await server.stop();
});

test('the README recipes snippet works as written', async () => {
  const log: string[] = [];
  const console = { log: (s: string) => log.push(s) };
  // --- snippet ---
  const client = await connect(server.connectString);
  const lock = new Mutex(client, '/locks/orders');
  if (await lock.acquire({ timeoutMs: 5_000 })) {
    try { console.log('one process at a time'); } finally { await lock.release(); }
  }
  const latch = new LeaderLatch(client, '/election/scheduler', 'host-1');
  latch.onChange((isLeader) => console.log(isLeader ? 'leading' : 'following'));
  await latch.start();
  // --- end ---
  await latch.await({ timeoutMs: 5000 });
  assert.deepEqual(log, ['one process at a time', 'leading']);
  await latch.close();
  await client.close();
});

test("the README's one-example-per-recipe snippet works as written", async () => {
  const log: string[] = [];
  const console = { log: (s: string) => log.push(s) };
  // --- snippet ---
  const zk = await connect(server.connectString);
  // Locks: mutex (above), read-write lock, counting semaphore; MultiLock takes several at once.
  const doc = new recipes.ReadWriteLock(zk, '/locks/doc');
  if (await doc.readLock.acquire({ timeoutMs: 1_000 })) await doc.readLock.release();
  const lease = await new recipes.Semaphore(zk, '/locks/pool', 3).acquire({ timeoutMs: 1_000 });
  await lease?.release();
  // Leader election: a selector runs its task while it leads (the signal aborts when it must stop).
  const selector = new recipes.LeaderSelector(zk, '/election/cron', async (signal) => {
    console.log('leading the cron jobs');
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
  });
  selector.start();
  // Barriers: wait until a coordinator removes the barrier (DoubleBarrier: N enter, N leave).
  const barrier = new recipes.Barrier(zk, '/barriers/deploy');
  await barrier.set();
  await barrier.remove();
  await barrier.wait({ timeoutMs: 1_000 });
  // Queues: FIFO (also PriorityQueue, DelayQueue) and a locking queue whose items need an ack.
  const jobs = new recipes.DistributedQueue(zk, '/queues/jobs');
  await jobs.put('job-1');
  console.log(`took ${(await jobs.take({ timeoutMs: 1_000 }))?.toString()}`);
  const work = new recipes.LockingQueue(zk, '/queues/work');
  await work.put('task-1');
  const item = await work.take({ timeoutMs: 1_000 });
  await item?.ack();
  // Counters and values: optimistic, versioned updates (also SharedValue, SharedCount).
  const hits = new recipes.DistributedAtomicLong(zk, '/counters/hits');
  console.log(`hits ${(await hits.increment()).postValue}`);
  // Service discovery: ephemeral instances with a JSON payload, picked by a strategy.
  const discovery = new recipes.ServiceDiscovery(zk, '/services');
  await discovery.register({ name: 'api', address: '10.0.0.5', port: 8080 });
  const api = await discovery.provider('api', new recipes.RoundRobinStrategy());
  console.log(`api at ${api.instance()?.address}`);
  // Caches: a tree kept current by a persistent recursive watch (NodeCache for one node).
  const services = new recipes.TreeCache(zk, '/services');
  await services.start();
  console.log(`cached ${services.children('/services/api').length} api instance(s)`);
  // Ordered unique ids, and a config node's every change (watchConfig is an async iterator).
  console.log(`order id ${await new recipes.IdGenerator(zk, '/ids/orders').next()}`);
  // --- end ---
  await new Promise((r) => setTimeout(r, 200));
  // The selector's task logs whenever it takes the lead: compare without order.
  assert.deepEqual(log.sort(), ['leading the cron jobs', 'took job-1', 'hits 1', 'api at 10.0.0.5', 'cached 1 api instance(s)', 'order id 0'].sort());
  await services.close();
  await discovery.close();
  await selector.close();
  await zk.close();
});
