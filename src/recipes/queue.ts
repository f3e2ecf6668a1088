// Distributed queues on persistent-sequential nodes: FIFO (DistributedQueue), PriorityQueue (lower
// number first, FIFO within a priority) and DelayQueue (an item is handed out no earlier than its
// due time). A consumer takes an item by reading it and deleting it: only the delete that succeeds
// owns the item, so concurrent consumers never get the same item.
// Delivery: at most once. A consumer that dies after take() loses the item, and a connection loss
// during the delete is ambiguous (the item is then reported lost rather than delivered twice);
// use LockingQueue (locking-queue.ts) for at-least-once delivery with an ack.
// Connection states: put/take are plain requests (they wait for a reconnect or fail per client
// options); a waiting take keeps its child watch across reconnects; expiry fails the take.

import { NoNodeError, type Data, type ZkClient } from '../client/index.js';
import { deadlineOf, ensurePath, joinPath, sequenceOf, oneShotWatch, type WaitOptions } from './util.js';

interface Order {
  readonly prefix: string;
  /** Sort key of an item name; items compare by key, then by sequence. */
  key(name: string): number;
}

const FIFO: Order = { prefix: 'q-', key: () => 0 };
const PRIORITY_OFFSET = 2 ** 31;
const PRIORITY: Order = { prefix: 'p-', key: (name) => Number(/^p-(\d{10})-/.exec(name)?.[1] ?? PRIORITY_OFFSET) };
const DELAY: Order = { prefix: 'd-', key: (name) => parseInt(/^d-([0-9a-f]{12})-/.exec(name)?.[1] ?? '0', 16) };

/** Shared machinery: put with a name carrying the sort key, take in key+sequence order. */
abstract class SequentialQueue {
  constructor(readonly client: ZkClient, readonly path: string, private readonly order: Order) {}

  /** Items waiting (names, in take order). */
  async items(): Promise<string[]> {
    try {
      return this.sorted(await this.client.getChildren(this.path));
    } catch (err) {
      if (err instanceof NoNodeError) return [];
      throw err;
    }
  }

  async size(): Promise<number> {
    return (await this.items()).length;
  }

  protected async putNamed(name: string, data: Data): Promise<string> {
    try {
      return await this.client.create(joinPath(this.path, name), data, { mode: 'persistentSequential' });
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      await ensurePath(this.client, this.path);
      return this.client.create(joinPath(this.path, name), data, { mode: 'persistentSequential' });
    }
  }

  /** Removes and returns the next item, waiting for one; null after timeoutMs. */
  async take(options: WaitOptions = {}): Promise<Buffer | null> {
    const deadlineMs = deadlineOf(options);
    await ensurePath(this.client, this.path);
    for (;;) {
      options.signal?.throwIfAborted();
      const watch = oneShotWatch();
      const children = await this.client.getChildren(this.path, { watch: watch.watcher });
      let nextDueMs = Infinity;
      for (const name of this.sorted(children)) {
        const dueMs = this.dueMs(name);
        if (dueMs > Date.now()) {
          nextDueMs = dueMs;
          break;
        }
        const item = await this.tryTake(joinPath(this.path, name));
        if (item !== undefined) return item;
      }
      const untilMs = Math.min(deadlineMs, nextDueMs);
      const outcome = await watch.wait(untilMs, options.signal);
      if (outcome === 'timeout' && Date.now() >= deadlineMs) return null;
    }
  }

  /** The next item without removing it, or null when empty. */
  async peek(): Promise<Buffer | null> {
    for (const name of await this.items()) {
      if (this.dueMs(name) > Date.now()) return null;
      try {
        return (await this.client.getData(joinPath(this.path, name))).data ?? Buffer.alloc(0);
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
      }
    }
    return null;
  }

  /** When an item may be taken (epoch ms); 0 unless this is a delay queue. */
  protected dueMs(_name: string): number {
    return 0;
  }

  private sorted(names: readonly string[]): string[] {
    const order = this.order;
    return names.filter((n) => n.startsWith(order.prefix))
      .sort((a, b) => order.key(a) - order.key(b) || sequenceOf(a) - sequenceOf(b));
  }

  /** The item's data if our delete won, undefined if another consumer took it first. */
  private async tryTake(itemPath: string): Promise<Buffer | undefined> {
    let data: Buffer | null;
    try {
      data = (await this.client.getData(itemPath)).data;
      await this.client.delete(itemPath);
    } catch (err) {
      if (err instanceof NoNodeError) return undefined;
      throw err;
    }
    return data ?? Buffer.alloc(0);
  }
}

/** A FIFO queue. */
export class DistributedQueue extends SequentialQueue {
  constructor(client: ZkClient, path: string) {
    super(client, path, FIFO);
  }

  put(data: Data): Promise<string> {
    return this.putNamed(FIFO.prefix, data);
  }
}

/** Lower priority numbers are taken first; equal priorities in FIFO order. */
export class PriorityQueue extends SequentialQueue {
  constructor(client: ZkClient, path: string) {
    super(client, path, PRIORITY);
  }

  put(data: Data, priority: number): Promise<string> {
    if (!Number.isInteger(priority) || Math.abs(priority) >= PRIORITY_OFFSET) throw new RangeError('priority must be a 32-bit integer');
    return this.putNamed(`p-${String(priority + PRIORITY_OFFSET).padStart(10, '0')}-`, data);
  }
}

/**
 * Items become available at their due time (epoch ms, by the consumer's clock: keep clocks in
 * sync). Earliest due first.
 */
export class DelayQueue extends SequentialQueue {
  constructor(client: ZkClient, path: string) {
    super(client, path, DELAY);
  }

  put(data: Data, dueAtMs: number): Promise<string> {
    return this.putNamed(`d-${Math.max(0, Math.floor(dueAtMs)).toString(16).padStart(12, '0')}-`, data);
  }

  protected override dueMs(name: string): number {
    return DELAY.key(name);
  }
}
