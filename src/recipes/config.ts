// Configuration watching. watchConfig(): an async iterator over the values of one config node:
// the current value first, then each value seen after a change, in order, versions strictly
// increasing, never an older value after a newer one. Two writes in quick succession may be seen
// as one (ZooKeeper watches report that something changed, then the read returns the latest).
// ConfigLog: when every change must be seen, writers append each version as a
// persistent-sequential child of `path` and readers iterate over them in sequence order, from
// any point; compact() trims old entries (a reader that fell further behind learns it by a gap).
// Connection states: both re-read on reconnect and, with a ReconnectingClient, on a new session;
// with a plain client the iterator ends with SessionExpiredError after expiry.

import { NoNodeError, SessionExpiredError, type Stat } from '../client/index.js';
import { NodeCache } from './node-cache.js';
import { handleOf, ReconnectingClient, type ClientSource, type SessionHandle } from './session.js';
import { ensurePath, joinPath, sequenceOf, oneShotWatch, waitForWake } from './util.js';

export interface ConfigValue {
  readonly data: Buffer | null;
  /** Null while the node does not exist. */
  readonly stat: Stat | null;
}

/** Values of `path`, current first; ends when `signal` aborts (return) or the session ends (throw). */
export async function* watchConfig(source: ClientSource, path: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<ConfigValue> {
  const handle = handleOf(source);
  const cache = new NodeCache(source, path);
  const pending: ConfigValue[] = [];
  let wake: (() => void) | null = null;
  cache.onChange((node) => {
    pending.push(node === null ? { data: null, stat: null } : { data: node.data, stat: node.stat });
    wake?.();
  });
  let ended: Error | null = null;
  const unsubscribe = handle.onStateChange((e) => {
    if (e.state === 'expired' && !(source instanceof ReconnectingClient)) {
      ended = new SessionExpiredError(path);
      wake?.();
    }
  });
  try {
    await cache.start();
    if (pending.length === 0) pending.push({ data: null, stat: null });
    for (;;) {
      while (pending.length > 0) yield pending.shift()!;
      if (ended !== null) throw ended;
      if (options.signal?.aborted === true) return;
      const outcome = await waitForWake((w) => {
        wake = w;
        return () => (wake = null);
      }, Infinity, options.signal).catch(() => 'aborted' as const);
      if (outcome === 'aborted') return;
    }
  } finally {
    unsubscribe();
    await cache.close();
  }
}

export interface ConfigEntry {
  readonly seq: number;
  readonly data: Buffer;
}

const ENTRY_PREFIX = 'v-';

export class ConfigLog {
  private readonly handle: SessionHandle;

  constructor(source: ClientSource, readonly path: string) {
    this.handle = handleOf(source);
  }

  /** Appends a version; resolves with its sequence number. */
  async publish(data: Buffer | string): Promise<number> {
    const client = this.handle.client;
    const at = joinPath(this.path, ENTRY_PREFIX);
    try {
      return sequenceOf(await client.create(at, data, { mode: 'persistentSequential' }));
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      await ensurePath(client, this.path);
      return sequenceOf(await client.create(at, data, { mode: 'persistentSequential' }));
    }
  }

  /** The newest entry, or null. */
  async latest(): Promise<ConfigEntry | null> {
    const seqs = await this.sequences();
    const last = seqs.at(-1);
    return last === undefined ? null : this.read(last);
  }

  /** Deletes all but the newest `keep` entries. */
  async compact(keep: number): Promise<void> {
    const seqs = await this.sequences();
    for (const seq of seqs.slice(0, Math.max(0, seqs.length - keep))) {
      await this.handle.client.delete(this.entryPath(seq)).catch((err: unknown) => {
        if (!(err instanceof NoNodeError)) throw err;
      });
    }
  }

  /**
   * Every entry with seq > afterSeq, in order, then each new one as it is published. An entry
   * compacted away before it was read is skipped (the seq numbers show the gap).
   */
  async *entries(options: { afterSeq?: number; signal?: AbortSignal } = {}): AsyncGenerator<ConfigEntry> {
    let last = options.afterSeq ?? -1;
    await ensurePath(this.handle.client, this.path);
    for (;;) {
      const watch = oneShotWatch();
      const client = this.handle.client;
      const names = await client.getChildren(this.path, { watch: watch.watcher });
      const seqs = names.filter((n) => n.startsWith(ENTRY_PREFIX)).map(sequenceOf).filter((s) => s > last).sort((a, b) => a - b);
      for (const seq of seqs) {
        const entry = await this.read(seq);
        last = seq;
        if (entry !== null) yield entry;
      }
      if (seqs.length > 0) continue;
      const outcome = await watch.wait(Infinity, options.signal, (w) => this.handle.onNewSession(() => w())).catch(() => 'aborted' as const);
      if (outcome === 'aborted') return;
    }
  }

  private async sequences(): Promise<number[]> {
    const names = await this.handle.client.getChildren(this.path).catch((err: unknown) => {
      if (err instanceof NoNodeError) return [] as string[];
      throw err;
    });
    return names.filter((n) => n.startsWith(ENTRY_PREFIX)).map(sequenceOf).sort((a, b) => a - b);
  }

  private entryPath(seq: number): string {
    return joinPath(this.path, `${ENTRY_PREFIX}${String(seq).padStart(10, '0')}`);
  }

  private async read(seq: number): Promise<ConfigEntry | null> {
    try {
      return { seq, data: (await this.handle.client.getData(this.entryPath(seq))).data ?? Buffer.alloc(0) };
    } catch (err) {
      if (err instanceof NoNodeError) return null;
      throw err;
    }
  }
}
