// Scripted scenarios on the simulator: a calm cluster without random clients, driven step by
// step by a test (writes through a chosen server, crashes, cut links, slow disks at chosen
// moments), with a tap on every quorum packet sent and hooks on packets received, and the
// simulator's checkers run at the end. Everything is deterministic: the cluster's seed is fixed
// and nothing here draws randomness of its own.
//
// Invariants: a wait that does not reach its goal within its bound throws (a scenario never
// passes vacuously); scripted sessions use a long timeout, so no session expiry adds txns the
// script did not ask for.

import type { Txn } from '../../txn/types.js';
import { hex64, type ServerId, type SessionId, type Zxid } from '../../util/ids.js';
import type { PeerMessage } from '../../zab/messages.js';
import type { ZabConfig } from '../../zab/types.js';
import { checkAckedWrites, checkCommittedPrefix, checkSessionOrder } from '../checkers.js';
import type { HistoryEntry } from '../clients.js';
import { SimCluster } from '../cluster.js';
import { CALM, type FaultMix } from '../faults.js';
import type { WriteOp } from '../ops.js';
import type { Replica } from '../replica.js';
import { describe } from '../runner.js';

export interface TappedPacket {
  readonly atMs: number;
  readonly from: ServerId;
  readonly to: ServerId;
  readonly type: string;
  readonly zxid: Zxid;
}

export interface ScriptSpec {
  readonly voters: number;
  readonly observers?: number;
  readonly seed?: number;
  readonly zab?: Partial<ZabConfig>;
}

const SCRIPT_SESSION_TIMEOUT_MS = 600_000;

export class Script {
  readonly c: SimCluster;
  /** Every quorum packet (not election notifications) sent, in send order. */
  readonly packets: TappedPacket[] = [];
  private readonly cxids = new Map<SessionId, number>();

  constructor(spec: ScriptSpec) {
    this.c = new SimCluster({ seed: spec.seed ?? 1, voters: spec.voters, observers: spec.observers ?? 0, clients: 0, mix: CALM, ...(spec.zab !== undefined ? { zab: spec.zab } : {}) });
    const network = this.c.network;
    const send = network.send.bind(network);
    network.send = (from: ServerId, to: ServerId, message: PeerMessage): void => {
      if (message.kind === 'packet') this.packets.push({ atMs: this.c.sched.nowMs, from, to, type: message.type, zxid: message.zxid });
      send(from, to, message);
    };
  }

  get now(): number {
    return this.c.sched.nowMs;
  }

  r(id: number): Replica {
    return this.c.replica(id);
  }

  start(): Replica {
    this.c.start();
    return this.leader();
  }

  /** Runs until `done` holds; throws with the cluster's state if it does not within `boundMs`. */
  until(done: () => boolean, what: string, boundMs = 10_000): void {
    this.c.runFor(boundMs, done);
    if (!done()) throw new Error(`scenario: ${what} not reached within ${boundMs} ms; ${describe(this.c)}`);
  }

  /** The serving leader (waits for one). */
  leader(boundMs = 10_000): Replica {
    this.until(() => this.c.servingLeader() !== null, 'a serving leader', boundMs);
    return this.c.servingLeader()!;
  }

  /** Opens a session through `server` and waits until it is committed. */
  session(server: Replica): SessionId {
    const s = this.c.world.newSessionId();
    const e = this.write(server, s, { kind: 'createSession', timeoutMs: SCRIPT_SESSION_TIMEOUT_MS });
    this.until(() => e.outcome !== 'pending', 'createSession answered');
    if (e.outcome !== 'ok' || e.result?.err !== 0) throw new Error(`scenario: createSession on ${server.id} ended ${e.outcome}`);
    return s;
  }

  /** Submits a write through `server`; does not wait. */
  write(server: Replica, session: SessionId, op: WriteOp): HistoryEntry {
    const cxid = (this.cxids.get(session) ?? 0) + 1;
    this.cxids.set(session, cxid);
    return this.c.world.request(0, server, session, cxid, op, () => {});
  }

  /** Submits a write and waits for an answer (ok, failed or unknown). */
  writeAndWait(server: Replica, session: SessionId, op: WriteOp, boundMs = 5000): HistoryEntry {
    const e = this.write(server, session, op);
    this.until(() => e.outcome !== 'pending', `answer to ${op.kind}`, boundMs);
    return e;
  }

  create(server: Replica, session: SessionId, path: string, data = path): HistoryEntry {
    const e = this.writeAndWait(server, session, { kind: 'create', path, data, ephemeral: false });
    if (e.outcome !== 'ok' || e.result?.err !== 0) throw new Error(`scenario: create ${path} on ${server.id} ended ${e.outcome}`);
    return e;
  }

  /** Calls `hook` after `to` has handled each packet it receives. */
  onReceive(to: number, hook: (from: ServerId, message: PeerMessage) => void): void {
    const r = this.r(to);
    const handle = r.onMessage.bind(r);
    r.onMessage = (from, message, snapshot) => {
      handle(from, message, snapshot);
      if (r.up) hook(from, message);
    };
  }

  /** Gives one server's disk an fsync latency of `ms` (a slow disk); other servers keep theirs. */
  slowDisk(id: number, ms: number): void {
    const mix: FaultMix = { ...this.r(id).disk.mix, fsyncMsMin: ms, fsyncMsMax: ms };
    this.r(id).disk.mix = mix;
  }

  /** Power loss in which none of the unsynced records reached the platter (the disk model's
   * worst draw), so the scenario does not depend on how much of the page cache survived. */
  powerLossDroppingUnsynced(id: number): number {
    const disk = this.r(id).disk;
    const lost = disk.unsynced.length;
    disk.unsynced = [];
    this.c.crash(this.r(id).id);
    return lost;
  }

  packetsOf(type: string, filter: Partial<Pick<TappedPacket, 'from' | 'to'>> = {}): TappedPacket[] {
    return this.packets.filter((p) => p.type === type && (filter.from === undefined || p.from === filter.from) && (filter.to === undefined || p.to === filter.to));
  }

  /** Every live server serving, all at the leader's applied zxid. */
  converged(): boolean {
    const l = this.c.servingLeader();
    return l !== null && this.c.replicas.every((r) => !r.up || (r.serving && r.appliedZxid === l.appliedZxid));
  }

  converge(boundMs = 10_000): Replica {
    this.until(() => this.converged(), 'convergence', boundMs);
    return this.c.servingLeader()!;
  }

  /** The checkers: one committed sequence, no lost acknowledged write, session order, no digest
   * mismatch, and (once converged) identical trees on every live server. */
  check(): string | null {
    const prefix = checkCommittedPrefix(this.c.replicas);
    if (prefix.problem !== null) return prefix.problem;
    const problem = checkAckedWrites(this.c.world.history, prefix.reference) ?? checkSessionOrder(prefix.reference);
    if (problem !== null) return problem;
    if (this.c.obs.digestMismatches > 0) return `${this.c.obs.digestMismatches} digest mismatches`;
    if (this.converged()) {
      const up = this.c.replicas.filter((r) => r.up);
      const digest = up[0]?.tree.digest();
      for (const r of up) if (r.tree.digest() !== digest) return `server ${r.id}: tree digest ${hex64(r.tree.digest())} differs at ${hex64(r.appliedZxid)}`;
    }
    return null;
  }
}

/** The zxids of a server's log (durable and written), ascending. */
export function loggedZxids(r: Replica): Zxid[] {
  return r.disk.visibleLog().map((t: Txn) => t.header.zxid);
}

/** Does the server's applied history hold a txn at `z`? */
export function applied(r: Replica, z: Zxid): boolean {
  return r.history.some((t) => t.header.zxid === z);
}
