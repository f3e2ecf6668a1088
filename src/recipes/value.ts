// SharedValue: a value in one node that every client sees and may change, with its version for
// optimistic updates (trySetValue fails when someone else wrote first). SharedCount is the same
// for a 32-bit integer. The local copy follows the node through a one-shot data watch re-armed on
// every change; listeners hear each value seen, in modification (mzxid) order, never an older one after a newer.
// Connection states: on 'disconnected' the local copy may be stale (the data watch comes back
// with the session, and on reconnect the node is re-read); on expiry of a plain client the value
// stops following (state 'lost'); a ReconnectingClient re-reads on the new session.

import { BadVersionError, NodeExistsError, NoNodeError } from '../client/index.js';
import { handleOf, type ClientSource, type SessionHandle } from './session.js';
import { ensurePath, Listeners } from './util.js';

export interface VersionedValue {
  readonly value: Buffer;
  /** The node's data version; -1 before the first read. */
  readonly version: number;
}

export class SharedValue {
  private readonly handle: SessionHandle;
  private current: VersionedValue = { value: Buffer.alloc(0), version: -1 };
  /** The mzxid of `current`: orders values even across a delete and re-create (versions restart). */
  private currentMzxid = -1n;
  private readonly listeners = new Listeners<[VersionedValue]>();
  private readonly unsubscribes: Array<() => void> = [];
  private started = false;
  private closed = false;
  /** One watcher instance, so re-arming never stacks watchers (the client keeps a set). */
  private readonly watcher = (): void => void this.refresh().catch(() => undefined);

  constructor(source: ClientSource, readonly path: string, private readonly seed: Buffer | string = Buffer.alloc(0)) {
    this.handle = handleOf(source);
  }

  /** Creates the node with the seed if missing and reads it. */
  async start(): Promise<void> {
    if (this.started) throw new Error('SharedValue already started');
    this.started = true;
    this.unsubscribes.push(this.handle.onStateChange((e) => {
      if (e.state === 'connected') void this.refresh().catch(() => undefined);
    }));
    this.unsubscribes.push(this.handle.onNewSession(() => void this.refresh().catch(() => undefined)));
    await this.refresh();
  }

  get value(): Buffer {
    return this.current.value;
  }

  get versioned(): VersionedValue {
    return this.current;
  }

  /** Told of every new value seen, newest last (never an older value after a newer one). */
  onChange(listener: (value: VersionedValue) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Writes whatever the version. */
  async setValue(value: Buffer | string): Promise<void> {
    const stat = await this.handle.client.setData(this.path, value);
    this.accept({ value: Buffer.from(value), version: stat.version }, stat.mzxid);
  }

  /** Writes only if the node still has `expectedVersion`; false when another write came first. */
  async trySetValue(value: Buffer | string, expectedVersion = this.current.version): Promise<boolean> {
    try {
      const stat = await this.handle.client.setData(this.path, value, { version: expectedVersion });
      this.accept({ value: Buffer.from(value), version: stat.version }, stat.mzxid);
      return true;
    } catch (err) {
      if (err instanceof BadVersionError) {
        await this.refresh();
        return false;
      }
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    for (const u of this.unsubscribes.splice(0)) u();
  }

  private async refresh(): Promise<void> {
    if (this.closed) return;
    const client = this.handle.client;
    for (;;) {
      try {
        const { data, stat } = await client.getData(this.path, { watch: this.watcher });
        this.accept({ value: data ?? Buffer.alloc(0), version: stat.version }, stat.mzxid);
        return;
      } catch (err) {
        if (!(err instanceof NoNodeError)) throw err;
      }
      const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
      await ensurePath(client, parent);
      await client.create(this.path, this.seed).catch((err: unknown) => {
        if (!(err instanceof NodeExistsError)) throw err;
      });
    }
  }

  private accept(next: VersionedValue, mzxid: bigint): void {
    // A newer value may already be known (a watch read raced with our own write).
    if (mzxid <= this.currentMzxid) return;
    this.currentMzxid = mzxid;
    this.current = next;
    if (!this.closed) this.listeners.emit(next);
  }
}

/** A shared 32-bit signed integer. */
export class SharedCount {
  private readonly shared: SharedValue;

  constructor(source: ClientSource, path: string, seed = 0) {
    this.shared = new SharedValue(source, path, encodeInt(seed));
  }

  start(): Promise<void> {
    return this.shared.start();
  }

  get count(): number {
    return decodeInt(this.shared.value);
  }

  get version(): number {
    return this.shared.versioned.version;
  }

  onChange(listener: (count: number, version: number) => void): () => void {
    return this.shared.onChange((v) => listener(decodeInt(v.value), v.version));
  }

  setCount(count: number): Promise<void> {
    return this.shared.setValue(encodeInt(count));
  }

  /** Sets only if nobody changed it since `expectedVersion` (default: the version last seen). */
  trySetCount(count: number, expectedVersion = this.version): Promise<boolean> {
    return this.shared.trySetValue(encodeInt(count), expectedVersion);
  }

  close(): void {
    this.shared.close();
  }
}

function encodeInt(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function decodeInt(b: Buffer): number {
  return b.length === 4 ? b.readInt32BE() : 0;
}
