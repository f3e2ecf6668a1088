// A lean ZooKeeper client session for the load generator: one TCP connection, the handshake, and
// raw reply frames handed to whoever drives the session. Built on the project's codec (src/proto)
// but without the full client's bookkeeping, so the generator spends its time on the wire.
// Invariants: replies on a session arrive in request order (ZooKeeper's per-session FIFO), so a
// FIFO of pending calls matches them; every wait here is bounded by a timeout; once the
// connection fails, every pending and later call rejects with the same error.
import { connect, type Socket } from 'node:net';
import { JuteReader } from '../src/jute/reader.js';
import {
  decodeConnectResponse,
  decodeReplyHeader,
  encodeConnectRequest,
  encodeRequest,
  FrameSplitter,
  type ReplyHeader,
  type Request,
} from '../src/proto/index.js';
import type { SessionId, Zxid } from '../src/util/ids.js';

const SESSION_TIMEOUT_MS = 30_000;

/** Receives every reply frame payload (ReplyHeader + body) while a driver owns the session. */
export type ReplyHandler = (frame: Buffer) => void;

interface PendingCall {
  readonly xid: number;
  readonly resolve: (header: ReplyHeader) => void;
  readonly reject: (err: Error) => void;
}

export class RawSession {
  private readonly splitter = new FrameSplitter();
  private readonly pending: PendingCall[] = [];
  private handler: ReplyHandler | null = null;
  private failure: Error | null = null;
  /** Set by close(): the server closing the socket afterwards is expected, not a failure. */
  private closing = false;
  private xid = 1;
  /** Called once when the connection fails or closes unexpectedly. */
  onFailure: (err: Error) => void = () => undefined;

  private constructor(
    private readonly socket: Socket,
    readonly sessionId: SessionId,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error(`session 0x${sessionId.toString(16)}: connection closed`)));
  }

  /** Connects, performs the handshake and resolves with an established session. */
  static connect(host: string, port: number, timeoutMs: number): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const splitter = new FrameSplitter();
      const timer = setTimeout(() => done(new Error(`handshake with ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
      const done = (err: Error | null, session?: RawSession): void => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (err !== null) {
          socket.destroy();
          reject(err);
        } else resolve(session!);
      };
      const onError = (err: Error): void => done(err);
      const onClose = (): void => done(new Error(`${host}:${port} closed the connection during the handshake`));
      const onData = (chunk: Buffer): void => {
        splitter.push(chunk);
        const frame = splitter.next();
        if (frame === null) return;
        const response = decodeConnectResponse(new JuteReader(frame));
        if (response.timeoutMs <= 0) {
          done(new Error(`${host}:${port} refused the session (timeout ${response.timeoutMs})`));
          return;
        }
        const session = new RawSession(socket, response.sessionId);
        done(null, session);
        // Bytes after the ConnectResponse (none expected before our first request) are kept.
        const rest = splitter.drainRaw();
        if (rest.length > 0) session.onData(rest);
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.write(
        encodeConnectRequest({
          protocolVersion: 0,
          lastZxidSeen: 0n as Zxid,
          timeoutMs: SESSION_TIMEOUT_MS,
          sessionId: 0n as SessionId,
          passwd: new Uint8Array(16),
          readOnly: false,
        }),
      );
    });
  }

  /** The next request xid (positive, wraps before int32 overflow). */
  takeXid(): number {
    const xid = this.xid;
    this.xid = xid >= 0x7fff_fff0 ? 1 : xid + 1;
    return xid;
  }

  /** Hands every reply frame to `handler` (null: back to call()). Only when no call() is pending. */
  setReplyHandler(handler: ReplyHandler | null): void {
    if (this.pending.length > 0) throw new Error('setReplyHandler while calls are pending');
    this.handler = handler;
  }

  /** Writes pre-encoded request frames (one or many, coalesced by the caller). */
  write(frames: Buffer): void {
    if (this.failure !== null) return;
    this.socket.write(frames);
  }

  /** Sends one request and resolves with its reply header. Off the hot path (setup, close). */
  call(request: Request, timeoutMs: number): Promise<ReplyHeader> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const xid = this.takeXid();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`${request.op} (xid ${xid}) got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.push({
        xid,
        resolve: (h) => {
          clearTimeout(timer);
          resolve(h);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(encodeRequest(xid, request));
    });
  }

  /** Sends closeSession, waits (bounded) for its reply, then closes the socket. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    try {
      if (this.failure === null) await this.call({ op: 'closeSession' }, timeoutMs);
    } finally {
      this.failure ??= new Error('session closed');
      this.socket.destroy();
    }
  }

  private onData(chunk: Buffer): void {
    this.splitter.push(chunk);
    let frame: Buffer | null;
    try {
      while ((frame = this.splitter.next()) !== null) {
        if (this.handler !== null) {
          this.handler(frame);
          continue;
        }
        const header = decodeReplyHeader(new JuteReader(frame));
        if (header.xid < 0) continue; // watch events (-1) and pings (-2): none are asked for
        const call = this.pending.shift();
        if (call === undefined || call.xid !== header.xid) {
          throw new Error(`reply xid ${header.xid} does not match the oldest request ${call?.xid ?? 'none'}`);
        }
        call.resolve(header);
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    this.socket.destroy();
    for (const call of this.pending.splice(0)) call.reject(err);
    if (!this.closing) this.onFailure(err);
  }
}
