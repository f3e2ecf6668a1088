// The FOLLOWING and OBSERVING roles: a learner's side of discovery, sync and broadcast
// (storage-and-quorum.md §10.2, §10.6, §11).
//
// Stages: connecting (FOLLOWERINFO sent) → epoch (ACKEPOCH sent) → sync (DIFF/TRUNC/SNAP done)
// → newleader (NEWLEADER acked) → broadcast (after UPTODATE). While connecting, packets other
// than LEADERINFO belong to an older connection and are ignored.
// Durability rules, all enforced here and not left to the shell:
// - acceptedEpoch is saved before ACKEPOCH;
// - at NEWLEADER every txn received is durable and currentEpoch is saved before its ACK;
// - a proposal is ACKed only once durable, and never before the NEWLEADER ACK (ACKs wait for
//   UPTODATE); observers never ACK proposals;
// - commits are applied only up to the durable log (LogWindow.nextApplicable), after UPTODATE.
// A protocol violation by the leader (a zxid going backwards, a commit for an unknown txn) ends
// the connection and the server looks for a leader again.

import type { Txn } from '../txn/types.js';
import { makeZxid, zxid, zxidCounter, zxidEpoch, type ServerId, type Zxid } from '../util/ids.js';
import type { PeerContext, RoleHandler } from './context.js';
import { answerLooking } from './election.js';
import { packet, ServerState, ZAB_PROTOCOL_VERSION, type QuorumPacket, type SessionTouch } from './messages.js';
import type { ZabInput } from './types.js';

type Stage = 'connecting' | 'epoch' | 'sync' | 'newleader' | 'broadcast';

export class LearnerRole implements RoleHandler {
  readonly role: 'following' | 'observing';
  private stage: Stage = 'connecting';
  private newEpoch = -1;
  private lastHeardTick: number;
  private readonly ackQueue: Zxid[] = [];
  private touches: SessionTouch[] = [];
  private readonly pendingSyncs: Zxid[] = [];
  private active = true;
  /** The leader refused our first connection (it had not finished its election yet). */
  private refused = false;

  constructor(private readonly ctx: PeerContext, private readonly leader: ServerId) {
    this.role = ctx.isVoter(ctx.config.myId) ? 'following' : 'observing';
    this.lastHeardTick = ctx.now;
  }

  start(): void {
    const { ctx, leader } = this;
    ctx.emit({ kind: 'roleChanged', role: this.role, epoch: ctx.currentEpoch, leader });
    this.connect();
  }

  private connect(): void {
    const { ctx, leader } = this;
    ctx.send(leader, {
      kind: 'packet',
      type: this.role === 'following' ? 'FOLLOWERINFO' : 'OBSERVERINFO',
      zxid: makeZxid(ctx.acceptedEpoch, 0),
      info: { serverId: BigInt(ctx.config.myId), protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: 0n },
    });
  }

  private get observer(): boolean {
    return this.role === 'observing';
  }

  leave(): void {
    this.active = false;
    this.ctx.emit({ kind: 'disconnect', peer: this.leader });
  }

  private abandon(): void {
    if (this.active) this.ctx.becomeLooking();
  }

  step(input: ZabInput): void {
    const { ctx } = this;
    switch (input.kind) {
      case 'tick': {
        const limit = this.stage === 'broadcast' ? ctx.config.syncLimitTicks : ctx.config.initLimitTicks;
        if (ctx.now - this.lastHeardTick > limit) return this.abandon();
        if (this.refused && this.stage === 'connecting') {
          this.refused = false;
          this.connect();
        }
        return;
      }
      case 'peerDisconnected':
        if (input.peer !== this.leader) return;
        // A leader still finishing its own election refuses the connection; like ZooKeeper's
        // learner, retry (next tick, within initLimit) instead of starting a new election,
        // which can lose the same race forever (a livelock with one voter down).
        if (this.stage === 'connecting') this.refused = true;
        else this.abandon();
        return;
      case 'propose':
        return ctx.emit({ kind: 'proposalRejected', txn: input.txn, reason: 'notServing' });
      case 'forward':
        // Only a synced learner forwards; the server core fails requests across a role change.
        if (this.stage === 'broadcast') ctx.send(this.leader, { kind: 'packet', type: 'REQUEST', zxid: zxid(-1), request: input.request });
        return;
      case 'touchSessions':
        this.touches.push(...input.touches);
        return;
      case 'revalidate':
        ctx.send(this.leader, { kind: 'packet', type: 'REVALIDATE', zxid: zxid(-1), direction: 'request', sessionId: input.sessionId, timeoutMs: input.timeoutMs });
        return;
      case 'message': {
        const m = input.message;
        if (m.kind === 'notification') return answerLooking(ctx, input.from, m, this.observer ? ServerState.OBSERVING : ServerState.FOLLOWING);
        if (m.type === 'FOLLOWERINFO' || m.type === 'OBSERVERINFO') return ctx.emit({ kind: 'disconnect', peer: input.from });
        if (input.from !== this.leader) return;
        this.lastHeardTick = ctx.now;
        return this.onPacket(m);
      }
      default:
        return;
    }
  }

  private onPacket(p: QuorumPacket): void {
    const { ctx } = this;
    // Until LEADERINFO, anything else belongs to an older connection to this leader.
    if (this.stage === 'connecting' && p.type !== 'LEADERINFO') return;
    switch (p.type) {
      case 'LEADERINFO':
        return this.onLeaderInfo(p.zxid);
      case 'DIFF':
      case 'TRUNC':
      case 'SNAP':
        return this.onSyncMode(p.type, p.zxid);
      case 'PROPOSAL':
        if (this.observer && this.stage === 'broadcast') return; // observers take INFORM instead
        return this.onTxn(p.txn, false);
      case 'INFORM':
        if (!this.observer) return;
        return this.onTxn(p.txn, true);
      case 'COMMIT':
        if (this.observer && this.stage === 'broadcast') return;
        return this.onCommit(p.zxid);
      case 'NEWLEADER':
        return this.onNewLeader(p.zxid);
      case 'UPTODATE':
        return this.onUpToDate();
      case 'PING':
        if (this.stage !== 'broadcast') return;
        ctx.send(this.leader, { kind: 'packet', type: 'PING', zxid: p.zxid, touches: this.touches });
        this.touches = [];
        return;
      case 'SYNC':
        if (this.stage !== 'broadcast') return;
        this.pendingSyncs.push(ctx.log.committedZxid);
        return this.completeSyncs();
      case 'REVALIDATE':
        if (p.direction === 'reply') ctx.emit({ kind: 'revalidated', sessionId: p.sessionId, valid: p.valid });
        return;
      default:
        return; // learner-to-leader types: ignored
    }
  }

  private onLeaderInfo(infoZxid: Zxid): void {
    const { ctx } = this;
    if (this.stage !== 'connecting') return this.abandon();
    const epoch = zxidEpoch(infoZxid);
    this.newEpoch = epoch;
    this.stage = 'epoch';
    const ackEpoch = (currentEpoch: number): void =>
      ctx.send(this.leader, { kind: 'packet', type: 'ACKEPOCH', zxid: ctx.log.durableZxid, currentEpoch });
    if (epoch > ctx.acceptedEpoch) {
      const current = ctx.currentEpoch;
      ctx.saveEpochs(epoch, current, () => ackEpoch(current));
    } else if (epoch === ctx.acceptedEpoch) {
      ackEpoch(-1);
    } else {
      this.abandon(); // a leader of an older epoch
    }
  }

  private onSyncMode(mode: 'DIFF' | 'TRUNC' | 'SNAP', z: Zxid): void {
    const { ctx } = this;
    if (this.stage !== 'epoch') return this.abandon();
    this.stage = 'sync';
    if (mode === 'DIFF') {
      // Our log up to its end is in the leader's history, hence committed.
      ctx.log.markCommitted(ctx.log.appendedZxid);
    } else if (mode === 'TRUNC') {
      if (z > ctx.log.appendedZxid) return this.abandon();
      ctx.emit({ kind: 'truncate', zxid: z });
      ctx.awaitCompletion('truncated', () => ctx.log.truncateTo(z));
    } else {
      ctx.emit({ kind: 'loadSnapshot', from: this.leader, zxid: z });
      ctx.awaitCompletion('snapshotLoaded', () => ctx.log.resetTo(z));
    }
  }

  private onTxn(txn: Txn, informed: boolean): void {
    const { ctx } = this;
    if (this.stage !== 'sync' && this.stage !== 'newleader' && this.stage !== 'broadcast') return this.abandon();
    const z = txn.header.zxid;
    if (!followsWithoutGap(ctx.log.appendedZxid, z)) return this.abandon();
    ctx.log.append(txn);
    ctx.emit({ kind: 'persist', txns: [txn] });
    if (informed) ctx.log.markCommitted(z);
    else if (!this.observer) this.ackQueue.push(z);
    if (this.stage === 'broadcast') this.afterProgress();
  }

  private onCommit(z: Zxid): void {
    const { ctx } = this;
    if (this.stage !== 'sync' && this.stage !== 'newleader' && this.stage !== 'broadcast') return this.abandon();
    if (z > ctx.log.appendedZxid) return this.abandon(); // a commit for a txn we never got
    ctx.log.markCommitted(z);
    if (this.stage === 'broadcast') this.afterProgress();
  }

  private onNewLeader(z: Zxid): void {
    const { ctx } = this;
    if (this.stage !== 'sync' || zxidEpoch(z) !== this.newEpoch) return this.abandon();
    const epoch = this.newEpoch;
    // Everything received so far must be durable, then currentEpoch, and only then the ACK.
    ctx.awaitDurable(ctx.log.appendedZxid, () =>
      ctx.saveEpochs(Math.max(ctx.acceptedEpoch, epoch), epoch, () => {
        this.stage = 'newleader';
        ctx.send(this.leader, packet('ACK', makeZxid(epoch, 0)));
      }),
    );
  }

  private onUpToDate(): void {
    const { ctx } = this;
    if (this.stage !== 'newleader') return this.abandon();
    this.stage = 'broadcast';
    ctx.send(this.leader, packet('ACK', makeZxid(this.newEpoch, 0)));
    ctx.currentVote = { leader: this.leader, zxid: ctx.currentVote?.zxid ?? ctx.log.durableZxid, peerEpoch: this.newEpoch };
    ctx.emit({ kind: 'serving', epoch: this.newEpoch, leader: this.leader });
    this.afterProgress();
  }

  nextZxid(): null {
    return null;
  }

  onDurable(): void {
    if (this.stage === 'broadcast') this.afterProgress();
  }

  /** Sends the ACKs now durable, applies what is committed and durable, completes syncs. */
  private afterProgress(): void {
    const { ctx } = this;
    while (this.ackQueue.length > 0 && (this.ackQueue[0] ?? 0n) <= ctx.log.durableZxid) {
      const z = this.ackQueue.shift();
      if (z !== undefined) ctx.send(this.leader, packet('ACK', z));
    }
    ctx.applyCommitted();
    this.completeSyncs();
  }

  private completeSyncs(): void {
    while (this.pendingSyncs.length > 0 && (this.pendingSyncs[0] ?? 0n) <= this.ctx.log.appliedZxid) {
      this.pendingSyncs.shift();
      this.ctx.emit({ kind: 'syncCompleted' });
    }
  }
}

/** The next txn continues the log: counter + 1 in the same epoch, or counter 1 of a later one. */
function followsWithoutGap(last: Zxid, next: Zxid): boolean {
  if (zxidEpoch(next) === zxidEpoch(last)) return zxidCounter(next) === zxidCounter(last) + 1;
  return zxidEpoch(next) > zxidEpoch(last) && zxidCounter(next) === 1;
}
