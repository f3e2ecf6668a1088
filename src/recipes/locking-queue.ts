// A queue with acknowledgement (at-least-once delivery, exactly-once ack). Items are
// persistent-sequential nodes under `${path}/items`; a consumer takes an item by creating the
// ephemeral `${path}/locks/<item>` and acks it by deleting item and lock in one multi.
// Invariants: at most one consumer holds an item at a time (the lock node); an item disappears
// only through an ack by the lock holder, atomically with its lock; a consumer that dies (session
// ends) or releases without ack loses its lock, and the item is handed out again, so no item is
// lost and none is acked twice.
// Connection states: a waiting take keeps its watches across reconnects; an ack after a
// connection loss is retried and recognised as done when item and lock are both gone; after
// session expiry ack() fails and the item goes to another consumer.

import { ConnectionLossError, NodeExistsError, NoNodeError, type Data, type ZkClient } from '../client/index.js';
import {
  deadlineOf, ensurePath, joinPath, sequenceOf, sleep, waitForWake, type WaitOptions,
} from './util.js';

const ITEM_PREFIX = 'item-';

export interface QueueItem {
  readonly name: string;
  readonly data: Buffer;
  /** Removes the item for good; rejects if our lock is gone (session expired). */
  ack(): Promise<void>;
  /** Gives the item back without removing it. */
  release(): Promise<void>;
}

export class LockingQueue {
  private readonly itemsPath: string;
  private readonly locksPath: string;

  constructor(readonly client: ZkClient, readonly path: string) {
    this.itemsPath = joinPath(path, 'items');
    this.locksPath = joinPath(path, 'locks');
  }

  async put(data: Data): Promise<string> {
    try {
      return await this.client.create(joinPath(this.itemsPath, ITEM_PREFIX), data, { mode: 'persistentSequential' });
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      await this.ensure();
      return this.client.create(joinPath(this.itemsPath, ITEM_PREFIX), data, { mode: 'persistentSequential' });
    }
  }

  /** Items not yet acked (held ones included). */
  async size(): Promise<number> {
    return (await this.client.getChildren(this.itemsPath).catch(() => [])).length;
  }

  /** The next unlocked item, locked for us; null after timeoutMs. */
  async take(options: WaitOptions = {}): Promise<QueueItem | null> {
    const deadlineMs = deadlineOf(options);
    await this.ensure();
    for (;;) {
      options.signal?.throwIfAborted();
      let wake: () => void = () => undefined;
      let fired = false;
      const watch = (): void => {
        fired = true;
        wake();
      };
      // Items appear (item watch) and become free when a holder dies or releases (lock watch).
      const items = await this.client.getChildren(this.itemsPath, { watch });
      const locked = new Set(await this.client.getChildren(this.locksPath, { watch }));
      const free = items.filter((n) => n.startsWith(ITEM_PREFIX) && !locked.has(n)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
      for (const name of free) {
        const item = await this.tryLock(name);
        if (item !== null) return item;
      }
      const outcome = await waitForWake((w) => {
        wake = w;
        if (fired) w();
      }, deadlineMs, options.signal);
      if (outcome === 'timeout') return null;
    }
  }

  private async ensure(): Promise<void> {
    await ensurePath(this.client, this.itemsPath);
    await ensurePath(this.client, this.locksPath);
  }

  private async tryLock(name: string): Promise<QueueItem | null> {
    const lockPath = joinPath(this.locksPath, name);
    const itemPath = joinPath(this.itemsPath, name);
    try {
      await this.client.create(lockPath, this.client.sessionId.toString(16), { mode: 'ephemeral' });
    } catch (err) {
      if (err instanceof NodeExistsError) {
        // Ours if a create applied just before a connection loss; otherwise someone else's.
        const stat = await this.client.exists(lockPath);
        if (stat === null || stat.ephemeralOwner !== this.client.sessionId) return null;
      } else {
        throw err;
      }
    }
    let data: Buffer;
    try {
      data = (await this.client.getData(itemPath)).data ?? Buffer.alloc(0);
    } catch (err) {
      await this.client.delete(lockPath).catch(() => undefined);
      if (err instanceof NoNodeError) return null; // acked by its holder just before we locked
      throw err;
    }
    return {
      name,
      data,
      ack: () => this.ack(itemPath, lockPath),
      release: async () => {
        await this.client.delete(lockPath).catch((err: unknown) => {
          if (!(err instanceof NoNodeError)) throw err;
        });
      },
    };
  }

  private async ack(itemPath: string, lockPath: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.multi([{ op: 'delete', path: itemPath }, { op: 'delete', path: lockPath }]);
        return;
      } catch (err) {
        if (err instanceof ConnectionLossError && attempt < 5) {
          await sleep(50 * 2 ** attempt);
          continue;
        }
        // After an ambiguous first attempt, both gone means that attempt was applied.
        if (err instanceof NoNodeError && attempt > 0) {
          const [item, lock] = await Promise.all([this.client.exists(itemPath), this.client.exists(lockPath)]);
          if (item === null && lock === null) return;
        }
        throw err;
      }
    }
  }
}
