// Messages between servers, one to one with Apache ZooKeeper's (storage-and-quorum.md §9.1,
// §10.2): the fast-leader-election Notification and the learner protocol's QuorumPacket types.
// The shell only encodes and decodes them (wire.ts); the consensus core reads the typed fields.
//
// Invariants: every QuorumPacket variant carries the packet's `zxid` exactly as on the wire
// (−1 where ZooKeeper sends −1); Notification fields are longs on the wire and kept as bigint
// here, so an observer's Long.MIN_VALUE vote round-trips exactly.

import type { Id } from '../proto/data.js';
import type { Txn } from '../txn/types.js';
import type { SessionId, Zxid } from '../util/ids.js';

/** Server states in a Notification (§9.1). */
export const ServerState = { LOOKING: 0, FOLLOWING: 1, LEADING: 2, OBSERVING: 3 } as const;
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

/** Long.MIN_VALUE: an observer's vote fields (§9.2). */
export const NO_VOTE = -(1n << 63n);

export interface Notification {
  readonly kind: 'notification';
  readonly state: ServerState;
  /** Proposed (or current) leader sid; NO_VOTE from an observer. */
  readonly leader: bigint;
  readonly zxid: Zxid;
  readonly electionEpoch: bigint;
  readonly peerEpoch: bigint;
  /** 2 for current servers; 0 for the short legacy layouts (§9.1). */
  readonly version: number;
  /** The sender's quorum config text (§9.3); null in legacy layouts. */
  readonly config: string | null;
}

/** QuorumPacket type codes (`Leader` constants, §10.2). */
export const PacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
} as const;
export type PacketTypeName = keyof typeof PacketType;

/** Data of FOLLOWERINFO / OBSERVERINFO (§1.2). */
export interface LearnerInfo {
  readonly serverId: bigint;
  readonly protocolVersion: number;
  readonly configVersion: bigint;
}

/** The Zab 1.0 protocol version a learner and a leader announce. */
export const ZAB_PROTOCOL_VERSION = 0x10000;

/** One entry of a PING touch table (§11.6). */
export interface SessionTouch {
  readonly sessionId: SessionId;
  readonly timeoutMs: number;
}

/** A client write (or sync, createSession, closeSession) forwarded by a learner (§11.2). */
export interface ForwardedRequest {
  readonly sessionId: SessionId;
  readonly cxid: number;
  readonly opType: number;
  /** The raw request record after the three header fields. */
  readonly body: Uint8Array;
  /** The client connection's auth ids; null when absent (createSession). */
  readonly authinfo: readonly Id[] | null;
}

type Packet<T extends PacketTypeName, F = object> = { readonly kind: 'packet'; readonly type: T; readonly zxid: Zxid } & F;

export type RequestPacket = Packet<'REQUEST', { readonly request: ForwardedRequest }>;
export type ProposalPacket = Packet<'PROPOSAL', { readonly txn: Txn }>;
export type AckPacket = Packet<'ACK'>;
export type CommitPacket = Packet<'COMMIT'>;
/** Leader → learner: touches null. Learner → leader: the touch table (possibly empty). */
export type PingPacket = Packet<'PING', { readonly touches: readonly SessionTouch[] | null }>;
export type RevalidatePacket = Packet<
  'REVALIDATE',
  | { readonly direction: 'request'; readonly sessionId: SessionId; readonly timeoutMs: number }
  | { readonly direction: 'reply'; readonly sessionId: SessionId; readonly valid: boolean }
>;
export type SyncPacket = Packet<'SYNC'>;
export type InformPacket = Packet<'INFORM', { readonly txn: Txn }>;
/** zxid = newEpoch << 32; config = the leader's config text (null for pre-1.0 learners). */
export type NewLeaderPacket = Packet<'NEWLEADER', { readonly config: string | null }>;
/** zxid = acceptedEpoch << 32; info null when the learner sent no data. */
export type LearnerInfoPacket = Packet<'FOLLOWERINFO' | 'OBSERVERINFO', { readonly info: LearnerInfo | null }>;
export type UpToDatePacket = Packet<'UPTODATE'>;
export type DiffPacket = Packet<'DIFF'>;
export type TruncPacket = Packet<'TRUNC'>;
/** zxid = the leader's lastProcessedZxid; the snapshot body follows on the stream (§10.4). */
export type SnapPacket = Packet<'SNAP'>;
/** zxid = newEpoch << 32. */
export type LeaderInfoPacket = Packet<'LEADERINFO', { readonly protocolVersion: number }>;
/** zxid = the learner's last logged zxid; currentEpoch −1 when it had already accepted the epoch. */
export type AckEpochPacket = Packet<'ACKEPOCH', { readonly currentEpoch: number }>;

export type QuorumPacket =
  | RequestPacket
  | ProposalPacket
  | AckPacket
  | CommitPacket
  | PingPacket
  | RevalidatePacket
  | SyncPacket
  | InformPacket
  | NewLeaderPacket
  | LearnerInfoPacket
  | UpToDatePacket
  | DiffPacket
  | TruncPacket
  | SnapPacket
  | LeaderInfoPacket
  | AckEpochPacket;

export type PeerMessage = Notification | QuorumPacket;

// ---- constructors: keep the core's call sites short -------------------------------------------

export function packet<T extends 'ACK' | 'COMMIT' | 'SYNC' | 'UPTODATE' | 'DIFF' | 'TRUNC' | 'SNAP'>(
  type: T,
  zxid: Zxid,
): Packet<T> {
  return { kind: 'packet', type, zxid } as Packet<T>;
}
