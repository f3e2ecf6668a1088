// Small helpers shared by the recipes: abortable sleep and waits with deadlines, parent-path
// creation, sequence-suffix parsing and sorting, and "protected" sequential creates that find
// their own node again after a connection loss.
// Invariants: every wait here ends on its event, its deadline or its signal, whichever is first,
// and removes its listeners; a protected create returns exactly one node of ours, never a
// second one created by a blind retry.

import { randomUUID } from 'node:crypto';
import {
  ConnectionLossError, NoNodeError, NodeExistsError, type CreateMode, type ZkClient,
} from '../client/index.js';

/** The error a wait rejects with when its timeout passes. */
export class RecipeTimeoutError extends Error {
  override name = 'RecipeTimeoutError';
}

/** Sleeps `ms`; rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Options every blocking recipe call takes. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Give up after this long; the call then resolves false / rejects RecipeTimeoutError as documented. */
  readonly timeoutMs?: number;
}

/** A deadline: absolute ms, or Infinity. */
export function deadlineOf(options: WaitOptions): number {
  return options.timeoutMs === undefined ? Infinity : Date.now() + Math.max(0, options.timeoutMs);
}

/**
 * Waits until `arm` calls its wake callback, the deadline passes (resolves 'timeout') or the
 * signal aborts (rejects with its reason). `arm` returns a disarm function.
 */
export function waitForWake(arm: (wake: () => void) => (() => void) | void, deadlineMs: number, signal?: AbortSignal): Promise<'woken' | 'timeout'> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let disarm: (() => void) | void = undefined;
    const finish = (outcome: 'woken' | 'timeout' | { error: unknown }): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (typeof disarm === 'function') disarm();
      if (typeof outcome === 'object') reject(outcome.error);
      else resolve(outcome);
    };
    const onAbort = (): void => finish({ error: signal!.reason });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (deadlineMs !== Infinity) timer = setTimeout(() => finish('timeout'), Math.max(0, deadlineMs - Date.now()));
    disarm = arm(() => finish('woken'));
    if (done && typeof disarm === 'function') disarm();
  });
}

/** A one-shot watch to set with a read, and the wait for it to fire. */
export interface OneShotWatch {
  /** Pass as the read's watch. */
  readonly watcher: () => void;
  /**
   * As waitForWake: resolves 'woken' once the watch fires (also if it fired before the wait
   * began) or `alsoWake` calls its wake, 'timeout' at the deadline; rejects on abort.
   */
  wait(deadlineMs: number, signal?: AbortSignal, alsoWake?: (wake: () => void) => (() => void) | void): Promise<'woken' | 'timeout'>;
}

export function oneShotWatch(): OneShotWatch {
  let fired = false;
  let wake: (() => void) | null = null;
  return {
    watcher: () => {
      fired = true;
      wake?.();
    },
    wait: (deadlineMs, signal, alsoWake) =>
      waitForWake((w) => {
        wake = w;
        const disarm = alsoWake?.(w);
        if (fired) w();
        return disarm;
      }, deadlineMs, signal),
  };
}

/** Creates `path` and its missing ancestors as persistent nodes (or containers); existing ones are fine. */
export async function ensurePath(client: ZkClient, path: string, mode: 'persistent' | 'container' = 'persistent'): Promise<void> {
  if (path === '/' || (await client.exists(path)) !== null) return;
  const parts = path.split('/').filter((p) => p !== '');
  let current = '';
  for (const part of parts) {
    current += `/${part}`;
    try {
      await client.create(current, null, { mode });
    } catch (err) {
      if (!(err instanceof NodeExistsError)) throw err;
    }
  }
}

/** The trailing 10-digit sequence number of a sequential node name, or -1. */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  return m === null ? -1 : Number(m[1]);
}

/** Names sorted by their sequence suffix (protection prefixes differ, so plain sort is wrong). */
export function sortBySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => sequenceOf(a) - sequenceOf(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The last segment of a path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

const PROTECTED_PREFIX = '_c_';

/**
 * Creates `${dir}/_c_<uuid>-${prefix}<seq>` in a sequential mode. On connection loss it looks for
 * the node by its uuid before retrying, so a create applied just before the loss is not
 * duplicated. Missing parents are created (persistent). Returns the full path.
 */
export async function createProtected(
  client: ZkClient, dir: string, prefix: string, data: Uint8Array | string | null,
  mode: CreateMode, options: { readonly ttlMs?: number; readonly attempts?: number } = {},
): Promise<string> {
  const id = randomUUID();
  const name = `${PROTECTED_PREFIX}${id}-${prefix}`;
  const attempts = options.attempts ?? 10;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      if (attempt > 0) {
        const mine = (await client.getChildren(dir)).find((c) => c.includes(id));
        if (mine !== undefined) return joinPath(dir, mine);
      }
      const createOptions = options.ttlMs === undefined ? { mode } : { mode, ttlMs: options.ttlMs };
      return await client.create(joinPath(dir, name), data, createOptions);
    } catch (err) {
      lastError = err;
      if (err instanceof NoNodeError) {
        await ensurePath(client, dir);
        continue;
      }
      if (!(err instanceof ConnectionLossError)) throw err;
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }
  throw lastError;
}

/** Whether `err` says the node is gone (NoNode), for "already deleted is fine" paths. */
export function isNoNode(err: unknown): boolean {
  return err instanceof NoNodeError;
}

/** Deletes `path`, ignoring NoNode; retries on connection loss a few times. */
export async function deleteQuietly(client: ZkClient, path: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await client.delete(path);
      return;
    } catch (err) {
      if (err instanceof NoNodeError) return;
      if (!(err instanceof ConnectionLossError)) throw err;
      await sleep(50 * 2 ** attempt);
    }
  }
}

/**
 * Runs `task` one at a time: runs asked for while one is under way fold into a single further run
 * after it. `task` handles its own failures.
 */
export class SingleFlight {
  private current: Promise<void> | null = null;
  private again = false;

  constructor(private readonly task: () => Promise<void>, private readonly stopped: () => boolean) {}

  /** Starts a run, or asks for one more after the current one; resolves once the runs are done. */
  run(): Promise<void> {
    if (this.current !== null) {
      this.again = true;
      return this.current;
    }
    this.current = (async () => {
      try {
        do {
          this.again = false;
          await this.task();
        } while (this.again && !this.stopped());
      } finally {
        this.current = null;
      }
    })();
    return this.current;
  }

  /** Resolves once no run is under way. */
  idle(): Promise<void> {
    return this.current ?? Promise.resolve();
  }
}

/** A tiny typed listener set. */
export class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();

  add(listener: (...args: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  emit(...args: T): void {
    for (const l of [...this.set]) {
      try {
        l(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
