// The stored ephemeralOwner field and what it means (protocol.md §4.3): 0 for a persistent node,
// a session id for an ephemeral, 0x8000000000000000 for a container, 0xFF00000000000000 | ttl
// for a TTL node. Clients are shown 0 for containers and TTL nodes.

import type { SessionId } from '../util/ids.js';

export const CONTAINER_OWNER = BigInt.asIntN(64, 0x8000000000000000n);
const TTL_MARKER = 0xffn;
const TTL_MASK = 0x00ffffffffffffffn;
/** Largest TTL a client may ask for (2^40 - 1 ms). */
export const TTL_MS_MAX = 0xffffffffff;

export type OwnerKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

export function ttlOwner(ttlMs: number): bigint {
  return BigInt.asIntN(64, (TTL_MARKER << 56n) | (BigInt(ttlMs) & TTL_MASK));
}

export function ownerKind(owner: bigint): OwnerKind {
  if (owner === 0n) return 'persistent';
  if (owner === CONTAINER_OWNER) return 'container';
  if ((BigInt.asUintN(64, owner) >> 56n) === TTL_MARKER) return 'ttl';
  return 'ephemeral';
}

/** The TTL in ms of a TTL owner marker. */
export function ttlOf(owner: bigint): number {
  return Number(BigInt.asUintN(64, owner) & TTL_MASK);
}

/** The ephemeralOwner a client sees in a Stat. */
export function visibleOwner(owner: bigint): SessionId {
  return (ownerKind(owner) === 'ephemeral' ? owner : 0n) as SessionId;
}
