// PersistentNode: a node that should exist for as long as this object is started, re-created when
// it is deleted or when its session is lost (with a ReconnectingClient), like Curator's
// PersistentNode. Modes: ephemeral, persistent, ephemeralSequential (protected name; the path
// changes on each re-creation), and TTL modes (the node is touched every touchIntervalMs so it
// outlives its TTL only while we run; after we die the server removes it once the TTL passes).
// Invariants: at most one node of ours exists at a time; our data is written on (re)creation;
// an ephemeral node owned by another session (e.g. our previous, not yet expired one) is waited
// out, never deleted.
// Connection states: 'disconnected' changes nothing (the node lives with the session); on
// reconnect the node is checked and re-created if gone; after expiry the ReconnectingClient's
// new session re-creates it; with a plain client the node is gone for good (isLive false).

import { NodeExistsError, NoNodeError, type CreateMode, type ZkClient } from '../client/index.js';
import { handleOf, type ClientSource, type SessionHandle } from './session.js';
import {
  createProtected, deadlineOf, deleteQuietly, ensurePath, Listeners, SingleFlight, waitForWake, type WaitOptions,
} from './util.js';

export interface PersistentNodeOptions {
  readonly mode?: Extract<CreateMode, 'ephemeral' | 'persistent' | 'ephemeralSequential' | 'persistentWithTtl'>;
  /** Required for persistentWithTtl. */
  readonly ttlMs?: number;
  /** TTL modes: how often the node's mtime is refreshed; default ttlMs / 2. */
  readonly touchIntervalMs?: number;
}

export class PersistentNode {
  private readonly handle: SessionHandle;
  private readonly mode: NonNullable<PersistentNodeOptions['mode']>;
  private nodePath: string | null = null;
  private data: Buffer;
  private started = false;
  private closed = false;
  private readonly ensurer = new SingleFlight(
    () => this.ensureOnce().catch(() => {
      // Connection loss or expiry: the state / new-session listeners run us again.
    }),
    () => this.closed,
  );
  private touchTimer: NodeJS.Timeout | null = null;
  private readonly created = new Listeners<[string]>();
  private readonly unsubscribes: Array<() => void> = [];
  private readonly watcher = (): void => void this.ensure();

  constructor(source: ClientSource, readonly path: string, data: Buffer | string | null, private readonly options: PersistentNodeOptions = {}) {
    this.handle = handleOf(source);
    this.mode = options.mode ?? 'ephemeral';
    this.data = Buffer.from(data ?? '');
    if (this.mode === 'persistentWithTtl' && !(options.ttlMs !== undefined && options.ttlMs > 0)) throw new RangeError('ttlMs required');
  }

  /** Starts creating the node in the background (see waitForInitialCreate). */
  start(): void {
    if (this.started) throw new Error('PersistentNode already started');
    this.started = true;
    this.unsubscribes.push(this.handle.onStateChange((e) => {
      if (e.state === 'connected') void this.ensure();
    }));
    this.unsubscribes.push(this.handle.onNewSession(() => {
      // The old session's ephemeral (and sequential path) is gone with it.
      if (this.mode !== 'persistent' && this.mode !== 'persistentWithTtl') this.nodePath = null;
      void this.ensure();
    }));
    if (this.mode === 'persistentWithTtl') {
      const everyMs = this.options.touchIntervalMs ?? Math.max(100, Math.floor(this.options.ttlMs! / 2));
      this.touchTimer = setInterval(() => void this.touch(), everyMs);
      this.touchTimer.unref();
    }
    void this.ensure();
  }

  /** The node's actual path once created (sequential modes: with its suffix). */
  get actualPath(): string | null {
    return this.nodePath;
  }

  get isLive(): boolean {
    const s = this.handle.client.state;
    return !this.closed && s !== 'expired' && s !== 'closed' && s !== 'authFailed';
  }

  /** Told with the path each time the node is (re)created. */
  onCreated(listener: (path: string) => void): () => void {
    return this.created.add(listener);
  }

  /** Resolves true once the node exists, false after timeoutMs. */
  async waitForInitialCreate(options: WaitOptions = {}): Promise<boolean> {
    if (this.nodePath !== null) return true;
    const outcome = await waitForWake((wake) => this.created.add(() => wake()), deadlineOf(options), options.signal);
    return outcome === 'woken';
  }

  /** Changes the data (now, and for every re-creation). */
  async setData(data: Buffer | string): Promise<void> {
    this.data = Buffer.from(data);
    if (this.nodePath !== null) await this.handle.client.setData(this.nodePath, this.data);
  }

  /** Stops and deletes the node. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribes.splice(0)) u();
    if (this.touchTimer !== null) clearInterval(this.touchTimer);
    await this.ensurer.idle();
    const node = this.nodePath;
    this.nodePath = null;
    if (node !== null) await deleteQuietly(this.handle.client, node).catch(() => undefined);
  }

  /** Makes sure the node exists (serialized; a request during a run causes one more run). */
  private ensure(): Promise<void> {
    return this.ensurer.run();
  }

  private async ensureOnce(): Promise<void> {
    if (this.closed) return;
    const client = this.handle.client;
    if (client.state !== 'connected' && client.state !== 'connectedReadOnly') return;
    if (this.nodePath !== null) {
      const stat = await client.exists(this.nodePath, { watch: this.watcher });
      // Ours, or another session's ephemeral (our previous one): the watch tells us when it goes.
      if (stat !== null) return;
      if (this.mode === 'ephemeralSequential') this.nodePath = null;
    }
    const path = await this.create(client);
    if (path === null) return;
    this.nodePath = path;
    const stat = await client.exists(path, { watch: this.watcher });
    if (stat === null) {
      void this.ensurer.run(); // deleted meanwhile: run once more after this one
      return;
    }
    this.created.emit(path);
  }

  /** Creates the node; null when another session's ephemeral holds the path (watched). */
  private async create(client: ZkClient): Promise<string | null> {
    const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
    if (this.mode === 'ephemeralSequential') {
      return createProtected(client, parent, this.path.slice(parent.length === 1 ? 1 : parent.length + 1), this.data, 'ephemeralSequential');
    }
    const createOptions = this.mode === 'persistentWithTtl' ? { mode: this.mode, ttlMs: this.options.ttlMs! } : { mode: this.mode };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await client.create(this.path, this.data, createOptions);
      } catch (err) {
        if (err instanceof NoNodeError) {
          await ensurePath(client, parent);
          continue;
        }
        if (!(err instanceof NodeExistsError)) throw err;
        const stat = await client.exists(this.path, { watch: this.watcher });
        if (stat === null) continue;
        if (this.mode === 'ephemeral' && stat.ephemeralOwner !== client.sessionId) return null;
        await client.setData(this.path, this.data);
        return this.path;
      }
    }
    return null;
  }

  private async touch(): Promise<void> {
    const node = this.nodePath;
    if (node === null || this.closed) return;
    await this.handle.client.setData(node, this.data).catch((err: unknown) => {
      if (err instanceof NoNodeError) void this.ensure();
    });
  }
}
