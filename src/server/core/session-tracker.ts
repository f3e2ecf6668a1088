// Session liveness by tick buckets (protocol.md §2.4): each live session sits in the bucket of its
// expiry time, `roundUp(lastTouchMs + timeoutMs)` to the next multiple of tickTime, so expiring is
// "take every bucket whose time has come" instead of a timer per session. Virtual time comes in
// as arguments; the shell schedules one timer at nextExpiryMs() and calls expired().
//
// Invariants:
// - A session not closing is in exactly one bucket, the one its expiryMs names.
// - A session touched at t (timeout T) is not expired before t + T (its bucket time is strictly
//   greater) and is expired by t + T + tickTime (its bucket time is at most that).
// - expired() reports a session once: it leaves its bucket and is marked closing, and a closing
//   session is never put back into a bucket (touch() refuses it). It stays tracked until remove()
//   (the shell calls that when the closeSession txn applies), as in ZooKeeper.
// - Buckets emptied by touches stay until their time passes, as ZooKeeper's do: the `dump` 4lw
//   shows them as "0 expire at ...".

import { assert } from '../../util/assert.js';
import { hex64, type SessionId } from '../../util/ids.js';

interface SessionEntry {
  timeoutMs: number;
  closing: boolean;
  /** The bucket the session sits in; null once expired() has taken it out. */
  expiryMs: number | null;
}

/** Formats a bucket time (the same clock as the nowMs arguments) as Java's Date.toString() would. */
export type FormatDate = (timeMs: number) => string;

export class SessionTracker {
  readonly #tickTimeMs: number;
  readonly #sessions = new Map<SessionId, SessionEntry>();
  readonly #buckets = new Map<number, Set<SessionId>>();

  constructor(tickTimeMs: number) {
    assert(Number.isSafeInteger(tickTimeMs) && tickTimeMs > 0, `bad tickTime ${tickTimeMs}`);
    this.#tickTimeMs = tickTimeMs;
  }

  get tickTimeMs(): number {
    return this.#tickTimeMs;
  }

  /** Number of tracked sessions, closing ones included (`zk_global_sessions`). */
  get size(): number {
    return this.#sessions.size;
  }

  /** The bucket a touch at nowMs lands in: `(t / tick + 1) × tick` for t = now + timeout. */
  expiryTimeFor(nowMs: number, timeoutMs: number): number {
    const t = nowMs + timeoutMs;
    return (Math.floor(t / this.#tickTimeMs) + 1) * this.#tickTimeMs;
  }

  /**
   * Starts tracking a session, or, for a tracked one (re-attach), takes the renegotiated timeout
   * and touches it. A closing session keeps its state: it is on its way out.
   */
  add(id: SessionId, requestedTimeoutMs: number, nowMs: number): void {
    // The timeout comes from replicated data (a committed createSession, maybe written by another
    // server): a nonsensical one is data to survive, not a broken invariant. At least one tick.
    const timeoutMs = Number.isSafeInteger(requestedTimeoutMs) && requestedTimeoutMs > 0 ? requestedTimeoutMs : this.#tickTimeMs;
    const entry = this.#sessions.get(id);
    if (entry === undefined) {
      this.#sessions.set(id, { timeoutMs, closing: false, expiryMs: null });
    } else {
      entry.timeoutMs = timeoutMs;
    }
    this.touch(id, nowMs);
  }

  /** Records activity. False if the session is unknown or closing (the caller rejects the request). */
  touch(id: SessionId, nowMs: number): boolean {
    assert(Number.isFinite(nowMs), () => `bad clock reading ${nowMs}`);
    const entry = this.#sessions.get(id);
    if (entry === undefined || entry.closing) return false;
    const expiryMs = this.expiryTimeFor(nowMs, entry.timeoutMs);
    if (entry.expiryMs === expiryMs) return true;
    if (entry.expiryMs !== null) this.#buckets.get(entry.expiryMs)?.delete(id);
    let bucket = this.#buckets.get(expiryMs);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(expiryMs, bucket);
    }
    bucket.add(id);
    entry.expiryMs = expiryMs;
    return true;
  }

  /** Marks a session closing (closeSession prepared): later touches fail. False if unknown. */
  setClosing(id: SessionId): boolean {
    const entry = this.#sessions.get(id);
    if (entry === undefined) return false;
    entry.closing = true;
    return true;
  }

  /** Forgets a session (its closeSession applied). False if it was not tracked. */
  remove(id: SessionId): boolean {
    const entry = this.#sessions.get(id);
    if (entry === undefined) return false;
    if (entry.expiryMs !== null) this.#buckets.get(entry.expiryMs)?.delete(id);
    this.#sessions.delete(id);
    return true;
  }

  has(id: SessionId): boolean {
    return this.#sessions.has(id);
  }

  isClosing(id: SessionId): boolean {
    return this.#sessions.get(id)?.closing ?? false;
  }

  timeoutOf(id: SessionId): number | undefined {
    return this.#sessions.get(id)?.timeoutMs;
  }

  /** The bucket time of a session, or undefined if unknown or already expired. */
  expiryOf(id: SessionId): number | undefined {
    return this.#sessions.get(id)?.expiryMs ?? undefined;
  }

  sessionIds(): SessionId[] {
    return [...this.#sessions.keys()];
  }

  /**
   * Takes every bucket whose time is ≤ nowMs, oldest first, and returns its sessions (marked
   * closing, still tracked). Sessions that were already closing are reported too: their close may
   * have been lost, and a second closeSession is harmless, as in ZooKeeper.
   */
  expired(nowMs: number): SessionId[] {
    const due: number[] = [];
    for (const timeMs of this.#buckets.keys()) if (timeMs <= nowMs) due.push(timeMs);
    due.sort((a, b) => a - b);
    const result: SessionId[] = [];
    for (const timeMs of due) {
      const bucket = this.#buckets.get(timeMs);
      this.#buckets.delete(timeMs);
      if (bucket === undefined) continue;
      for (const id of bucket) {
        const entry = this.#sessions.get(id);
        assert(entry !== undefined && entry.expiryMs === timeMs, 'bucket and session disagree');
        entry.expiryMs = null;
        entry.closing = true;
        result.push(id);
      }
    }
    return result;
  }

  /** The earliest time a session can expire, or null when no session is bucketed. */
  nextExpiryMs(): number | null {
    let earliest: number | null = null;
    for (const [timeMs, bucket] of this.#buckets) {
      if (bucket.size > 0 && (earliest === null || timeMs < earliest)) earliest = timeMs;
    }
    return earliest;
  }

  /** The "SessionTracker dump:" part of the `dump` 4lw (protocol.md §7.2), with its trailing \n. */
  dump(formatDate: FormatDate): string {
    const buckets: ExpirySet[] = [...this.#buckets].map(([timeMs, ids]) => ({
      timeMs,
      elements: [...ids].sort(compareUnsigned).map((id) => `0x${hex64(id)}`),
    }));
    return 'SessionTracker dump:\n' + renderExpirySets('Session', buckets, this.#sessions.size, formatDate);
  }
}

function compareUnsigned(a: SessionId, b: SessionId): number {
  const ua = BigInt.asUintN(64, a);
  const ub = BigInt.asUintN(64, b);
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** One bucket of an expiry queue as the dump shows it. */
export interface ExpirySet {
  readonly timeMs: number;
  /** Already rendered, e.g. `0x10000405efe0011` or `ip: /127.0.0.1:38006 sessionId: 0x...`. */
  readonly elements: readonly string[];
}

/**
 * Renders an expiry queue the way ZooKeeper's `dump` does, shared by its "Session Sets" and
 * "Connections Sets" parts:
 * `<label> Sets (<buckets>)/(<elements>):\n` then, per bucket by time,
 * `<n> expire at <date>:\n` and one `\t<element>\n` per element.
 */
export function renderExpirySets(
  label: string,
  buckets: readonly ExpirySet[],
  elementCount: number,
  formatDate: FormatDate,
): string {
  const lines = [`${label} Sets (${buckets.length})/(${elementCount}):`];
  for (const bucket of [...buckets].sort((a, b) => a.timeMs - b.timeMs)) {
    lines.push(`${bucket.elements.length} expire at ${formatDate(bucket.timeMs)}:`);
    for (const element of bucket.elements) lines.push(`\t${element}`);
  }
  return lines.join('\n') + '\n';
}
