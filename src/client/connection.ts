// One TCP connection to one server: the handshake, length-prefixed frames in, coalesced writes
// out, and liveness (protocol.md §2.4 [client]: ping after a third of the negotiated timeout
// without sending, connection loss after two thirds without receiving).
// Invariants: frames written in one event-loop turn go out in one socket write, in call order;
// `onClosed` is called exactly once, after which nothing is written or delivered; a connection
// never reconnects (the session opens a new one).

import { Socket } from 'node:net';
import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { decodeConnectResponse, encodeConnectRequest, type ConnectRequest, type ConnectResponse } from '../proto/connect.js';
import { FrameSplitter } from '../proto/frames.js';
import { OpCode, Xid } from '../proto/opcodes.js';
import type { HostPort } from './connect-string.js';

export interface ConnectionHandlers {
  /** A frame after the handshake (ReplyHeader + body). The buffer may be a view of a socket chunk. */
  onFrame(payload: Buffer): void;
  /** Called once, when the connection ends for any reason after the handshake succeeded. */
  onClosed(error: Error): void;
}

const PING_FRAME = (() => {
  const w = new JuteWriter(12);
  w.writeInt(8).writeInt(Xid.ping).writeInt(OpCode.ping);
  return w.toBuffer();
})();

export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError';
}

export class Connection {
  private readonly socket: Socket;
  private readonly splitter: FrameSplitter;
  private outbox: Buffer[] = [];
  private flushScheduled = false;
  private closed = false;
  private handshakeDone = false;
  private handlers: ConnectionHandlers | null = null;
  private lastSendMs = 0;
  private lastReceiveMs = 0;
  private livenessTimer: NodeJS.Timeout | null = null;
  private closeError: Error | null = null;
  /** Set while the handshake is pending. */
  private handshake: { resolve: (r: ConnectResponse) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    readonly server: HostPort,
    frameBytesMax: number,
  ) {
    this.socket = new Socket();
    this.socket.setNoDelay(true);
    this.splitter = new FrameSplitter(frameBytesMax);
  }

  /** `host:port`. */
  get address(): string {
    return `${this.server.host}:${this.server.port}`;
  }

  /**
   * Connects, sends the ConnectRequest followed by `pipelined` frames (auth, setWatches: the
   * server buffers them until the session is established, §2.7), and resolves with the open
   * connection and the ConnectResponse. Rejects if the server closes first (e.g. it is behind
   * our lastZxid) or nothing arrives within timeoutMs.
   */
  static open(
    server: HostPort,
    request: ConnectRequest,
    pipelined: readonly Buffer[],
    timeoutMs: number,
    frameBytesMax: number,
    signal?: AbortSignal,
  ): Promise<{ connection: Connection; response: ConnectResponse }> {
    const connection = new Connection(server, frameBytesMax);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.fail(new ConnectionClosedError(`no ConnectResponse from ${connection.address} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = (): void => connection.fail(new ConnectionClosedError('connection attempt abandoned'));
      signal?.addEventListener('abort', onAbort, { once: true });
      connection.handshake = {
        resolve: (response) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ connection, response });
        },
        reject: (error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      const s = connection.socket;
      s.on('data', (chunk: Buffer) => connection.receive(chunk));
      s.on('error', (err) => connection.fail(err));
      s.on('close', () => connection.fail(new ConnectionClosedError(`connection to ${connection.address} closed`)));
      s.connect({ host: server.host, port: server.port }, () => {
        connection.write(encodeConnectRequest(request));
        for (const frame of pipelined) connection.write(frame);
      });
    });
  }

  /** Starts delivering frames and checking liveness against the negotiated timeout. */
  start(handlers: ConnectionHandlers, negotiatedTimeoutMs: number): void {
    this.handlers = handlers;
    if (this.closed) {
      handlers.onClosed(this.closeError ?? new ConnectionClosedError('closed'));
      return;
    }
    const pingAfterMs = Math.max(1, Math.floor(negotiatedTimeoutMs / 3));
    const readTimeoutMs = Math.max(2, Math.floor((negotiatedTimeoutMs * 2) / 3));
    const tickMs = Math.max(5, Math.min(1000, Math.floor(pingAfterMs / 4)));
    this.lastReceiveMs = Date.now();
    this.livenessTimer = setInterval(() => {
      const now = Date.now();
      if (now - this.lastReceiveMs >= readTimeoutMs) {
        this.fail(new ConnectionClosedError(`nothing received from ${this.address} for ${now - this.lastReceiveMs} ms`));
      } else if (now - this.lastSendMs >= pingAfterMs && !this.flushScheduled) {
        this.write(PING_FRAME);
      }
    }, tickMs);
    this.livenessTimer.unref();
    // Frames that arrived in the same chunk as the ConnectResponse.
    this.drainFrames();
  }

  /** Queues a frame; every frame queued in this turn goes out in one socket write. */
  write(frame: Buffer): void {
    if (this.closed) return;
    this.outbox.push(frame);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.outbox.length === 0) return;
    const frames = this.outbox;
    this.outbox = [];
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    this.lastSendMs = Date.now();
  }

  /** Flushes queued frames, then half-closes. Used after closeSession's reply. */
  close(): void {
    this.fail(new ConnectionClosedError('closed by client'));
  }

  /** Tears the connection down (idempotent). */
  fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error;
    if (this.livenessTimer !== null) clearInterval(this.livenessTimer);
    this.outbox = [];
    this.socket.destroy();
    if (this.handshake !== null) {
      const h = this.handshake;
      this.handshake = null;
      h.reject(error);
    } else if (this.handlers !== null) {
      this.handlers.onClosed(error);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.lastReceiveMs = Date.now();
    this.splitter.push(chunk);
    if (!this.handshakeDone) {
      const payload = this.nextFrame();
      if (payload === null) return;
      let response: ConnectResponse;
      try {
        response = decodeConnectResponse(new JuteReader(payload));
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      this.handshakeDone = true;
      const h = this.handshake;
      this.handshake = null;
      h?.resolve(response);
      return; // further frames are drained by start()
    }
    if (this.handlers !== null) this.drainFrames();
  }

  private drainFrames(): void {
    const handlers = this.handlers;
    if (handlers === null) return;
    while (!this.closed) {
      const payload = this.nextFrame();
      if (payload === null) return;
      handlers.onFrame(payload);
    }
  }

  /** The next complete frame, or null when more bytes are needed or the frame was bad (connection failed). */
  private nextFrame(): Buffer | null {
    try {
      return this.splitter.next();
    } catch (err) {
      this.fail(err as Error);
      return null;
    }
  }
}
