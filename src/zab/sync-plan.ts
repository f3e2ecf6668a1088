// The leader's per-learner sync decision (storage-and-quorum.md §10.3): DIFF, TRUNC or SNAP,
// from the learner's last zxid and the leader's in-memory committed-log window. Pure.
//
// Invariant: after applying the plan (the op, then `txns` as PROPOSAL+COMMIT), the learner's
// log is a prefix of the leader's history ending at `historyZxid`.
// On-disk sync (case 4 of §10.3: reading older txns from the leader's log files) is not done:
// a learner behind the window gets SNAP.

import type { Txn } from '../txn/types.js';
import { zxidCounter, zxidEpoch, type Zxid } from '../util/ids.js';

export type SyncPlan =
  | { readonly mode: 'DIFF'; readonly zxid: Zxid; readonly txns: readonly Txn[] }
  | { readonly mode: 'TRUNC'; readonly zxid: Zxid; readonly txns: readonly Txn[] }
  /** The snapshot is the leader's applied state; `txns` are committed ones above it. */
  | { readonly mode: 'SNAP'; readonly zxid: Zxid; readonly txns: readonly Txn[] };

export interface SyncInput {
  /** The learner's last logged zxid (its ACKEPOCH zxid, "P"). */
  readonly peerZxid: Zxid;
  /** The end of the leader's committed history (its lastProcessedZxid). */
  readonly historyZxid: Zxid;
  /** Committed txns in memory, ascending, ending at historyZxid (may be empty). */
  readonly committedLog: readonly Txn[];
  /** The leader's applied state, which a snapshot would carry. */
  readonly appliedZxid: Zxid;
}

export function planSync(input: SyncInput): SyncPlan {
  const { peerZxid: p, historyZxid, committedLog } = input;
  const first = committedLog[0];
  const minC = first === undefined ? historyZxid : first.header.zxid;
  const maxC = historyZxid;
  if (p === historyZxid) return { mode: 'DIFF', zxid: p, txns: [] };
  if (p > maxC && zxidCounter(p) !== 0) return { mode: 'TRUNC', zxid: maxC, txns: [] };
  if (minC <= p && p <= maxC) {
    const walked = walk(p, maxC, committedLog);
    if (walked !== null) return walked;
  }
  return snap(input);
}

function walk(p: Zxid, maxC: Zxid, log: readonly Txn[]): SyncPlan | null {
  let prev: Zxid | null = null;
  for (let i = 0; i < log.length; i++) {
    const z = (log[i] as Txn).header.zxid;
    if (z < p) {
      prev = z;
      continue;
    }
    if (z === p || zxidCounter(p) === 0) {
      return { mode: 'DIFF', zxid: maxC, txns: log.slice(z === p ? i + 1 : i) };
    }
    // First txn above p, and p is not in the leader's history.
    if (zxidEpoch(z) !== zxidEpoch(p) || prev === null) return null;
    return { mode: 'TRUNC', zxid: prev, txns: log.slice(i) };
  }
  return null;
}

function snap(input: SyncInput): SyncPlan {
  const txns = input.committedLog.filter((t) => t.header.zxid > input.appliedZxid);
  return { mode: 'SNAP', zxid: input.appliedZxid, txns };
}
