// The LEADING role: discovery, sync and broadcast (storage-and-quorum.md §10, §11).
//
// Phases, each bounded by initLimit ticks except broadcast:
//   epoch     collect accepted epochs from a quorum of voters (itself included); newEpoch = max+1,
//             saved as acceptedEpoch before any LEADERINFO goes out.
//   ackepoch  collect ACKEPOCHs from a quorum; currentEpoch = newEpoch saved before any sync.
//   newleader per learner: DIFF/TRUNC/SNAP (+ PROPOSAL/COMMIT), NEWLEADER; wait for a quorum of
//             NEWLEADER ACKs, then commit the whole own log and send UPTODATE.
//   broadcast PROPOSAL to followers; commit zxid Z, strictly in order, when a quorum of voters
//             acked it (own ACK only once durable); COMMIT to followers, INFORM to observers.
// Liveness: a leader without a quorum of live voters steps down; a follower whose oldest unacked
// proposal is older than syncLimit ticks is dropped. The epoch counter never reaches counterLimit:
// the leader drains its outstanding proposals and steps down so a new epoch starts. A learner
// whose acceptedEpoch is above ours (it promised a failed later leader) also makes us step down,
// or it could never rejoin before the next leader change.
// Deliberate differences from Apache: the leader applies a commit only once its own log holds it
// durably (COMMIT still goes out on a follower quorum); pre-Zab-1.0 learners are refused.

import { OpCode } from '../proto/opcodes.js';
import type { Txn } from '../txn/types.js';
import { makeZxid, zxid, zxidCounter, zxidEpoch, type ServerId, type Zxid } from '../util/ids.js';
import type { PeerContext, RoleHandler } from './context.js';
import { answerLooking } from './election.js';
import { packet, ServerState, ZAB_PROTOCOL_VERSION, type QuorumPacket } from './messages.js';
import { planSync } from './sync-plan.js';
import type { ZabInput } from './types.js';
import { isQuorum } from './vote.js';

type Phase = 'epoch' | 'ackepoch' | 'newleader' | 'broadcast';
type Stage = 'info' | 'ackepoch' | 'acked' | 'newleader' | 'synced';

interface LearnerHandle {
  readonly id: ServerId;
  readonly observer: boolean;
  stage: Stage;
  peerZxid: Zxid;
  /** Ticks: a learner is live while now ≤ deadlineTick (§11.6). */
  deadlineTick: number;
  /** Live proposals sent and not yet acked, oldest first (followers only). */
  readonly unacked: { zxid: Zxid; tick: number }[];
}

export interface LearnerCounts {
  readonly learners: number;
  readonly syncedFollowers: number;
  readonly syncedObservers: number;
  readonly pendingSyncs: number;
}

interface Outstanding {
  readonly txn: Txn;
  readonly acks: Set<ServerId>;
}

export class LeaderRole implements RoleHandler {
  readonly role = 'leading' as const;
  private phase: Phase = 'epoch';
  private phaseStartTick: number;
  private newEpoch = -1;
  private readonly learners = new Map<ServerId, LearnerHandle>();
  private readonly epochs = new Map<ServerId, number>();
  private maxEpochSeen: number;
  private readonly ackEpochs = new Set<ServerId>();
  private readonly newLeaderAcks = new Set<ServerId>();
  private readonly outstanding = new Map<Zxid, Outstanding>();
  /** Proposals not yet durable here, in zxid order: onDurable acks them without a full scan. */
  private readonly awaitingDurable: Outstanding[] = [];
  private lastProposed: Zxid = zxid(0);
  private readonly pendingSyncs: { zxid: Zxid; to: ServerId }[] = [];
  private rollingOver = false;
  private active = true;

  constructor(private readonly ctx: PeerContext) {
    this.phaseStartTick = ctx.now;
    this.maxEpochSeen = ctx.acceptedEpoch;
  }

  /** Learner counts for status pages (mntr): connected, synced by kind, syncs waiting. */
  learnerCounts(): LearnerCounts {
    let syncedFollowers = 0;
    let syncedObservers = 0;
    for (const h of this.learners.values()) {
      if (h.stage !== 'synced') continue;
      if (h.observer) syncedObservers++;
      else syncedFollowers++;
    }
    return { learners: this.learners.size, syncedFollowers, syncedObservers, pendingSyncs: this.pendingSyncs.length };
  }

  start(): void {
    const { ctx } = this;
    const me = ctx.config.myId;
    ctx.emit({ kind: 'roleChanged', role: 'leading', epoch: ctx.currentEpoch, leader: me });
    this.epochs.set(me, ctx.acceptedEpoch);
    this.checkEpochQuorum();
  }

  leave(): void {
    this.active = false;
    for (const id of this.learners.keys()) this.ctx.emit({ kind: 'disconnect', peer: id });
    this.learners.clear();
  }

  private stepDown(): void {
    if (this.active) this.ctx.becomeLooking();
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    this.phaseStartTick = this.ctx.now;
  }

  step(input: ZabInput): void {
    const { ctx } = this;
    switch (input.kind) {
      case 'tick':
        return this.tick();
      case 'propose':
        return this.propose(input.txn);
      case 'peerDisconnected':
        this.learners.delete(input.peer);
        return;
      case 'snapshotSent':
        if (!input.ok) this.drop(input.to);
        return;
      case 'revalidateReply':
        return ctx.send(input.to, { kind: 'packet', type: 'REVALIDATE', zxid: zxid(-1), direction: 'reply', sessionId: input.sessionId, valid: input.valid });
      case 'message':
        if (input.message.kind === 'notification') return answerLooking(ctx, input.from, input.message, ServerState.LEADING);
        return this.onPacket(input.from, input.message);
      default:
        return; // learner-side inputs mean nothing here
    }
  }

  // ---- discovery ---------------------------------------------------------------------------------

  private onPacket(from: ServerId, p: QuorumPacket): void {
    if (p.type === 'FOLLOWERINFO' || p.type === 'OBSERVERINFO') return this.onLearnerInfo(from, p.type === 'OBSERVERINFO', p.zxid, p.info?.protocolVersion ?? 0);
    const h = this.learners.get(from);
    if (h === undefined) return; // a packet of a dropped connection
    h.deadlineTick = this.ctx.now + this.ctx.config.syncLimitTicks;
    switch (p.type) {
      case 'ACKEPOCH':
        return this.onAckEpoch(h, p.zxid, p.currentEpoch);
      case 'ACK':
        return this.onAck(h, p.zxid);
      case 'PING':
        if (p.touches !== null && p.touches.length > 0) this.ctx.emit({ kind: 'sessionsTouched', from, touches: p.touches });
        return;
      case 'REQUEST':
        if (h.stage !== 'synced' || this.phase !== 'broadcast') return;
        if (p.request.opType === OpCode.sync) return this.onSync(from);
        return this.ctx.emit({ kind: 'requestReceived', from, request: p.request });
      case 'REVALIDATE':
        if (p.direction === 'request') this.ctx.emit({ kind: 'revalidateRequested', from, sessionId: p.sessionId, timeoutMs: p.timeoutMs });
        return;
      default:
        return; // leader-to-learner types from a learner: ignored
    }
  }

  private onLearnerInfo(from: ServerId, observer: boolean, infoZxid: Zxid, protocolVersion: number): void {
    const { ctx } = this;
    const known = observer ? ctx.config.observers.includes(from) : ctx.isVoter(from);
    if (!known || protocolVersion < ZAB_PROTOCOL_VERSION) {
      ctx.emit({ kind: 'disconnect', peer: from }); // pre-Zab-1.0 learners are not supported
      return;
    }
    const h: LearnerHandle = {
      id: from,
      observer,
      stage: 'info',
      peerZxid: zxid(-1),
      deadlineTick: ctx.now + ctx.config.initLimitTicks + ctx.config.syncLimitTicks,
      unacked: [],
    };
    this.learners.set(from, h); // a new connection replaces an old one
    const accepted = zxidEpoch(infoZxid);
    if (this.phase === 'epoch') {
      this.maxEpochSeen = Math.max(this.maxEpochSeen, accepted);
      if (!observer) this.epochs.set(from, accepted);
      this.checkEpochQuorum();
    } else if (accepted > this.newEpoch) {
      // It promised a later (failed) leader not to follow an older epoch, so it would refuse us
      // until the next leader change. Step down now: the next epoch will be above its promise.
      this.stepDown();
    } else if (this.newEpoch >= 0) {
      this.sendLeaderInfo(h);
    }
  }

  private checkEpochQuorum(): void {
    const { ctx } = this;
    if (this.phase !== 'epoch' || !isQuorum(ctx.config.voters, this.epochs.keys())) return;
    this.newEpoch = this.maxEpochSeen + 1;
    this.setPhase('ackepoch');
    ctx.saveEpochs(this.newEpoch, ctx.currentEpoch, () => {
      const vote = ctx.currentVote;
      ctx.currentVote = { leader: ctx.config.myId, zxid: vote?.zxid ?? ctx.log.durableZxid, peerEpoch: this.newEpoch };
      this.ackEpochs.add(ctx.config.myId);
      for (const h of this.learners.values()) if (h.stage === 'info') this.sendLeaderInfo(h);
      this.checkAckEpochQuorum();
    });
  }

  private sendLeaderInfo(h: LearnerHandle): void {
    h.stage = 'ackepoch';
    this.ctx.send(h.id, { kind: 'packet', type: 'LEADERINFO', zxid: makeZxid(this.newEpoch, 0), protocolVersion: ZAB_PROTOCOL_VERSION });
  }

  private onAckEpoch(h: LearnerHandle, lastZxid: Zxid, learnerEpoch: number): void {
    const { ctx } = this;
    if (h.stage !== 'ackepoch') return;
    h.stage = 'acked';
    h.peerZxid = lastZxid;
    if (this.phase === 'ackepoch') {
      if (learnerEpoch !== -1) {
        // Before the quorum, a participant with a newer history than ours must not be synced by us.
        const newer = learnerEpoch > ctx.currentEpoch || (learnerEpoch === ctx.currentEpoch && lastZxid > ctx.log.durableZxid);
        if (newer) return this.drop(h.id);
        if (!h.observer) this.ackEpochs.add(h.id);
      }
      return this.checkAckEpochQuorum();
    }
    if (this.phase === 'newleader' || this.phase === 'broadcast') this.syncLearner(h);
  }

  private checkAckEpochQuorum(): void {
    const { ctx } = this;
    if (this.phase !== 'ackepoch' || !isQuorum(ctx.config.voters, this.ackEpochs)) return;
    this.setPhase('newleader');
    ctx.saveEpochs(this.newEpoch, this.newEpoch, () => {
      this.newLeaderAcks.add(ctx.config.myId);
      for (const h of this.learners.values()) if (h.stage === 'acked') this.syncLearner(h);
      this.checkNewLeaderQuorum();
    });
  }

  // ---- sync --------------------------------------------------------------------------------------

  private syncLearner(h: LearnerHandle): void {
    const { ctx } = this;
    const log = ctx.log;
    const historyZxid = this.phase === 'broadcast' ? log.committedZxid : log.durableZxid;
    let plan = planSync({ peerZxid: h.peerZxid, historyZxid, committedLog: log.upTo(historyZxid), appliedZxid: log.appliedZxid });
    if (plan.mode === 'TRUNC' && ctx.config.plantedBug === 'diffInsteadOfTrunc') {
      plan = { mode: 'DIFF', zxid: historyZxid, txns: plan.txns };
    }
    ctx.send(h.id, packet(plan.mode, plan.zxid));
    if (plan.mode === 'SNAP') ctx.emit({ kind: 'sendSnapshot', to: h.id, zxid: plan.zxid });
    for (const txn of plan.txns) {
      ctx.send(h.id, { kind: 'packet', type: 'PROPOSAL', zxid: txn.header.zxid, txn });
      ctx.send(h.id, packet('COMMIT', txn.header.zxid));
    }
    if (!h.observer) {
      for (const [z, o] of this.outstanding) {
        ctx.send(h.id, { kind: 'packet', type: 'PROPOSAL', zxid: z, txn: o.txn });
        h.unacked.push({ zxid: z, tick: ctx.now });
      }
    }
    h.stage = 'newleader';
    ctx.send(h.id, { kind: 'packet', type: 'NEWLEADER', zxid: makeZxid(this.newEpoch, 0), config: ctx.config.configText });
  }

  private onNewLeaderAck(h: LearnerHandle, ackZxid: Zxid): void {
    if (ackZxid !== makeZxid(this.newEpoch, 0)) return this.drop(h.id); // must be the NEWLEADER ACK
    h.stage = 'synced';
    if (this.phase === 'broadcast') {
      this.ctx.send(h.id, packet('UPTODATE', zxid(-1)));
      return;
    }
    if (!h.observer) this.newLeaderAcks.add(h.id);
    this.checkNewLeaderQuorum();
  }

  private checkNewLeaderQuorum(): void {
    const { ctx } = this;
    if (this.phase !== 'newleader' || !isQuorum(ctx.config.voters, this.newLeaderAcks)) return;
    this.setPhase('broadcast');
    // Our whole durable log is the new epoch's history: a quorum now holds it.
    ctx.log.markCommitted(ctx.log.durableZxid);
    this.lastProposed = makeZxid(this.newEpoch, 0);
    ctx.applyCommitted();
    for (const h of this.learners.values()) if (h.stage === 'synced') ctx.send(h.id, packet('UPTODATE', zxid(-1)));
    ctx.emit({ kind: 'serving', epoch: this.newEpoch, leader: ctx.config.myId });
  }

  // ---- broadcast ---------------------------------------------------------------------------------

  private propose(txn: Txn): void {
    const { ctx } = this;
    const reject = (reason: 'notServing' | 'zxidMismatch' | 'epochExhausted'): void =>
      ctx.emit({ kind: 'proposalRejected', txn, reason });
    if (this.phase !== 'broadcast') return reject('notServing');
    if (this.rollingOver) return reject('epochExhausted');
    const next = zxid(this.lastProposed + 1n);
    if (txn.header.zxid !== next) return reject('zxidMismatch');
    this.lastProposed = next;
    ctx.log.append(txn);
    const proposal: Outstanding = { txn, acks: new Set() };
    this.outstanding.set(next, proposal);
    this.awaitingDurable.push(proposal);
    ctx.emit({ kind: 'persist', txns: [txn] });
    for (const h of this.learners.values()) {
      if (h.observer || (h.stage !== 'newleader' && h.stage !== 'synced')) continue;
      ctx.send(h.id, { kind: 'packet', type: 'PROPOSAL', zxid: next, txn });
      h.unacked.push({ zxid: next, tick: ctx.now });
    }
    // The last counter of the epoch is used: drain, then start a new epoch (§1.1).
    if (zxidCounter(next) >= ctx.config.counterLimit - 1) this.rollingOver = true;
  }

  private onAck(h: LearnerHandle, ackZxid: Zxid): void {
    if (h.stage === 'newleader') return this.onNewLeaderAck(h, ackZxid);
    if (zxidCounter(ackZxid) === 0 || this.phase !== 'broadcast') return; // the UPTODATE ack
    while (h.unacked.length > 0 && (h.unacked[0]?.zxid ?? ackZxid) <= ackZxid) h.unacked.shift();
    const o = this.outstanding.get(ackZxid);
    if (o === undefined || h.observer) return; // already committed, or unknown
    o.acks.add(h.id);
    this.tryCommit();
  }

  nextZxid(): Zxid | null {
    if (this.phase !== 'broadcast' || this.rollingOver) return null;
    return zxid(this.lastProposed + 1n);
  }

  onDurable(): void {
    if (this.phase !== 'broadcast') return;
    const { durableZxid } = this.ctx.log;
    const { myId } = this.ctx.config;
    // An entry already committed by others' acks (five voters) is acked harmlessly.
    while (this.awaitingDurable.length > 0 && this.awaitingDurable[0]!.txn.header.zxid <= durableZxid) {
      this.awaitingDurable.shift()!.acks.add(myId);
    }
    this.tryCommit();
  }

  private tryCommit(): void {
    const { ctx } = this;
    for (const [z, o] of this.outstanding) {
      if (!isQuorum(ctx.config.voters, o.acks)) break; // commits are strictly in zxid order
      this.outstanding.delete(z);
      ctx.log.markCommitted(z);
      for (const h of this.learners.values()) {
        if (h.stage !== 'newleader' && h.stage !== 'synced') continue;
        ctx.send(h.id, h.observer ? { kind: 'packet', type: 'INFORM', zxid: z, txn: o.txn } : packet('COMMIT', z));
      }
      while (this.pendingSyncs.length > 0 && (this.pendingSyncs[0]?.zxid ?? z) <= z) {
        const s = this.pendingSyncs.shift();
        if (s !== undefined) ctx.send(s.to, packet('SYNC', zxid(0)));
      }
    }
    ctx.applyCommitted();
    if (this.rollingOver && this.outstanding.size === 0) this.stepDown();
  }

  private onSync(from: ServerId): void {
    if (this.outstanding.size === 0) this.ctx.send(from, packet('SYNC', zxid(0)));
    else this.pendingSyncs.push({ zxid: this.lastProposed, to: from });
  }

  // ---- liveness ----------------------------------------------------------------------------------

  private tick(): void {
    const { ctx } = this;
    if (this.phase !== 'broadcast') {
      if (ctx.now - this.phaseStartTick > ctx.config.initLimitTicks) this.stepDown();
      return;
    }
    for (const h of [...this.learners.values()]) {
      const oldest = h.unacked[0];
      if (oldest !== undefined && ctx.now - oldest.tick > ctx.config.syncLimitTicks) {
        this.drop(h.id);
        continue;
      }
      if (h.stage === 'synced') ctx.send(h.id, { kind: 'packet', type: 'PING', zxid: this.lastProposed, touches: null });
    }
    const live = [ctx.config.myId];
    for (const h of this.learners.values()) if (ctx.now <= h.deadlineTick) live.push(h.id);
    if (!isQuorum(ctx.config.voters, live)) this.stepDown();
  }

  private drop(id: ServerId): void {
    this.learners.delete(id);
    this.ctx.emit({ kind: 'disconnect', peer: id });
  }
}
