// Inputs, effects and configuration of the consensus core (design.md §4). The shell
// (quorum/replica.ts, or a test's scripted network) feeds inputs to `Peer.step` and performs the
// returned effects in order, feeding completions back as inputs.
//
// Contract with the shell:
// - `persist` = append + fsync; feed `persisted(zxidUpTo)` when durable. Persist effects are
//   issued in zxid order and must be completed in that order.
// - `saveEpochs` = write both epoch files durably, then feed `epochsSaved`; the core emits
//   nothing that relies on the new values before that.
// - `truncate` = cut the log after `zxid` and reload the tree from disk; then feed `truncated`.
// - `loadSnapshot` = replace the tree with the snapshot that followed the SNAP packet on the
//   stream, write it durably and drop every log entry, then feed `snapshotLoaded`.
// - `sendSnapshot` = write the tree's snapshot onto the stream to `to` right after the SNAP
//   packet just sent (the tree is then at exactly `zxid`, because commits are applied in effect
//   order); a failure is fed back as `snapshotSent(ok=false)`.
// - `commit(zxidUpTo)` = apply every logged txn up to it, in zxid order. It never exceeds what
//   was made durable.
// - `disconnect(peer)` = close the quorum connection; the other side sees `peerDisconnected`.
//   Packets of a closed connection are never delivered after those of a newer one (TCP).

import type { Txn } from '../txn/types.js';
import type { ServerId, SessionId, Zxid } from '../util/ids.js';
import type { ForwardedRequest, PeerMessage, SessionTouch } from './messages.js';

export type Role = 'looking' | 'leading' | 'following' | 'observing';

export type ZabInput =
  | { readonly kind: 'tick' }
  | { readonly kind: 'message'; readonly from: ServerId; readonly message: PeerMessage }
  | { readonly kind: 'propose'; readonly txn: Txn }
  | { readonly kind: 'persisted'; readonly zxidUpTo: Zxid }
  | { readonly kind: 'epochsSaved' }
  | { readonly kind: 'truncated'; readonly zxid: Zxid }
  | { readonly kind: 'snapshotLoaded'; readonly zxid: Zxid }
  | { readonly kind: 'snapshotSent'; readonly to: ServerId; readonly ok: boolean }
  | { readonly kind: 'peerConnected'; readonly peer: ServerId }
  | { readonly kind: 'peerDisconnected'; readonly peer: ServerId }
  /** Learner: forward a client write/sync/session request to the leader. */
  | { readonly kind: 'forward'; readonly request: ForwardedRequest }
  /** Learner: sessions touched by clients since the last PING reply. */
  | { readonly kind: 'touchSessions'; readonly touches: readonly SessionTouch[] }
  /** Learner: ask the leader to revalidate a re-attaching session. */
  | { readonly kind: 'revalidate'; readonly sessionId: SessionId; readonly timeoutMs: number }
  /** Leader: the server core's answer to a `revalidateRequested`. */
  | { readonly kind: 'revalidateReply'; readonly to: ServerId; readonly sessionId: SessionId; readonly valid: boolean };

export type ZabEffect =
  | { readonly kind: 'send'; readonly to: ServerId; readonly message: PeerMessage }
  | { readonly kind: 'disconnect'; readonly peer: ServerId }
  | { readonly kind: 'persist'; readonly txns: readonly Txn[] }
  | { readonly kind: 'truncate'; readonly zxid: Zxid }
  | { readonly kind: 'loadSnapshot'; readonly from: ServerId; readonly zxid: Zxid }
  | { readonly kind: 'sendSnapshot'; readonly to: ServerId; readonly zxid: Zxid }
  | { readonly kind: 'commit'; readonly zxidUpTo: Zxid }
  | { readonly kind: 'saveEpochs'; readonly acceptedEpoch: number; readonly currentEpoch: number }
  | { readonly kind: 'roleChanged'; readonly role: Role; readonly epoch: number; readonly leader: ServerId | null }
  /** The replica may serve clients (leader: a quorum acked NEWLEADER; learner: UPTODATE). */
  | { readonly kind: 'serving'; readonly epoch: number; readonly leader: ServerId }
  /** A `propose` the core did not take (not serving, wrong zxid, epoch counter exhausted). */
  | { readonly kind: 'proposalRejected'; readonly txn: Txn; readonly reason: ProposalRejection }
  /** Leader: a learner forwarded a client request; the server core preps it. */
  | { readonly kind: 'requestReceived'; readonly from: ServerId; readonly request: ForwardedRequest }
  /** Leader: a learner's PING touch table; the server core renews those sessions. */
  | { readonly kind: 'sessionsTouched'; readonly from: ServerId; readonly touches: readonly SessionTouch[] }
  | { readonly kind: 'revalidateRequested'; readonly from: ServerId; readonly sessionId: SessionId; readonly timeoutMs: number }
  /** Learner: the leader's revalidation answer. */
  | { readonly kind: 'revalidated'; readonly sessionId: SessionId; readonly valid: boolean }
  /** Learner: complete the oldest pending client sync (everything committed before it is applied). */
  | { readonly kind: 'syncCompleted' };

export type ProposalRejection = 'notServing' | 'zxidMismatch' | 'epochExhausted';

export interface ZabConfig {
  readonly myId: ServerId;
  readonly voters: readonly ServerId[];
  readonly observers: readonly ServerId[];
  /** Ticks a learner has to connect and sync; ticks the leader waits for each discovery quorum. */
  readonly initLimitTicks: number;
  /** Ticks of silence after which a peer is considered gone. */
  readonly syncLimitTicks: number;
  /** Ticks between re-sends of election notifications while LOOKING. */
  readonly electionResendTicks: number;
  /** Ticks a LOOKING server waits after a quorum agrees, for a better vote (0 = decide at once). */
  readonly finalizeWaitTicks: number;
  /** First counter the leader refuses to use (ZooKeeper: 0xffffffff); tests use a tiny one. */
  readonly counterLimit: number;
  /** Committed txns the leader keeps in memory for DIFF (ZooKeeper's commitLogCount, 500). */
  readonly committedLogMax: number;
  /** The quorum config text sent in notifications and NEWLEADER (§9.3). */
  readonly configText: string;
  /**
   * Test-only: switches off one safety rule, so tests can show the simulator's checkers catch
   * its absence (issue 4: "the simulator finds a planted bug"). Never set outside tests.
   * - 'diffInsteadOfTrunc': a learner with txns the leader never committed gets a DIFF that
   *   leaves them in its log, instead of a TRUNC.
   */
  readonly plantedBug?: 'diffInsteadOfTrunc';
}

export const DEFAULT_COUNTER_LIMIT = 0xffffffff;

/** What the replica recovered from disk before the core starts. */
export interface DurableState {
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** The last txn in the durable log (or the snapshot's zxid when the log is empty). */
  readonly lastLoggedZxid: Zxid;
  /** The newest logged txns, ascending, ending at lastLoggedZxid (may be empty). */
  readonly recentTxns: readonly Txn[];
  /** What the server core has applied; ZooKeeper applies the whole log at start. */
  readonly appliedZxid?: Zxid;
}
