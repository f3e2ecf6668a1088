// The consensus core of one server: a deterministic state machine, `step(input) -> effects`
// (design.md §4), in the shape of etcd's raft: one `step` handles what every role shares
// (time, completions, waiting for durability) and dispatches the rest through the function
// field `stepRole`, set when the role changes.
//
// Waiting: when a role needs a completion before it may go on (epochsSaved, persisted up to a
// zxid, truncated, snapshotLoaded) the peer parks every later message/request input in
// `deferred` and replays them, in order, once the completion arrives. Ticks still advance `now`
// while parked but reach no role, so a slow disk never counts as a silent peer.
//
// Invariants (asserted): completions match what was asked; the log positions of LogWindow hold;
// nothing is applied that is not durable.

import { assert, unreachable } from '../util/assert.js';
import type { ServerId, Zxid } from '../util/ids.js';
import type { PeerContext, RoleHandler } from './context.js';
import { LookingRole } from './election.js';
import { LeaderRole, type LearnerCounts } from './leader.js';
import { LearnerRole } from './learner.js';
import { LogWindow } from './log-window.js';
import type { PeerMessage } from './messages.js';
import type { DurableState, Role, ZabConfig, ZabEffect, ZabInput } from './types.js';
import type { Vote } from './vote.js';

type Waiting =
  | { readonly kind: 'epochsSaved'; readonly acceptedEpoch: number; readonly currentEpoch: number; readonly then: () => void }
  | { readonly kind: 'durable'; readonly zxid: Zxid; readonly then: () => void }
  | { readonly kind: 'truncated' | 'snapshotLoaded'; readonly then: () => void };

/** A read-only summary, for the shell's status pages and for tests. */
export interface PeerStatus {
  readonly role: Role;
  readonly leader: ServerId | null;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  readonly electionEpoch: number;
  readonly appendedZxid: Zxid;
  readonly durableZxid: Zxid;
  readonly committedZxid: Zxid;
  readonly appliedZxid: Zxid;
  readonly waitingFor: string | null;
}

export class Peer implements PeerContext {
  readonly log: LogWindow;
  now = 0;
  acceptedEpoch: number;
  currentEpoch: number;
  electionEpoch = 0;
  currentVote: Vote | null = null;
  private role: RoleHandler | null = null;
  private stepRole: (input: ZabInput) => void = () => {};
  private out: ZabEffect[] = [];
  private waiting: Waiting | null = null;
  private readonly deferred: ZabInput[] = [];

  constructor(readonly config: ZabConfig, durable: DurableState) {
    assert(config.voters.length > 0, 'no voters');
    assert(!config.observers.some((id) => config.voters.includes(id)), 'a server is both voter and observer');
    assert(config.voters.includes(config.myId) || config.observers.includes(config.myId), 'myId not in the ensemble');
    assert(config.counterLimit >= 2, 'counterLimit below 2');
    assert(durable.acceptedEpoch >= durable.currentEpoch, 'acceptedEpoch < currentEpoch');
    this.acceptedEpoch = durable.acceptedEpoch;
    this.currentEpoch = durable.currentEpoch;
    this.log = new LogWindow(durable.lastLoggedZxid, durable.recentTxns, durable.appliedZxid ?? durable.lastLoggedZxid, config.committedLogMax);
  }

  /** Bytes of applied txns to keep for DIFF beyond committedLogMax (see LogWindow). */
  setDiffBudget(bytes: number): void {
    this.log.diffBudgetBytes = bytes;
  }

  /** Starts the first election. */
  start(): ZabEffect[] {
    assert(this.role === null, 'started twice');
    this.becomeLooking();
    return this.flush();
  }

  step(input: ZabInput): ZabEffect[] {
    assert(this.role !== null || this.waiting !== null, 'step before start');
    this.handle(input);
    return this.flush();
  }

  /** The zxid the server core's prep must give the next txn; null when not leading (or serving). */
  nextZxid(): Zxid | null {
    return this.waiting === null ? (this.role?.nextZxid() ?? null) : null;
  }

  /** The leader's learner counts; null when not leading. */
  learnerCounts(): LearnerCounts | null {
    return this.role instanceof LeaderRole ? this.role.learnerCounts() : null;
  }

  status(): PeerStatus {
    const leader =
      this.role?.role === 'leading' ? this.config.myId : this.role?.role === 'looking' ? null : (this.currentVote?.leader ?? null);
    return {
      role: this.role?.role ?? 'looking',
      leader,
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      electionEpoch: this.electionEpoch,
      appendedZxid: this.log.appendedZxid,
      durableZxid: this.log.durableZxid,
      committedZxid: this.log.committedZxid,
      appliedZxid: this.log.appliedZxid,
      waitingFor: this.waiting?.kind ?? null,
    };
  }

  private flush(): ZabEffect[] {
    const effects = this.out;
    this.out = [];
    return effects;
  }

  private handle(input: ZabInput): void {
    switch (input.kind) {
      case 'persisted':
        this.log.markDurable(input.zxidUpTo);
        this.role?.onDurable();
        if (this.waiting?.kind === 'durable' && this.log.durableZxid >= this.waiting.zxid) this.resume();
        return;
      case 'epochsSaved': {
        const w = this.waiting;
        assert(w?.kind === 'epochsSaved', 'epochsSaved without saveEpochs');
        this.acceptedEpoch = w.acceptedEpoch;
        this.currentEpoch = w.currentEpoch;
        return this.resume();
      }
      case 'truncated':
      case 'snapshotLoaded':
        assert(this.waiting?.kind === input.kind, `${input.kind} not awaited`);
        return this.resume();
      case 'tick':
        this.now += 1;
        if (this.waiting === null) this.stepRole(input);
        return;
      case 'message':
      case 'propose':
      case 'snapshotSent':
      case 'peerConnected':
      case 'peerDisconnected':
      case 'forward':
      case 'touchSessions':
      case 'revalidate':
      case 'revalidateReply':
        if (this.waiting !== null) this.deferred.push(input);
        else this.stepRole(input);
        return;
      default:
        unreachable(input);
    }
  }

  private resume(): void {
    const w = this.waiting;
    assert(w !== null, 'nothing to resume');
    this.waiting = null;
    w.then();
    while (this.waiting === null && this.deferred.length > 0) {
      const next = this.deferred.shift();
      if (next !== undefined) this.stepRole(next);
    }
  }

  private wait(w: Waiting): void {
    assert(this.waiting === null, `already waiting for ${this.waiting?.kind}`);
    this.waiting = w;
  }

  // ---- PeerContext -------------------------------------------------------------------------------

  isVoter(id: ServerId): boolean {
    return this.config.voters.includes(id);
  }

  emit(effect: ZabEffect): void {
    this.out.push(effect);
  }

  send(to: ServerId, message: PeerMessage): void {
    this.out.push({ kind: 'send', to, message });
  }

  saveEpochs(acceptedEpoch: number, currentEpoch: number, then: () => void): void {
    assert(acceptedEpoch >= currentEpoch && acceptedEpoch >= this.acceptedEpoch, 'epochs must not go back');
    this.emit({ kind: 'saveEpochs', acceptedEpoch, currentEpoch });
    this.wait({ kind: 'epochsSaved', acceptedEpoch, currentEpoch, then });
  }

  awaitDurable(zxid: Zxid, then: () => void): void {
    if (this.log.durableZxid >= zxid) return then();
    this.wait({ kind: 'durable', zxid, then });
  }

  awaitCompletion(kind: 'truncated' | 'snapshotLoaded', then: () => void): void {
    this.wait({ kind, then });
  }

  applyCommitted(): void {
    const z = this.log.nextApplicable();
    if (z === null) return;
    this.log.markApplied(z);
    this.emit({ kind: 'commit', zxidUpTo: z });
  }

  becomeLooking(): void {
    this.role?.leave();
    this.emit({ kind: 'roleChanged', role: 'looking', epoch: this.currentEpoch, leader: null });
    // Vote with the log as it will be on disk: wait for appends still being fsynced.
    this.setRole(null);
    this.awaitDurable(this.log.appendedZxid, () => this.setRole(new LookingRole(this)));
  }

  becomeLeader(): void {
    this.role?.leave();
    this.setRole(new LeaderRole(this));
  }

  becomeLearner(leader: ServerId): void {
    this.role?.leave();
    this.setRole(new LearnerRole(this, leader));
  }

  private setRole(role: RoleHandler | null): void {
    // Installed before start(): a role that transitions at once replaces itself cleanly.
    this.role = role;
    this.stepRole =
      role === null
        ? () => assert(false, 'input between roles') // only while waiting, and waiting defers inputs
        : (input) => role.step(input);
    role?.start();
  }
}
