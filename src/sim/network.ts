// The simulated network between servers.
//
// Election notifications travel as datagrams: each is delayed independently (so they reorder),
// may be lost or duplicated, and is dropped on a cut link. Quorum packets travel on per-link
// FIFO connections, like ZooKeeper's TCP links: never lost, duplicated or reordered while the
// connection lives; a partition holds them until healed; "loss" is a connection reset, after
// which both sides see `peerDisconnected` and unread packets are gone.
// Connection rules (as test/zab/harness.ts): when `from` closes its connection to `to`, the
// packets `to` sent and `from` has not read die, and `to`'s later quorum packets on the dead
// connection are dropped until `to` has seen the close.

import type { ServerId } from '../util/ids.js';
import type { PeerMessage } from '../zab/messages.js';
import type { FaultMix } from './faults.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import type { SnapshotImage } from './disk.js';

export type Envelope =
  | { readonly kind: 'msg'; readonly message: PeerMessage }
  | { readonly kind: 'disconnect' }
  | { readonly kind: 'snapshot'; readonly image: SnapshotImage };

export interface NetworkEndpoint {
  readonly up: boolean;
  readonly incarnation: number;
  onMessage(from: ServerId, message: PeerMessage, snapshot: SnapshotImage | null): void;
  onDisconnected(from: ServerId): void;
}

interface Link {
  queue: { at: number; env: Envelope }[];
  token: number;
}

export class Network {
  private readonly links = new Map<string, Link>();
  private readonly cut = new Set<string>();
  private readonly closed = new Set<string>();
  readonly stats = { sent: 0, delivered: 0, notificationsLost: 0, notificationsDuplicated: 0, resets: 0 };

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Prng,
    public mix: FaultMix,
    private readonly endpoint: (id: ServerId) => NetworkEndpoint,
  ) {}

  private delayMs(): number {
    return this.rng.int(this.mix.delayMsMin, this.mix.delayMsMax);
  }

  isCut(from: ServerId, to: ServerId): boolean {
    return this.cut.has(`${from}>${to}`);
  }

  send(from: ServerId, to: ServerId, message: PeerMessage): void {
    this.stats.sent++;
    if (message.kind === 'notification') return this.sendDatagram(from, to, message);
    this.enqueue(from, to, { kind: 'msg', message });
  }

  sendSnapshot(from: ServerId, to: ServerId, image: SnapshotImage): void {
    this.enqueue(from, to, { kind: 'snapshot', image });
  }

  private sendDatagram(from: ServerId, to: ServerId, message: PeerMessage): void {
    const dest = this.endpoint(to);
    if (!dest.up || this.isCut(from, to)) return;
    if (this.rng.chance(this.mix.notificationLoss)) {
      this.stats.notificationsLost++;
      return;
    }
    const copies = this.rng.chance(this.mix.notificationDup) ? 2 : 1;
    if (copies === 2) this.stats.notificationsDuplicated++;
    const incarnation = dest.incarnation;
    for (let i = 0; i < copies; i++) {
      this.sched.after(this.delayMs(), () => {
        const d = this.endpoint(to);
        if (!d.up || d.incarnation !== incarnation || this.isCut(from, to)) return;
        this.stats.delivered++;
        d.onMessage(from, message, null);
      });
    }
  }

  /** `from` closes its quorum connection to `to`. */
  close(from: ServerId, to: ServerId): void {
    if (!this.endpoint(to).up) return;
    const back = `${to}>${from}`;
    this.closed.add(back);
    const link = this.links.get(back);
    if (link !== undefined) {
      link.queue = link.queue.filter((e) => e.env.kind === 'disconnect');
      this.pump(back, link);
    }
    this.enqueue(from, to, { kind: 'disconnect' });
  }

  /** A connection reset between a and b: in-flight packets both ways are lost, both see the close. */
  reset(a: ServerId, b: ServerId): void {
    this.stats.resets++;
    for (const key of [`${a}>${b}`, `${b}>${a}`]) {
      const link = this.links.get(key);
      if (link !== undefined) link.queue = link.queue.filter((e) => e.env.kind === 'disconnect');
    }
    this.close(a, b);
    this.close(b, a);
  }

  private enqueue(from: ServerId, to: ServerId, env: Envelope): void {
    const key = `${from}>${to}`;
    if (!this.endpoint(to).up) return;
    if (env.kind !== 'disconnect' && this.closed.has(key)) return; // a dead connection
    let link = this.links.get(key);
    if (link === undefined) {
      link = { queue: [], token: 0 };
      this.links.set(key, link);
    }
    const lastAt = link.queue.at(-1)?.at ?? 0;
    link.queue.push({ at: Math.max(this.sched.nowMs + this.delayMs(), lastAt), env });
    if (link.queue.length === 1) this.pump(key, link);
  }

  /** (Re)schedules delivery of a link's head. */
  private pump(key: string, link: Link): void {
    const token = ++link.token;
    const head = link.queue[0];
    if (head === undefined) return;
    this.sched.at(head.at, () => {
      if (link.token !== token) return;
      if (this.cut.has(key)) return; // held until heal re-pumps
      this.deliverHead(key, link);
      this.pump(key, link);
    });
  }

  private deliverHead(key: string, link: Link): void {
    const head = link.queue.shift();
    if (head === undefined) return;
    const [fromText, toText] = key.split('>') as [string, string];
    const from = Number(fromText) as ServerId;
    const to = Number(toText) as ServerId;
    const dest = this.endpoint(to);
    if (!dest.up) return;
    const env = head.env;
    this.stats.delivered++;
    if (env.kind === 'disconnect') {
      this.closed.delete(`${to}>${from}`); // `to` now knows: its next packets start a new connection
      dest.onDisconnected(from);
    } else if (env.kind === 'msg') {
      let image: SnapshotImage | null = null;
      if (env.message.kind === 'packet' && env.message.type === 'SNAP') {
        // The snapshot body follows SNAP on the stream; the receiving shell reads both.
        const body = link.queue.shift();
        if (body?.env.kind !== 'snapshot') throw new Error(`SNAP without a body on ${key}`);
        image = body.env.image;
      }
      dest.onMessage(from, env.message, image);
    }
  }

  /** Cuts from→to (one direction) until heal. */
  cutLink(from: ServerId, to: ServerId): void {
    this.cut.add(`${from}>${to}`);
  }

  partition(groups: readonly (readonly ServerId[])[]): void {
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cutLink(x, y);
  }

  heal(): void {
    this.cut.clear();
    for (const [key, link] of this.links) if (link.queue.length > 0) this.pump(key, link);
  }

  get partitioned(): boolean {
    return this.cut.size > 0;
  }

  /** A crashed server's connections vanish; its peers see them close. */
  crashed(id: ServerId, others: readonly ServerId[]): void {
    const touches = (key: string): boolean => key.startsWith(`${id}>`) || key.endsWith(`>${id}`);
    for (const [key, link] of [...this.links]) {
      if (touches(key)) {
        link.token++;
        this.links.delete(key);
      }
    }
    for (const key of [...this.closed]) if (touches(key)) this.closed.delete(key);
    for (const other of others) if (other !== id && this.endpoint(other).up) this.enqueue(id, other, { kind: 'disconnect' });
  }
}
