// The election transport (ZooKeeper's QuorumCnxManager, storage-and-quorum.md §8, §12): one TCP
// connection per pair of servers on the election port, carrying `int length` + notification
// frames both ways. Not wired into the server yet; the election shell feeds what it hands out to
// the consensus core.
//
// Invariants:
// - Only a connection initiated by the larger sid is kept (§8.2). Dialing a larger sid sends the
//   handshake and closes; accepting from a smaller sid closes and dials back.
// - At most one established connection per sid; a newer one replaces the older.
// - Per peer, at most one notification waits unsent (capacity-1 queue, §8.3): a newer one
//   replaces it (counted in stats.dropped). On every new connection the last sent message is
//   re-sent first when nothing waits.
// - One write in flight per connection, so "unsent" means "not yet handed to the kernel".
// - Anything a peer sends that breaks the protocol (bad handshake, frame length outside
//   1..frameBytesMax, undecodable notification, unknown or own sid) is logged and closes that
//   connection only; nothing from the network throws out of this class.
// - Every timer (connect, handshake, reconnect) comes from the injected timers and is cleared
//   by close(); reconnects back off from reconnectDelayMinMs doubling to reconnectDelayMaxMs.

import net from 'node:net';
import { listenOn } from '../io/node/listen.js';
import { FrameLengthError, FrameSplitter } from '../proto/frames.js';
import type { ServerId } from '../util/ids.js';
import type { Notification } from '../zab/messages.js';
import { decodeNotification, encodeNotification } from '../zab/wire.js';
import {
  encodeHandshake,
  formatHostPort,
  parseHandshake,
  usableAdvertisedAddress,
  type HostPort,
} from './net/election-handshake.js';
import { describeError, nodeTimers, silentLogger, type TimerHandle, type TransportLogger, type TransportTimers } from './net/runtime.js';

export const ELECTION_FRAME_BYTES_MAX = 524288;

export interface ElectionPeer extends HostPort {
  readonly sid: ServerId;
}

export interface ElectionTransportHandlers {
  /** A decoded notification; `bytes` is the frame body exactly as received. */
  notification?(from: ServerId, notification: Notification, bytes: Buffer): void;
  peerConnected?(sid: ServerId): void;
  peerDisconnected?(sid: ServerId): void;
}

export interface ElectionTransportOptions {
  readonly myId: ServerId;
  /** Where to listen (port 0 picks one). */
  readonly listen: HostPort;
  /** Sent in the handshake; default: the listen host and the bound port. */
  readonly advertise?: string;
  /** Every other configured server (voters and observers). */
  readonly peers: readonly ElectionPeer[];
  readonly handlers?: ElectionTransportHandlers;
  readonly timers?: TransportTimers;
  readonly logger?: TransportLogger;
  readonly frameBytesMax?: number;
  /** zookeeper.cnxTimeout (5000). */
  readonly connectTimeoutMs?: number;
  /** How long an accepted socket may take to send its handshake. */
  readonly handshakeTimeoutMs?: number;
  readonly reconnectDelayMinMs?: number;
  readonly reconnectDelayMaxMs?: number;
}

export interface ElectionTransportStats {
  framesSent: number;
  framesReceived: number;
  /** Unsent notifications replaced by a newer one. */
  dropped: number;
  /** Connections closed because the peer broke the protocol. */
  protocolErrors: number;
}

export interface ConnectionInfo {
  readonly initiator: ServerId;
  readonly localPort: number;
  readonly remotePort: number;
}

interface Link {
  readonly socket: net.Socket;
  readonly initiatedByMe: boolean;
  readonly splitter: FrameSplitter;
  writing: boolean;
}

interface PeerState {
  readonly config: ElectionPeer;
  link: Link | null;
  dialing: boolean;
  queued: Buffer | null;
  lastSent: Buffer | null;
  reconnectTimer: TimerHandle | null;
  backoffMs: number;
}

export class ElectionTransport {
  readonly stats: ElectionTransportStats = { framesSent: 0, framesReceived: 0, dropped: 0, protocolErrors: 0 };
  private readonly server: net.Server;
  private readonly peers = new Map<ServerId, PeerState>();
  private readonly sockets = new Set<net.Socket>();
  private readonly timersLive = new Set<TimerHandle>();
  private readonly timers: TransportTimers;
  private readonly logger: TransportLogger;
  private readonly handlers: ElectionTransportHandlers;
  private readonly frameBytesMax: number;
  private readonly connectTimeoutMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly reconnectDelayMinMs: number;
  private readonly reconnectDelayMaxMs: number;
  private handshake: Buffer | null = null;
  private closed = false;

  constructor(private readonly options: ElectionTransportOptions) {
    this.timers = options.timers ?? nodeTimers;
    this.logger = options.logger ?? silentLogger;
    this.handlers = options.handlers ?? {};
    this.frameBytesMax = options.frameBytesMax ?? ELECTION_FRAME_BYTES_MAX;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? this.connectTimeoutMs;
    this.reconnectDelayMinMs = options.reconnectDelayMinMs ?? 100;
    this.reconnectDelayMaxMs = Math.max(options.reconnectDelayMaxMs ?? 5000, this.reconnectDelayMinMs);
    for (const config of options.peers) {
      if (config.sid === options.myId) throw new RangeError(`peer list contains my own sid ${config.sid}`);
      this.peers.set(config.sid, {
        config,
        link: null,
        dialing: false,
        queued: null,
        lastSent: null,
        reconnectTimer: null,
        backoffMs: this.reconnectDelayMinMs,
      });
    }
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  /** Binds the election port, then dials every peer. Resolves the bound port. */
  async start(): Promise<number> {
    const port = await listenOn(this.server, this.options.listen.host, this.options.listen.port);
    this.server.on('error', (err) => this.logger.warn({ err: describeError(err) }, 'election listener error'));
    const advertise = this.options.advertise ?? formatHostPort({ host: this.options.listen.host, port });
    this.handshake = encodeHandshake(BigInt(this.options.myId), advertise);
    for (const peer of this.peers.values()) this.dial(peer, peer.config);
    return port;
  }

  /**
   * Queues a notification for `sid`, replacing any still unsent (§8.3). Returns false when
   * `sid` is not a configured peer or the transport is closed.
   */
  send(sid: ServerId, notification: Notification | Uint8Array): boolean {
    const peer = this.peers.get(sid);
    if (peer === undefined || this.closed) return false;
    const body = notification instanceof Uint8Array ? notification : encodeNotification(notification);
    if (body.length < 1 || body.length > this.frameBytesMax) throw new RangeError(`notification of ${body.length} bytes`);
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeInt32BE(body.length, 0);
    frame.set(body, 4);
    if (peer.queued !== null) this.stats.dropped++;
    peer.queued = frame;
    this.flush(peer);
    return true;
  }

  /** Peers with an established connection. */
  connectedPeers(): ServerId[] {
    return [...this.peers.values()].filter((p) => p.link !== null).map((p) => p.config.sid);
  }

  connectionInfo(sid: ServerId): ConnectionInfo | null {
    const link = this.peers.get(sid)?.link;
    if (link === null || link === undefined) return null;
    return {
      initiator: link.initiatedByMe ? this.options.myId : sid,
      localPort: link.socket.localPort ?? 0,
      remotePort: link.socket.remotePort ?? 0,
    };
  }

  /** Open sockets of any kind (established, dialing, awaiting a handshake). */
  get socketCount(): number {
    return this.sockets.size;
  }

  /** Stops listening, cancels every timer and closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.timersLive) this.timers.clearTimeout(handle);
    this.timersLive.clear();
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const socketsClosed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))),
    );
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  // ---- outgoing connections ---------------------------------------------------------------------

  private dial(peer: PeerState, address: HostPort): void {
    if (this.closed || peer.link !== null || peer.dialing || this.handshake === null) return;
    this.cancelReconnect(peer);
    peer.dialing = true;
    const sid = peer.config.sid;
    const socket = net.connect({ host: address.host, port: address.port, noDelay: true });
    this.track(socket);
    const timer = this.startTimer(this.connectTimeoutMs, () => socket.destroy(new Error('connect timeout')));
    socket.once('connect', () => {
      this.stopTimer(timer);
      socket.write(this.handshake!);
      if (this.options.myId < sid) {
        // The larger sid keeps only connections it initiated: say who we are and let it dial back.
        socket.end();
        return;
      }
      peer.dialing = false;
      this.establish(peer, socket, true);
    });
    socket.on('error', (err) => this.logger.debug({ sid, err: describeError(err) }, 'election connection error'));
    socket.once('close', () => {
      this.stopTimer(timer);
      if (peer.link?.socket === socket) return; // established: its own close handler runs
      peer.dialing = false;
      if (peer.link === null) this.scheduleReconnect(peer);
    });
  }

  private scheduleReconnect(peer: PeerState): void {
    if (this.closed || peer.reconnectTimer !== null) return;
    const delayMs = peer.backoffMs;
    peer.backoffMs = Math.min(peer.backoffMs * 2, this.reconnectDelayMaxMs);
    peer.reconnectTimer = this.startTimer(delayMs, () => {
      peer.reconnectTimer = null;
      this.dial(peer, peer.config);
    });
  }

  private cancelReconnect(peer: PeerState): void {
    if (peer.reconnectTimer === null) return;
    this.stopTimer(peer.reconnectTimer);
    peer.reconnectTimer = null;
  }

  // ---- incoming connections ---------------------------------------------------------------------

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.track(socket);
    socket.on('error', (err) => this.logger.debug({ err: describeError(err) }, 'election connection error'));
    let pending: Buffer = Buffer.alloc(0);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const timer = this.startTimer(this.handshakeTimeoutMs, () => this.reject(socket, remote, 'no handshake in time'));
    const onData = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let parsed;
      try {
        parsed = parseHandshake(pending);
      } catch (err) {
        this.stopTimer(timer);
        this.reject(socket, remote, describeError(err));
        return;
      }
      if (parsed === null) return; // parseHandshake bounds what it waits for (20 + 2048 bytes)
      this.stopTimer(timer);
      socket.off('data', onData);
      this.handshakeReceived(socket, remote, parsed.sid, parsed.addresses, pending.subarray(parsed.bytes));
    };
    socket.on('data', onData);
    socket.once('close', () => this.stopTimer(timer));
  }

  private handshakeReceived(socket: net.Socket, remote: string, sid: bigint, addresses: readonly string[], rest: Buffer): void {
    const myId = BigInt(this.options.myId);
    if (sid === myId) {
      this.reject(socket, remote, `peer announced my own sid ${sid}: configuration error`);
      return;
    }
    const peer = sid >= 0n && sid <= BigInt(Number.MAX_SAFE_INTEGER) ? this.peers.get(Number(sid) as ServerId) : undefined;
    if (peer === undefined) {
      this.reject(socket, remote, `sid ${sid} is not a configured server`);
      return;
    }
    if (sid < myId) {
      // Only the larger sid's connections survive: close, and dial back if not connected yet.
      socket.destroy();
      this.logger.debug({ sid: Number(sid), remote }, 'connection from a smaller sid: dialing back');
      this.dial(peer, usableAdvertisedAddress(addresses) ?? peer.config);
      return;
    }
    const link = this.establish(peer, socket, false);
    if (rest.length > 0) this.receive(peer, link, rest);
  }

  private reject(socket: net.Socket, remote: string, reason: string): void {
    this.stats.protocolErrors++;
    this.logger.warn({ remote, reason }, 'election connection refused');
    socket.destroy();
  }

  // ---- established connections ------------------------------------------------------------------

  private establish(peer: PeerState, socket: net.Socket, initiatedByMe: boolean): Link {
    const link: Link = { socket, initiatedByMe, splitter: new FrameSplitter(this.frameBytesMax), writing: false };
    const old = peer.link;
    peer.link = link;
    peer.backoffMs = this.reconnectDelayMinMs;
    this.cancelReconnect(peer);
    if (old !== null) old.socket.destroy();
    const sid = peer.config.sid;
    socket.on('data', (chunk: Buffer) => this.receive(peer, link, chunk));
    socket.once('close', () => {
      if (peer.link !== link) return;
      peer.link = null;
      this.logger.info({ sid }, 'election peer disconnected');
      this.handlers.peerDisconnected?.(sid);
      this.scheduleReconnect(peer);
    });
    if (peer.queued === null && peer.lastSent !== null) peer.queued = peer.lastSent; // §8.3 re-send
    this.logger.info({ sid, initiatedByMe }, 'election peer connected');
    if (old === null) this.handlers.peerConnected?.(sid);
    this.flush(peer);
    return link;
  }

  private receive(peer: PeerState, link: Link, chunk: Buffer): void {
    if (peer.link !== link) return;
    link.splitter.push(chunk);
    for (;;) {
      let frame: Buffer | null;
      let notification: Notification;
      try {
        frame = link.splitter.next();
        if (frame === null) return;
        if (frame.length === 0) throw new FrameLengthError(0, this.frameBytesMax);
        notification = decodeNotification(frame);
      } catch (err) {
        this.stats.protocolErrors++;
        this.logger.warn({ sid: peer.config.sid, reason: describeError(err) }, 'malformed election input: dropping connection');
        link.socket.destroy();
        return;
      }
      this.stats.framesReceived++;
      this.handlers.notification?.(peer.config.sid, notification, Buffer.from(frame));
      if (peer.link !== link) return; // the handler closed us
    }
  }

  private flush(peer: PeerState): void {
    const link = peer.link;
    if (link === null || link.writing || peer.queued === null || link.socket.destroyed) return;
    const frame = peer.queued;
    peer.queued = null;
    peer.lastSent = frame;
    link.writing = true;
    link.socket.write(frame, (err) => {
      link.writing = false;
      if (err === undefined || err === null) this.stats.framesSent++;
      if (peer.link === link) this.flush(peer);
    });
  }

  // ---- bookkeeping ------------------------------------------------------------------------------

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private startTimer(delayMs: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = this.timers.setTimeout(() => {
      this.timersLive.delete(handle);
      fn();
    }, delayMs);
    this.timersLive.add(handle);
    return handle;
  }

  private stopTimer(handle: TimerHandle): void {
    if (!this.timersLive.delete(handle)) return;
    this.timers.clearTimeout(handle);
  }
}
