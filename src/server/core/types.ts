// Inputs and effects of the server core. The core is a synchronous state machine: the shell
// (quorum/replica.ts) feeds it inputs with the current time and performs the effects in order.

import type { Txn } from '../../txn/types.js';
import type { SessionId } from '../../util/ids.js';
import type { ForwardedRequest, SessionTouch } from '../../zab/messages.js';

export type ConnectionId = number;

export type CoreInput =
  | { readonly kind: 'connected'; readonly conn: ConnectionId; readonly address: string; readonly port: number; readonly nowMs: number }
  /** One complete frame payload (without the 4-byte length prefix). */
  | { readonly kind: 'frame'; readonly conn: ConnectionId; readonly payload: Uint8Array; readonly nowMs: number }
  | { readonly kind: 'disconnected'; readonly conn: ConnectionId; readonly nowMs: number }
  | { readonly kind: 'tick'; readonly nowMs: number }
  /** A proposed txn is durable on a quorum: apply it. Fed in zxid order. */
  | { readonly kind: 'committed'; readonly txn: Txn; readonly nowMs: number }
  /** Leader: a client write (or createSession/closeSession) learner `from` forwarded (REQUEST). */
  | { readonly kind: 'forwarded'; readonly from: number; readonly request: ForwardedRequest; readonly nowMs: number }
  /** Learner: the leader's answer to a `revalidate` (REVALIDATE reply). */
  | { readonly kind: 'revalidated'; readonly sessionId: SessionId; readonly valid: boolean; readonly nowMs: number }
  /** Leader: sessions a learner reported active (its PING touch table). */
  | { readonly kind: 'sessionsTouched'; readonly touches: readonly SessionTouch[]; readonly nowMs: number }
  /** Learner: the leader's SYNC arrived: the oldest pending client sync may be answered. */
  | { readonly kind: 'syncCompleted'; readonly nowMs: number };

export type CoreEffect =
  | { readonly kind: 'send'; readonly conn: ConnectionId; readonly bytes: Buffer }
  /** Close after the sends already issued. */
  | { readonly kind: 'close'; readonly conn: ConnectionId }
  | { readonly kind: 'propose'; readonly txn: Txn }
  /** Learner: send this client request to the leader (REQUEST); its commit answers it. */
  | { readonly kind: 'forward'; readonly request: ForwardedRequest }
  /** Learner: a client re-attaches here; ask the leader whether the session lives (REVALIDATE). */
  | { readonly kind: 'revalidate'; readonly sessionId: SessionId; readonly timeoutMs: number }
  /** Stop reading from the socket (too much outstanding) or start again. */
  | { readonly kind: 'pauseReads'; readonly conn: ConnectionId; readonly paused: boolean };

/**
 * How this server takes writes: `standalone` and `leader` prep and propose them; a `learner`
 * (follower or observer) forwards them to the leader, and only the leader expires sessions and
 * reaps containers. `readOnly` is a quorum member cut off from its quorum with
 * readonlymode.enabled: it serves reads to clients that accept a read-only server, answers
 * writes NOTREADONLY, and keeps its sessions to itself (no txns).
 */
export type CoreMode = 'standalone' | 'leader' | 'learner' | 'readOnly';

export interface ServerCoreConfig {
  readonly mode: CoreMode;
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
  readonly extendedTypesEnabled: boolean;
  readonly skipAcl: boolean;
  readonly superDigest: string | null;
  readonly digestEnabled: boolean;
  readonly serverId: number;
  readonly fourLetterWords: ReadonlySet<string>;
  readonly containerCheckIntervalMs: number;
  readonly containerMaxPerMinute: number;
  readonly containerMaxNeverUsedIntervalMs: number;
  /** exists needs READ on an existing node (3.9, ZOOKEEPER-2590); false answers as 3.8.0 did. */
  readonly existsChecksRead: boolean;
  /** Requests queued on one connection before its reads are paused. */
  readonly outstandingPerConnectionMax: number;
}
