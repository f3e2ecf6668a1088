// The request pipeline of one server as a synchronous state machine (design.md §3): frames in,
// effects out. Writes are prepared against the tree plus outstanding changes and proposed;
// committed txns are applied in zxid order, their watches fire, and each connection's replies
// leave in arrival order. Sessions expire by tick buckets through replicated closeSession txns.
// No sockets, timers, clocks or disk here: time arrives with every input.
//
// Modes (config.mode): standalone and leader prep writes and propose them; a learner forwards
// them to the leader (effect `forward`) and answers when the txn comes back committed. Either
// way a committed txn answers the write of the same session and cxid at the head of that
// session's connection here, so replies never depend on who prepared the txn. Only the leader
// (or standalone) expires sessions and reaps containers; learners report session activity
// (takeTouches) for the leader's PING touch tables.
//
// Session owners (leader): the server a session's requests come through — set by createSession,
// by a re-attach (REVALIDATE, or locally), and otherwise by the first request after an election.
// A request that arrives through any other server gets SESSIONMOVED, as in ZooKeeper: the client
// has moved on and its old connection must not write. A learner asks the leader (REVALIDATE)
// before it accepts a re-attaching session.

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
import { QuorumBookkeeping } from './quorum-bookkeeping.js';
import type { ConnectionId, CoreEffect, CoreInput, ServerCoreConfig } from './types.js';
import type { ForwardedRequest, SessionTouch } from '../../zab/messages.js';
import type { Id } from '../../proto/data.js';

const WRITE_OPS = new Set<string>([
  'create', 'create2', 'createContainer', 'createTTL', 'delete', 'setData', 'setACL', 'check',
  'multi', 'reconfig', 'deleteContainer', 'closeSession',
]);


export class ServerCore {
  readonly watches = new WatchManager();
  readonly sessions: SessionTracker;
  readonly stats = new ServerStats();
  private readonly connections = new Map<ConnectionId, ConnectionState>();
  private readonly connectionOfSession = new Map<SessionId, ConnectionId>();
  /** Session owners (leader); touches, revalidations and syncs waiting (learner). */
  private readonly quorum = new QuorumBookkeeping();
  private readonly view: PrepView;
  private readonly policy: PrepPolicy;
  private readonly idGenerator: SessionIdGenerator;
  private readonly reaper: ContainerReaper;
  private lastProposedZxid: bigint;
  private effects: CoreEffect[] = [];

  /**
   * `nextZxid`: the zxid of the first txn this core proposes (a leader's comes from the
   * consensus core); by default the one after the database's last.
   */
  constructor(
    readonly db: Database,
    readonly config: ServerCoreConfig,
    startMs: number,
    nextZxid?: Zxid,
  ) {
    this.sessions = new SessionTracker(config.tickTimeMs);
    for (const [id, timeoutMs] of db.sessions()) this.sessions.add(id, timeoutMs, startMs);
    this.idGenerator = SessionIdGenerator.forServer(config.serverId === 0 ? 1 : config.serverId, startMs);
    this.lastProposedZxid = nextZxid === undefined ? db.lastProcessedZxid : nextZxid - 1n;
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
      case 'forwarded':
        this.onForwarded(input.from, input.request, input.nowMs);
        break;
      case 'revalidated':
        this.onRevalidated(input.sessionId, input.valid, input.nowMs);
        break;
      case 'sessionsTouched':
        for (const t of input.touches) this.sessions.touch(t.sessionId, input.nowMs);
        break;
      case 'syncCompleted':
        this.onSyncCompleted(input.nowMs);
        break;
    }
    const out = this.effects;
    this.effects = [];
    return out;
  }

  connectionList(): readonly ConnectionState[] {
    return [...this.connections.values()];
  }

  /** Learner: the sessions active here since the previous call (ZooKeeper's PING touch table). */
  takeTouches(): SessionTouch[] {
    return this.quorum.takeTouches();
  }

  /**
   * Leader: a learner's REVALIDATE for a re-attaching client. A live session is renewed and now
   * belongs to that learner.
   */
  revalidate(from: number, id: SessionId, nowMs: number): boolean {
    const valid = this.sessions.has(id) && !this.sessions.isClosing(id);
    if (valid) {
      this.sessions.touch(id, nowMs);
      this.quorum.setOwner(id, from);
    }
    return valid;
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
    if (this.config.mode === 'readOnly' && request.readOnly !== true) {
      // Only clients that accept a read-only server may use one (protocol.md §2.7).
      return this.closeConnection(conn);
    }
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
      if (this.config.mode === 'readOnly') {
        // A local session: nothing can be written, so there is nothing to replicate.
        this.sessions.add(id, timeoutMs, nowMs);
        this.openSession(conn, nowMs);
      } else if (this.config.mode === 'learner') {
        const body = new JuteWriter(4).writeInt(timeoutMs).toBuffer();
        this.effects.push({ kind: 'forward', request: { sessionId: id, cxid: 0, opType: OpCode.createSession, body, authinfo: null } });
      } else {
        this.quorum.setOwner(id, this.config.serverId);
        this.propose({ type: OpCode.createSession, timeOut: timeoutMs }, id, 0, nowMs);
      }
      return;
    }
    const id = request.sessionId;
    // A learner may not have applied the session's createSession yet: the leader's answer counts.
    const known = this.config.mode === 'learner' || this.config.mode === 'readOnly' || (this.sessions.has(id) && !this.sessions.isClosing(id));
    const valid = known && passwordMatches(id, request.passwd);
    if (!valid) return this.refuseSession(conn);
    if (this.config.mode === 'learner') {
      // The leader decides (its session table is the live one) and learns the new owner.
      conn.session = id;
      conn.phase = 'creatingSession';
      this.quorum.awaitRevalidation(id, { conn: conn.id, timeoutMs });
      this.effects.push({ kind: 'revalidate', sessionId: id, timeoutMs });
      return;
    }
    if (this.config.mode === 'leader') this.quorum.setOwner(id, this.config.serverId);
    this.reattach(conn, id, timeoutMs, nowMs);
  }

  private refuseSession(conn: ConnectionState): void {
    this.sendConnectResponse(conn, 0, toSessionId(0), Buffer.alloc(16));
    this.closeConnection(conn);
  }

  private onRevalidated(id: SessionId, valid: boolean, nowMs: number): void {
    const next = this.quorum.takeRevalidation(id);
    if (next === undefined) return;
    const conn = this.connections.get(next.conn);
    if (conn === undefined || conn.phase !== 'creatingSession') return;
    if (!valid) return this.refuseSession(conn);
    this.reattach(conn, id, next.timeoutMs, nowMs);
  }

  private reattach(conn: ConnectionState, id: SessionId, timeoutMs: number, nowMs: number): void {
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
    this.noteTouch(id, timeoutMs);
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
      readOnly: conn.clientSentReadOnly ? this.config.mode === 'readOnly' : null,
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
    if (conn.session !== null) {
      this.sessions.touch(conn.session, nowMs);
      this.noteTouch(conn.session, conn.timeoutMs);
    }
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
        const placeholder: Request = { op: 'multi', ops: [], opsAllowed: false };
        this.enqueue(conn, { kind: 'write', xid, request: placeholder, receivedMs: nowMs }, nowMs);
        if (this.config.mode === 'learner') return this.forward(conn, xid, type, payload);
        return this.propose({ type: OpCode.error, err: ErrorCode.marshallingError }, conn.session!, xid, nowMs);
      }
      return this.enqueue(conn, { kind: 'fixed', xid, opcode: type, err: ErrorCode.marshallingError, closeAfter: false, receivedMs: nowMs }, nowMs);
    }
    if (type === OpCode.ping) {
      return this.enqueue(conn, { kind: 'fixed', xid: Xid.ping, opcode: type, err: 0, closeAfter: false, receivedMs: nowMs }, nowMs);
    }
    if (this.config.mode === 'readOnly' && (WRITE_OPS.has(request.op) || request.op === 'sync')) {
      if (request.op === 'closeSession') return this.closeReadOnlySession(conn, xid, nowMs);
      return this.enqueue(conn, { kind: 'fixed', xid, opcode: type, err: ErrorCode.notReadOnly, closeAfter: false, receivedMs: nowMs }, nowMs);
    }
    if (WRITE_OPS.has(request.op)) return this.onWrite(conn, xid, type, request, payload, nowMs);
    if (request.op === 'sync' && this.config.mode === 'learner') {
      // Answered once the leader has committed everything outstanding when it got the sync.
      const entry = { kind: 'sync' as const, xid, request, receivedMs: nowMs, done: false };
      this.quorum.awaitSync({ conn: conn.id, entry });
      this.enqueue(conn, entry, nowMs);
      return this.forward(conn, xid, type, payload);
    }
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

  private onWrite(conn: ConnectionState, xid: number, opType: number, request: Request, payload: Uint8Array, nowMs: number): void {
    const session = conn.session!;
    if (this.config.mode === 'learner') {
      if (request.op === 'closeSession') this.sessions.setClosing(session);
      this.enqueue(conn, { kind: 'write', xid, request, receivedMs: nowMs }, nowMs);
      return this.forward(conn, xid, opType, payload);
    }
    if (this.config.mode === 'leader' && !this.quorum.claim(session, this.config.serverId)) {
      this.propose({ type: OpCode.error, err: ErrorCode.sessionMoved }, session, xid, nowMs);
    } else {
      this.prepAndPropose(session, xid, request, conn.authIds, nowMs);
    }
    this.enqueue(conn, { kind: 'write', xid, request, receivedMs: nowMs }, nowMs);
  }

  /** Read-only: a session closes here, without a txn. */
  private closeReadOnlySession(conn: ConnectionState, xid: number, nowMs: number): void {
    const session = conn.session!;
    this.sessions.remove(session);
    this.connectionOfSession.delete(session);
    this.enqueue(conn, { kind: 'fixed', xid, opcode: OpCode.closeSession, err: 0, closeAfter: true, receivedMs: nowMs }, nowMs);
  }

  /** Learner: the request goes to the leader as it came (the body after xid and type). */
  private forward(conn: ConnectionState, xid: number, opType: number, payload: Uint8Array): void {
    const request: ForwardedRequest = { sessionId: conn.session!, cxid: xid, opType, body: payload.subarray(8), authinfo: [...conn.authIds] };
    this.effects.push({ kind: 'forward', request });
  }

  /** Leader: a learner's client request, prepped with that client's auth ids. */
  private onForwarded(from: number, forwarded: ForwardedRequest, nowMs: number): void {
    const session = forwarded.sessionId;
    const authIds = forwarded.authinfo ?? [];
    if (forwarded.opType === OpCode.createSession) {
      this.quorum.setOwner(session, from);
      let requestedMs: number;
      try {
        requestedMs = new JuteReader(forwarded.body).readInt();
      } catch {
        return; // a createSession without its timeout: nothing sensible to commit
      }
      // The learner negotiated it already; bound it again, as a local connect would be.
      const timeoutMs = Math.min(Math.max(requestedMs, this.config.minSessionTimeoutMs), this.config.maxSessionTimeoutMs);
      return this.propose({ type: OpCode.createSession, timeOut: timeoutMs }, session, 0, nowMs);
    }
    this.sessions.touch(session, nowMs);
    if (!this.quorum.claim(session, from)) {
      return this.propose({ type: OpCode.error, err: ErrorCode.sessionMoved }, session, forwarded.cxid, nowMs);
    }
    let request: Request;
    try {
      request = decodeRequest(forwarded.opType, new JuteReader(forwarded.body));
    } catch {
      // Undecodable or unknown: an error txn answers it, as a standalone server answers a bad multi.
      return this.propose({ type: OpCode.error, err: ErrorCode.marshallingError }, session, forwarded.cxid, nowMs);
    }
    if (!WRITE_OPS.has(request.op)) {
      // Only writes are forwarded; anything else is answered as ZooKeeper answers a bad request.
      return this.propose({ type: OpCode.error, err: ErrorCode.marshallingError }, session, forwarded.cxid, nowMs);
    }
    this.prepAndPropose(session, forwarded.cxid, request, authIds, nowMs);
  }

  private prepAndPropose(session: SessionId, cxid: number, request: Request, authIds: readonly Id[], nowMs: number): void {
    const zxid = this.nextZxid();
    const ctx: PrepContext = { zxid, timeMs: nowMs, session, authIds, view: this.view, policy: this.policy };
    // A closing session (closeSession sent, or expired) may not write any more: above all it
    // must not create an ephemeral after the closeSession that deletes its ephemerals.
    const record: TxnRecord = this.sessions.isClosing(session)
      ? { type: OpCode.error, err: ErrorCode.sessionExpired }
      : prepRequest(request, ctx);
    if (request.op === 'closeSession') this.sessions.setClosing(session);
    this.proposeAt(zxid, record, session, cxid, nowMs);
  }

  private noteTouch(session: SessionId, timeoutMs: number): void {
    if (this.config.mode === 'learner') this.quorum.noteTouch(session, timeoutMs);
  }

  private onSyncCompleted(nowMs: number): void {
    const oldest = this.quorum.takeSync();
    if (oldest === undefined) return;
    oldest.entry.done = true;
    const conn = this.connections.get(oldest.conn);
    if (conn !== undefined) this.drain(conn, nowMs);
  }

  private nextZxid(): Zxid {
    this.lastProposedZxid += 1n;
    return toZxid(this.lastProposedZxid);
  }

  private propose(record: TxnRecord, session: SessionId, cxid: number, nowMs: number): void {
    this.proposeAt(this.nextZxid(), record, session, cxid, nowMs);
  }

  private proposeAt(zxid: Zxid, record: TxnRecord, session: SessionId, cxid: number, nowMs: number): void {
    const txn: Txn = {
      header: { clientId: session, cxid, zxid, time: nowMs, type: record.type },
      record,
      // Every txn but a top-level error carries the digest after it (storage-and-quorum.md §1.5).
      digest: this.config.digestEnabled && record.type !== OpCode.error ? { version: DIGEST_VERSION, treeDigest: this.view.digest } : null,
    };
    this.effects.push({ kind: 'propose', txn });
  }

  // --- commits -----------------------------------------------------------------------------

  private onCommitted(txn: Txn, nowMs: number): void {
    const zxid = txn.header.zxid;
    const outcome = this.db.apply(txn);
    this.view.applied(zxid);
    const session = txn.header.clientId;

    if (txn.record.type === OpCode.createSession) {
      this.sessions.add(session, txn.record.timeOut, nowMs);
    } else if (txn.record.type === OpCode.closeSession) {
      this.sessions.remove(session);
      this.quorum.forgetOwner(session);
    }
    this.fireWatches(outcome.triggers);

    // The write this txn answers: the same session's request with cxid = xid, at the head of
    // its connection here (a write always waits at the head of its queue).
    const connId = this.connectionOfSession.get(session);
    const conn = connId === undefined ? undefined : this.connections.get(connId);
    if (conn !== undefined && txn.record.type === OpCode.createSession) {
      if (conn.phase === 'creatingSession') this.openSession(conn, nowMs);
      return;
    }
    const head = conn?.queue[0];
    if (conn === undefined || head === undefined || head.kind !== 'write' || head.xid !== txn.header.cxid) {
      // Expiry or reaper txn, or a write of a client connected elsewhere: an expired session's
      // socket is closed without a reply (§2.4).
      if (txn.record.type === OpCode.closeSession) this.dropSessionConnection(session);
      return;
    }
    conn.queue.shift();
    const reply = replyForCommitted(head.request, outcome.result, this.db);
    this.sendReply(conn, head.xid, zxid, reply.err, reply.response);
    this.noteLatency(conn, head.receivedMs, nowMs, zxid);
    if (head.request.op === 'closeSession' && txn.record.type === OpCode.closeSession) {
      this.connectionOfSession.delete(session);
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
      if (head.kind === 'write' || (head.kind === 'sync' && !head.done)) break;
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
    if (this.config.mode === 'learner') return; // the leader expires sessions and reaps containers
    if (this.config.mode === 'readOnly') {
      // Sessions end here without a txn; the quorum expires global ones once it is back.
      for (const id of this.sessions.expired(nowMs)) {
        this.sessions.remove(id);
        this.dropSessionConnection(id);
      }
      return;
    }
    for (const id of this.sessions.expired(nowMs)) {
      this.sessions.setClosing(id);
      const zxid = this.nextZxid();
      const ctx: PrepContext = { zxid, timeMs: nowMs, session: id, authIds: [], view: this.view, policy: this.policy };
      const record = prepCloseSession(ctx);
      this.proposeAt(zxid, record, id, 0, nowMs);
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
      this.proposeAt(zxid, record, toSessionId(0), 0, nowMs);
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
