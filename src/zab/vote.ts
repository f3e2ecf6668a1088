// Votes of fast leader election (storage-and-quorum.md §9.2, §9.4) and quorum counting.
// Pure helpers: the vote order, conversions to and from Notification fields, and "is this set of
// servers a quorum of voters".

import { zxid, type ServerId, type Zxid } from '../util/ids.js';
import { NO_VOTE, type Notification, type ServerState } from './messages.js';

export interface Vote {
  readonly leader: ServerId;
  readonly zxid: Zxid;
  readonly peerEpoch: number;
}

/** totalOrderPredicate: does `next` beat `current`? Only voters can be proposed. */
export function voteBeats(next: Vote, current: Vote | null, isVoter: (id: ServerId) => boolean): boolean {
  if (!isVoter(next.leader)) return false;
  if (current === null) return true;
  if (next.peerEpoch !== current.peerEpoch) return next.peerEpoch > current.peerEpoch;
  if (next.zxid !== current.zxid) return next.zxid > current.zxid;
  return next.leader > current.leader;
}

/** Vote equality while either side is LOOKING: leader, zxid and peerEpoch (the round is compared apart). */
export function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch;
}

/** The vote a notification carries, or null for an observer's NO_VOTE or out-of-range values. */
export function voteOf(n: Notification): Vote | null {
  if (n.leader === NO_VOTE || n.leader < 0n || n.leader > 0xffffffffn) return null;
  if (n.peerEpoch < 0n || n.peerEpoch > 0xffffffffn) return null;
  return { leader: Number(n.leader) as ServerId, zxid: n.zxid, peerEpoch: Number(n.peerEpoch) };
}

export function notificationOf(
  state: ServerState,
  vote: Vote | null,
  electionEpoch: number,
  config: string,
): Notification {
  return {
    kind: 'notification',
    state,
    leader: vote === null ? NO_VOTE : BigInt(vote.leader),
    zxid: vote === null ? zxid(NO_VOTE) : vote.zxid,
    electionEpoch: BigInt(electionEpoch),
    peerEpoch: vote === null ? NO_VOTE : BigInt(vote.peerEpoch),
    version: 2,
    config,
  };
}

export function isQuorum(voters: readonly ServerId[], acked: Iterable<ServerId>): boolean {
  let count = 0;
  const ids = acked instanceof Set ? acked : new Set(acked); // a leader asks this per ACK: no copy of a Set
  for (const id of ids) if (voters.includes(id)) count++;
  return count * 2 > voters.length;
}
