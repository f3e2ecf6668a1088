// A counting semaphore with leases: at most maxLeases leases exist at once across all clients.
// A lease is an ephemeral-sequential node under `${path}/leases`, so a holder's leases go away
// with its session. Contenders line up on a fair Mutex at `${path}/locks`; only the head of that
// line watches the lease count, so waiters are not woken by every release.
// Invariant: a lease is handed out only after the leases child count, our node included, was
// seen <= maxLeases while we held the line's mutex.

import type { Data, ZkClient } from '../client/index.js';
import { LockLostError, Mutex } from './lock.js';
import {
  createProtected, deadlineOf, deleteQuietly, joinPath, nameOf, oneShotWatch, type WaitOptions,
} from './util.js';

export interface Lease {
  readonly path: string;
  release(): Promise<void>;
}

export class Semaphore {
  private readonly line: Mutex;
  private readonly leasesPath: string;

  constructor(readonly client: ZkClient, readonly path: string, readonly maxLeases: number) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError('maxLeases must be a positive integer');
    this.line = new Mutex(client, joinPath(path, 'locks'));
    this.leasesPath = joinPath(path, 'leases');
  }

  /** One lease, or null after timeoutMs. */
  async acquire(options: WaitOptions & { data?: Data } = {}): Promise<Lease | null> {
    const leases = await this.acquireMany(1, options);
    return leases === null ? null : leases[0]!;
  }

  /** `count` leases at once (all or none), or null after timeoutMs. */
  async acquireMany(count: number, options: WaitOptions & { data?: Data } = {}): Promise<Lease[] | null> {
    if (count < 1 || count > this.maxLeases) throw new RangeError(`count must be in 1..${this.maxLeases}`);
    const deadlineMs = deadlineOf(options);
    const remaining = (): WaitOptions => ({
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(deadlineMs === Infinity ? {} : { timeoutMs: Math.max(0, deadlineMs - Date.now()) }),
    });
    if (!(await this.line.acquire(remaining()))) return null;
    const got: Lease[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const lease = await this.oneLease(deadlineMs, options);
        if (lease === null) break;
        got.push(lease);
      }
    } catch (err) {
      for (const lease of got) await lease.release().catch(() => undefined);
      throw err;
    } finally {
      await this.line.release().catch(() => undefined);
    }
    if (got.length < count) {
      for (const lease of got) await lease.release().catch(() => undefined);
      return null;
    }
    return got;
  }

  /** The current lease node names. */
  async leaseNames(): Promise<string[]> {
    return this.client.getChildren(this.leasesPath).catch(() => []);
  }

  private async oneLease(deadlineMs: number, options: WaitOptions & { data?: Data }): Promise<Lease | null> {
    const ourPath = await createProtected(this.client, this.leasesPath, 'lease-', options.data ?? null, 'ephemeralSequential');
    const ourName = nameOf(ourPath);
    let granted = false;
    try {
      for (;;) {
        const watch = oneShotWatch();
        const children = await this.client.getChildren(this.leasesPath, { watch: watch.watcher });
        if (!children.includes(ourName)) throw new LockLostError(`lease node ${ourPath} disappeared`);
        if (children.length <= this.maxLeases) {
          granted = true;
          return { path: ourPath, release: () => deleteQuietly(this.client, ourPath) };
        }
        const outcome = await watch.wait(deadlineMs, options.signal);
        if (outcome === 'timeout') return null;
      }
    } finally {
      if (!granted) await deleteQuietly(this.client, ourPath).catch(() => undefined);
    }
  }
}
