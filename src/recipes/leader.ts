// Leader election. LeaderLatch: every participant keeps an ephemeral-sequential node in `path`;
// the first in order is leader until it closes or its session ends; the others each watch their
// predecessor. LeaderSelector: participants take turns running a leadership function (run, then
// give it up), queued on a fair Mutex.
// Connection states (both): on 'disconnected' leadership is given up at once (listeners hear
// false / the leadership signal aborts), because the session may expire at the server before we
// learn of it; that is what keeps two leaders from overlapping. On reconnect to the same session
// the latch re-checks its node and may regain leadership. On expiry the node is gone; with a
// ReconnectingClient the recipe re-joins on the new session, with a plain client it stops.

import { SessionExpiredError, type ZkClient } from '../client/index.js';
import { Mutex } from './lock.js';
import { handleOf, type ClientSource, type SessionHandle } from './session.js';
import {
  createProtected, deadlineOf, deleteQuietly, ensurePath, joinPath, Listeners, nameOf, sleep, sortBySequence,
  waitForWake, type WaitOptions,
} from './util.js';

const LATCH_PREFIX = 'latch-';

export class LeaderLatch {
  private readonly handle: SessionHandle;
  private readonly listeners = new Listeners<[boolean]>();
  private readonly closing = new Listeners<[]>();
  private ourPath: string | null = null;
  private leader = false;
  private state: 'idle' | 'started' | 'closed' = 'idle';
  private checking = false;
  private recheck = false;
  private readonly unsubscribes: Array<() => void> = [];
  /** One watcher instance, so re-arming never stacks watchers (the client keeps a set). */
  private readonly watcher = (): void => void this.check();

  constructor(source: ClientSource, readonly path: string, readonly id = '') {
    this.handle = handleOf(source);
  }

  /** Joins the election; resolves once our node exists (not when we lead: see await()). */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('LeaderLatch already started');
    this.state = 'started';
    this.unsubscribes.push(this.handle.onStateChange((e) => {
      if (e.state === 'disconnected' || e.state === 'expired') this.setLeader(false);
      if (e.state === 'expired') this.ourPath = null;
      if (e.state === 'connected') void this.check();
    }));
    this.unsubscribes.push(this.handle.onNewSession(() => void this.check()));
    await this.join();
    await this.check();
  }

  get hasLeadership(): boolean {
    return this.leader;
  }

  /** Our node (null before start, after close, or between a session's end and the next). */
  get nodePath(): string | null {
    return this.ourPath;
  }

  /** Listener gets true when we become leader, false when we stop being leader. */
  onChange(listener: (isLeader: boolean) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Resolves true once leader, false after timeoutMs; rejects on abort or close. */
  async await(options: WaitOptions = {}): Promise<boolean> {
    if (this.leader) return true;
    const outcome = await waitForWake((wake) => {
      const offLeader = this.listeners.add((isLeader) => {
        if (isLeader) wake();
      });
      const offClose = this.closing.add(wake);
      return () => {
        offLeader();
        offClose();
      };
    }, deadlineOf(options), options.signal);
    if (this.state === 'closed') throw new Error('LeaderLatch closed');
    return outcome === 'woken' && this.leader;
  }

  /** The participant ids in queue order (the first is the leader). */
  async participants(): Promise<string[]> {
    const client = this.handle.client;
    const names = sortBySequence((await client.getChildren(this.path)).filter((n) => n.includes(LATCH_PREFIX)));
    const ids: string[] = [];
    for (const name of names) {
      try {
        ids.push((await client.getData(joinPath(this.path, name))).data?.toString() ?? '');
      } catch {
        // left in between
      }
    }
    return ids;
  }

  /** Leaves the election (deletes our node); the next participant becomes leader. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const u of this.unsubscribes.splice(0)) u();
    this.setLeader(false);
    const node = this.ourPath;
    this.ourPath = null;
    if (node !== null) await deleteQuietly(this.handle.client, node).catch(() => undefined);
    this.closing.emit();
  }

  private async join(): Promise<void> {
    const client = this.handle.client;
    await ensurePath(client, this.path);
    this.ourPath = await createProtected(client, this.path, LATCH_PREFIX, this.id, 'ephemeralSequential');
  }

  private setLeader(value: boolean): void {
    if (this.leader === value) return;
    this.leader = value;
    this.listeners.emit(value);
  }

  /** Re-evaluates our place; serialized (a check requested while one runs runs again after it). */
  private async check(): Promise<void> {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.recheck = false;
        await this.checkOnce().catch(() => {
          // Connection loss or expiry: the state listener triggers the next check.
        });
      } while (this.recheck && this.state === 'started');
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(): Promise<void> {
    if (this.state !== 'started') return;
    const client = this.handle.client;
    if (client.state !== 'connected' && client.state !== 'connectedReadOnly') return;
    if (this.ourPath === null) await this.join();
    const names = sortBySequence((await client.getChildren(this.path)).filter((n) => n.includes(LATCH_PREFIX)));
    const ourName = nameOf(this.ourPath!);
    const index = names.indexOf(ourName);
    if (index < 0) {
      // Our node was deleted under us (by an admin, or a late delete): join again.
      this.setLeader(false);
      this.ourPath = null;
      this.recheck = true;
      return;
    }
    if (index === 0) {
      this.setLeader(this.state === 'started');
      return;
    }
    this.setLeader(false);
    const predecessor = joinPath(this.path, names[index - 1]!);
    const stat = await client.exists(predecessor, { watch: this.watcher });
    if (stat === null) this.recheck = true;
  }
}

/** What a LeaderSelector runs while it leads; leadership ends when it returns or `signal` aborts. */
export type LeadershipTask = (signal: AbortSignal, client: ZkClient) => Promise<void>;

export interface LeaderSelectorOptions {
  /** Queue again after leadership ends (default true). */
  readonly autoRequeue?: boolean;
  /** Stored as the lock node's data (participant id). */
  readonly id?: string;
}

export class LeaderSelector {
  private readonly handle: SessionHandle;
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private leading = false;
  /** Times leadership was taken, for observers and tests. */
  leaderships = 0;

  constructor(source: ClientSource, readonly path: string, private readonly task: LeadershipTask, private readonly options: LeaderSelectorOptions = {}) {
    this.handle = handleOf(source);
  }

  start(): void {
    if (this.loop !== null) throw new Error('LeaderSelector already started');
    this.loop = this.run();
  }

  get hasLeadership(): boolean {
    return this.leading;
  }

  /** Stops: interrupts the task if it leads, leaves the queue, and waits for the loop to end. */
  async close(): Promise<void> {
    this.stop.abort(new Error('LeaderSelector closed'));
    await this.loop;
  }

  private async run(): Promise<void> {
    const stopSignal = this.stop.signal;
    while (!stopSignal.aborted) {
      const client = this.handle.client;
      const mutex = new Mutex(client, this.path);
      let acquired = false;
      try {
        acquired = await mutex.acquire({ signal: stopSignal, data: this.options.id ?? '' });
      } catch (err) {
        if (stopSignal.aborted) return;
        await this.pauseAfter(err, client);
        continue;
      }
      if (!acquired) continue;
      await this.lead(client, mutex);
      if (this.options.autoRequeue === false) return;
    }
  }

  private async lead(client: ZkClient, mutex: Mutex): Promise<void> {
    const leadership = new AbortController();
    const interrupt = (): void => leadership.abort(new Error('leadership interrupted'));
    const unState = this.handle.onStateChange((e) => {
      if (e.state === 'disconnected' || e.state === 'expired' || e.state === 'closed') interrupt();
    });
    const unLost = mutex.onLost(interrupt);
    this.stop.signal.addEventListener('abort', interrupt, { once: true });
    this.leading = true;
    this.leaderships++;
    try {
      if (client.state === 'connected') await this.task(leadership.signal, client);
    } catch {
      // The task's own failure ends its leadership like a return does.
    } finally {
      this.leading = false;
      unState();
      unLost();
      this.stop.signal.removeEventListener('abort', interrupt);
      await mutex.release().catch(() => undefined);
    }
  }

  /** After a failed acquire: wait for a new session (expiry) or back off briefly (connection loss). */
  private async pauseAfter(err: unknown, client: ZkClient): Promise<void> {
    const ended = err instanceof SessionExpiredError || client.state === 'expired' || client.state === 'closed';
    if (!ended) {
      await sleep(200, this.stop.signal).catch(() => undefined);
      return;
    }
    await waitForWake((wake) => this.handle.onNewSession(() => wake()), Infinity, this.stop.signal).catch(() => undefined);
  }
}
