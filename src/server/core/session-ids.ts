// Session ids and session passwords, computed as Apache ZooKeeper computes them (protocol.md §2.5,
// §2.6), so an id or password minted here is indistinguishable from one minted by a Java server.
//
// Invariants:
// - Every value is a Java long: arithmetic wraps at 64 bits and the result is kept signed
//   (BigInt.asIntN(64, ...)), like every other SessionId in zkts (util/ids.ts).
// - The generator never hands out 0x8000000000000000 (it marks container nodes' ephemeralOwner)
//   nor 0 (a ConnectRequest with sessionId 0 asks for a new session, so such a session could never
//   re-attach). Java skips only the former; 0 is reachable only with server id 0 or a wrap-around.
// - Pure: the clock reading comes in as an argument.

import { Buffer } from 'node:buffer';
import { assert } from '../../util/assert.js';
import { sessionId, type SessionId } from '../../util/ids.js';

/** 0x8000000000000000 as a signed long: the ephemeralOwner of container nodes. */
export const CONTAINER_OWNER_SESSION: SessionId = sessionId(-(1n << 63n));

const MASK48 = (1n << 48n) - 1n;
/** java.util.Random's LCG multiplier and increment. */
const LCG_MULTIPLIER = 0x5deece66dn;
const LCG_INCREMENT = 0xbn;
/** The constant ZooKeeper XORs into the session id to seed the password generator. */
const PASSWORD_SEED_XOR = 0xb3415c00n;
export const SESSION_PASSWORD_BYTES = 16;

function isReserved(id: SessionId): boolean {
  return id === CONTAINER_OWNER_SESSION || id === 0n;
}

/**
 * The first session id a server hands out: `(serverId << 56) | ((clockMs << 24) >>> 8)` with Java
 * long semantics. Bits 63..56 hold the server id (its low 8 bits: Java drops the rest in the shift),
 * bits 55..16 the low 40 bits of the monotonic ms clock, bits 15..0 the counter (0).
 * Standalone servers pass 1; quorum members their myid.
 */
export function firstSessionId(serverId: number, nowMs: number): SessionId {
  assert(Number.isSafeInteger(serverId) && serverId >= 0, `bad server id ${serverId}`);
  assert(Number.isSafeInteger(nowMs), `bad clock reading ${nowMs}`);
  // `<< 24` on a long keeps the low 64 bits; `>>> 8` is a logical shift, so work unsigned.
  const timeBits = BigInt.asUintN(64, BigInt(nowMs) << 24n) >> 8n;
  const serverBits = BigInt.asUintN(64, BigInt(serverId) << 56n);
  let first = sessionId(serverBits | timeBits);
  if (first === CONTAINER_OWNER_SESSION) first = sessionId(first + 1n);
  return first;
}

/**
 * Hands out session ids in order: the first id, then +1 on the whole long (a carry out of the
 * 16-bit counter flows into the time bits, and wraps at 2^64 like Java), skipping reserved values.
 */
export class SessionIdGenerator {
  #next: SessionId;

  constructor(first: SessionId) {
    this.#next = first;
  }

  static forServer(serverId: number, nowMs: number): SessionIdGenerator {
    return new SessionIdGenerator(firstSessionId(serverId, nowMs));
  }

  /** The id the next call to next() returns. */
  peek(): SessionId {
    this.#skipReserved();
    return this.#next;
  }

  next(): SessionId {
    this.#skipReserved();
    const id = this.#next;
    this.#next = sessionId(id + 1n);
    return id;
  }

  #skipReserved(): void {
    // The two reserved values are far apart, so this loop advances at most once.
    while (isReserved(this.#next)) this.#next = sessionId(this.#next + 1n);
  }
}

/**
 * The session password: the first 16 bytes of `new java.util.Random(sessionId ^ 0xB3415C00)
 * .nextBytes(...)`. Each nextInt() contributes 4 bytes, least significant first.
 */
export function sessionPassword(id: bigint): Buffer {
  const seed = BigInt.asUintN(64, id) ^ PASSWORD_SEED_XOR;
  let state = (seed ^ LCG_MULTIPLIER) & MASK48;
  const password = Buffer.alloc(SESSION_PASSWORD_BYTES);
  for (let offset = 0; offset < SESSION_PASSWORD_BYTES; offset += 4) {
    state = (state * LCG_MULTIPLIER + LCG_INCREMENT) & MASK48;
    const word = Number(state >> 16n); // next(32): the high 32 of the 48 state bits
    password.writeUInt32LE(word, offset);
  }
  return password;
}

/** Constant-time-ish comparison is not needed: the password guards against mix-ups, not attackers
 * (anyone who can read the session id can derive it). Re-attach needs id ≠ 0 and an exact match. */
export function passwordMatches(id: bigint, password: Uint8Array): boolean {
  if (id === 0n) return false;
  return Buffer.from(password.buffer, password.byteOffset, password.byteLength).equals(sessionPassword(id));
}
