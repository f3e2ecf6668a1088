// The session: owns the current Connection, the request queues and the connection state
// machine (protocol.md §2.7, §3). It sends requests with xids from 1 (wrapping at 2^31-1 back
// to 1), matches replies FIFO, tracks lastZxid, reconnects to the next host with the same
// session id and password (auth, then setWatches, then queued requests), and ends for good on
// expiry, auth failure or close.
// Invariants:
// - a reply must answer the oldest in-flight request; anything else drops the connection;
// - requests sent on a lost connection fail with ConnectionLossError (they may or may not have
//   been applied); requests not yet sent wait (or fail, by option) and go out in submit order;
// - in-flight + waiting requests never exceed maxOutstandingRequests;
// - once terminal (expired, authFailed, closed) every request fails and nothing reconnects.

import { JuteReader } from '../jute/reader.js';
import type { ConnectResponse } from '../proto/connect.js';
import {
  AuthFailedError, ConnectionLossError, SessionExpiredError, errorForCode,
  type ZooKeeperError,
} from '../proto/errors.js';
import { Xid } from '../proto/opcodes.js';
import { encodeRequest, type Request } from '../proto/requests.js';
import {
  decodeReplyHeader, decodeResponse, decodeWatcherEvent, responseKindForOp, type Response,
  type WatcherEvent,
} from '../proto/responses.js';
import { sessionId as toSessionId, zxid as toZxid, type SessionId, type Zxid } from '../util/ids.js';
import type { HostPort } from './connect-string.js';
import { Connection, ConnectionClosedError } from './connection.js';
import { ClientClosedError, ClientQueueFullError } from './errors.js';
import { Fifo } from './fifo.js';
import { authFrame, setWatchesFrames } from './prime-frames.js';
import type { ClientState, StateEvent } from './types.js';
import type { WatchLists } from './watch-registry.js';

export interface Reply {
  readonly zxid: Zxid;
  readonly err: number;
  readonly response: Response | null;
}

export interface SubmitOptions {
  /** The caller's path, for errors. */
  readonly path?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Runs when the reply arrives, even if the caller stopped waiting (watch registration). */
  readonly onReply?: ((reply: Reply) => void) | undefined;
}

interface Pending {
  xid: number;
  readonly request: Request;
  readonly options: SubmitOptions;
  settled: boolean;
  resolve(reply: Reply): void;
  reject(error: unknown): void;
  cleanup(): void;
}

interface AuthEntry {
  readonly scheme: string;
  readonly auth: Uint8Array;
  /** Callers of addAuth waiting for this entry's next reply. */
  waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
}

export interface SessionConfig {
  readonly hosts: readonly HostPort[];
  readonly chroot: string | null;
  readonly sessionTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly canBeReadOnly: boolean;
  readonly failWhileDisconnected: boolean;
  readonly maxOutstandingRequests: number;
  readonly frameBytesMax: number;
  readonly random: () => number;
  /** The current watch lists (caller paths) for setWatches after a reconnect. */
  readonly watchLists: () => WatchLists;
  readonly onNotification: (event: WatcherEvent) => void;
  /** The first xid (tests of the wrap at 2^31-1); default 1. */
  readonly firstXid?: number;
}

const XID_MAX = 0x7fffffff;
const CLOSE_REPLY_WAIT_MS_MAX = 5_000;
const PASSWORD_BYTES = 16;

export class Session {
  state: ClientState = 'connecting';
  sessionId: SessionId = toSessionId(0);
  password: Uint8Array = new Uint8Array(PASSWORD_BYTES);
  negotiatedTimeoutMs = 0;
  lastZxid: Zxid = toZxid(0);
  server: string | null = null;
  /** Why the latest connection attempt failed (for diagnostics). */
  lastConnectError: unknown = undefined;

  private connection: Connection | null = null;
  private readonly inFlight = new Fifo<Pending>();
  private readonly waiting: Pending[] = [];
  private readonly auths: AuthEntry[] = [];
  /** Per connection: the auth entries whose replies (xid -4) are still due, in send order. */
  private authReplies: AuthEntry[] = [];
  private nextXid = 1;
  private hostIndex = 0;
  private terminalError: ZooKeeperError | null = null;
  private closing = false;
  private closed: Promise<void> | null = null;
  private wakeBackoff: (() => void) | null = null;
  /** Aborts the connection attempt in progress when the session ends. */
  private readonly attempts = new AbortController();
  private readonly stateListeners = new Set<(event: StateEvent) => void>();
  private connectedWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(private readonly config: SessionConfig) {
    this.nextXid = config.firstXid ?? 1;
  }

  /** Starts connecting; resolves on the first connection, rejects if the session ends first. */
  start(): Promise<void> {
    const p = this.untilConnected();
    void this.connectLoop();
    return p;
  }

  get isTerminal(): boolean {
    return this.terminalError !== null;
  }

  get outstanding(): number {
    return this.inFlight.length + this.waiting.length;
  }

  onState(listener: (event: StateEvent) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  addAuthInfo(scheme: string, auth: Uint8Array): void {
    this.auths.push({ scheme, auth, waiters: [] });
  }

  /** Sends a request; resolves with its reply header and body (errors are in `err`). */
  submit(request: Request, options: SubmitOptions = {}): Promise<Reply> {
    const { signal, path } = options;
    if (this.terminalError !== null) return Promise.reject(this.terminalFor(path));
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.closing) return Promise.reject(new ClientClosedError(path));
    if (this.outstanding >= this.config.maxOutstandingRequests) {
      return Promise.reject(new ClientQueueFullError(path, { cause: `${this.config.maxOutstandingRequests} requests outstanding` }));
    }
    const connected = this.connection !== null;
    if (!connected && this.config.failWhileDisconnected) return Promise.reject(new ConnectionLossError(path));
    return new Promise<Reply>((resolve, reject) => {
      const onAbort = (): void => {
        if (pending.settled) return;
        pending.settled = true;
        const at = this.waiting.indexOf(pending);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      const pending: Pending = {
        xid: 0,
        request,
        options,
        settled: false,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (connected) this.send(pending);
      else this.waiting.push(pending);
    });
  }

  /** Adds a credential for this and every later connection; resolves when the server accepts it. */
  addAuth(scheme: string, auth: Uint8Array): Promise<void> {
    if (this.terminalError !== null) return Promise.reject(this.terminalFor(undefined));
    if (this.connection === null && this.config.failWhileDisconnected) return Promise.reject(new ConnectionLossError());
    const entry: AuthEntry = { scheme, auth, waiters: [] };
    this.auths.push(entry);
    return new Promise((resolve, reject) => {
      entry.waiters.push({ resolve, reject });
      // While disconnected the entry goes out with the next connection's prime frames.
      if (this.connection !== null) {
        this.authReplies.push(entry);
        this.connection.write(authFrame(entry.scheme, entry.auth));
      }
    });
  }

  /** Sends closeSession, waits (bounded) for its reply, and ends the session. */
  close(): Promise<void> {
    if (this.terminalError !== null) return Promise.resolve();
    this.closed ??= this.closeNow();
    return this.closed;
  }

  private async closeNow(): Promise<void> {
    this.closing = true;
    if (this.connection !== null) {
      const pending = new Promise<Reply>((resolve, reject) => {
        this.send({ xid: 0, request: { op: 'closeSession' }, options: {}, settled: false, resolve, reject, cleanup: () => {} });
      });
      const waitMs = Math.min(CLOSE_REPLY_WAIT_MS_MAX, Math.max(1000, this.negotiatedTimeoutMs));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pending.catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
      ]);
      clearTimeout(timer);
    }
    this.terminate('closed', new ClientClosedError());
  }

  private untilConnected(): Promise<void> {
    return new Promise((resolve, reject) => this.connectedWaiters.push({ resolve, reject }));
  }

  private emit(event: StateEvent): void {
    this.state = event.state;
    for (const listener of [...this.stateListeners]) listener(event);
  }

  private terminalFor(path: string | undefined): ZooKeeperError {
    const e = this.terminalError!;
    if (e instanceof ClientClosedError) return new ClientClosedError(path);
    return errorForCode(e.code, path, { cause: e.cause });
  }

  private send(pending: Pending): void {
    const xid = this.nextXid;
    this.nextXid = xid >= XID_MAX ? 1 : xid + 1;
    pending.xid = xid;
    const request = pending.request;
    this.inFlight.push(pending);
    this.connection!.write(encodeRequest(xid, request));
  }

  private async connectLoop(): Promise<void> {
    const hosts = this.config.hosts;
    let failures = 0;
    while (this.terminalError === null && !this.closing) {
      const server = hosts[this.hostIndex % hosts.length]!;
      this.hostIndex = (this.hostIndex + 1) % hosts.length;
      const prime = this.primeFrames();
      try {
        const { connection, response } = await Connection.open(
          server, this.connectRequest(), prime.frames, this.config.connectTimeoutMs, this.config.frameBytesMax, this.attempts.signal,
        );
        if (this.terminalError !== null || this.closing) {
          connection.fail(new ConnectionClosedError('session ended while connecting'));
          return;
        }
        this.established(connection, response, prime.auths);
        return;
      } catch (err) {
        this.lastConnectError = err;
        failures++;
        if (failures % hosts.length === 0) {
          const round = failures / hosts.length;
          const delayMs = Math.min(1000, 25 * 2 ** Math.min(round, 6)) + Math.floor(this.config.random() * 100);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, delayMs);
            this.wakeBackoff = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wakeBackoff = null;
        }
      }
    }
  }

  private connectRequest(): Parameters<typeof Connection.open>[1] {
    return {
      protocolVersion: 0,
      lastZxidSeen: this.lastZxid,
      timeoutMs: this.config.sessionTimeoutMs,
      sessionId: this.sessionId,
      passwd: this.password,
      readOnly: this.config.canBeReadOnly,
    };
  }

  /** Auth packets, then setWatches batches (§2.7 reconnect order). */
  private primeFrames(): { frames: Buffer[]; auths: AuthEntry[] } {
    const frames = this.auths.map((entry) => authFrame(entry.scheme, entry.auth));
    frames.push(...setWatchesFrames(this.config.watchLists(), this.config.chroot, this.lastZxid));
    return { frames, auths: [...this.auths] };
  }

  private established(connection: Connection, response: ConnectResponse, auths: AuthEntry[]): void {
    if (response.timeoutMs <= 0) {
      connection.fail(new ConnectionClosedError('session expired'));
      this.terminate('expired', new SessionExpiredError(undefined, { cause: `server ${connection.address} reports the session expired` }));
      return;
    }
    this.sessionId = response.sessionId;
    this.password = Uint8Array.from(response.passwd);
    this.negotiatedTimeoutMs = response.timeoutMs;
    this.connection = connection;
    this.server = connection.address;
    this.authReplies = auths;
    // Credentials added while this connection was being opened were not in its prime frames.
    for (const entry of this.auths) {
      if (auths.includes(entry)) continue;
      this.authReplies.push(entry);
      connection.write(authFrame(entry.scheme, entry.auth));
    }
    connection.start({ onFrame: (f) => this.onFrame(connection, f), onClosed: (e) => this.onClosed(connection, e) }, response.timeoutMs);
    if (connection.isClosed) return;
    for (const pending of this.waiting.splice(0)) if (!pending.settled) this.send(pending);
    this.emit({ state: response.readOnly === true ? 'connectedReadOnly' : 'connected', server: connection.address });
    for (const w of this.connectedWaiters.splice(0)) w.resolve();
  }

  private onFrame(connection: Connection, payload: Buffer): void {
    if (connection !== this.connection) return;
    const r = new JuteReader(payload, 0, payload.length, this.config.frameBytesMax);
    let header;
    try {
      header = decodeReplyHeader(r);
    } catch (err) {
      connection.fail(err as Error);
      return;
    }
    if (header.zxid > this.lastZxid) this.lastZxid = header.zxid;
    switch (header.xid) {
      case Xid.notification: {
        let event: WatcherEvent;
        try {
          event = decodeWatcherEvent(r);
        } catch (err) {
          connection.fail(err as Error);
          return;
        }
        this.config.onNotification(event);
        return;
      }
      case Xid.ping:
      case Xid.setWatches:
        return;
      case Xid.auth:
        this.onAuthReply(connection, header.err);
        return;
      default:
        break;
    }
    const pending = this.inFlight.shift();
    if (pending === undefined || pending.xid !== header.xid) {
      connection.fail(new ConnectionClosedError(`xid out of order: got ${header.xid}, expected ${pending?.xid ?? 'none'}`));
      if (pending !== undefined) this.failPending(pending, new ConnectionLossError(pending.options.path));
      return;
    }
    let response: Response | null = null;
    const kind = responseKindForOp(pending.request.op);
    if (header.err === 0 && kind !== null) {
      try {
        response = decodeResponse(kind, r);
      } catch (err) {
        this.failPending(pending, errorForCode(-5, pending.options.path, { cause: err }));
        connection.fail(err as Error);
        return;
      }
    }
    const reply: Reply = { zxid: header.zxid, err: header.err, response };
    pending.options.onReply?.(reply);
    if (!pending.settled) {
      pending.settled = true;
      pending.cleanup();
      pending.resolve(reply);
    }
  }

  private onAuthReply(connection: Connection, err: number): void {
    const entry = this.authReplies.shift();
    const waiters = entry?.waiters.splice(0) ?? [];
    if (err === 0) {
      for (const w of waiters) w.resolve();
      return;
    }
    const error = new AuthFailedError(undefined, { cause: entry === undefined ? undefined : `scheme ${entry.scheme}` });
    for (const w of waiters) w.reject(error);
    // terminate first: it detaches the connection, so its close is not seen as a disconnect.
    this.terminate('authFailed', error);
    connection.fail(error);
  }

  private failPending(pending: Pending, error: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    pending.cleanup();
    pending.reject(error);
  }

  private onClosed(connection: Connection, error: Error): void {
    if (connection !== this.connection) return;
    this.connection = null;
    this.server = null;
    for (const p of this.inFlight.drain()) this.failPending(p, new ConnectionLossError(p.options.path, { cause: error }));
    for (const entry of this.authReplies.splice(0)) {
      for (const w of entry.waiters.splice(0)) w.reject(new ConnectionLossError(undefined, { cause: error }));
    }
    if (this.terminalError !== null) return;
    if (this.closing) return; // close() finishes the job
    if (this.config.failWhileDisconnected) {
      for (const p of this.waiting.splice(0)) this.failPending(p, new ConnectionLossError(p.options.path, { cause: error }));
    }
    this.emit({ state: 'disconnected', error });
    void this.connectLoop();
  }

  /** Ends the session for good: every request fails with `error` (per path). */
  private terminate(state: 'expired' | 'authFailed' | 'closed', error: ZooKeeperError): void {
    if (this.terminalError !== null) return;
    this.terminalError = error;
    const connection = this.connection;
    this.connection = null;
    connection?.fail(new ConnectionClosedError(`session ${state}`));
    for (const p of this.inFlight.drain()) this.failPending(p, this.terminalFor(p.options.path));
    for (const p of this.waiting.splice(0)) this.failPending(p, this.terminalFor(p.options.path));
    for (const entry of this.auths) for (const w of entry.waiters.splice(0)) w.reject(error);
    this.wakeBackoff?.();
    this.attempts.abort();
    for (const w of this.connectedWaiters.splice(0)) w.reject(error);
    this.emit({ state, error });
  }

  /** Ends the session without closeSession (first connect timed out or was aborted). */
  abandon(error: ZooKeeperError): void {
    this.terminate('closed', error);
  }
}


