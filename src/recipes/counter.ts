// Counters with optimistic versioned updates. DistributedAtomicLong keeps a signed 64-bit value
// (8 bytes big-endian) in one node; every update reads the value and its version and writes with
// that version, retrying on BadVersion (another writer won) under a retry policy, so no update is
// lost. The result says whether it succeeded and the value before and after.
// Connection states: each operation is a few plain requests and a connection loss is retried by
// the policy. A write whose reply was lost is checked by re-reading: if the node now holds our
// value at the next version the write counts as ours (not applied twice); a concurrent writer
// that wrote the very same value at that moment is indistinguishable (documented limit).

import { BadVersionError, NodeExistsError, NoNodeError, type ZkClient } from '../client/index.js';
import { isRetryable, type RetryPolicy } from './retry.js';
import { ensurePath, sleep } from './util.js';

export interface AtomicResult {
  readonly succeeded: boolean;
  readonly preValue: bigint;
  readonly postValue: bigint;
}

export function encodeLong(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt.asIntN(64, value));
  return b;
}

export function decodeLong(data: Buffer | null): bigint {
  if (data === null || data.length === 0) return 0n;
  if (data.length !== 8) throw new Error(`not an 8-byte long: ${data.length} bytes`);
  return data.readBigInt64BE();
}

export interface AtomicLongOptions {
  /** How often to retry after BadVersion or connection loss; default: 100 tries, 0..10 ms apart. */
  readonly policy?: RetryPolicy;
}

const CONTENDED_POLICY: RetryPolicy = { delayMs: (attempt, _e, random) => (attempt > 100 ? null : Math.floor(random() * 10)) };

export class DistributedAtomicLong {
  private readonly policy: RetryPolicy;

  constructor(readonly client: ZkClient, readonly path: string, options: AtomicLongOptions = {}) {
    this.policy = options.policy ?? CONTENDED_POLICY;
  }

  /** The current value (0 when the node does not exist yet). */
  async get(): Promise<bigint> {
    return (await this.read()).value;
  }

  increment(): Promise<AtomicResult> {
    return this.add(1n);
  }

  decrement(): Promise<AtomicResult> {
    return this.add(-1n);
  }

  add(delta: bigint): Promise<AtomicResult> {
    return this.update((v) => v + delta);
  }

  subtract(delta: bigint): Promise<AtomicResult> {
    return this.update((v) => v - delta);
  }

  /** Sets the value whatever it was. */
  trySet(value: bigint): Promise<AtomicResult> {
    return this.update(() => value);
  }

  /** Sets `newValue` only if the value is `expected` (one attempt at the compare). */
  async compareAndSet(expected: bigint, newValue: bigint): Promise<AtomicResult> {
    for (;;) {
      const { value, version } = await this.read();
      if (value !== expected) return { succeeded: false, preValue: value, postValue: value };
      const outcome = await this.write(newValue, version);
      if (outcome === 'written') return { succeeded: true, preValue: value, postValue: newValue };
    }
  }

  /** Applies `f` optimistically until a write wins or the policy gives up (succeeded=false). */
  async update(f: (value: bigint) => bigint): Promise<AtomicResult> {
    let last = 0n;
    for (let attempt = 1; ; attempt++) {
      try {
        const { value, version } = await this.read();
        last = value;
        const next = BigInt.asIntN(64, f(value));
        if ((await this.write(next, version)) === 'written') return { succeeded: true, preValue: value, postValue: next };
      } catch (err) {
        if (!isRetryable(err)) throw err;
      }
      const delayMs = this.policy.delayMs(attempt, 0, Math.random);
      if (delayMs === null) return { succeeded: false, preValue: last, postValue: last };
      if (delayMs > 0) await sleep(delayMs);
    }
  }

  /** Value and version; version -1 means "no node yet". */
  private async read(): Promise<{ value: bigint; version: number }> {
    try {
      const { data, stat } = await this.client.getData(this.path);
      return { value: decodeLong(data), version: stat.version };
    } catch (err) {
      if (err instanceof NoNodeError) return { value: 0n, version: -1 };
      throw err;
    }
  }

  private async write(value: bigint, version: number): Promise<'written' | 'lost'> {
    try {
      if (version === -1) {
        const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
        await ensurePath(this.client, parent);
        await this.client.create(this.path, encodeLong(value));
      } else {
        await this.client.setData(this.path, encodeLong(value), { version });
      }
      return 'written';
    } catch (err) {
      if (err instanceof BadVersionError || err instanceof NodeExistsError || err instanceof NoNodeError) return 'lost';
      if (!isRetryable(err)) throw err;
      return this.wasApplied(value, version);
    }
  }

  /** After an ambiguous write: did it land? Re-reads (retrying connection loss a few times). */
  private async wasApplied(value: bigint, version: number): Promise<'written' | 'lost'> {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const now = await this.read();
        return now.version === version + 1 && now.value === value ? 'written' : 'lost';
      } catch (err) {
        if (!isRetryable(err)) throw err;
        await sleep(50 * Math.min(attempt + 1, 10));
      }
    }
    throw new Error(`could not tell whether the write to ${this.path} was applied`);
  }
}
