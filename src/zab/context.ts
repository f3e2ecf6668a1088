// What a role handler (looking, leader, learner) may see and do: the shared peer state and the
// peer's services. Implemented by Peer; roles never reach into each other.

import type { ServerId, Zxid } from '../util/ids.js';
import type { LogWindow } from './log-window.js';
import type { PeerMessage } from './messages.js';
import type { Role, ZabConfig, ZabEffect, ZabInput } from './types.js';
import type { Vote } from './vote.js';

export interface PeerContext {
  readonly config: ZabConfig;
  readonly log: LogWindow;
  /** Ticks since the peer started. */
  readonly now: number;
  /** Durable values (updated when `epochsSaved` arrives). */
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** The election's logical clock and this server's current vote (answers to LOOKING peers). */
  electionEpoch: number;
  currentVote: Vote | null;

  isVoter(id: ServerId): boolean;
  emit(effect: ZabEffect): void;
  send(to: ServerId, message: PeerMessage): void;
  /** Emits saveEpochs; runs `then` once `epochsSaved` arrives. Other inputs wait. */
  saveEpochs(acceptedEpoch: number, currentEpoch: number, then: () => void): void;
  /** Runs `then` once the log is durable up to `zxid` (at once if it is). Other inputs wait. */
  awaitDurable(zxid: Zxid, then: () => void): void;
  /** Runs `then` once the named completion arrives. Other inputs wait. */
  awaitCompletion(kind: 'truncated' | 'snapshotLoaded', then: () => void): void;
  /** Emits `commit` up to min(committed, durable) if that advanced. */
  applyCommitted(): void;
  becomeLooking(): void;
  becomeLeader(): void;
  becomeLearner(leader: ServerId): void;
}

export interface RoleHandler {
  readonly role: Role;
  /** Entering the role (may already change role again, e.g. a one-voter ensemble). */
  start(): void;
  /** Every input except the completions the peer handles itself. */
  step(input: ZabInput): void;
  /** Leader in broadcast: the zxid the next `propose` must carry; null when it takes none. */
  nextZxid(): Zxid | null;
  /** The log became more durable. */
  onDurable(): void;
  /** Leaving the role: close connections. */
  leave(): void;
}
