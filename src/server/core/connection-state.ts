// Per-connection state of the server core: the handshake phase, the session, the auth ids, and
// the FIFO of requests whose replies are not sent yet. Replies leave strictly in arrival order
// (protocol.md §3.3): a write waits for its commit, and every request behind it waits too.

import type { Id } from '../../proto/data.js';
import type { Request } from '../../proto/requests.js';
import type { SessionId } from '../../util/ids.js';
import type { ConnectionId } from './types.js';

export type Phase = 'handshake' | 'creatingSession' | 'open' | 'closing';

/** A write waiting for its commit: the committed txn with this session and cxid (= xid) answers it. */
export interface PendingWrite {
  readonly kind: 'write';
  readonly xid: number;
  readonly request: Request;
  readonly receivedMs: number;
}

/** A sync on a learner: answered once the leader's SYNC arrives (`done`), like a read after that. */
export interface PendingSync {
  readonly kind: 'sync';
  readonly xid: number;
  readonly request: Request;
  readonly receivedMs: number;
  done: boolean;
}

export interface PendingRead {
  readonly kind: 'read';
  readonly xid: number;
  readonly request: Request;
  readonly receivedMs: number;
}

/** A reply decided at arrival (an error, a ping) that must still wait its turn. */
export interface PendingFixed {
  readonly kind: 'fixed';
  readonly xid: number;
  readonly opcode: number;
  readonly err: number;
  /** Close the connection after sending (unknown opcode). */
  readonly closeAfter: boolean;
  readonly receivedMs: number;
}

export type Pending = PendingWrite | PendingSync | PendingRead | PendingFixed;

export interface ConnectionStats {
  packetsReceived: number;
  packetsSent: number;
  lastOp: string;
  lastCxid: number;
  lastZxid: bigint;
  lastLatencyMs: number;
  minLatencyMs: number;
  maxLatencyMs: number;
  totalLatencyMs: number;
  latencyCount: number;
  lastResponseMs: number;
  establishedMs: number;
}

export function freshStats(nowMs: number): ConnectionStats {
  return {
    packetsReceived: 0,
    packetsSent: 0,
    lastOp: 'NA',
    lastCxid: -1,
    lastZxid: -1n,
    lastLatencyMs: 0,
    minLatencyMs: Number.MAX_SAFE_INTEGER,
    maxLatencyMs: 0,
    totalLatencyMs: 0,
    latencyCount: 0,
    lastResponseMs: nowMs,
    establishedMs: nowMs,
  };
}

export class ConnectionState {
  phase: Phase = 'handshake';
  session: SessionId | null = null;
  timeoutMs = 0;
  /** Whether the ConnectRequest carried the readOnly byte (the response mirrors it). */
  clientSentReadOnly = false;
  readonly authIds: Id[];
  readonly queue: Pending[] = [];
  /** Frames that arrived before the session was established; processed after, in order. */
  readonly early: Uint8Array[] = [];
  readsPaused = false;
  stats: ConnectionStats;

  constructor(
    readonly id: ConnectionId,
    readonly address: string,
    readonly port: number,
    nowMs: number,
  ) {
    this.authIds = [{ scheme: 'ip', id: address }];
    this.stats = freshStats(nowMs);
  }

  hasAuthId(id: Id): boolean {
    return this.authIds.some((a) => a.scheme === id.scheme && a.id === id.id);
  }
}
