// The learner ↔ leader transport on the quorum port (storage-and-quorum.md §10.1): the leader
// side accepts learner connections (LeaderListener), the learner side dials the leader
// (connectToLeader); both then exchange QuorumPackets as back-to-back jute records.
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
// - SNAP body (§4.7, §10.4): with `snapshotAfterSnap` (the learner side), the bytes right after a
//   SNAP packet are read as the snapshot body (bounded by snapshotBytesMax, SnapBodyReader); the
//   SNAP packet is queued only once its body is complete, counting the body's bytes in the
//   inbound bound, and receive() handing out the SNAP makes the body available from
//   takeSnapshot(). A truncated, malformed or oversized body disconnects like a bad packet.
//   Bytes after the "BenWasHere" trailer are packets again. Without the option (the leader
//   side) a SNAP is an ordinary packet.
// - sendSnapshot() writes the body right after the packets already sent, synchronously, so the
//   caller's send(SNAP) + sendSnapshot() cannot be interleaved. The body does not count against
//   outboundBytesMax until the socket has drained once (it is bounded by the tree in memory).

import net from 'node:net';
import { listenOn } from '../io/node/listen.js';
import type { QuorumPacket } from '../zab/messages.js';
import { JuteWriter } from '../jute/writer.js';
import { decodeQuorumPacket, writeQuorumPacket } from '../zab/wire.js';
import { encodeSnapshot, type SnapshotContent } from '../storage/format/snapshot-format.js';
import { QuorumPacketSplitter } from './net/quorum-packet-splitter.js';
import { SnapBodyReader } from './net/snap-body-reader.js';
import { describeError, nodeTimers, silentLogger, type TimerHandle, type TransportLogger, type TransportTimers } from './net/runtime.js';

/** jute.maxbuffer (0xfffff) + extrasize (1024) for the data, plus room for the record around it. */
export const PACKET_BYTES_MAX_DEFAULT = 0xfffff + 1024 + 4096;
export const INBOUND_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;
export const OUTBOUND_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
export const SNAPSHOT_BYTES_MAX_DEFAULT = 1024 * 1024 * 1024;
/** Chunk size sendSnapshot() encodes and writes in. */
const SNAPSHOT_CHUNK_BYTES = 256 * 1024;
/** A batch of outbound packets this big is written at once instead of at the end of the tick. */
const BATCH_FLUSH_BYTES = 64 * 1024;
const BATCH_INITIAL_BYTES = 2048;

export interface QuorumTransportOptions {
  readonly timers?: TransportTimers;
  readonly logger?: TransportLogger;
  readonly packetBytesMax?: number;
  readonly inboundBytesMax?: number;
  readonly outboundBytesMax?: number;
  /** Read a SNAP body after each SNAP packet (the learner side). Default false. */
  readonly snapshotAfterSnap?: boolean;
  /** Upper bound of one SNAP body, trailer included. Default 1 GiB. */
  readonly snapshotBytesMax?: number;
}

interface Limits {
  readonly timers: TransportTimers;
  readonly logger: TransportLogger;
  readonly packetBytesMax: number;
  readonly inboundBytesMax: number;
  readonly outboundBytesMax: number;
  readonly snapshotAfterSnap: boolean;
  readonly snapshotBytesMax: number;
}

function limitsOf(options: QuorumTransportOptions): Limits {
  return {
    timers: options.timers ?? nodeTimers,
    logger: options.logger ?? silentLogger,
    packetBytesMax: options.packetBytesMax ?? PACKET_BYTES_MAX_DEFAULT,
    inboundBytesMax: options.inboundBytesMax ?? INBOUND_BYTES_MAX_DEFAULT,
    outboundBytesMax: options.outboundBytesMax ?? OUTBOUND_BYTES_MAX_DEFAULT,
    snapshotAfterSnap: options.snapshotAfterSnap ?? false,
    snapshotBytesMax: options.snapshotBytesMax ?? SNAPSHOT_BYTES_MAX_DEFAULT,
  };
}

/** One quorum-port connection, either side. */
export class QuorumConnection implements AsyncIterable<QuorumPacket> {
  readonly remote: string;
  /** Resolves with the reason once the socket has closed. */
  readonly closed: Promise<string>;
  private readonly splitter: QuorumPacketSplitter;
  private readonly queue: { packet: QuorumPacket; bytes: number; snapshot?: SnapshotContent }[] = [];
  /** The SNAP packet whose body is being read, and the body's reader. */
  private snapBody: { packet: QuorumPacket; bytes: number; reader: SnapBodyReader } | null = null;
  /** The body of the last SNAP handed out by receive(), until takeSnapshot(). */
  private snapshot: SnapshotContent | null = null;
  /** outboundBytesMax, raised by a snapshot body until the socket drains. */
  private outboundBytesLimit: number;
  private queuedBytesNow = 0;
  /** Packets sent in this tick, encoded back to back; written as one buffer (see send()). */
  private batch: JuteWriter | null = null;
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
    this.outboundBytesLimit = limits.outboundBytesMax;
    socket.on('drain', () => (this.outboundBytesLimit = this.limits.outboundBytesMax));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.limits.logger.debug({ remote: this.remote, err: describeError(err) }, 'quorum socket error'));
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.stopReadTimer();
        if (this.closeReason === null && this.snapBody !== null) {
          this.closeReason = 'closed by peer mid-SNAP body';
          this.limits.logger.warn({ remote: this.remote, bufferedBytes: this.snapBody.reader.bufferedBytes }, 'truncated SNAP body: peer closed mid-body');
        } else if (this.closeReason === null) {
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
    const head = this.takeQueued();
    if (head !== null) return Promise.resolve(head);
    if (this.closeReason !== null) return Promise.resolve(null);
    if (this.waiter !== null) throw new Error('receive() called while another receive() is pending');
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /**
   * The next packet already decoded, or null when none waits (then use receive()): lets a consumer
   * handle a burst in one synchronous pass instead of a promise job per packet.
   */
  takeQueued(): QuorumPacket | null {
    const head = this.queue.shift();
    if (head === undefined) return null;
    this.queuedBytesNow -= head.bytes;
    if (head.snapshot !== undefined) this.snapshot = head.snapshot;
    if (this.paused && this.queuedBytesNow < this.limits.inboundBytesMax && this.closeReason === null) {
      this.paused = false;
      this.socket.resume();
    }
    return head.packet;
  }

  /** The body of the last SNAP packet receive() or takeQueued() returned; null if none, or already taken. */
  takeSnapshot(): SnapshotContent | null {
    const snapshot = this.snapshot;
    this.snapshot = null;
    return snapshot;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<QuorumPacket> {
    for (;;) {
      const packet = await this.receive();
      if (packet === null) return;
      yield packet;
    }
  }

  /**
   * Queues one packet. Packets sent in one tick are encoded into one buffer and leave in one
   * write at the end of the tick (or once the batch reaches BATCH_FLUSH_BYTES): a leader commits
   * and proposes in bursts (a COMMIT per txn per learner), and a buffer and a syscall per packet
   * cost more than everything else. False when the caller should wait for drained() (or the
   * connection is closed).
   */
  send(packet: QuorumPacket): boolean {
    if (this.closeReason !== null) return false;
    if (this.batch === null) {
      this.batch = new JuteWriter(BATCH_INITIAL_BYTES);
      process.nextTick(() => this.flush());
    }
    writeQuorumPacket(this.batch, packet);
    if (this.batch.length >= BATCH_FLUSH_BYTES) this.flush();
    if (this.socket.writableLength + (this.batch?.length ?? 0) > this.outboundBytesLimit) {
      this.fail(`peer not reading: ${this.socket.writableLength} bytes unsent`);
      return false;
    }
    return !this.socket.writableNeedDrain;
  }

  /** Writes the batch; the socket owns its buffer from here on. */
  private flush(): void {
    const batch = this.batch;
    if (batch === null) return;
    this.batch = null;
    if (this.closeReason === null && batch.length > 0) this.socket.write(batch.view());
  }

  /**
   * Writes a SNAP body (§10.4) right after what was sent before; call it right after send(SNAP).
   * Encodes the whole tree synchronously. False when the caller should wait for drained().
   */
  sendSnapshot(content: SnapshotContent): boolean {
    if (this.closeReason !== null) return false;
    this.flush(); // the body follows the packets sent before it
    for (const chunk of encodeSnapshot(content, SNAPSHOT_CHUNK_BYTES, 'wire')) this.socket.write(chunk);
    this.outboundBytesLimit = Math.max(this.outboundBytesLimit, this.socket.writableLength + this.limits.outboundBytesMax);
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
    if (!this.ingest(chunk)) return;
    if (this.queuedBytesNow >= this.limits.inboundBytesMax && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake();
  }

  /** Decodes packets (and SNAP bodies) from `chunk` into the queue; false once a fault closed the connection. */
  private ingest(chunk: Buffer): boolean {
    let input: Buffer | null = chunk;
    while (input !== null) {
      if (this.snapBody !== null) {
        input = this.feedSnapBody(input);
        if (input === null) return this.closeReason === null;
      }
      this.splitter.push(input);
      input = null;
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
          return false;
        }
        if (packet.type === 'SNAP' && this.limits.snapshotAfterSnap) {
          this.snapBody = { packet, bytes, reader: new SnapBodyReader(this.limits.snapshotBytesMax) };
          input = Buffer.concat(this.splitter.takeBuffered());
          break;
        }
        this.queue.push({ packet, bytes });
        this.queuedBytesNow += bytes;
      }
    }
    return true;
  }

  /** Feeds the SNAP body; the bytes after it once it is complete (the SNAP is then queued), else null. */
  private feedSnapBody(chunk: Buffer): Buffer | null {
    const pending = this.snapBody!;
    try {
      const result = pending.reader.push(chunk);
      if (result === null) return null;
      this.snapBody = null;
      const bytes = pending.bytes + result.bodyBytes;
      this.queue.push({ packet: pending.packet, bytes, snapshot: result.content });
      this.queuedBytesNow += bytes;
      this.limits.logger.info({ remote: this.remote, nodeCount: result.nodeCount, bodyBytes: result.bodyBytes }, 'SNAP body received');
      return result.rest;
    } catch (err) {
      this.fail(`bad SNAP body: ${describeError(err)}`);
      return null;
    }
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
