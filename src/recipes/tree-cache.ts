// TreeCache: a local copy of a subtree (every node's data and Stat) kept current by one persistent
// recursive watch on the root, or by one-shot data and child watches on every node when the
// server answers addWatch with Unimplemented (or when asked).
// Invariants: all cache changes happen in one serialized task queue, so events are applied in the
// order they arrive; a node is in the cache only if it was read after the event that created it;
// a deleted node takes its cached subtree with it; listeners hear added/updated/removed once per
// change, then 'initialized' once after the first full load.
// Connection states: while disconnected the copy may be stale; on every reconnect the whole tree is
// re-read and diffed (events missed in between come out as added/updated/removed); after expiry a
// ReconnectingClient's new session gets a new watch and a full re-read, a plain client's cache
// stops (isLive false).

import { NoNodeError, UnimplementedError, type WatchEvent, type ZkClient } from '../client/index.js';
import type { CachedNode, CacheWatchMode } from './node-cache.js';
import { handleOf, type ClientSource, type SessionHandle } from './session.js';
import { joinPath, Listeners } from './util.js';

export type TreeCacheEvent =
  | { readonly type: 'added' | 'updated'; readonly node: CachedNode }
  | { readonly type: 'removed'; readonly node: CachedNode }
  | { readonly type: 'initialized' };

export class TreeCache {
  private readonly handle: SessionHandle;
  private readonly nodes = new Map<string, CachedNode>();
  private readonly listeners = new Listeners<[TreeCacheEvent]>();
  private readonly unsubscribes: Array<() => void> = [];
  private tasks: Promise<void> = Promise.resolve();
  private recursive = false;
  private initialized = false;
  private closed = false;
  private watchedClient: ZkClient | null = null;
  private readonly watcher = (event: WatchEvent): void => {
    if (event.type.endsWith('Removed')) return;
    this.enqueue(() => this.onEvent(event));
  };

  constructor(source: ClientSource, readonly root: string, private readonly mode: CacheWatchMode = 'auto') {
    this.handle = handleOf(source);
  }

  /** Installs the watch and loads the tree; resolves after 'initialized'. */
  async start(): Promise<void> {
    this.unsubscribes.push(this.handle.onStateChange((e) => {
      if (e.state === 'connected' && this.initialized) this.enqueue(() => this.resync());
    }));
    this.unsubscribes.push(this.handle.onNewSession(() => this.enqueue(async () => {
      await this.install();
      await this.resync();
    })));
    await this.install();
    await this.enqueue(() => this.resync());
  }

  /** A cached node, or undefined. */
  get(path: string): CachedNode | undefined {
    return this.nodes.get(path);
  }

  /** Names of the cached children of `path`. */
  children(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const out: string[] = [];
    for (const p of this.nodes.keys()) {
      if (p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/')) out.push(p.slice(prefix.length));
    }
    return out.sort();
  }

  /** Every cached path. */
  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  get recursiveWatch(): boolean {
    return this.recursive;
  }

  get isLive(): boolean {
    const s = this.handle.client.state;
    return !this.closed && s !== 'expired' && s !== 'closed' && s !== 'authFailed';
  }

  /** Listener for added/updated/removed/initialized. */
  on(listener: (event: TreeCacheEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Resolves when every event received so far has been applied. */
  settled(): Promise<void> {
    return this.tasks;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribes.splice(0)) u();
    if (this.recursive && this.watchedClient !== null) {
      await this.watchedClient.removeWatches(this.root, 'any', { watcher: this.watcher }).catch(() => undefined);
    }
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.tasks.then(async () => {
      if (this.closed) return;
      await task().catch(() => {
        // Connection loss mid-task: the reconnect resync repairs the copy.
      });
    });
    this.tasks = run;
    return run;
  }

  private async install(): Promise<void> {
    const client = this.handle.client;
    this.watchedClient = client;
    this.recursive = false;
    if (this.mode === 'oneShot') return;
    try {
      await client.addWatch(this.root, this.watcher, { mode: 'persistentRecursive' });
      this.recursive = true;
    } catch (err) {
      if (!(err instanceof UnimplementedError) || this.mode === 'persistent') throw err;
    }
  }

  /** Re-reads the whole tree and diffs it against the cache. */
  private async resync(): Promise<void> {
    const seen = new Set<string>();
    await this.load(this.root, seen);
    for (const path of [...this.nodes.keys()]) {
      if (!seen.has(path)) this.remove(path);
    }
    if (!this.initialized) {
      this.initialized = true;
      this.listeners.emit({ type: 'initialized' });
    }
  }

  /** Reads `path` and its subtree into the cache (watches armed in one-shot mode). */
  private async load(path: string, seen: Set<string>): Promise<void> {
    const client = this.handle.client;
    const watch = this.recursive ? {} : { watch: this.watcher };
    let children: string[];
    try {
      const { data, stat } = await client.getData(path, watch);
      this.upsert({ path, data, stat });
      seen.add(path);
      children = await client.getChildren(path, watch);
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      this.removeSubtree(path);
      // One-shot mode: learn when the node (re)appears.
      if (!this.recursive && path === this.root && (await client.exists(path, { watch: this.watcher })) !== null) {
        await this.load(path, seen);
      }
      return;
    }
    for (const child of children) await this.load(joinPath(path, child), seen);
  }

  private async onEvent(event: WatchEvent): Promise<void> {
    const path = event.path;
    switch (event.type) {
      case 'nodeDeleted':
        this.removeSubtree(path);
        if (!this.recursive && path === this.root) await this.load(path, new Set());
        return;
      case 'nodeChildrenChanged': {
        const fresh = await this.handle.client.getChildren(path, { watch: this.watcher }).catch((err: unknown) => {
          if (err instanceof NoNodeError) return null;
          throw err;
        });
        if (fresh === null) return this.removeSubtree(path);
        const names = new Set(fresh);
        for (const name of this.children(path)) if (!names.has(name)) this.removeSubtree(joinPath(path, name));
        for (const name of fresh) if (!this.nodes.has(joinPath(path, name))) await this.load(joinPath(path, name), new Set());
        return;
      }
      case 'nodeCreated':
        // Children created later bring their own events; ones created before the read are loaded here.
        await this.load(path, new Set());
        return;
      case 'nodeDataChanged': {
        const watch = this.recursive ? {} : { watch: this.watcher };
        try {
          const { data, stat } = await this.handle.client.getData(path, watch);
          this.upsert({ path, data, stat });
        } catch (err) {
          if (err instanceof NoNodeError) this.removeSubtree(path);
          else throw err;
        }
        return;
      }
      default:
        return;
    }
  }

  private upsert(node: CachedNode): void {
    const prev = this.nodes.get(node.path);
    if (prev !== undefined && prev.stat.czxid === node.stat.czxid) {
      if (node.stat.mzxid < prev.stat.mzxid) return; // an older read: keep the newer copy
      if (node.stat.mzxid === prev.stat.mzxid) {
        // Same data; only the child list may have changed: no event.
        if (node.stat.pzxid > prev.stat.pzxid) this.nodes.set(node.path, node);
        return;
      }
    }
    this.nodes.set(node.path, node);
    this.listeners.emit({ type: prev === undefined ? 'added' : 'updated', node });
  }

  private removeSubtree(path: string): void {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const p of [...this.nodes.keys()].sort().reverse()) {
      if (p.startsWith(prefix)) this.remove(p);
    }
    this.remove(path);
  }

  private remove(path: string): void {
    const node = this.nodes.get(path);
    if (node === undefined) return;
    this.nodes.delete(path);
    this.listeners.emit({ type: 'removed', node });
  }
}
