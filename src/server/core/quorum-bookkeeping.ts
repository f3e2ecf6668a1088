// What the server core of an ensemble member remembers beyond a standalone server's state:
// - leader: the owner of each session — the server its requests come through (ZooKeeper's session
//   owner). The first server to act for a session after an election owns it; a re-attach or a
//   createSession moves it.
// - learner: sessions active here since the last PING reply (the touch table), re-attaching
//   connections waiting for the leader's REVALIDATE answer, and client syncs waiting for the
//   leader's SYNC, oldest first (the leader answers them in order).
// Pure bookkeeping; the core decides what each answer means.

import type { SessionId } from '../../util/ids.js';
import type { SessionTouch } from '../../zab/messages.js';
import type { ConnectionId } from './types.js';

export interface WaitingRevalidation {
  readonly conn: ConnectionId;
  readonly timeoutMs: number;
}

export interface WaitingSync {
  readonly conn: ConnectionId;
  readonly entry: { done: boolean };
}

export class QuorumBookkeeping {
  private readonly owners = new Map<SessionId, number>();
  private touched = new Map<SessionId, number>();
  private readonly revalidating = new Map<SessionId, WaitingRevalidation[]>();
  private readonly syncs: WaitingSync[] = [];

  // ---- leader: session owners --------------------------------------------------------------------

  setOwner(session: SessionId, server: number): void {
    this.owners.set(session, server);
  }

  forgetOwner(session: SessionId): void {
    this.owners.delete(session);
  }

  /** Whether `server` may act for the session; an unowned session becomes its. */
  claim(session: SessionId, server: number): boolean {
    const owner = this.owners.get(session);
    if (owner === undefined) this.owners.set(session, server);
    return owner === undefined || owner === server;
  }

  // ---- learner: touches, revalidations, syncs ----------------------------------------------------

  noteTouch(session: SessionId, timeoutMs: number): void {
    this.touched.set(session, timeoutMs);
  }

  /** The sessions active since the previous call. */
  takeTouches(): SessionTouch[] {
    const touches = [...this.touched].map(([sessionId, timeoutMs]) => ({ sessionId, timeoutMs }));
    this.touched = new Map();
    return touches;
  }

  awaitRevalidation(session: SessionId, waiting: WaitingRevalidation): void {
    const queue = this.revalidating.get(session) ?? [];
    queue.push(waiting);
    this.revalidating.set(session, queue);
  }

  /** The oldest connection waiting for this session's REVALIDATE answer. */
  takeRevalidation(session: SessionId): WaitingRevalidation | undefined {
    const queue = this.revalidating.get(session);
    const next = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.revalidating.delete(session);
    return next;
  }

  awaitSync(waiting: WaitingSync): void {
    this.syncs.push(waiting);
  }

  /** The oldest sync waiting for the leader's SYNC. */
  takeSync(): WaitingSync | undefined {
    return this.syncs.shift();
  }
}
