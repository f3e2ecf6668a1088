// ZkClient: the promise API over a Session. Maps caller paths through the chroot, turns reply
// codes into ZooKeeperError subclasses (carrying code and the caller's path), registers one-shot
// watches when their reply arrives (protocol.md §6.7), and dispatches notifications to local
// watchers. Connection management lives in session.ts, the watch table in watch-registry.ts.
// Invariants: a watch is registered locally exactly when the server registered it (exists:
// success or NoNode; getData/getChildren: success); watchers run synchronously in the order the
// notifications arrive, before any later reply is delivered.

import { OPEN_ACL_UNSAFE, type Acl, type Stat } from '../proto/data.js';
import { errorForCode, NoWatcherError } from '../proto/errors.js';
import { AddWatchMode, EventType, WatcherType } from '../proto/opcodes.js';
import { multiRequest, type Request } from '../proto/requests.js';
import type { Response, ResponseOf, WatcherEvent } from '../proto/responses.js';
import { sessionId as toSessionId } from '../util/ids.js';
import { AsyncQueue } from './async-queue.js';
import { parseConnectString, seededRandom, shuffled, toClientPath, toServerPath } from './connect-string.js';
import {
  checkPath, createRequest, multiFailure, multiOpFor, opResultFor, ownBytes, readOpFor, readResultFor,
  rememberMultiResults, toBytes, type CreateSpec,
} from './ops.js';
import { Session, type Reply } from './session.js';
import { Transaction } from './transaction.js';
import type {
  AclResult, AddWatchModeName, ChildrenResult, ClientInfo, ClientOptions, ClientState, CreateOptions,
  CreateResult, Data, DataResult, OpOptions, OpResult, ReadOp, ReadResult, StateEvent, TransactionOp,
  VersionOptions, Watcher, WatcherTypeName, WatchEvent, WatchEventType, WatchOptions,
} from './types.js';
import { WatchRegistry, type WatchKind } from './watch-registry.js';
import { watchStream, type WatchStreamOptions } from './watch-stream.js';

const EVENT_NAMES: ReadonlyMap<number, WatchEventType> = new Map<number, WatchEventType>([
  [EventType.nodeCreated, 'nodeCreated'],
  [EventType.nodeDeleted, 'nodeDeleted'],
  [EventType.nodeDataChanged, 'nodeDataChanged'],
  [EventType.nodeChildrenChanged, 'nodeChildrenChanged'],
]);

const TERMINAL_STATES: ReadonlySet<ClientState> = new Set(['expired', 'authFailed', 'closed']);

export class ZkClient {
  readonly chroot: string | null;
  private readonly session: Session;
  private readonly watches = new WatchRegistry();

  constructor(connectString: string, private readonly options: ClientOptions = {}) {
    const parsed = parseConnectString(connectString);
    this.chroot = parsed.chroot;
    const random = options.shuffleSeed === undefined ? Math.random : seededRandom(options.shuffleSeed);
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    const hosts = shuffled(parsed.hosts, random);
    this.session = new Session({
      hosts,
      chroot: this.chroot,
      sessionTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? Math.max(1000, Math.floor(sessionTimeoutMs / hosts.length)),
      canBeReadOnly: options.canBeReadOnly ?? false,
      failWhileDisconnected: options.whileDisconnected === 'fail',
      maxOutstandingRequests: options.maxOutstandingRequests ?? 10_000,
      frameBytesMax: options.frameBytesMax ?? 2 * 1024 * 1024,
      random,
      watchLists: () => this.watches.lists(),
      onNotification: (event) => this.dispatch(event),
    });
    if (options.sessionId !== undefined) {
      this.session.sessionId = toSessionId(options.sessionId);
      this.session.password = Uint8Array.from(options.sessionPassword ?? new Uint8Array(16));
    }
    for (const info of options.authInfos ?? []) this.session.addAuthInfo(info.scheme, toBytes(info.auth) ?? new Uint8Array(0));
    // One-shot watchers are of no use once the session is gone.
    this.session.onState((event) => {
      if (TERMINAL_STATES.has(event.state)) this.watches.clear();
    });
  }

  /**
   * Connects; resolves on the first established session, or rejects with ConnectionLossError
   * after initialConnectTimeoutMs (or the options' signal), leaving the client closed. Call once.
   */
  async start(): Promise<this> {
    const options = this.options;
    const limitMs = options.initialConnectTimeoutMs ?? options.sessionTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const signal = options.signal;
    const onAbort = (): void => this.session.abandon(errorForCode(-4, undefined, { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted === true) onAbort();
      timer = setTimeout(() => {
        const last = this.session.lastConnectError;
        const why = last instanceof Error ? `: ${last.message}` : '';
        this.session.abandon(errorForCode(-4, undefined, { cause: `not connected within ${limitMs} ms${why}` }));
      }, limitMs);
      await this.session.start();
      return this;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  get state(): ClientState { return this.session.state; }
  get sessionId(): bigint { return this.session.sessionId; }
  get sessionPassword(): Uint8Array { return Uint8Array.from(this.session.password); }
  get negotiatedTimeoutMs(): number { return this.session.negotiatedTimeoutMs; }
  get lastZxid(): bigint { return this.session.lastZxid; }
  /** `host:port` of the current server, or null while disconnected. */
  get server(): string | null { return this.session.server; }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onStateChange(listener: (event: StateEvent) => void): () => void {
    return this.session.onState(listener);
  }

  /** State changes as an async iterable; ends after a terminal state (expired, authFailed, closed). */
  states(options: { signal?: AbortSignal; bufferSize?: number } = {}): AsyncIterableIterator<StateEvent> {
    const signal = options.signal;
    const onAbort = (): void => queue.fail(signal?.reason);
    const queue = new AsyncQueue<StateEvent>(options.bufferSize ?? 256, () => {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    });
    const unsubscribe = this.session.onState((event) => {
      queue.push(event);
      if (TERMINAL_STATES.has(event.state)) queue.end();
    });
    if (this.session.isTerminal) queue.end();
    else if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return queue;
  }

  // ---- operations ----

  /** Creates a node; resolves with its actual path (sequence suffix included). */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    const response = await this.call(createRequest(this.chroot, path, data, spec(options), false), path, options);
    const created = response as ResponseOf<'create'> | ResponseOf<'create2'>;
    return toClientPath(this.chroot, created.path);
  }

  /** Creates a node (create2 / createContainer / createTTL); resolves with its path and Stat. */
  async create2(path: string, data?: Data, options: CreateOptions = {}): Promise<CreateResult> {
    const response = await this.call(createRequest(this.chroot, path, data, spec(options), true), path, options);
    const created = response as ResponseOf<'create2'>;
    return { path: toClientPath(this.chroot, created.path), stat: created.stat };
  }

  async delete(path: string, options: VersionOptions = {}): Promise<void> {
    checkPath(path);
    await this.call({ op: 'delete', path: this.server_(path), version: options.version ?? -1 }, path, options);
  }

  /** The node's Stat, or null when it does not exist (a watch is set either way). */
  async exists(path: string, options: WatchOptions = {}): Promise<Stat | null> {
    checkPath(path);
    const watch = options.watch;
    const onReply = watch === undefined ? undefined : (reply: Reply): void => {
      if (reply.err === 0) this.watches.add('data', path, watch);
      else if (reply.err === -101) this.watches.add('exist', path, watch);
    };
    const reply = await this.submit({ op: 'exists', path: this.server_(path), watch: watch !== undefined }, path, options, onReply);
    if (reply.err === -101) return null;
    if (reply.err !== 0) throw errorForCode(reply.err, path);
    return (reply.response as ResponseOf<'stat'>).stat;
  }

  async getData(path: string, options: WatchOptions = {}): Promise<DataResult> {
    checkPath(path);
    const r = await this.call({ op: 'getData', path: this.server_(path), watch: options.watch !== undefined }, path, options, this.registerOn('data', path, options.watch));
    const body = r as ResponseOf<'getData'>;
    return { data: ownBytes(body.data), stat: body.stat };
  }

  async setData(path: string, data: Data, options: VersionOptions = {}): Promise<Stat> {
    checkPath(path);
    const r = await this.call({ op: 'setData', path: this.server_(path), data: toBytes(data), version: options.version ?? -1 }, path, options);
    return (r as ResponseOf<'stat'>).stat;
  }

  async getACL(path: string, options: OpOptions = {}): Promise<AclResult> {
    checkPath(path);
    const r = (await this.call({ op: 'getACL', path: this.server_(path) }, path, options)) as ResponseOf<'getACL'>;
    return { acl: [...r.acl], stat: r.stat };
  }

  async setACL(path: string, acl: readonly Acl[], options: VersionOptions = {}): Promise<Stat> {
    checkPath(path);
    const r = await this.call({ op: 'setACL', path: this.server_(path), acl, version: options.version ?? -1 }, path, options);
    return (r as ResponseOf<'stat'>).stat;
  }

  /** Child names (unordered); with `{ stat: true }` also the parent's Stat. */
  getChildren(path: string, options: WatchOptions & { stat: true }): Promise<ChildrenResult>;
  getChildren(path: string, options?: WatchOptions & { stat?: false }): Promise<string[]>;
  async getChildren(path: string, options: WatchOptions & { stat?: boolean } = {}): Promise<string[] | ChildrenResult> {
    checkPath(path);
    const op = options.stat === true ? 'getChildren2' : 'getChildren';
    const r = await this.call({ op, path: this.server_(path), watch: options.watch !== undefined }, path, options, this.registerOn('child', path, options.watch));
    if (options.stat === true) {
      const body = r as ResponseOf<'getChildren2'>;
      return { children: [...body.children], stat: body.stat };
    }
    return [...(r as ResponseOf<'getChildren'>).children];
  }

  /** The number of all descendants of `path`. */
  async getAllChildrenNumber(path: string, options: OpOptions = {}): Promise<number> {
    checkPath(path);
    const r = await this.call({ op: 'getAllChildrenNumber', path: this.server_(path) }, path, options);
    return (r as ResponseOf<'getAllChildrenNumber'>).totalNumber;
  }

  /** This session's ephemeral nodes whose path starts with `prefixPath` (string prefix). */
  async getEphemerals(prefixPath = '/', options: OpOptions = {}): Promise<string[]> {
    const chroot = this.chroot;
    const serverPrefix = chroot === null ? prefixPath : prefixPath === '/' ? `${chroot}/` : chroot + prefixPath;
    const r = await this.call({ op: 'getEphemerals', prefixPath: serverPrefix }, prefixPath, options);
    const paths = (r as ResponseOf<'getEphemerals'>).ephemerals;
    if (chroot === null) return [...paths];
    return paths.filter((p) => p.startsWith(`${chroot}/`)).map((p) => toClientPath(chroot, p));
  }

  /** Waits until the connected server has caught up with the leader. */
  async sync(path: string, options: OpOptions = {}): Promise<void> {
    checkPath(path);
    await this.call({ op: 'sync', path: this.server_(path) }, path, options);
  }

  /** Runs ops atomically; rejects with the first failing op's error (multiErrorResults gives all codes). */
  async multi(ops: readonly TransactionOp[], options: OpOptions = {}): Promise<OpResult[]> {
    const request = multiRequest('multi', ops.map((op) => multiOpFor(this.chroot, op)));
    const r = (await this.call(request, undefined, options)) as ResponseOf<'multi'>;
    const failure = multiFailure(r.results, ops);
    if (failure !== null) {
      rememberMultiResults(failure, r.results);
      throw failure;
    }
    return r.results.map((result) => opResultFor(this.chroot, result));
  }

  transaction(): Transaction {
    return new Transaction((ops, options) => this.multi(ops, options));
  }

  /** Runs reads together; each fails on its own (ReadResult 'error'). Sets no watches. */
  async multiRead(ops: readonly ReadOp[], options: OpOptions = {}): Promise<ReadResult[]> {
    const request = multiRequest('multiRead', ops.map((op) => readOpFor(this.chroot, op)));
    const r = (await this.call(request, undefined, options)) as ResponseOf<'multi'>;
    return r.results.map((result, i) => readResultFor(result, ops[i]?.path ?? '/'));
  }

  /** Adds a persistent (or persistent recursive) watcher; it stays until removeWatches(path, 'any'). */
  async addWatch(path: string, watcher: Watcher, options: OpOptions & { mode?: AddWatchModeName } = {}): Promise<void> {
    const mode = options.mode ?? 'persistent';
    this.watches.add(mode, path, watcher);
    try {
      await this.addServerWatch(path, mode, options.signal);
    } catch (err) {
      this.watches.delete(mode, path, watcher);
      throw err;
    }
  }

  /**
   * Removes watchers of `path` ('data': data and exist watchers, 'children': child watchers,
   * 'any': all, persistent included), each told with a *WatchRemoved event. With `watcher`, only
   * that one (the server watch stays while other local watchers need it). `local: true` skips the
   * server. Rejects with NoWatcherError when nothing was removed.
   */
  async removeWatches(path: string, type: WatcherTypeName, options: OpOptions & { watcher?: Watcher; local?: boolean } = {}): Promise<void> {
    checkPath(path);
    const removed = this.watches.remove(path, type, options.watcher);
    for (const [watcher, event] of removed) this.fire(watcher, event);
    const othersRemain = options.watcher !== undefined && this.watches.hasAny(path);
    if (options.local === true || othersRemain) {
      if (removed.length === 0) throw new NoWatcherError(path);
      return;
    }
    const code = type === 'data' ? WatcherType.data : type === 'children' ? WatcherType.children : WatcherType.any;
    const reply = await this.submit({ op: 'removeWatches', path: this.server_(path), type: code }, path, options);
    if (reply.err !== 0 && !(reply.err === -121 && removed.length > 0)) throw errorForCode(reply.err, path);
  }

  /** Events of a persistent (default) or recursive watch as an async iterator; see watch-stream.ts. */
  watch(path: string, options: WatchStreamOptions = {}): AsyncIterableIterator<WatchEvent> {
    checkPath(path);
    return watchStream({
      registry: this.watches,
      addServerWatch: (p, mode, signal) => this.addServerWatch(p, mode, signal),
      removeServerWatch: (p) => this.removeServerWatch(p),
      onState: (listener) => this.session.onState(listener),
    }, path, options);
  }

  async whoAmI(options: OpOptions = {}): Promise<ClientInfo[]> {
    const r = await this.call({ op: 'whoAmI' }, undefined, options);
    return [...(r as ResponseOf<'whoAmI'>).clientInfo];
  }

  /** Adds a credential now and on every reconnect. An unknown scheme ends the session (authFailed). */
  addAuth(scheme: string, auth: Uint8Array | string, options: OpOptions = {}): Promise<void> {
    const accepted = this.session.addAuth(scheme, toBytes(auth) ?? new Uint8Array(0));
    const signal = options.signal;
    if (signal === undefined) return accepted;
    // The credential stays registered (it is re-sent on reconnect); only the wait stops.
    accepted.catch(() => undefined);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      accepted.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Sends closeSession and waits (bounded) for its reply; later calls reject with ClientClosedError. */
  close(): Promise<void> {
    return this.session.close();
  }

  // ---- internals ----

  private server_(path: string): string {
    return toServerPath(this.chroot, path);
  }

  private registerOn(kind: WatchKind, path: string, watcher: Watcher | undefined): ((reply: Reply) => void) | undefined {
    if (watcher === undefined) return undefined;
    return (reply) => {
      if (reply.err === 0) this.watches.add(kind, path, watcher);
    };
  }

  private submit(request: Request, path: string | undefined, options: OpOptions, onReply?: (reply: Reply) => void): Promise<Reply> {
    return this.session.submit(request, { path, signal: options.signal, onReply });
  }

  /** Submits and throws the error class for a non-zero reply code. */
  private async call(request: Request, path: string | undefined, options: OpOptions, onReply?: (reply: Reply) => void): Promise<Response | null> {
    const reply = await this.submit(request, path, options, onReply);
    if (reply.err !== 0) throw errorForCode(reply.err, path);
    return reply.response;
  }

  private async addServerWatch(path: string, mode: AddWatchModeName, signal: AbortSignal | undefined): Promise<void> {
    checkPath(path);
    const code = mode === 'persistent' ? AddWatchMode.persistent : AddWatchMode.persistentRecursive;
    await this.call({ op: 'addWatch', path: this.server_(path), mode: code }, path, signal === undefined ? {} : { signal });
  }

  private removeServerWatch(path: string): void {
    if (this.session.isTerminal) return;
    // Best effort: the server may have no watch left (NoWatcher) or the connection may be down.
    this.submit({ op: 'removeWatches', path: this.server_(path), type: WatcherType.any }, path, {}).catch(() => undefined);
  }

  private dispatch(event: WatcherEvent): void {
    const type = EVENT_NAMES.get(event.type);
    if (type === undefined) return;
    const path = toClientPath(this.chroot, event.path);
    for (const watcher of this.watches.take(type, path)) this.fire(watcher, { type, path });
  }

  private fire(watcher: Watcher, event: WatchEvent): void {
    try {
      watcher(event);
    } catch (err) {
      // A throwing watcher must not break the connection; surface it like an EventEmitter does.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

function spec(options: CreateOptions): CreateSpec {
  return { mode: options.mode, acl: options.acl ?? OPEN_ACL_UNSAFE, ttlMs: options.ttlMs };
}

/** Connects to `connectString` ("h1:2181,h2:2181/chroot") and resolves once the session is established. */
export function connect(connectString: string, options: ClientOptions = {}): Promise<ZkClient> {
  let client: ZkClient;
  try {
    client = new ZkClient(connectString, options);
  } catch (err) {
    return Promise.reject(err);
  }
  return client.start();
}

/** Same as connect(). */
export const createClient = connect;

