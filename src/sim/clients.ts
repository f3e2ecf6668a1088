// Simulated clients: each keeps at most one session on one server, issues reads and writes to a
// few shared keys (plus one ephemeral of its own), pipelines up to two requests, pings, closes
// its session now and then, and gives up on a server after a timeout (its requests become
// "unknown" and the abandoned session is left to expire). Every request is recorded in the
// history with its call and return positions in real (event) order.

import { ErrorCode } from '../proto/error-codes.js';
import { sessionId as toSessionId, type ServerId, type SessionId } from '../util/ids.js';
import type { ClientOp, OpResult } from './ops.js';
import type { Prng } from './prng.js';
import type { Outcome, Replica } from './replica.js';
import type { Scheduler } from './scheduler.js';

export interface HistoryEntry {
  readonly client: number;
  readonly sessionId: SessionId;
  readonly cxid: number;
  readonly op: ClientOp;
  readonly server: ServerId;
  readonly callSeq: number;
  readonly callMs: number;
  retSeq: number;
  retMs: number;
  outcome: 'pending' | 'ok' | 'unknown' | 'failed';
  result: OpResult | null;
}

export const KEYS = ['/k0', '/k1', '/k2'];
export const SESSION_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 1500;
const PING_MS = 400;

export class ClientWorld {
  readonly history: HistoryEntry[] = [];
  seq = 0;
  private nextSession = 1;
  /** Clients stop issuing new requests when false (the liveness phase drains). */
  active = true;

  constructor(
    readonly sched: Scheduler,
    readonly rng: Prng,
    readonly servers: () => readonly Replica[],
  ) {}

  newSessionId(): SessionId {
    return toSessionId(0x5100_0000n + BigInt(this.nextSession++));
  }

  /** Sends `op` to `server`; resolves once with its outcome (or unknown after the timeout). */
  request(client: number, server: Replica, sessionId: SessionId, cxid: number, op: ClientOp, done: (e: HistoryEntry) => void): HistoryEntry {
    const entry: HistoryEntry = {
      client, sessionId, cxid, op, server: server.id, callSeq: ++this.seq, callMs: this.sched.nowMs, retSeq: Infinity, retMs: Infinity, outcome: 'pending', result: null,
    };
    this.history.push(entry);
    const finish = (o: Outcome): void => {
      if (entry.outcome !== 'pending') return;
      entry.outcome = o.kind;
      if (o.kind === 'ok') entry.result = o.result;
      if (o.kind !== 'unknown') {
        entry.retSeq = ++this.seq;
        entry.retMs = this.sched.nowMs;
      }
      done(entry);
    };
    this.sched.after(1, () => server.submit({ sessionId, cxid, op, sent: false, resolve: (o) => this.sched.after(1, () => finish(o)) }));
    this.sched.after(REQUEST_TIMEOUT_MS, () => finish({ kind: 'unknown' }));
    return entry;
  }
}

export class SimClient {
  private server: Replica | null = null;
  private session: SessionId | null = null;
  private connecting = false;
  private cxid = 0;
  private outstanding = 0;
  private writes = 0;
  private generation = 0;

  constructor(
    readonly id: number,
    private readonly world: ClientWorld,
    private readonly rng: Prng,
  ) {}

  start(): void {
    this.world.sched.after(this.rng.int(1, 50), () => this.act());
    this.world.sched.after(PING_MS, () => this.ping());
  }

  /** The session this client holds, if any (the others are abandoned or closed). */
  get liveSession(): SessionId | null {
    return this.session;
  }

  private ping(): void {
    if (this.session !== null && this.server !== null) this.server.ping(this.session);
    this.world.sched.after(PING_MS, () => this.ping());
  }

  private abandon(): void {
    this.session = null;
    this.server = null;
    this.connecting = false;
    this.generation++;
    this.outstanding = 0;
  }

  private act(): void {
    this.world.sched.after(this.rng.int(5, 120), () => this.act());
    if (!this.world.active) return;
    if (this.session === null) return this.connect();
    if (this.outstanding >= 2 || this.server === null) return;
    const r = this.rng.float();
    if (r < 0.02) return this.send({ kind: 'closeSession' });
    const path = this.rng.pick(KEYS);
    if (r < 0.45) return this.send({ kind: 'read', path });
    const data = `c${this.id}w${++this.writes}`;
    if (r < 0.6) return this.send({ kind: 'create', path, data, ephemeral: false });
    if (r < 0.65) return this.send({ kind: 'create', path: `/e${this.id}-${this.writes}`, data, ephemeral: true });
    if (r < 0.9) return this.send({ kind: 'set', path, data, version: this.rng.chance(0.5) ? -1 : this.rng.int(0, 3) });
    return this.send({ kind: 'delete', path, version: this.rng.chance(0.7) ? -1 : this.rng.int(0, 3) });
  }

  private connect(): void {
    if (this.connecting) return;
    const servers = this.world.servers();
    const server = this.rng.pick(servers);
    if (!server.up || !server.serving) return;
    const session = this.world.newSessionId();
    this.connecting = true;
    this.cxid = 0;
    const generation = this.generation;
    this.world.request(this.id, server, session, ++this.cxid, { kind: 'createSession', timeoutMs: SESSION_TIMEOUT_MS }, (e) => {
      if (generation !== this.generation) return;
      this.connecting = false;
      if (e.outcome === 'ok' && e.result?.err === ErrorCode.ok) {
        this.session = session;
        this.server = server;
      } else this.abandon();
    });
  }

  private send(op: ClientOp): void {
    const server = this.server;
    const session = this.session;
    if (server === null || session === null) return;
    this.outstanding++;
    const generation = this.generation;
    this.world.request(this.id, server, session, ++this.cxid, op, (e) => {
      if (generation !== this.generation) return;
      this.outstanding--;
      if (e.outcome !== 'ok' || e.result?.err === ErrorCode.sessionExpired) return this.abandon();
      if (op.kind === 'closeSession') this.abandon();
    });
  }
}
