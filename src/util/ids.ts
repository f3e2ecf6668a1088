// Branded 64-bit identifiers. Zxids and session ids are 64-bit on the wire and are kept as
// bigint everywhere they are compared or stored, so they stay exact past 2^53.

export type Zxid = bigint & { readonly __brand: 'Zxid' };
export type SessionId = bigint & { readonly __brand: 'SessionId' };
export type ServerId = number & { readonly __brand: 'ServerId' };

const MASK32 = 0xffffffffn;

export function zxid(value: bigint | number): Zxid {
  return BigInt.asIntN(64, BigInt(value)) as Zxid;
}

export function sessionId(value: bigint | number): SessionId {
  return BigInt.asIntN(64, BigInt(value)) as SessionId;
}

export function serverId(value: number): ServerId {
  return value as ServerId;
}

/** zxid = epoch in the high 32 bits, counter in the low 32. */
export function makeZxid(epoch: number, counter: number): Zxid {
  return zxid((BigInt(epoch) << 32n) | (BigInt(counter) & MASK32));
}

export function zxidEpoch(z: Zxid): number {
  return Number((BigInt.asUintN(64, z) >> 32n) & MASK32);
}

export function zxidCounter(z: Zxid): number {
  return Number(BigInt.asUintN(64, z) & MASK32);
}

/** Lower-case hex without padding, as ZooKeeper prints zxids and session ids (0x prefix not included). */
export function hex64(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16);
}

export const ZXID_ZERO = zxid(0);
export const ZXID_NONE = zxid(-1);
