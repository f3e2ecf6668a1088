// One server of the scripted cluster (harness.ts): its Peer, its simulated disk (durable log,
// unsynced appends, epoch files, pending operations) and what it applied and emitted.

import type { Txn } from '../../src/txn/types.js';
import { makeZxid, sessionId, zxid, zxidCounter, zxidEpoch, type ServerId, type Zxid } from '../../src/util/ids.js';
import type { PeerMessage, QuorumPacket } from '../../src/zab/messages.js';
import type { Peer } from '../../src/zab/peer.js';
import type { ZabEffect } from '../../src/zab/types.js';

export type Envelope =
  | { readonly kind: 'msg'; readonly message: PeerMessage }
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'snapshot'; readonly txns: readonly Txn[] };

export type DiskOp =
  | { readonly kind: 'persist'; readonly upTo: Zxid }
  | { readonly kind: 'epochs'; readonly accepted: number; readonly current: number }
  | { readonly kind: 'truncate'; readonly zxid: Zxid }
  | { readonly kind: 'snapshot'; readonly zxid: Zxid };

export class Node {
  peer!: Peer;
  up = true;
  log: Txn[] = []; // durable
  unsynced: Txn[] = [];
  acceptedEpoch = 0;
  currentEpoch = 0;
  applied: Txn[] = [];
  diskOps: DiskOp[] = [];
  incomingSnapshot: readonly Txn[] | null = null;
  effects: ZabEffect[] = []; // everything emitted, for assertions
  /** The epoch in the last LEADERINFO from each leader. */
  readonly leaderInfoEpochs = new Map<number, number>();
  maxReceivedZxid: Zxid = zxid(0);
  /** Set when NEWLEADER arrives: what must be durable before its ACK. */
  newLeaderNeeds: Zxid | null = null;
  constructor(readonly id: ServerId) {}

  get durableZxid(): Zxid {
    return this.log.at(-1)?.header.zxid ?? zxid(0);
  }
  get role(): string {
    return this.peer.status().role;
  }
  sent(type: string, to?: number): QuorumPacket[] {
    return this.effects.flatMap((e) =>
      e.kind === 'send' && e.message.kind === 'packet' && e.message.type === type && (to === undefined || e.to === to) ? [e.message] : [],
    );
  }
}

export function txnAt(z: Zxid, tag = `t${zxidEpoch(z)}.${zxidCounter(z)}`): Txn {
  return {
    header: { clientId: sessionId(0x100), cxid: zxidCounter(z), zxid: z, time: 0, type: 5 },
    record: { type: 5, path: '/k', data: Buffer.from(tag), version: zxidCounter(z) },
    digest: null,
  };
}

export const tagOf = (t: Txn): string => (t.record.type === 5 && t.record.data !== null ? Buffer.from(t.record.data).toString() : '?');

export function isServing(node: Node): boolean {
  for (let i = node.effects.length - 1; i >= 0; i--) {
    const kind = node.effects[i]?.kind;
    if (kind === 'serving') return true;
    if (kind === 'roleChanged') return false;
  }
  return false;
}

export const z = (epoch: number, counter: number): Zxid => makeZxid(epoch, counter);
