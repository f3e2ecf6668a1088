// The consensus core's public surface: the Peer state machine, its inputs and effects, the
// server-to-server messages and their byte codec.

export { Peer, type PeerStatus } from './peer.js';
export type { DurableState, ProposalRejection, Role, ZabConfig, ZabEffect, ZabInput } from './types.js';
export { DEFAULT_COUNTER_LIMIT } from './types.js';
export * from './messages.js';
export {
  decodeLearnerInfo,
  decodeNotification,
  decodeQuorumPacket,
  encodeLearnerInfo,
  encodeNotification,
  encodeQuorumPacket,
  quorumPacketBytes,
  readQuorumPacket,
  UnsupportedPacketError,
} from './wire.js';
export { planSync, type SyncPlan, type SyncInput } from './sync-plan.js';
export { voteBeats, type Vote } from './vote.js';
