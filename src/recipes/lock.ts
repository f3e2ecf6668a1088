// Locks on ephemeral nodes. SequentialLock is the fair queue behind Mutex, the read-write lock and
// the semaphore: each contender creates a protected ephemeral-sequential node and waits on just
// the node its driver names (its predecessor), so a release wakes exactly one waiter (no herd).
// Mutex is re-entrant per instance. ExclusiveLock is the simplest lock: one ephemeral node, every
// waiter watches it (a herd, documented). MultiLock takes several locks in order, all or nothing.
// Invariants: a holder's node is ephemeral, so the lock is released when its session ends; a
// waiter that times out or is aborted deletes its node before returning; acquire resolves true
// only while our node is the one the driver accepts.

import { NodeExistsError, type Data, type ZkClient } from '../client/index.js';
import {
  createProtected, deadlineOf, deleteQuietly, ensurePath, joinPath, Listeners, nameOf, sortBySequence,
  oneShotWatch, type WaitOptions,
} from './util.js';

/** The lock node is gone while we wait or hold (session expired or someone deleted it). */
export class LockLostError extends Error {
  override name = 'LockLostError';
}

/** Given the contenders (sorted) and our index: acquired, or the name of the node to watch. */
export type LockDriver = (sorted: readonly string[], ourIndex: number) => { acquired: true } | { acquired: false; watch: string };

/** First in line holds it; everyone else watches the one just before. */
export const mutexDriver: LockDriver = (sorted, i) => (i === 0 ? { acquired: true } : { acquired: false, watch: sorted[i - 1]! });

/** Anything that can be locked and unlocked (MultiLock takes these). */
export interface Lockable {
  /** Resolves true once held, false when `timeoutMs` passed; rejects with the signal's reason. */
  acquire(options?: WaitOptions): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One contender slot in `dir`: creates its node and waits its turn. Not re-entrant by itself.
 * `filter` picks the names that take part (a read-write lock shares its dir between two kinds).
 */
export class SequentialLock {
  constructor(
    readonly client: ZkClient,
    readonly dir: string,
    readonly prefix: string,
    private readonly driver: LockDriver,
    private readonly filter: (name: string) => boolean = () => true,
  ) {}

  /** Returns our node's path once acquired, or null on timeout. */
  async acquire(options: WaitOptions & { data?: Data } = {}): Promise<string | null> {
    const deadlineMs = deadlineOf(options);
    options.signal?.throwIfAborted();
    const ourPath = await createProtected(this.client, this.dir, this.prefix, options.data ?? null, 'ephemeralSequential');
    let held = false;
    try {
      held = await this.waitTurn(nameOf(ourPath), deadlineMs, options.signal);
      return held ? ourPath : null;
    } finally {
      if (!held) await deleteQuietly(this.client, ourPath).catch(() => undefined);
    }
  }

  /** The contenders' names in queue order. */
  async contenders(): Promise<string[]> {
    try {
      return sortBySequence((await this.client.getChildren(this.dir)).filter(this.filter));
    } catch (err) {
      if ((err as { code?: number }).code === -101) return [];
      throw err;
    }
  }

  private async waitTurn(ourName: string, deadlineMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    for (;;) {
      const sorted = await this.contenders();
      const index = sorted.indexOf(ourName);
      if (index < 0) throw new LockLostError(`lock node ${joinPath(this.dir, ourName)} disappeared`);
      const verdict = this.driver(sorted, index);
      if (verdict.acquired) return true;
      if (Date.now() >= deadlineMs) return false;
      const watchPath = joinPath(this.dir, verdict.watch);
      const watch = oneShotWatch();
      const { watcher } = watch;
      // exists (not getData) so a predecessor that vanished in between answers null, no error.
      const stat = await this.client.exists(watchPath, { watch: watcher });
      if (stat === null) continue;
      // A session that ends clears watches: wake so the next read fails with the real reason.
      const outcome = await watch.wait(deadlineMs, signal, (w) =>
        this.client.onStateChange((e) => {
          if (e.state === 'expired' || e.state === 'closed' || e.state === 'authFailed') w();
        }),
      ).catch((err: unknown) => {
        this.forget(watchPath, watcher);
        throw err;
      });
      if (outcome === 'timeout') {
        this.forget(watchPath, watcher);
        return false;
      }
    }
  }

  private forget(path: string, watcher: () => void): void {
    this.client.removeWatches(path, 'data', { watcher, local: true }).catch(() => undefined);
  }
}

/**
 * A fair, re-entrant distributed mutex. Re-entrancy is per instance: acquire() on an instance
 * that holds the lock only counts up; each acquire needs one release. Concurrent acquire() calls
 * on one instance queue behind each other. Give each task that must exclude others its own instance.
 */
export class Mutex implements Lockable {
  private readonly lock: SequentialLock;
  private holdCount = 0;
  private nodePath: string | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private unwatchState: (() => void) | null = null;
  private readonly lostListeners = new Listeners<[Error]>();

  constructor(readonly client: ZkClient, readonly path: string, options: { prefix?: string; driver?: LockDriver; filter?: (name: string) => boolean } = {}) {
    this.lock = new SequentialLock(client, path, options.prefix ?? 'lock-', options.driver ?? mutexDriver, options.filter);
  }

  acquire(options: WaitOptions & { data?: Data } = {}): Promise<boolean> {
    const run = this.chain.then(() => this.acquireNow(options));
    this.chain = run.catch(() => undefined);
    return run;
  }

  async release(): Promise<void> {
    if (this.holdCount === 0) throw new Error(`not holding ${this.path}`);
    if (--this.holdCount > 0) return;
    const node = this.nodePath!;
    this.nodePath = null;
    this.unwatchState?.();
    this.unwatchState = null;
    await deleteQuietly(this.client, node).catch((err: unknown) => {
      // An expired session already removed the node: nothing left to release.
      if ((err as { code?: number }).code !== -112) throw err;
    });
  }

  /** True while this instance holds the lock and its session is alive. */
  get isAcquired(): boolean {
    return this.holdCount > 0 && this.client.state !== 'expired' && this.client.state !== 'closed';
  }

  /** Our lock node while held. */
  get lockPath(): string | null {
    return this.nodePath;
  }

  /** Told when the session holding the lock ends (the server deletes the node). */
  onLost(listener: (error: Error) => void): () => void {
    return this.lostListeners.add(listener);
  }

  /** Contender node names in queue order (the first holds the lock). */
  participants(): Promise<string[]> {
    return this.lock.contenders();
  }

  private async acquireNow(options: WaitOptions & { data?: Data }): Promise<boolean> {
    if (this.holdCount > 0) {
      this.holdCount++;
      return true;
    }
    const node = await this.lock.acquire(options);
    if (node === null) return false;
    this.nodePath = node;
    this.holdCount = 1;
    this.unwatchState = this.client.onStateChange((e) => {
      if (e.state !== 'expired') return;
      this.holdCount = 0;
      this.nodePath = null;
      this.unwatchState?.();
      this.unwatchState = null;
      this.lostListeners.emit(new LockLostError(`session expired while holding ${this.path}`));
    });
    return true;
  }
}

/**
 * The simplest lock: whoever creates the ephemeral node `path` holds it. Every waiter watches that
 * one node, so a release wakes them all (use Mutex for many waiters). Not re-entrant.
 */
export class ExclusiveLock implements Lockable {
  private held = false;

  constructor(readonly client: ZkClient, readonly path: string) {}

  async acquire(options: WaitOptions & { data?: Data } = {}): Promise<boolean> {
    const deadlineMs = deadlineOf(options);
    const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
    await ensurePath(this.client, parent);
    for (;;) {
      options.signal?.throwIfAborted();
      try {
        await this.client.create(this.path, options.data ?? null, { mode: 'ephemeral' });
        this.held = true;
        return true;
      } catch (err) {
        if (!(err instanceof NodeExistsError)) throw err;
      }
      const watch = oneShotWatch();
      const stat = await this.client.exists(this.path, { watch: watch.watcher });
      if (stat === null) continue;
      // A create that was applied just before a connection loss: the node is already ours.
      if (stat.ephemeralOwner === this.client.sessionId) {
        this.held = true;
        return true;
      }
      const outcome = await watch.wait(deadlineMs, options.signal);
      if (outcome === 'timeout') return false;
    }
  }

  async release(): Promise<void> {
    if (!this.held) throw new Error(`not holding ${this.path}`);
    this.held = false;
    await deleteQuietly(this.client, this.path);
  }

  get isAcquired(): boolean {
    return this.held;
  }
}

/** Holds several locks as one: acquires in the given order, releases in reverse; all or nothing. */
export class MultiLock implements Lockable {
  private readonly held: Lockable[] = [];

  constructor(private readonly locks: readonly Lockable[]) {}

  async acquire(options: WaitOptions = {}): Promise<boolean> {
    const deadlineMs = deadlineOf(options);
    try {
      for (const lock of this.locks) {
        const remainingMs = deadlineMs === Infinity ? undefined : Math.max(0, deadlineMs - Date.now());
        const ok = await lock.acquire({ ...(options.signal === undefined ? {} : { signal: options.signal }), ...(remainingMs === undefined ? {} : { timeoutMs: remainingMs }) });
        if (!ok) {
          await this.releaseHeld();
          return false;
        }
        this.held.push(lock);
      }
      return true;
    } catch (err) {
      await this.releaseHeld();
      throw err;
    }
  }

  async release(): Promise<void> {
    if (this.held.length === 0) throw new Error('MultiLock not held');
    await this.releaseHeld();
  }

  private async releaseHeld(): Promise<void> {
    let firstError: unknown = null;
    for (const lock of this.held.splice(0).reverse()) {
      await lock.release().catch((err: unknown) => (firstError ??= err));
    }
    if (firstError !== null) throw firstError;
  }
}
