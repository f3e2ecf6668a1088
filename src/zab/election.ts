// Fast leader election, the LOOKING role (storage-and-quorum.md §9.5). Votes are
// (peerEpoch, zxid, sid) in the order of §9.4; a server decides when a quorum of voters' votes in
// its round equal its proposal and no better vote came within `finalizeWaitTicks`, or when a
// quorum of FOLLOWING/LEADING notifications agree on a confirmed leader (joining an existing
// ensemble). Observers propose nothing (NO_VOTE), adopt voters' votes and are never counted.
//
// Invariant: only voters' votes are tallied; only voters are ever proposed.

import type { ServerId } from '../util/ids.js';
import type { PeerContext, RoleHandler } from './context.js';
import { ServerState, type Notification } from './messages.js';
import type { ZabInput } from './types.js';
import { isQuorum, notificationOf, sameVote, voteBeats, voteOf, type Vote } from './vote.js';

interface Tally {
  readonly vote: Vote;
  readonly electionEpoch: number;
  readonly state: ServerState;
}

export class LookingRole implements RoleHandler {
  readonly role = 'looking' as const;
  private proposal: Vote | null;
  private readonly received = new Map<ServerId, Tally>();
  private readonly outOfElection = new Map<ServerId, Tally>();
  private agreedAtTick: number | null = null;
  private lastSendTick: number;

  constructor(private readonly ctx: PeerContext) {
    this.proposal = null;
    this.lastSendTick = ctx.now;
  }

  start(): void {
    this.ctx.electionEpoch += 1;
    this.proposal = this.initialVote();
    this.broadcast();
    this.checkAgreement(); // a one-voter ensemble agrees with itself
  }

  private initialVote(): Vote | null {
    const { ctx } = this;
    if (!ctx.isVoter(ctx.config.myId)) return null;
    return { leader: ctx.config.myId, zxid: ctx.log.durableZxid, peerEpoch: ctx.currentEpoch };
  }

  step(input: ZabInput): void {
    if (input.kind === 'tick') return this.tick();
    if (input.kind === 'message' && input.message.kind === 'notification') return this.onNotification(input.from, input.message);
    if (input.kind === 'message' && input.message.kind === 'packet') {
      const type = input.message.type;
      if (type === 'FOLLOWERINFO' || type === 'OBSERVERINFO') this.ctx.emit({ kind: 'disconnect', peer: input.from }); // not leading: refuse
    }
    if (input.kind === 'propose') this.ctx.emit({ kind: 'proposalRejected', txn: input.txn, reason: 'notServing' });
    // A new election connection: tell that voter where we stand (ZooKeeper re-sends its last message).
    if (input.kind === 'peerConnected' && this.ctx.isVoter(input.peer)) this.reply(input.peer);
    // Other quorum packets belong to a connection that no longer exists: ignored.
  }

  onDurable(): void {}

  nextZxid(): null {
    return null;
  }

  leave(): void {}

  private tick(): void {
    const { ctx } = this;
    if (this.agreedAtTick !== null && ctx.now - this.agreedAtTick >= ctx.config.finalizeWaitTicks) {
      if (this.quorumAgrees()) return this.decide();
      this.agreedAtTick = null;
    }
    if (ctx.now - this.lastSendTick >= ctx.config.electionResendTicks) {
      this.lastSendTick = ctx.now;
      this.broadcast();
    }
  }

  private broadcast(): void {
    const { ctx } = this;
    ctx.currentVote = this.proposal;
    if (this.proposal !== null && ctx.isVoter(ctx.config.myId)) {
      this.received.set(ctx.config.myId, { vote: this.proposal, electionEpoch: ctx.electionEpoch, state: ServerState.LOOKING });
    }
    const n = notificationOf(ServerState.LOOKING, this.proposal, ctx.electionEpoch, ctx.config.configText);
    for (const id of ctx.config.voters) if (id !== ctx.config.myId) ctx.send(id, n);
  }

  private onNotification(from: ServerId, n: Notification): void {
    const { ctx } = this;
    if (n.state === ServerState.OBSERVING) return;
    if (!ctx.isVoter(from)) {
      // A LOOKING observer learns our current proposal; it never counts.
      if (n.state === ServerState.LOOKING) this.reply(from);
      return;
    }
    const vote = voteOf(n);
    if (vote === null || !ctx.isVoter(vote.leader)) return;
    const round = Number(n.electionEpoch);
    if (n.state === ServerState.LOOKING) this.onLooking(from, vote, round);
    else this.onSettled(from, vote, round, n.state);
  }

  private onLooking(from: ServerId, vote: Vote, round: number): void {
    const { ctx } = this;
    if (round > ctx.electionEpoch) {
      ctx.electionEpoch = round;
      this.received.clear();
      const initial = this.initialVote();
      this.setProposal(voteBeats(vote, initial, (id) => ctx.isVoter(id)) ? vote : initial);
    } else if (round < ctx.electionEpoch) {
      // Bring the laggard into our round. An observer never does: a voter answers every LOOKING
      // observer, and two answers to each other would never end.
      if (ctx.isVoter(ctx.config.myId)) this.reply(from);
      return;
    } else if (voteBeats(vote, this.proposal, (id) => ctx.isVoter(id))) {
      this.setProposal(vote);
    }
    this.received.set(from, { vote, electionEpoch: round, state: ServerState.LOOKING });
    this.checkAgreement();
  }

  private checkAgreement(): void {
    if (this.quorumAgrees()) {
      this.agreedAtTick ??= this.ctx.now;
      if (this.ctx.config.finalizeWaitTicks === 0) this.decide();
    } else {
      this.agreedAtTick = null;
    }
  }

  private setProposal(vote: Vote | null): void {
    this.proposal = vote;
    this.agreedAtTick = null;
    this.broadcast();
  }

  private quorumAgrees(): boolean {
    const p = this.proposal;
    if (p === null) return false;
    const agreeing = [...this.received].filter(([, t]) => t.electionEpoch === this.ctx.electionEpoch && sameVote(t.vote, p));
    return isQuorum(this.ctx.config.voters, agreeing.map(([id]) => id));
  }

  /** A FOLLOWING or LEADING notification: the ensemble may already have a leader. */
  private onSettled(from: ServerId, vote: Vote, round: number, state: ServerState): void {
    const { ctx } = this;
    const tally = { vote, electionEpoch: round, state };
    if (round === ctx.electionEpoch) {
      this.received.set(from, tally);
      if (this.settledQuorum(this.received, vote)) return this.follow(vote);
    }
    this.outOfElection.set(from, tally);
    if (this.settledQuorum(this.outOfElection, vote)) {
      ctx.electionEpoch = round;
      this.follow(vote);
    }
  }

  private settledQuorum(tallies: Map<ServerId, Tally>, vote: Vote): boolean {
    const agreeing = [...tallies].filter(([, t]) => t.vote.leader === vote.leader && t.vote.peerEpoch === vote.peerEpoch);
    if (!isQuorum(this.ctx.config.voters, agreeing.map(([id]) => id))) return false;
    // The leader must confirm it leads, unless the leader is this server.
    const leads = (t: Tally | undefined): boolean => t?.state === ServerState.LEADING && t.vote.leader === vote.leader;
    return vote.leader === this.ctx.config.myId || leads(this.received.get(vote.leader)) || leads(this.outOfElection.get(vote.leader));
  }

  private follow(vote: Vote): void {
    this.proposal = vote;
    this.decide();
  }

  private decide(): void {
    const { ctx } = this;
    const p = this.proposal;
    if (p === null) return;
    ctx.currentVote = p;
    if (p.leader === ctx.config.myId) ctx.becomeLeader();
    else ctx.becomeLearner(p.leader);
  }

  private reply(to: ServerId): void {
    const { ctx } = this;
    ctx.send(to, notificationOf(ServerState.LOOKING, this.proposal, ctx.electionEpoch, ctx.config.configText));
  }
}

/** A server that is not LOOKING answers a LOOKING notification with its current vote (§9.5 step 7). */
export function answerLooking(ctx: PeerContext, from: ServerId, n: Notification, state: ServerState): void {
  if (n.state !== ServerState.LOOKING) return;
  ctx.send(from, notificationOf(state, ctx.currentVote, ctx.electionEpoch, ctx.config.configText));
}
