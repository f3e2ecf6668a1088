// The learner ↔ leader transport on the quorum port (storage-and-quorum.md §10.1): the leader
// side accepts learner connections (LeaderListener), the learner side dials the leader
// (connectToLeader); both then exchange QuorumPackets as back-to-back jute records. Not wired
// into the server yet.
//
// Invariants:
// - Inbound is pulled (`receive()` / `for await`): decoded packets wait in a queue, and the
//   socket is paused while the queue holds inboundBytesMax bytes or more, so a slow consumer
//   slows the sender through TCP instead of growing memory. A partial record is bounded by
//   packetBytesMax (QuorumPacketSplitter).
// - Outbound: send() returns false once the socket's buffer is past its high-water mark (wait
//   for drained()); past outboundBytesMax the peer is not reading and is disconnected.
// - A malformed, truncated (closed mid-record), oversized or unknown packet disconnects that
//   peer with one log line; it never throws out of this module. Packets decoded before the fault
//   are still delivered, then receive() yields null.
// - Not handled yet: the snapshot body that follows SNAP on the stream (§10.4); a SNAP packet is
//   delivered and the bytes after it are parsed as packets (the peer is then dropped).

import net from 'node:net';
import { listenOn } from '../io/node/listen.js';
import type { QuorumPacket } from '../zab/messages.js';
import { decodeQuorumPacket, encodeQuorumPacket } from '../zab/wire.js';
import { QuorumPacketSplitter } from './net/quorum-packet-splitter.js';
import { describeError, nodeTimers, silentLogger, type TimerHandle, type TransportLogger, type TransportTimers } from './net/runtime.js';

/** jute.maxbuffer (0xfffff) + extrasize (1024) for the data, plus room for the record around it. */
export const PACKET_BYTES_MAX_DEFAULT = 0xfffff + 1024 + 4096;
export const INBOUND_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;
export const OUTBOUND_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;

export interface QuorumTransportOptions {
  readonly timers?: TransportTimers;
  readonly logger?: TransportLogger;
  readonly packetBytesMax?: number;
  readonly inboundBytesMax?: number;
  readonly outboundBytesMax?: number;
}

interface Limits {
  readonly timers: TransportTimers;
  readonly logger: TransportLogger;
  readonly packetBytesMax: number;
  readonly inboundBytesMax: number;
  readonly outboundBytesMax: number;
}

function limitsOf(options: QuorumTransportOptions): Limits {
  return {
    timers: options.timers ?? nodeTimers,
    logger: options.logger ?? silentLogger,
    packetBytesMax: options.packetBytesMax ?? PACKET_BYTES_MAX_DEFAULT,
    inboundBytesMax: options.inboundBytesMax ?? INBOUND_BYTES_MAX_DEFAULT,
    outboundBytesMax: options.outboundBytesMax ?? OUTBOUND_BYTES_MAX_DEFAULT,
  };
}

/** One quorum-port connection, either side. */
export class QuorumConnection implements AsyncIterable<QuorumPacket> {
  readonly remote: string;
  /** Resolves with the reason once the socket has closed. */
  readonly closed: Promise<string>;
  private readonly splitter: QuorumPacketSplitter;
  private readonly queue: { packet: QuorumPacket; bytes: number }[] = [];
  private queuedBytesNow = 0;
  private paused = false;
  private closeReason: string | null = null;
  private waiter: ((packet: QuorumPacket | null) => void) | null = null;
  private readTimer: TimerHandle | null = null;
  private readTimeoutMs: number | null = null;

  constructor(
    private readonly socket: net.Socket,
    private readonly limits: Limits,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.splitter = new QuorumPacketSplitter(limits.packetBytesMax);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.limits.logger.debug({ remote: this.remote, err: describeError(err) }, 'quorum socket error'));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.stopReadTimer();
        if (this.closeReason === null) {
          this.closeReason = this.splitter.bufferedBytes > 0 ? 'closed by peer mid-packet' : 'closed by peer';
          if (this.splitter.bufferedBytes > 0) this.limits.logger.warn({ remote: this.remote }, 'truncated quorum packet: peer closed mid-record');
        }
        this.wake();
        resolve(this.closeReason);
      });
    });
  }

  /** Bytes of decoded packets not yet taken by receive(). */
  get queuedBytes(): number {
    return this.queuedBytesNow;
  }

  get readingPaused(): boolean {
    return this.paused;
  }

  get isClosed(): boolean {
    return this.closeReason !== null;
  }

  /** The next packet, or null once the connection is closed and every decoded packet was taken. */
  receive(): Promise<QuorumPacket | null> {
    const head = this.queue.shift();
    if (head !== undefined) {
      this.queuedBytesNow -= head.bytes;
      if (this.paused && this.queuedBytesNow < this.limits.inboundBytesMax && this.closeReason === null) {
        this.paused = false;
        this.socket.resume();
      }
      return Promise.resolve(head.packet);
    }
    if (this.closeReason !== null) return Promise.resolve(null);
    if (this.waiter !== null) throw new Error('receive() called while another receive() is pending');
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<QuorumPacket> {
    for (;;) {
      const packet = await this.receive();
      if (packet === null) return;
      yield packet;
    }
  }

  /** Writes one packet. False when the caller should wait for drained() (or the connection is closed). */
  send(packet: QuorumPacket): boolean {
    if (this.closeReason !== null) return false;
    this.socket.write(encodeQuorumPacket(packet));
    if (this.socket.writableLength > this.limits.outboundBytesMax) {
      this.fail(`peer not reading: ${this.socket.writableLength} bytes unsent`);
      return false;
    }
    return !this.socket.writableNeedDrain;
  }

  /** Resolves when the outbound buffer has drained or the connection closed. */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closeReason !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Close the connection if nothing arrives for `timeoutMs` (initLimit/syncLimit × tickTime); null: never. */
  setReadTimeout(timeoutMs: number | null): void {
    this.readTimeoutMs = timeoutMs;
    this.restartReadTimer();
  }

  close(reason = 'closed locally'): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.socket.destroy();
    this.wake();
  }

  private onData(chunk: Buffer): void {
    if (this.closeReason !== null) return;
    this.restartReadTimer();
    this.splitter.push(chunk);
    for (;;) {
      let packet: QuorumPacket;
      let bytes: number;
      try {
        const record = this.splitter.next();
        if (record === null) break;
        bytes = record.length;
        packet = decodeQuorumPacket(record);
      } catch (err) {
        this.fail(`bad quorum packet: ${describeError(err)}`);
        return;
      }
      this.queue.push({ packet, bytes });
      this.queuedBytesNow += bytes;
    }
    if (this.queuedBytesNow >= this.limits.inboundBytesMax && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake();
  }

  private fail(reason: string): void {
    this.limits.logger.warn({ remote: this.remote, reason }, 'dropping quorum peer');
    this.close(reason);
  }

  private wake(): void {
    const waiter = this.waiter;
    if (waiter === null) return;
    const head = this.queue[0];
    if (head === undefined && this.closeReason === null) return;
    this.waiter = null;
    void this.receive().then(waiter);
  }

  private restartReadTimer(): void {
    this.stopReadTimer();
    if (this.readTimeoutMs === null || this.closeReason !== null) return;
    const timeoutMs = this.readTimeoutMs;
    this.readTimer = this.limits.timers.setTimeout(() => {
      this.readTimer = null;
      this.fail(`nothing received for ${timeoutMs} ms`);
    }, timeoutMs);
  }

  private stopReadTimer(): void {
    if (this.readTimer === null) return;
    this.limits.timers.clearTimeout(this.readTimer);
    this.readTimer = null;
  }
}

export interface LeaderListenerOptions extends QuorumTransportOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Each accepted learner connection; the leader reads its FOLLOWERINFO/OBSERVERINFO first. */
  readonly onConnection: (connection: QuorumConnection) => void;
}

/** Leader side: accepts learner connections on the quorum port. */
export class LeaderListener {
  private readonly server: net.Server;
  private readonly connections = new Set<QuorumConnection>();
  private readonly limits: Limits;

  constructor(private readonly options: LeaderListenerOptions) {
    this.limits = limitsOf(options);
    this.server = net.createServer({ noDelay: true }, (socket) => {
      const connection = new QuorumConnection(socket, this.limits);
      this.connections.add(connection);
      void connection.closed.then(() => this.connections.delete(connection));
      this.limits.logger.info({ remote: connection.remote }, 'learner connected');
      options.onConnection(connection);
    });
  }

  listen(): Promise<number> {
    return listenOn(this.server, this.options.host, this.options.port);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Stops accepting and closes every learner connection. */
  async close(): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const closing = [...this.connections].map((c) => {
      c.close('leader listener closed');
      return c.closed;
    });
    await Promise.all([serverClosed, ...closing]);
  }
}

export interface ConnectToLeaderOptions extends QuorumTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly connectTimeoutMs: number;
}

/** Learner side: dials the leader's quorum port. Rejects on error or after connectTimeoutMs. */
export function connectToLeader(options: ConnectToLeaderOptions): Promise<QuorumConnection> {
  const limits = limitsOf(options);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    const timer = limits.timers.setTimeout(() => socket.destroy(new Error(`connect timeout after ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
    const onError = (err: Error): void => {
      limits.timers.clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      limits.timers.clearTimeout(timer);
      socket.off('error', onError);
      resolve(new QuorumConnection(socket, limits));
    });
  });
}
