// NodeCache: a local copy of one node (data and Stat, or null while it does not exist) kept
// current by a persistent watch (addWatch), or by one-shot exists/getData watches on servers that
// answer addWatch with Unimplemented (before 3.6), or when asked.
// Invariants: reads are serialized (a change seen during a read causes one more read), so the
// copy never goes back to an older version; listeners hear each change of existence, version or
// data once.
// Connection states: while disconnected the copy may be stale; on reconnect it is re-read (the
// watch itself comes back with the session); after expiry a ReconnectingClient's new session gets
// a new watch and a re-read, a plain client's cache stops (isLive false).

import { NoNodeError, UnimplementedError, type Stat, type WatchEvent, type ZkClient } from '../client/index.js';
import { handleOf, type ClientSource, type SessionHandle } from './session.js';
import { Listeners, SingleFlight } from './util.js';

export interface CachedNode {
  readonly path: string;
  readonly data: Buffer | null;
  readonly stat: Stat;
}

/** 'auto' tries a persistent watch and falls back to one-shot watches on Unimplemented. */
export type CacheWatchMode = 'auto' | 'persistent' | 'oneShot';

export class NodeCache {
  private readonly handle: SessionHandle;
  private node: CachedNode | null = null;
  private readonly listeners = new Listeners<[CachedNode | null]>();
  private readonly unsubscribes: Array<() => void> = [];
  private usingPersistent = false;
  private watchedClient: ZkClient | null = null;
  private readonly reads = new SingleFlight(
    () => this.readOnce().catch(() => {
      // Connection loss: the 'connected' state listener reads again.
    }),
    () => this.closed,
  );
  private closed = false;
  private readonly watcher = (event: WatchEvent): void => {
    if (event.type.endsWith('Removed')) return;
    void this.refresh();
  };

  constructor(source: ClientSource, readonly path: string, private readonly mode: CacheWatchMode = 'auto') {
    this.handle = handleOf(source);
  }

  /** Installs the watch and reads the node; resolves once the first copy is in. */
  async start(): Promise<void> {
    this.unsubscribes.push(this.handle.onStateChange((e) => {
      if (e.state === 'connected') void this.refresh();
    }));
    this.unsubscribes.push(this.handle.onNewSession(() => void this.install().then(() => this.refresh(), () => undefined)));
    await this.install();
    await this.refresh();
  }

  /** The node, or null when it does not exist. */
  get current(): CachedNode | null {
    return this.node;
  }

  /** Whether the watch is a persistent one (false: one-shot fallback). */
  get persistentWatch(): boolean {
    return this.usingPersistent;
  }

  /** False once the session of a plain client ended: the copy no longer follows the node. */
  get isLive(): boolean {
    const s = this.handle.client.state;
    return !this.closed && s !== 'expired' && s !== 'closed' && s !== 'authFailed';
  }

  onChange(listener: (node: CachedNode | null) => void): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribes.splice(0)) u();
    const client = this.watchedClient;
    if (client !== null && this.usingPersistent) {
      await client.removeWatches(this.path, 'any', { watcher: this.watcher }).catch(() => undefined);
    }
  }

  private async install(): Promise<void> {
    const client = this.handle.client;
    this.watchedClient = client;
    this.usingPersistent = false;
    if (this.mode === 'oneShot') return;
    try {
      await client.addWatch(this.path, this.watcher, { mode: 'persistent' });
      this.usingPersistent = true;
    } catch (err) {
      if (!(err instanceof UnimplementedError) || this.mode === 'persistent') throw err;
    }
  }

  /** Re-reads the node; calls during a read fold into one more read after it. */
  refresh(): Promise<void> {
    return this.reads.run();
  }

  private async readOnce(): Promise<void> {
    if (this.closed) return;
    const client = this.handle.client;
    const watch = this.usingPersistent ? {} : { watch: this.watcher };
    let next: CachedNode | null;
    try {
      const { data, stat } = await client.getData(this.path, watch);
      next = { path: this.path, data, stat };
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      // One-shot mode: an exists watch tells us when it is created.
      if (!this.usingPersistent && (await client.exists(this.path, { watch: this.watcher })) !== null) {
        void this.reads.run(); // created meanwhile: read once more after this run
        return;
      }
      next = null;
    }
    this.accept(next);
  }

  private accept(next: CachedNode | null): void {
    const prev = this.node;
    if (prev === null && next === null) return;
    if (prev !== null && next !== null) {
      if (next.stat.mzxid < prev.stat.mzxid) return;
      if (next.stat.czxid === prev.stat.czxid && next.stat.mzxid === prev.stat.mzxid) return;
    }
    this.node = next;
    if (!this.closed) this.listeners.emit(next);
  }
}
