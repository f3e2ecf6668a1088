// Retry policies and withRetry(): how long to wait before retrying an operation that failed with
// a transient error (connection loss, operation timeout), usable by every recipe and by user code.
// Invariants: a policy is a pure function of (attempt, elapsedMs, random) so it is deterministic
// in tests; withRetry never retries a non-retryable error, never sleeps past an aborted signal,
// and rethrows the last error when the policy gives up.

import { ConnectionLossError, OperationTimeoutError, ZooKeeperError } from '../client/index.js';
import { sleep } from './util.js';

/** Decides whether (and after how long) attempt number `attempt` (1 = first retry) may run. */
export interface RetryPolicy {
  /** Delay before the retry, or null to give up. `elapsedMs` counts from the first attempt. */
  delayMs(attempt: number, elapsedMs: number, random: () => number): number | null;
}

/** Retries up to `retries` times, sleeping base * random(1 .. 2^attempt) (capped at 2^29 base). */
export class ExponentialBackoffRetry implements RetryPolicy {
  constructor(readonly baseSleepMs: number, readonly retries: number, readonly maxSleepMs = Number.MAX_SAFE_INTEGER) {
    if (!(baseSleepMs >= 0) || !(retries >= 0)) throw new RangeError('baseSleepMs and retries must be >= 0');
  }

  delayMs(attempt: number, _elapsedMs: number, random: () => number): number | null {
    if (attempt > this.retries) return null;
    const span = 2 ** Math.min(attempt, 29);
    const factor = 1 + Math.floor(random() * span);
    return Math.min(this.maxSleepMs, this.baseSleepMs * factor);
  }
}

/** Exponential backoff whose single sleep never exceeds `maxSleepMs`. */
export class BoundedExponentialBackoffRetry extends ExponentialBackoffRetry {
  constructor(baseSleepMs: number, maxSleepMs: number, retries: number) {
    super(baseSleepMs, retries, maxSleepMs);
  }
}

/** Retries `retries` times with a fixed sleep. */
export class RetryNTimes implements RetryPolicy {
  constructor(readonly retries: number, readonly sleepMs: number) {}

  delayMs(attempt: number): number | null {
    return attempt > this.retries ? null : this.sleepMs;
  }
}

/** Retries once after `sleepMs`. */
export class RetryOneTime extends RetryNTimes {
  constructor(sleepMs: number) {
    super(1, sleepMs);
  }
}

/** Retries with a fixed sleep until `maxElapsedMs` has passed since the first attempt. */
export class RetryUntilElapsed implements RetryPolicy {
  constructor(readonly maxElapsedMs: number, readonly sleepMs: number) {}

  delayMs(_attempt: number, elapsedMs: number): number | null {
    if (elapsedMs >= this.maxElapsedMs) return null;
    return Math.min(this.sleepMs, this.maxElapsedMs - elapsedMs);
  }
}

/** Never retries. */
export const NO_RETRY: RetryPolicy = { delayMs: () => null };

/** The default for recipes: 100 ms base, 10 retries, at most 5 s per sleep. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = new BoundedExponentialBackoffRetry(100, 5_000, 10);

/**
 * Transient errors: the operation may be retried as is. Connection loss is ambiguous for writes
 * (it may have been applied); recipes that create nodes use protected names to find their node.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof ConnectionLossError || err instanceof OperationTimeoutError ||
    (err instanceof ZooKeeperError && (err.code === -4 || err.code === -7));
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Default isRetryable. */
  readonly retryable?: (err: unknown) => boolean;
  /** Called before each sleep (logging, metrics). */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Default Math.random (tests pass a seeded one). */
  readonly random?: () => number;
  /** Default Date.now. */
  readonly now?: () => number;
}

/** Runs `fn` until it succeeds, the error is not retryable, the policy gives up or the signal aborts. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const retryable = options.retryable ?? isRetryable;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const startMs = now();
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (!retryable(err)) throw err;
      const delayMs = policy.delayMs(attempt + 1, now() - startMs, random);
      if (delayMs === null) throw err;
      options.onRetry?.(err, attempt + 1, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
