// The network side of one quorum member: the election transport (notifications) and the learner
// connections on the quorum port, presented to the replica as the consensus core sees them —
// `send(to, message)`, `disconnect(peer)` and inputs `message`, `peerConnected`,
// `peerDisconnected` keyed by server id.
//
// - The quorum port always listens. An accepted connection is anonymous until its first packet
//   (FOLLOWERINFO/OBSERVERINFO) names the learner; a newer connection of the same learner
//   replaces the older one.
// - A learner dials the leader when the core first sends it a packet; packets sent while dialing
//   wait and go out in order once connected. A failed dial reports `peerDisconnected(leader)`.
// - `peerDisconnected` is reported once per learner connection, and only for the connection that
//   is current for that id, so a replaced connection's close never reads as the new one's.
// - Election connections only report `peerConnected` (the looking role answers it); their
//   drops say nothing about the quorum connection.

import { setTimeout as sleep } from 'node:timers/promises';
import type { QuorumServer } from '../config/index.js';
import type { SnapshotContent } from '../storage/format/snapshot-format.js';
import { hex64, serverId, type ServerId } from '../util/ids.js';
import type { PeerMessage, QuorumPacket } from '../zab/messages.js';
import { ElectionTransport } from './election-transport.js';
import { LeaderListener, connectToLeader, type QuorumConnection } from './learner-transport.js';
import type { TransportLogger } from './net/runtime.js';

const ELECTION_BIND_RETRY_DELAY_MS = 1000;
/** The packets that tell a learner how it is brought up to date; both ends log them. */
const SYNC_MODES: ReadonlySet<string> = new Set(['DIFF', 'TRUNC', 'SNAP']);

export interface PeerLinkEvents {
  message(from: ServerId, message: PeerMessage, snapshot: SnapshotContent | null): void;
  peerConnected(peer: ServerId): void;
  peerDisconnected(peer: ServerId): void;
}

export interface PeerLinksOptions {
  readonly myId: ServerId;
  readonly me: QuorumServer;
  readonly others: readonly QuorumServer[];
  readonly listenOnAllIps: boolean;
  /** Times to retry binding the election port (zoo.cfg electionPortBindRetry; 0 = forever). */
  readonly electionPortBindRetry: number;
  readonly connectTimeoutMs: number;
  /** Silence on a quorum connection after which it is dropped (a backstop: the core's own
   * liveness rules act sooner). */
  readonly readTimeoutMs: number;
  readonly logger: TransportLogger;
  readonly events: PeerLinkEvents;
}

interface Link {
  readonly conn: QuorumConnection;
}

interface Dial {
  readonly queued: QuorumPacket[];
  cancelled: boolean;
}

export class PeerLinks {
  private readonly election: ElectionTransport;
  private readonly listener: LeaderListener;
  private readonly links = new Map<ServerId, Link>();
  private readonly dials = new Map<ServerId, Dial>();
  private closed = false;

  constructor(private readonly options: PeerLinksOptions) {
    const { me, others, events, logger } = options;
    const host = options.listenOnAllIps ? '0.0.0.0' : me.host;
    this.election = new ElectionTransport({
      myId: options.myId,
      listen: { host, port: me.electionPort },
      advertise: `${me.host}:${me.electionPort}`,
      peers: others.map((s) => ({ sid: serverId(s.id), host: s.host, port: s.electionPort })),
      handlers: {
        notification: (from, notification) => events.message(from, notification, null),
        peerConnected: (sid) => events.peerConnected(sid),
      },
      logger,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    this.listener = new LeaderListener({
      host,
      port: me.quorumPort,
      logger,
      onConnection: (conn) => void this.serveAccepted(conn),
    });
  }

  /**
   * Binds the quorum and election ports. The election port is retried (electionPortBindRetry
   * times, 0 = forever, a second apart) as ZooKeeper does, for a port still held by a previous
   * process.
   */
  async start(): Promise<void> {
    await this.listener.listen();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.election.start();
        return;
      } catch (err) {
        const retries = this.options.electionPortBindRetry;
        if (this.closed || (retries > 0 && attempt > retries)) throw err;
        this.options.logger.warn({ port: this.options.me.electionPort, attempt, err: String(err) }, 'could not bind the election port; retrying');
        await sleep(ELECTION_BIND_RETRY_DELAY_MS);
      }
    }
  }

  send(to: ServerId, message: PeerMessage): void {
    if (this.closed) return;
    if (message.kind === 'notification') {
      this.election.send(to, message);
      return;
    }
    const link = this.links.get(to);
    if (link !== undefined) {
      if (SYNC_MODES.has(message.type)) {
        this.options.logger.info({ learner: to, zxid: `0x${hex64(message.zxid)}` }, `sync to a learner: ${message.type}`);
      }
      link.conn.send(message);
      return;
    }
    const dial = this.dials.get(to);
    if (dial !== undefined) {
      dial.queued.push(message);
      return;
    }
    // Only a learner dials, and its first packet names it; anything else for a peer without a
    // connection belongs to a connection that is gone.
    if (message.type !== 'FOLLOWERINFO' && message.type !== 'OBSERVERINFO') return;
    const server = this.options.others.find((s) => s.id === to);
    if (server === undefined) return;
    this.dial(to, server, message);
  }

  /** Right after a SNAP packet to `to`: its body. False when there is no open connection. */
  sendSnapshot(to: ServerId, content: SnapshotContent): boolean {
    const link = this.links.get(to);
    if (link === undefined) return false;
    link.conn.sendSnapshot(content); // false only asks the caller to wait for a drain; the body is queued
    return !link.conn.isClosed;
  }

  disconnect(peer: ServerId): void {
    const dial = this.dials.get(peer);
    if (dial !== undefined) {
      dial.cancelled = true;
      this.dials.delete(peer);
    }
    const link = this.links.get(peer);
    if (link === undefined) return;
    // Forget it first: the close that follows was asked for, not news to report.
    this.links.delete(peer);
    link.conn.close('disconnected by the consensus core');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const dial of this.dials.values()) dial.cancelled = true;
    this.dials.clear();
    for (const link of this.links.values()) link.conn.close('server stopping');
    this.links.clear();
    await Promise.all([this.listener.close(), this.election.close()]);
  }

  private dial(to: ServerId, server: QuorumServer, first: QuorumPacket): void {
    const dial: Dial = { queued: [first], cancelled: false };
    this.dials.set(to, dial);
    connectToLeader({
      host: server.host,
      port: server.quorumPort,
      connectTimeoutMs: this.options.connectTimeoutMs,
      logger: this.options.logger,
      snapshotAfterSnap: true,
    }).then(
      (conn) => {
        if (dial.cancelled || this.closed) {
          conn.close('dial no longer wanted');
          return;
        }
        this.dials.delete(to);
        this.adopt(to, conn);
        for (const packet of dial.queued) conn.send(packet);
      },
      (err: unknown) => {
        if (dial.cancelled || this.closed) return;
        this.dials.delete(to);
        this.options.logger.info({ leader: to, err: String(err) }, 'could not connect to the leader');
        this.options.events.peerDisconnected(to);
      },
    );
  }

  /** Makes `conn` the connection of `peer` and delivers its packets until it closes. */
  private adopt(peer: ServerId, conn: QuorumConnection, first?: QuorumPacket): void {
    const old = this.links.get(peer);
    const link: Link = { conn };
    this.links.set(peer, link);
    if (old !== undefined) old.conn.close('replaced by a newer connection');
    conn.setReadTimeout(this.options.readTimeoutMs);
    if (first !== undefined) this.options.events.message(peer, first, null);
    void this.pump(peer, link);
  }

  private async pump(peer: ServerId, link: Link): Promise<void> {
    for (;;) {
      // Wait for a packet, then take the rest of the burst synchronously.
      let packet = await link.conn.receive();
      for (; packet !== null; packet = link.conn.takeQueued()) {
        if (this.links.get(peer) !== link) return; // replaced or disconnected on purpose
        this.deliver(peer, link, packet);
      }
      if (this.links.get(peer) !== link) return;
      if (link.conn.isClosed) {
        this.links.delete(peer);
        this.options.events.peerDisconnected(peer);
        return;
      }
    }
  }

  private deliver(peer: ServerId, link: Link, packet: QuorumPacket): void {
    if (SYNC_MODES.has(packet.type)) {
      this.options.logger.info({ leader: peer, zxid: `0x${hex64(packet.zxid)}` }, `sync from the leader: ${packet.type}`);
    }
    const snapshot = packet.type === 'SNAP' ? link.conn.takeSnapshot() : null;
    this.options.events.message(peer, packet, snapshot);
  }

  /** An accepted connection: its first packet must name the learner. */
  private async serveAccepted(conn: QuorumConnection): Promise<void> {
    conn.setReadTimeout(this.options.readTimeoutMs);
    const first = await conn.receive();
    if (first === null) return;
    if ((first.type !== 'FOLLOWERINFO' && first.type !== 'OBSERVERINFO') || first.info === null) {
      this.options.logger.warn({ remote: conn.remote, type: first.type }, 'a learner connection must start with FOLLOWERINFO or OBSERVERINFO');
      conn.close('bad first packet');
      return;
    }
    const sid = Number(first.info.serverId);
    if (this.closed || !this.options.others.some((s) => s.id === sid)) {
      this.options.logger.warn({ remote: conn.remote, sid }, 'learner not in the configuration');
      conn.close('unknown learner');
      return;
    }
    this.adopt(serverId(sid), conn, first);
  }
}
