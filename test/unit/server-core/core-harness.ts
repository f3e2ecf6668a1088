// Drives the pure ServerCore with virtual time: frames in, effects out. Proposals are held until
// the test commits them (or auto-committed), so tests control exactly when a write becomes
// durable. Outbound bytes are decoded per connection.

import { JuteReader } from '../../../src/jute/reader.js';
import {
  FrameSplitter, decodeConnectResponse, decodeReplyHeader, decodeResponse, decodeWatcherEvent,
  encodeConnectRequest, encodeRequest, responseKindForOp,
  type ConnectResponse, type Request, type Response, type WatcherEvent,
} from '../../../src/proto/index.js';
import { ServerCore } from '../../../src/server/core/server-core.js';
import { TreeDatabase } from '../../../src/server/core/tree-database.js';
import type { CoreEffect, CoreInput, ServerCoreConfig } from '../../../src/server/core/types.js';
import type { Txn } from '../../../src/txn/types.js';

export const CORE_CONFIG: ServerCoreConfig = {
  tickTimeMs: 2000,
  minSessionTimeoutMs: 4000,
  maxSessionTimeoutMs: 40000,
  extendedTypesEnabled: true,
  skipAcl: false,
  superDigest: null,
  digestEnabled: true,
  mode: 'standalone',
  serverId: 0,
  fourLetterWords: new Set(['srvr']),
  containerCheckIntervalMs: 60000,
  containerMaxPerMinute: 10000,
  containerMaxNeverUsedIntervalMs: 0,
  existsChecksRead: true,
  outstandingPerConnectionMax: 1000,
};

export type Out =
  | { kind: 'connect'; response: ConnectResponse }
  | { kind: 'reply'; xid: number; zxid: bigint; err: number; response: Response | null }
  | { kind: 'event'; event: WatcherEvent }
  /** A frame after the handshake on a `raw` connection, undecoded. */
  | { kind: 'frame'; bytes: Uint8Array };

interface ConnState {
  splitter: FrameSplitter;
  connected: boolean;
  ops: Array<Request['op']>;
  out: Out[];
  closed: boolean;
  sessionId: bigint;
  nextXid: number;
  raw: boolean;
}

export class CoreHarness {
  readonly db = new TreeDatabase();
  readonly core: ServerCore;
  nowMs = 1_000_000;
  autoCommit = true;
  readonly proposed: Txn[] = [];
  readonly committed: Txn[] = [];
  private readonly conns = new Map<number, ConnState>();
  private nextConn = 1;

  constructor(config: Partial<ServerCoreConfig> = {}) {
    this.core = new ServerCore(this.db, { ...CORE_CONFIG, ...config }, this.nowMs);
  }

  step(input: CoreInput): void {
    this.perform(this.core.step(input));
  }

  private perform(effects: readonly CoreEffect[]): void {
    for (const e of effects) {
      if (e.kind === 'send') this.receive(e.conn, e.bytes);
      else if (e.kind === 'close') this.conns.get(e.conn)!.closed = true;
      else if (e.kind === 'propose') this.proposed.push(e.txn);
    }
    if (this.autoCommit) this.commitAll();
  }

  /** Commits the oldest `count` proposals (all by default), in order. */
  commitAll(count = Infinity): void {
    let n = 0;
    while (this.proposed.length > 0 && n < count) {
      const txn = this.proposed.shift()!;
      this.committed.push(txn);
      n++;
      this.perform(this.core.step({ kind: 'committed', txn, nowMs: this.nowMs }));
    }
  }

  advance(ms: number): void {
    this.nowMs += ms;
    this.step({ kind: 'tick', nowMs: this.nowMs });
  }

  /** Opens a connection and sends a ConnectRequest; returns the connection id. */
  /** `raw`: frames after the handshake are kept undecoded (for connections that send garbage). */
  connect(options: { timeoutMs?: number; sessionId?: bigint; passwd?: Uint8Array; raw?: boolean } = {}): number {
    const conn = this.nextConn++;
    this.conns.set(conn, { splitter: new FrameSplitter(1 << 24), connected: false, ops: [], out: [], closed: false, sessionId: 0n, nextXid: 1, raw: options.raw ?? false });
    this.step({ kind: 'connected', conn, address: '127.0.0.1', port: 40000 + conn, nowMs: this.nowMs });
    const frame = encodeConnectRequest({
      protocolVersion: 0,
      lastZxidSeen: 0n as never,
      timeoutMs: options.timeoutMs ?? 30000,
      sessionId: (options.sessionId ?? 0n) as never,
      passwd: options.passwd ?? new Uint8Array(16),
      readOnly: false,
    });
    this.step({ kind: 'frame', conn, payload: frame.subarray(4), nowMs: this.nowMs });
    return conn;
  }

  send(conn: number, request: Request, xid?: number): number {
    const state = this.conns.get(conn)!;
    const id = xid ?? state.nextXid++;
    state.ops.push(request.op);
    const frame = encodeRequest(id, request);
    this.step({ kind: 'frame', conn, payload: frame.subarray(4), nowMs: this.nowMs });
    return id;
  }

  /** Sends and returns the reply (which must have arrived). */
  call(conn: number, request: Request): Extract<Out, { kind: 'reply' }> {
    const xid = this.send(conn, request, request.op === 'ping' ? -2 : undefined);
    const reply = this.replies(conn).find((r) => r.xid === xid);
    if (reply === undefined) throw new Error(`no reply yet for xid ${xid} (${request.op})`);
    return reply;
  }

  out(conn: number): Out[] {
    return this.conns.get(conn)!.out;
  }

  replies(conn: number): Array<Extract<Out, { kind: 'reply' }>> {
    return this.out(conn).flatMap((o) => (o.kind === 'reply' ? [o] : []));
  }

  events(conn: number): WatcherEvent[] {
    return this.out(conn).flatMap((o) => (o.kind === 'event' ? [o.event] : []));
  }

  isClosed(conn: number): boolean {
    return this.conns.get(conn)!.closed;
  }

  session(conn: number): ConnectResponse {
    const first = this.out(conn)[0];
    if (first?.kind !== 'connect') throw new Error('no session');
    return first.response;
  }

  disconnect(conn: number): void {
    this.conns.get(conn)!.closed = true;
    this.step({ kind: 'disconnected', conn, nowMs: this.nowMs });
  }

  private receive(conn: number, bytes: Buffer): void {
    const state = this.conns.get(conn)!;
    state.splitter.push(Buffer.from(bytes));
    for (let frame = state.splitter.next(); frame !== null; frame = state.splitter.next()) {
      const r = new JuteReader(frame);
      if (!state.connected) {
        state.connected = true;
        const response = decodeConnectResponse(r);
        state.sessionId = response.sessionId;
        state.out.push({ kind: 'connect', response });
        continue;
      }
      if (state.raw) {
        state.out.push({ kind: 'frame', bytes: frame });
        continue;
      }
      const h = decodeReplyHeader(r);
      if (h.xid === -1) {
        state.out.push({ kind: 'event', event: decodeWatcherEvent(r) });
        continue;
      }
      const op = h.xid === -2 ? state.ops.splice(state.ops.indexOf('ping'), 1)[0] : state.ops.shift();
      const kind = op === undefined ? null : responseKindForOp(op);
      const response = h.err === 0 && kind !== null && r.remaining() > 0 ? decodeResponse(kind, r) : null;
      state.out.push({ kind: 'reply', xid: h.xid, zxid: h.zxid, err: h.err, response });
    }
  }
}

export const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
