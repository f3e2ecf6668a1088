// A minimal protocol-level client for server tests: sends any request (or raw bytes), and
// records every frame the server sends, in order, so tests can assert on error codes, bodies,
// notifications and their ordering relative to replies. Not the zkts client library: it hides
// nothing, retries nothing and decodes only what a test asks for.

import net from 'node:net';
import { JuteReader } from '../../src/jute/reader.js';
import {
  FrameSplitter, decodeConnectResponse, decodeReplyHeader, decodeResponse, decodeWatcherEvent,
  encodeConnectRequest, encodeRequest, responseKindForOp,
  type ConnectResponse, type Request, type Response, type WatcherEvent,
} from '../../src/proto/index.js';

export interface Reply {
  readonly xid: number;
  readonly zxid: bigint;
  readonly err: number;
  readonly response: Response | null;
}

export type Frame = { kind: 'reply'; reply: Reply } | { kind: 'event'; event: WatcherEvent };

const WAIT_MS_MAX = 10_000;

export class RawClient {
  readonly frames: Frame[] = [];
  connectResponse: ConnectResponse | null = null;
  closed = false;
  private readonly splitter = new FrameSplitter(16 * 1024 * 1024);
  private readonly pending: Array<{ op: Request['op'] | null; xid: number }> = [];
  private waiters: Array<() => void> = [];
  private xid = 1;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** Opens a connection and establishes a new session (or re-attaches one). */
  static async session(port: number, options: { timeoutMs?: number; sessionId?: bigint; passwd?: Uint8Array; readOnly?: boolean | null; lastZxidSeen?: bigint } = {}): Promise<RawClient> {
    const client = await RawClient.open(port);
    await client.handshake(options);
    return client;
  }

  async handshake(options: { timeoutMs?: number; sessionId?: bigint; passwd?: Uint8Array; readOnly?: boolean | null; lastZxidSeen?: bigint } = {}): Promise<ConnectResponse> {
    this.socket.write(
      encodeConnectRequest({
        protocolVersion: 0,
        lastZxidSeen: (options.lastZxidSeen ?? 0n) as never,
        timeoutMs: options.timeoutMs ?? 30000,
        sessionId: (options.sessionId ?? 0n) as never,
        passwd: options.passwd ?? new Uint8Array(16),
        readOnly: options.readOnly === undefined ? false : options.readOnly,
      }),
    );
    await this.until(() => this.connectResponse !== null || this.closed);
    if (this.connectResponse === null) throw new Error('closed before ConnectResponse');
    return this.connectResponse;
  }

  get sessionId(): bigint {
    return this.connectResponse?.sessionId ?? 0n;
  }

  /** Sends a request without waiting; returns its xid. */
  send(request: Request, xid?: number): number {
    const id = xid ?? this.xid++;
    this.pending.push({ op: request.op, xid: id });
    this.socket.write(encodeRequest(id, request));
    return id;
  }

  /** Sends raw bytes; the next reply is decoded header-only. */
  sendRaw(bytes: Uint8Array, expectReply = true): void {
    if (expectReply) this.pending.push({ op: null, xid: 0 });
    this.socket.write(bytes);
  }

  /** Sends a request and waits for its reply (replies come back in order). */
  async call(request: Request): Promise<Reply> {
    const xid = this.send(request);
    return this.replyFor(xid);
  }

  async replyFor(xid: number): Promise<Reply> {
    let found: Reply | undefined;
    await this.until(() => {
      found = this.replies().find((r) => r.xid === xid);
      return found !== undefined || this.closed;
    });
    if (found === undefined) throw new Error(`connection closed before the reply to xid ${xid}`);
    return found;
  }

  replies(): Reply[] {
    return this.frames.flatMap((f) => (f.kind === 'reply' ? [f.reply] : []));
  }

  events(): WatcherEvent[] {
    return this.frames.flatMap((f) => (f.kind === 'event' ? [f.event] : []));
  }

  async waitForEvents(count: number): Promise<WatcherEvent[]> {
    await this.until(() => this.events().length >= count || this.closed);
    return this.events();
  }

  async waitClosed(): Promise<void> {
    await this.until(() => this.closed);
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves when `condition` holds; rejects after a bound. */
  async until(condition: () => boolean, waitMs = WAIT_MS_MAX): Promise<void> {
    const deadline = Date.now() + waitMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the server');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private onData(chunk: Buffer): void {
    this.splitter.push(chunk);
    for (let frame = this.splitter.next(); frame !== null; frame = this.splitter.next()) {
      const reader = new JuteReader(frame);
      if (this.connectResponse === null) {
        this.connectResponse = decodeConnectResponse(reader);
        continue;
      }
      const header = decodeReplyHeader(reader);
      if (header.xid === -1) {
        this.frames.push({ kind: 'event', event: decodeWatcherEvent(reader) });
        continue;
      }
      const pendingIndex = header.xid === -2 ? this.pending.findIndex((p) => p.op === 'ping') : 0;
      const pending = this.pending.splice(Math.max(0, pendingIndex), 1)[0];
      const kind = pending?.op ? responseKindForOp(pending.op) : null;
      const response = header.err === 0 && kind !== null && reader.remaining() > 0 ? decodeResponse(kind, reader) : null;
      this.frames.push({ kind: 'reply', reply: { xid: header.xid, zxid: header.zxid, err: header.err, response } });
    }
    this.wake();
  }
}

export const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
