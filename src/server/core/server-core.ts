// The request pipeline of one server as a synchronous state machine (design.md §3): frames in,
// effects out. Writes are prepared against the tree plus outstanding changes and proposed;
// committed txns are applied in zxid order, their watches fire, and each connection's replies
// leave in arrival order. Sessions expire by tick buckets through replicated closeSession txns.
// No sockets, timers, clocks or disk here: time arrives with every input.

import { JuteReader } from '../../jute/reader.js';
import { JuteWriter } from '../../jute/writer.js';
import { JuteDecodeError } from '../../jute/errors.js';
import { decodeConnectRequest, encodeConnectResponse } from '../../proto/connect.js';
import { ErrorCode } from '../../proto/error-codes.js';
import { KeeperState, OpCode, Perm, Xid, opAbbreviation } from '../../proto/opcodes.js';
import { decodeRequest, decodeRequestHeader, requestOpForCode, type Request } from '../../proto/requests.js';
import { writeNotification, writeReply, type Response } from '../../proto/responses.js';
import { authenticate } from '../../acl/authenticate.js';
import { checkAcl, fixupAcl, ipIdForAddress } from '../../acl/index.js';
import { sessionId as toSessionId, zxid as toZxid, type SessionId, type Zxid } from '../../util/ids.js';
import type { Txn, TxnRecord, WatchTrigger } from '../../txn/types.js';
import { validatePath } from '../../tree/path.js';
import { DIGEST_VERSION } from '../../tree/digest.js';
import { WatchManager } from './watch-manager.js';
import { SessionTracker } from './session-tracker.js';
import { SessionIdGenerator, passwordMatches, sessionPassword } from './session-ids.js';
import { ConnectionState, type Pending } from './connection-state.js';
import type { Database } from './database.js';
import { PrepView } from './prep-view.js';
import { prepCloseSession, prepWrite, type PrepContext, type PrepPolicy } from './prep.js';
import { prepRequest } from './prep-request.js';
import { answerRead } from './reads.js';
import { replyForCommitted } from './replies.js';
import { ServerStats } from './server-stats.js';
import { ContainerReaper } from './container-reaper.js';
import type { ConnectionId, CoreEffect, CoreInput, ServerCoreConfig } from './types.js';

const WRITE_OPS = new Set<string>([
  'create', 'create2', 'createContainer', 'createTTL', 'delete', 'setData', 'setACL', 'check',
  'multi', 'reconfig', 'deleteContainer', 'closeSession',
]);

/** Writes issued by the server itself (expiry, reaper) carry this pseudo connection. */
interface OwnWrite {
  readonly conn: ConnectionId | null;
  readonly closeSessionOf: SessionId | null;
}

export class ServerCore {
  readonly watches = new WatchManager();
  readonly sessions: SessionTracker;
  readonly stats = new ServerStats();
  private readonly connections = new Map<ConnectionId, ConnectionState>();
  private readonly connectionOfSession = new Map<SessionId, ConnectionId>();
  /** Proposed, not yet applied: who waits for each zxid. */
  private readonly inFlight = new Map<bigint, OwnWrite>();
  private readonly view: PrepView;
  private readonly policy: PrepPolicy;
  private readonly idGenerator: SessionIdGenerator;
  private readonly reaper: ContainerReaper;
  private lastProposedZxid: bigint;
  private effects: CoreEffect[] = [];

  constructor(
    readonly db: Database,
    readonly config: ServerCoreConfig,
    startMs: number,
  ) {
    this.sessions = new SessionTracker(config.tickTimeMs);
    for (const [id, timeoutMs] of db.sessions()) this.sessions.add(id, timeoutMs, startMs);
    this.idGenerator = SessionIdGenerator.forServer(config.serverId === 0 ? 1 : config.serverId, startMs);
    this.lastProposedZxid = db.lastProcessedZxid;
    this.view = new PrepView({
      lookup: (path) => {
        const node = db.node(path);
        return node === undefined ? undefined : { path, ...node };
      },
      ephemeralsOf: (session) => db.ephemeralsOf(session),
      digest: () => db.digest(),
    });
    const skipAcl = config.skipAcl;
    this.policy = {
      extendedTypesEnabled: config.extendedTypesEnabled,
      fixupAcl: (acl, ids) => fixupAcl(acl, ids),
      checkAcl: (acl, perm, ids) => checkAcl(acl, perm, ids, { skipAcl }),
      validatePath: (path) => validatePath(path, false),
    };
    this.reaper = new ContainerReaper(config, startMs);
  }

  step(input: CoreInput): CoreEffect[] {
    switch (input.kind) {
      case 'connected': {
        const conn = new ConnectionState(input.conn, input.address, input.port, input.nowMs);
        conn.authIds[0] = { scheme: 'ip', id: ipIdForAddress(input.address) };
        this.connections.set(input.conn, conn);
        break;
      }
      case 'frame':
        this.onFrame(input.conn, input.payload, input.nowMs);
        break;
      case 'disconnected':
        this.onDisconnected(input.conn);
        break;
      case 'tick':
        this.onTick(input.nowMs);
        break;
      case 'committed':
        this.onCommitted(input.txn, input.nowMs);
        break;
    }
    const out = this.effects;
    this.effects = [];
    return out;
  }

  connectionList(): readonly ConnectionState[] {
    return [...this.connections.values()];
  }

  get lastZxid(): Zxid {
    return this.db.lastProcessedZxid;
  }

  outstandingRequests(): number {
    let n = 0;
    for (const c of this.connections.values()) n += c.queue.length;
    return n;
  }

  resetConnectionStats(nowMs: number): void {
    for (const c of this.connections.values()) {
      c.stats = { ...c.stats, packetsReceived: 0, packetsSent: 0, minLatencyMs: Number.MAX_SAFE_INTEGER, maxLatencyMs: 0, totalLatencyMs: 0, latencyCount: 0, lastResponseMs: nowMs };
    }
  }

  // --- frames ------------------------------------------------------------------------------

  private onFrame(connId: ConnectionId, payload: Uint8Array, nowMs: number): void {
    const conn = this.connections.get(connId);
    if (conn === undefined || conn.phase === 'closing') return;
    conn.stats.packetsReceived++;
    this.stats.packetsReceived++;
    if (conn.phase === 'handshake') return this.onConnectRequest(conn, payload, nowMs);
    if (conn.phase === 'creatingSession') {
      conn.early.push(payload);
      return;
    }
    this.onRequestFrame(conn, payload, nowMs);
  }

  private onConnectRequest(conn: ConnectionState, payload: Uint8Array, nowMs: number): void {
    let request;
    try {
      request = decodeConnectRequest(new JuteReader(payload));
    } catch {
      return this.closeConnection(conn);
    }
    conn.clientSentReadOnly = request.readOnly !== null;
    if (request.lastZxidSeen > this.db.lastProcessedZxid) {
      // The client has seen a newer state than ours: it must try another server (§2.7).
      return this.closeConnection(conn);
    }
    const timeoutMs = Math.min(
      Math.max(request.timeoutMs, this.config.minSessionTimeoutMs),
      this.config.maxSessionTimeoutMs,
    );
    conn.timeoutMs = timeoutMs;
    if (request.sessionId === 0n) {
      const id = this.idGenerator.next();
      conn.session = id;
      conn.phase = 'creatingSession';
      this.connectionOfSession.set(id, conn.id);
      this.propose({ type: OpCode.createSession, timeOut: timeoutMs }, id, 0, nowMs, { conn: conn.id, closeSessionOf: null });
      return;
    }
    const id = request.sessionId;
    const valid =
      this.sessions.has(id) &&
      !this.sessions.isClosing(id) &&
      passwordMatches(id, request.passwd);
    if (!valid) {
      this.sendConnectResponse(conn, 0, toSessionId(0), Buffer.alloc(16));
      return this.closeConnection(conn);
    }
    const previous = this.connectionOfSession.get(id);
    if (previous !== undefined && previous !== conn.id) {
      const old = this.connections.get(previous);
      if (old !== undefined) this.closeConnection(old);
    }
    // Re-attach renegotiates the timeout (§2.4): re-register with the new one.
    this.sessions.remove(id);
    this.sessions.add(id, timeoutMs, nowMs);
    conn.session = id;
    this.connectionOfSession.set(id, conn.id);
    this.openSession(conn, nowMs);
  }

  private openSession(conn: ConnectionState, nowMs: number): void {
    const id = conn.session!;
    conn.phase = 'open';
    conn.stats.establishedMs = nowMs;
    this.sendConnectResponse(conn, conn.timeoutMs, id, sessionPassword(id));
    const early = conn.early.splice(0);
    for (const frame of early) {
      if (conn.phase !== 'open') break;
      this.onRequestFrame(conn, frame, nowMs);
    }
  }

  private sendConnectResponse(conn: ConnectionState, timeoutMs: number, id: SessionId, passwd: Uint8Array): void {
    this.send(conn, encodeConnectResponse({
      protocolVersion: 0,
      timeoutMs,
      sessionId: id,
      passwd,
      readOnly: conn.clientSentReadOnly ? false : null,
    }));
  }

  private onRequestFrame(conn: ConnectionState, payload: Uint8Array, nowMs: number): void {
    const reader = new JuteReader(payload);
    let header;
    try {
      header = decodeRequestHeader(reader);
    } catch {
      return this.closeConnection(conn);
    }
    const { xid, type } = header;
    if (conn.session !== null) this.sessions.touch(conn.session, nowMs);
    conn.stats.lastCxid = xid;
    conn.stats.lastOp = opAbbreviation(type);

    if (type === OpCode.auth) return this.onAuth(conn, reader, xid);
    if (type === OpCode.sasl) {
      // No SASL configured: err 0 with a null token (§4.4).
      return this.sendReply(conn, xid, 0n, 0, { kind: 'sasl', token: null });
    }
    const op = requestOpForCode(type);
    if (op === undefined || type === OpCode.notification || type === OpCode.error) {
      return this.enqueue(conn, { kind: 'fixed', xid, opcode: type, err: ErrorCode.unimplemented, closeAfter: true, receivedMs: nowMs }, nowMs);
    }
    let request: Request;
    try {
      request = decodeRequest(type, reader);
    } catch (e) {
      if (!(e instanceof JuteDecodeError)) throw e;
      if (type === OpCode.multi) {
        // ZooKeeper preps an undecodable multi into an error txn: it still consumes a zxid.
        const zxid = this.nextZxid();
        const placeholder: Request = { op: 'multi', ops: [], opsAllowed: false };
        this.enqueue(conn, { kind: 'write', xid, request: placeholder, zxid, receivedMs: nowMs }, nowMs);
        return this.proposeAt(zxid, { type: OpCode.error, err: ErrorCode.marshallingError }, conn.session!, xid, nowMs, { conn: conn.id, closeSessionOf: null });
      }
      return this.enqueue(conn, { kind: 'fixed', xid, opcode: type, err: ErrorCode.marshallingError, closeAfter: false, receivedMs: nowMs }, nowMs);
    }
    if (type === OpCode.ping) {
      return this.enqueue(conn, { kind: 'fixed', xid: Xid.ping, opcode: type, err: 0, closeAfter: false, receivedMs: nowMs }, nowMs);
    }
    if (WRITE_OPS.has(request.op)) return this.onWrite(conn, xid, request, nowMs);
    this.enqueue(conn, { kind: 'read', xid, request, receivedMs: nowMs }, nowMs);
  }

  private onAuth(conn: ConnectionState, reader: JuteReader, xid: number): void {
    let request: Request;
    try {
      request = decodeRequest(OpCode.auth, reader);
    } catch {
      return this.closeConnection(conn);
    }
    if (request.op !== 'auth') return this.closeConnection(conn);
    const result = authenticate(request.scheme, request.auth, { superDigest: this.config.superDigest });
    if (!result.ok) {
      this.stats.authFailed++;
      this.sendReply(conn, xid, 0n, ErrorCode.authFailed, null);
      return this.closeConnection(conn);
    }
    for (const id of result.ids) if (!conn.hasAuthId(id)) conn.authIds.push(id);
    this.sendReply(conn, xid, 0n, 0, null);
  }

  // --- writes ------------------------------------------------------------------------------

  private onWrite(conn: ConnectionState, xid: number, request: Request, nowMs: number): void {
    const session = conn.session!;
    const zxid = this.nextZxid();
    const ctx: PrepContext = { zxid, timeMs: nowMs, session, authIds: conn.authIds, view: this.view, policy: this.policy };
    // A closing session (closeSession sent, or expired) may not write any more: above all it
    // must not create an ephemeral after the closeSession that deletes its ephemerals.
    const record: TxnRecord = this.sessions.isClosing(session)
      ? { type: OpCode.error, err: ErrorCode.sessionExpired }
      : prepRequest(request, ctx);
    if (request.op === 'closeSession') this.sessions.setClosing(session);
    this.enqueue(conn, { kind: 'write', xid, request, zxid, receivedMs: nowMs }, nowMs);
    this.proposeAt(zxid, record, session, xid, nowMs, { conn: conn.id, closeSessionOf: request.op === 'closeSession' ? session : null });
  }

  private nextZxid(): Zxid {
    this.lastProposedZxid += 1n;
    return toZxid(this.lastProposedZxid);
  }

  private propose(record: TxnRecord, session: SessionId, cxid: number, nowMs: number, owner: OwnWrite): void {
    this.proposeAt(this.nextZxid(), record, session, cxid, nowMs, owner);
  }

  private proposeAt(zxid: Zxid, record: TxnRecord, session: SessionId, cxid: number, nowMs: number, owner: OwnWrite): void {
    const txn: Txn = {
      header: { clientId: session, cxid, zxid, time: nowMs, type: record.type },
      record,
      // Every txn but a top-level error carries the digest after it (storage-and-quorum.md §1.5).
      digest: this.config.digestEnabled && record.type !== OpCode.error ? { version: DIGEST_VERSION, treeDigest: this.view.digest } : null,
    };
    this.inFlight.set(zxid, owner);
    this.effects.push({ kind: 'propose', txn });
  }

  // --- commits -----------------------------------------------------------------------------

  private onCommitted(txn: Txn, nowMs: number): void {
    const zxid = txn.header.zxid;
    const outcome = this.db.apply(txn);
    this.view.applied(zxid);
    const owner = this.inFlight.get(zxid);
    this.inFlight.delete(zxid);

    if (txn.record.type === OpCode.createSession) {
      this.sessions.add(txn.header.clientId, txn.record.timeOut, nowMs);
    } else if (txn.record.type === OpCode.closeSession) {
      this.sessions.remove(txn.header.clientId);
    }
    this.fireWatches(outcome.triggers);

    if (owner === undefined || owner.conn === null) {
      // Expiry or reaper txn: an expired session's socket is closed without a reply (§2.4).
      if (txn.record.type === OpCode.closeSession) this.dropSessionConnection(txn.header.clientId);
      return;
    }
    const conn = this.connections.get(owner.conn);
    if (conn === undefined) return;
    if (txn.record.type === OpCode.createSession && conn.phase === 'creatingSession') {
      return this.openSession(conn, nowMs);
    }
    const head = conn.queue[0];
    if (head === undefined || head.kind !== 'write' || head.zxid !== zxid) return;
    conn.queue.shift();
    const reply = replyForCommitted(head.request, outcome.result, this.db);
    this.sendReply(conn, head.xid, zxid, reply.err, reply.response);
    this.noteLatency(conn, head.receivedMs, nowMs, zxid);
    if (owner.closeSessionOf !== null) {
      this.connectionOfSession.delete(owner.closeSessionOf);
      return this.closeConnection(conn);
    }
    this.drain(conn, nowMs);
  }

  private fireWatches(triggers: readonly WatchTrigger[]): void {
    for (const trigger of triggers) {
      const deliveries = this.watches.trigger(trigger.path, trigger.type);
      for (const delivery of deliveries) {
        const conn = this.connections.get(delivery.watcherId);
        if (conn === undefined || conn.phase === 'closing') continue;
        // Delivery needs READ on the node (protocol.md §6.7); the watch is used up either way.
        if (!checkAcl(trigger.acl, Perm.read, conn.authIds, { skipAcl: this.config.skipAcl })) continue;
        this.sendNotification(conn, delivery.type, delivery.path);
      }
    }
  }

  // --- per-connection order ----------------------------------------------------------------

  private enqueue(conn: ConnectionState, pending: Pending, nowMs: number): void {
    conn.queue.push(pending);
    if (conn.queue.length === 1) this.drain(conn, nowMs);
    else if (!conn.readsPaused && conn.queue.length >= this.config.outstandingPerConnectionMax) {
      conn.readsPaused = true;
      this.effects.push({ kind: 'pauseReads', conn: conn.id, paused: true });
    }
  }

  /** Answers queued requests from the head until a write still waiting for its commit. */
  private drain(conn: ConnectionState, nowMs: number): void {
    while (conn.queue.length > 0 && conn.phase === 'open') {
      const head = conn.queue[0]!;
      if (head.kind === 'write') break;
      conn.queue.shift();
      if (head.kind === 'fixed') {
        const zxid = head.err === ErrorCode.unimplemented ? -1n : this.db.lastProcessedZxid;
        this.sendReply(conn, head.xid, zxid, head.err, null);
        this.noteLatency(conn, head.receivedMs, nowMs, zxid);
        if (head.closeAfter) return this.closeConnection(conn);
        continue;
      }
      const answer = answerRead(head.request, {
        db: this.db,
        watches: this.watches,
        watcherId: conn.id,
        session: conn.session!,
        authIds: conn.authIds,
        skipAcl: this.config.skipAcl,
        existsChecksRead: this.config.existsChecksRead,
      });
      for (const event of answer.events) this.sendNotification(conn, event.type, event.path);
      const zxid = this.db.lastProcessedZxid;
      this.sendReply(conn, head.xid, zxid, answer.err, answer.response);
      this.noteLatency(conn, head.receivedMs, nowMs, zxid);
    }
    if (conn.readsPaused && conn.queue.length < this.config.outstandingPerConnectionMax / 2) {
      conn.readsPaused = false;
      this.effects.push({ kind: 'pauseReads', conn: conn.id, paused: false });
    }
  }

  private noteLatency(conn: ConnectionState, receivedMs: number, nowMs: number, zxid: bigint): void {
    const latency = Math.max(0, nowMs - receivedMs);
    const s = conn.stats;
    s.lastLatencyMs = latency;
    s.minLatencyMs = Math.min(s.minLatencyMs, latency);
    s.maxLatencyMs = Math.max(s.maxLatencyMs, latency);
    s.totalLatencyMs += latency;
    s.latencyCount++;
    s.lastResponseMs = nowMs;
    s.lastZxid = zxid;
    this.stats.noteLatency(latency);
  }

  // --- sessions, ticks ---------------------------------------------------------------------

  private onTick(nowMs: number): void {
    for (const id of this.sessions.expired(nowMs)) {
      this.sessions.setClosing(id);
      const zxid = this.nextZxid();
      const ctx: PrepContext = { zxid, timeMs: nowMs, session: id, authIds: [], view: this.view, policy: this.policy };
      const record = prepCloseSession(ctx);
      this.proposeAt(zxid, record, id, 0, nowMs, { conn: null, closeSessionOf: id });
    }
    for (const path of this.reaper.due(this.db, nowMs)) {
      const zxid = this.nextZxid();
      const ctx: PrepContext = { zxid, timeMs: nowMs, session: toSessionId(0), authIds: [], view: this.view, policy: this.policy };
      const record = prepWrite({ op: 'delete', opcode: OpCode.deleteContainer, path, version: -1 }, ctx);
      if (record.type === OpCode.error) {
        // Raced with a client write since the scan: nothing to delete, and no zxid to waste.
        this.lastProposedZxid -= 1n;
        continue;
      }
      this.proposeAt(zxid, record, toSessionId(0), 0, nowMs, { conn: null, closeSessionOf: null });
    }
  }

  private dropSessionConnection(session: SessionId): void {
    const connId = this.connectionOfSession.get(session);
    this.connectionOfSession.delete(session);
    if (connId === undefined) return;
    const conn = this.connections.get(connId);
    if (conn !== undefined) this.closeConnection(conn);
  }

  private onDisconnected(connId: ConnectionId): void {
    const conn = this.connections.get(connId);
    if (conn === undefined) return;
    this.connections.delete(connId);
    this.watches.removeWatcher(connId);
    conn.phase = 'closing';
    // The session outlives its connection until it expires or is re-attached (§6.11).
    if (conn.session !== null && this.connectionOfSession.get(conn.session) === connId) {
      this.connectionOfSession.delete(conn.session);
    }
  }

  private closeConnection(conn: ConnectionState): void {
    if (conn.phase === 'closing') return;
    conn.phase = 'closing';
    this.effects.push({ kind: 'close', conn: conn.id });
  }

  // --- output ------------------------------------------------------------------------------

  private send(conn: ConnectionState, bytes: Buffer): void {
    conn.stats.packetsSent++;
    this.stats.packetsSent++;
    this.effects.push({ kind: 'send', conn: conn.id, bytes });
  }

  private sendReply(conn: ConnectionState, xid: number, zxid: bigint, err: number, response: Response | null): void {
    const w = new JuteWriter(response === null ? 20 : 128);
    writeReply(w, xid, zxid, err, err === 0 || response?.kind === 'sasl' ? response : null);
    this.send(conn, w.view());
  }

  private sendNotification(conn: ConnectionState, type: number, path: string): void {
    const w = new JuteWriter(32 + path.length * 3);
    writeNotification(w, { type, state: KeeperState.syncConnected, path });
    this.send(conn, w.view());
  }

  /** The session a connection belongs to (for wchc/wchp and cons). */
  sessionOfConnection(connId: ConnectionId): SessionId | null {
    return this.connections.get(connId)?.session ?? null;
  }
}
