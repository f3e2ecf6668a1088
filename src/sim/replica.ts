// One simulated server: a zab Peer, its simulated disk, the DataTree of committed txns, the
// leader-side prep, and the client requests it holds. This is the shell of design.md §4: it
// feeds inputs to `Peer.step` one at a time (inputs raised while performing effects wait in an
// inbox, so the core is never re-entered and effects run in the order they were emitted) and
// feeds disk completions back when the simulated disk finishes.
//
// Client requests: a session's requests complete in order (a read waits behind the session's
// earlier writes). Writes go to the leader's prep, or are forwarded by a learner. A role change
// fails every request held: a write that may have reached the leader is "unknown", anything else
// "failed" (it certainly did not take effect).
//
// Sessions (leader): deadlines renewed by client traffic (learners forward touches on PING);
// a session past its deadline is closed by a closeSession txn, which deletes its ephemerals.

import { applyTxn, digestMismatch } from '../txn/apply.js';
import { DataTree } from '../tree/data-tree.js';
import type { Txn } from '../txn/types.js';
import { hex64, zxid, type ServerId, type SessionId, type Zxid } from '../util/ids.js';
import type { PeerMessage, SessionTouch } from '../zab/messages.js';
import { Peer } from '../zab/peer.js';
import type { Role, ZabConfig, ZabEffect, ZabInput } from '../zab/types.js';
import type { SimDisk, SnapshotImage } from './disk.js';
import type { Network, NetworkEndpoint } from './network.js';
import type { Observations } from './observations.js';
import { decodeForward, encodeForward, isWrite, type ClientOp, type OpResult, type WriteOp } from './ops.js';
import { prepTxn } from './prep.js';
import type { Scheduler } from './scheduler.js';

export type Outcome = { readonly kind: 'ok'; readonly result: OpResult } | { readonly kind: 'unknown' } | { readonly kind: 'failed' };

export interface PendingRequest {
  readonly sessionId: SessionId;
  readonly cxid: number;
  readonly op: ClientOp;
  sent: boolean;
  readonly resolve: (outcome: Outcome) => void;
}

export interface ReplicaEnv {
  readonly sched: Scheduler;
  readonly network: Network;
  readonly obs: Observations;
  readonly config: ZabConfig;
}

export function replay(txns: readonly Txn[]): DataTree {
  const tree = DataTree.fresh();
  for (const t of txns) applyTxn(tree, t);
  return tree;
}

export class Replica implements NetworkEndpoint {
  up = false;
  incarnation = 0;
  peer: Peer | null = null;
  tree: DataTree = DataTree.fresh();
  /** The txns applied to `tree`, in order (what a snapshot of it would hold). */
  history: Txn[] = [];
  appliedZxid: Zxid = zxid(0);
  role: Role = 'looking';
  serving = false;
  /** Ticks per tick interval factor (clock skew); > 1 = a slow clock. */
  tickMs: number;
  private incomingSnapshot: SnapshotImage | null = null;
  private inbox: ZabInput[] = [];
  private stepping = false;
  private readonly held = new Map<SessionId, PendingRequest[]>();
  // Leader state.
  private spec: DataTree | null = null;
  private readonly deadlines = new Map<SessionId, { atMs: number; timeoutMs: number }>();
  private readonly expiring = new Set<SessionId>();
  // Learner state.
  private touches = new Map<SessionId, number>();
  readonly stats = { crashes: 0, proposals: 0, expiries: 0 };

  constructor(
    readonly id: ServerId,
    readonly disk: SimDisk,
    private readonly env: ReplicaEnv,
    tickMs: number,
  ) {
    this.tickMs = tickMs;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  boot(): void {
    this.up = true;
    this.incarnation++;
    this.history = this.disk.contents(); // ZooKeeper applies the whole log at start
    this.tree = replay(this.history);
    this.appliedZxid = this.disk.lastVisibleZxid();
    this.role = 'looking';
    this.serving = false;
    this.peer = new Peer(this.env.config, this.disk.durableState(this.env.config.committedLogMax));
    this.perform(this.peer.start());
    this.scheduleTick(this.incarnation);
  }

  crash(): void {
    if (!this.up) return;
    this.stats.crashes++;
    this.up = false;
    this.peer = null;
    this.inbox = [];
    this.incomingSnapshot = null;
    this.disk.crash();
    this.failHeld();
    this.leaveLeadership();
    this.touches.clear();
  }

  private scheduleTick(incarnation: number): void {
    this.env.sched.after(this.tickMs, () => {
      if (!this.up || this.incarnation !== incarnation) return;
      this.tick();
      this.scheduleTick(incarnation);
    });
  }

  /** One tick of this server's clock (a clock jump runs several at once). */
  tick(): void {
    if (!this.up) return;
    this.feed({ kind: 'tick' });
    if (this.touches.size > 0 && this.role !== 'leading') {
      const touches: SessionTouch[] = [...this.touches].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
      this.touches.clear();
      this.feed({ kind: 'touchSessions', touches });
    }
    this.expireSessions();
  }

  // ---- the shell ---------------------------------------------------------------------------------

  private feed(input: ZabInput): void {
    this.inbox.push(input);
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let next = this.inbox.shift(); next !== undefined; next = this.inbox.shift()) {
        if (this.peer === null) break;
        this.perform(this.peer.step(next));
      }
    } finally {
      this.stepping = false;
    }
  }

  onMessage(from: ServerId, message: PeerMessage, snapshot: SnapshotImage | null): void {
    if (snapshot !== null) this.incomingSnapshot = snapshot;
    this.feed({ kind: 'message', from, message });
  }

  onDisconnected(from: ServerId): void {
    this.feed({ kind: 'peerDisconnected', peer: from });
  }

  private perform(effects: readonly ZabEffect[]): void {
    const { network, obs } = this.env;
    const incarnation = this.incarnation;
    const alive = (): boolean => this.up && this.incarnation === incarnation;
    for (const e of effects) {
      if (!alive()) return;
      switch (e.kind) {
        case 'send':
          network.send(this.id, e.to, e.message);
          break;
        case 'disconnect':
          network.close(this.id, e.peer);
          break;
        case 'persist':
          this.disk.persist(e.txns, (upTo) => alive() && this.feed({ kind: 'persisted', zxidUpTo: upTo }));
          break;
        case 'saveEpochs':
          this.disk.saveEpochs(e.acceptedEpoch, e.currentEpoch, () => alive() && this.feed({ kind: 'epochsSaved' }));
          break;
        case 'truncate':
          this.disk.truncate(e.zxid, () => {
            if (!alive()) return;
            this.reload();
            this.feed({ kind: 'truncated', zxid: e.zxid });
          });
          break;
        case 'loadSnapshot': {
          const image = this.incomingSnapshot;
          if (image === null || image.zxid !== e.zxid) return obs.fail(`server ${this.id}: loadSnapshot ${hex64(e.zxid)} without that snapshot on the stream`);
          this.incomingSnapshot = null;
          this.disk.loadSnapshot(image, () => {
            if (!alive()) return;
            this.reload();
            this.feed({ kind: 'snapshotLoaded', zxid: e.zxid });
          });
          break;
        }
        case 'sendSnapshot':
          if (this.appliedZxid !== e.zxid) obs.fail(`server ${this.id}: snapshot for ${hex64(e.zxid)} but applied ${hex64(this.appliedZxid)}`);
          network.sendSnapshot(this.id, e.to, { zxid: e.zxid, txns: [...this.history] });
          break;
        case 'commit':
          this.applyCommitted(e.zxidUpTo);
          break;
        case 'roleChanged':
          this.role = e.role;
          this.serving = false;
          this.failHeld();
          this.leaveLeadership();
          break;
        case 'serving':
          this.serving = true;
          if (e.leader === this.id) {
            obs.leaderServes(e.epoch, this.id);
            this.takeLeadership();
          }
          break;
        case 'proposalRejected':
          // The speculative tree now holds a txn that will never commit: stop prepping until
          // this server leads again.
          this.spec = null;
          break;
        case 'requestReceived':
          this.prepAndPropose(e.request.sessionId, e.request.cxid, decodeForward(e.request));
          break;
        case 'sessionsTouched':
          for (const t of e.touches) this.touch(t.sessionId);
          break;
        case 'revalidateRequested':
          this.feed({ kind: 'revalidateReply', to: e.from, sessionId: e.sessionId, valid: this.tree.sessions.has(e.sessionId) });
          break;
        case 'revalidated':
        case 'syncCompleted':
          break;
      }
    }
  }

  /** The tree is reloaded from disk (after a truncate or a snapshot load). */
  private reload(): void {
    this.history = this.disk.contents();
    this.tree = replay(this.history);
    this.appliedZxid = this.disk.lastVisibleZxid();
  }

  private applyCommitted(upTo: Zxid): void {
    const { obs } = this.env;
    const log = this.disk.visibleLog();
    const next = log.filter((t) => t.header.zxid > this.appliedZxid && t.header.zxid <= upTo);
    if (next.at(-1)?.header.zxid !== upTo) obs.fail(`server ${this.id} commits ${hex64(upTo)} which is not in its log`);
    for (const t of next) {
      applyTxn(this.tree, t);
      if (digestMismatch(this.tree, t)) {
        obs.digestMismatches++;
        obs.fail(`server ${this.id}: digest mismatch at ${hex64(t.header.zxid)}`);
      }
      this.history.push(t);
      this.appliedZxid = t.header.zxid;
      obs.committed(this.id, t);
      this.answerWrite(t);
    }
  }

  // ---- leader: prep and sessions -----------------------------------------------------------------

  private takeLeadership(): void {
    this.spec = replay(this.history);
    this.deadlines.clear();
    this.expiring.clear();
    for (const [sessionId, timeoutMs] of this.spec.sessions) this.deadlines.set(sessionId, { atMs: this.env.sched.nowMs + timeoutMs, timeoutMs });
  }

  private leaveLeadership(): void {
    this.spec = null;
    this.deadlines.clear();
    this.expiring.clear();
  }

  private prepAndPropose(sessionId: SessionId, cxid: number, op: WriteOp): boolean {
    const next = this.peer?.nextZxid() ?? null;
    if (this.spec === null || next === null) return false;
    const txn = prepTxn(this.spec, sessionId, cxid, op, next, this.env.sched.nowMs);
    if (op.kind === 'createSession') this.deadlines.set(sessionId, { atMs: this.env.sched.nowMs + op.timeoutMs, timeoutMs: op.timeoutMs });
    if (op.kind === 'closeSession') this.deadlines.delete(sessionId);
    this.stats.proposals++;
    this.feed({ kind: 'propose', txn });
    return true;
  }

  private touch(sessionId: SessionId): void {
    const d = this.deadlines.get(sessionId);
    if (d !== undefined) d.atMs = Math.max(d.atMs, this.env.sched.nowMs + d.timeoutMs);
  }

  private expireSessions(): void {
    if (this.spec === null || this.role !== 'leading' || !this.serving) return;
    for (const [sessionId, d] of this.deadlines) {
      if (d.atMs > this.env.sched.nowMs || this.expiring.has(sessionId)) continue;
      this.expiring.add(sessionId);
      this.stats.expiries++;
      // cxid 0: a server-initiated close, outside the session's own request order.
      if (!this.prepAndPropose(sessionId, 0, { kind: 'closeSession' })) return;
    }
  }

  // ---- clients -----------------------------------------------------------------------------------

  /** A client request arrives on this server. */
  submit(req: PendingRequest): void {
    if (!this.up || !this.serving) return req.resolve({ kind: 'failed' });
    if (this.role === 'leading') this.touch(req.sessionId);
    else this.touches.set(req.sessionId, 0);
    const queue = this.held.get(req.sessionId) ?? [];
    this.held.set(req.sessionId, queue);
    queue.push(req);
    if (isWrite(req.op)) {
      if (this.role === 'leading') {
        req.sent = this.prepAndPropose(req.sessionId, req.cxid, req.op);
        if (!req.sent) {
          queue.pop();
          return req.resolve({ kind: 'failed' });
        }
      } else {
        this.feed({ kind: 'forward', request: encodeForward(req.sessionId, req.cxid, req.op) });
        req.sent = true;
      }
    }
    this.answerReads(req.sessionId);
  }

  /** A client's heartbeat: renews its session. */
  ping(sessionId: SessionId): void {
    if (!this.up || !this.serving) return;
    if (this.role === 'leading') this.touch(sessionId);
    else this.touches.set(sessionId, 0);
  }

  private answerWrite(t: Txn): void {
    const queue = this.held.get(t.header.clientId);
    if (queue === undefined) return;
    const at = queue.findIndex((r) => r.cxid === t.header.cxid && isWrite(r.op));
    if (at < 0) return;
    // Earlier writes of the session that did not commit first never will in this order.
    const taken = queue.splice(0, at + 1);
    const req = taken.pop();
    if (req === undefined) return;
    for (const skipped of taken) skipped.resolve({ kind: 'unknown' });
    let err = 0;
    let version: number | null = null;
    if (t.record.type === -1) err = t.record.err;
    else if (t.record.type === 1 || t.record.type === 5) version = this.tree.getNode(t.record.path)?.stat.version ?? null;
    const data = t.record.type === 1 || t.record.type === 5 ? Buffer.from(t.record.data ?? new Uint8Array()).toString() : null;
    req.resolve({ kind: 'ok', result: { err, version, data, zxid: t.header.zxid } });
    this.answerReads(t.header.clientId);
  }

  private answerReads(sessionId: SessionId): void {
    const queue = this.held.get(sessionId);
    while (queue !== undefined && queue[0] !== undefined && queue[0].op.kind === 'read') {
      const req = queue.shift()!;
      const op = req.op as Extract<ClientOp, { kind: 'read' }>;
      const node = this.tree.getNode(op.path);
      const result: OpResult =
        node === undefined
          ? { err: -101, version: null, data: null, zxid: this.appliedZxid }
          : { err: 0, version: node.stat.version, data: Buffer.from(node.data ?? new Uint8Array()).toString(), zxid: this.appliedZxid };
      req.resolve({ kind: 'ok', result });
    }
  }

  private failHeld(): void {
    const all = [...this.held.values()].flat();
    this.held.clear();
    for (const req of all) req.resolve(req.sent ? { kind: 'unknown' } : { kind: 'failed' });
  }
}
