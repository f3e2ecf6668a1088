// A scriptable in-process ZooKeeper server for client unit tests: it speaks the wire protocol
// with the proto encoders over a real loopback socket, records what it receives (raw chunks and
// decoded frames), answers pings, auth and setWatches by itself, and lets a test decide the
// ConnectResponse and the reply to every other request.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { JuteReader } from '../../../src/jute/reader.js';
import { decodeConnectRequest, encodeConnectResponse, type ConnectRequest } from '../../../src/proto/connect.js';
import { FrameSplitter } from '../../../src/proto/frames.js';
import { decodeRequestFrame, type Request, type RequestHeader } from '../../../src/proto/requests.js';
import { encodeNotification, encodeReply, type Response, type WatcherEvent } from '../../../src/proto/responses.js';
import { sessionId, type SessionId } from '../../../src/util/ids.js';

export interface Received {
  readonly header: RequestHeader;
  readonly request: Request;
  readonly conn: FakeConn;
}

export type ConnectDecision =
  | { kind: 'accept'; timeoutMs?: number; sessionId?: bigint; readOnly?: boolean }
  | { kind: 'expire' }
  | { kind: 'close' }
  | { kind: 'hang' };

/** What to do with a request: reply (err + body), or nothing (hold it). */
export type RequestDecision = { err?: number; response?: Response | null; zxid?: bigint } | 'hold' | 'close';

export class FakeConn {
  readonly chunks: Buffer[] = [];
  connectRequest: ConnectRequest | null = null;
  /** Stop answering anything, pings included (simulates a hung server). */
  silent = false;
  constructor(readonly socket: Socket) {}

  reply(xid: number, err: number, response: Response | null, zxid = 1n): void {
    if (!this.socket.destroyed) this.socket.write(encodeReply(xid, zxid, err, response));
  }

  notify(event: Omit<WatcherEvent, 'state'>): void {
    this.socket.write(encodeNotification({ ...event, state: 3 }));
  }

  close(): void {
    this.socket.destroy();
  }
}

export class FakeServer {
  private readonly server: NetServer;
  readonly conns: FakeConn[] = [];
  readonly received: Received[] = [];
  port = 0;
  onConnect: (req: ConnectRequest, conn: FakeConn) => ConnectDecision = () => ({ kind: 'accept' });
  onRequest: (r: Received) => RequestDecision = () => ({});
  password = Buffer.alloc(16, 7);
  nextSessionId = 0x1000n;
  private waiters: Array<() => void> = [];

  constructor() {
    this.server = createServer((socket) => this.accept(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    this.port = address.port;
    return this;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves once `predicate` holds (checked after every received frame), or rejects after timeoutMs. */
  async waitFor(predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  ops(): string[] {
    return this.received.map((r) => r.request.op);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private accept(socket: Socket): void {
    const conn = new FakeConn(socket);
    this.conns.push(conn);
    const splitter = new FrameSplitter();
    let hanging = false;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      conn.chunks.push(chunk);
      splitter.push(chunk);
      for (let payload = splitter.next(); payload !== null; payload = splitter.next()) {
        if (hanging) continue;
        if (conn.connectRequest === null) {
          conn.connectRequest = decodeConnectRequest(new JuteReader(payload));
          const decision = this.onConnect(conn.connectRequest, conn);
          if (decision.kind === 'close') socket.destroy();
          else if (decision.kind === 'hang') hanging = true;
          else if (decision.kind === 'expire') {
            socket.write(encodeConnectResponse({ protocolVersion: 0, timeoutMs: 0, sessionId: sessionId(0), passwd: Buffer.alloc(16), readOnly: false }));
            socket.end();
          } else {
            const id: SessionId = sessionId(decision.sessionId ?? (conn.connectRequest.sessionId !== 0n ? conn.connectRequest.sessionId : this.nextSessionId++));
            socket.write(encodeConnectResponse({
              protocolVersion: 0,
              timeoutMs: decision.timeoutMs ?? conn.connectRequest.timeoutMs,
              sessionId: id,
              passwd: this.password,
              readOnly: decision.readOnly ?? false,
            }));
          }
          this.wake();
          continue;
        }
        const { header, request } = decodeRequestFrame(payload);
        const received = { header, request, conn };
        this.received.push(received);
        this.wake();
        if (conn.silent) continue;
        if (request.op === 'ping') conn.reply(-2, 0, null);
        else if (request.op === 'auth') conn.reply(header.xid, request.scheme === 'bad' ? -115 : 0, null, 0n);
        else if (request.op === 'setWatches' || request.op === 'setWatches2') conn.reply(header.xid, 0, null);
        else {
          const decision = this.onRequest(received);
          if (decision === 'hold') continue;
          if (decision === 'close') {
            socket.destroy();
            continue;
          }
          const err = decision.err ?? 0;
          const response = decision.response !== undefined ? decision.response : err === 0 ? defaultResponse(request) : null;
          conn.reply(header.xid, err, response, decision.zxid ?? 1n);
          if (request.op === 'closeSession') socket.end();
        }
      }
    });
  }
}

export const STAT = {
  czxid: 1n, mzxid: 1n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0,
  ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1n,
} as unknown as import('../../../src/proto/data.js').Stat;

/** A plausible success body for a request (what an empty, permissive server would answer). */
export function defaultResponse(request: Request): Response | null {
  switch (request.op) {
    case 'sync': return { kind: 'sync', path: request.path };
    case 'exists': case 'setData': case 'setACL': return { kind: 'stat', stat: STAT };
    case 'getData': return { kind: 'getData', data: Buffer.alloc(0), stat: STAT };
    case 'create': return { kind: 'create', path: request.path };
    case 'create2': case 'createContainer': case 'createTTL': return { kind: 'create2', path: request.path, stat: STAT };
    case 'getChildren': return { kind: 'getChildren', children: [] };
    case 'getChildren2': return { kind: 'getChildren2', children: [], stat: STAT };
    case 'addWatch': return { kind: 'error', err: 0 };
    case 'whoAmI': return { kind: 'whoAmI', clientInfo: [] };
    default: return null;
  }
}
