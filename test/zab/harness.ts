// A tiny deterministic, scripted network and disk for driving Peers in one process (not the
// simulator): per-link FIFO queues the test delivers explicitly; a disk per node whose fsyncs
// complete only when the test (or `autoDisk`) says so.
//
// The network behaves like TCP: a partition holds messages (nothing is lost on a live
// connection) until healed; closing a quorum connection (`disconnect`, `reset`, a crash) discards
// what the closing side has not read yet, and the other side's later quorum packets on that dead
// connection, until it has seen the close.
//
// Always-on checks, on every effect (a failure throws at the offending step):
// - a follower's proposal ACK never precedes the fsync of that txn; its NEWLEADER ACK follows
//   the fsync of everything it was sent and the saving of currentEpoch;
// - ACKEPOCH follows the saving of acceptedEpoch; LEADERINFO follows the leader's;
// - `commit` applies only txns that are in the node's durable log;
// - every node applies the same txn at a given zxid, in zxid order with no gaps;
// - at most one server leads (serves) any epoch.

import assert from 'node:assert/strict';
import { makeZxid, serverId, zxidCounter, zxidEpoch, type ServerId, type Zxid, zxid } from '../../src/util/ids.js';
import { Peer } from '../../src/zab/peer.js';
import type { ZabConfig, ZabEffect, ZabInput } from '../../src/zab/types.js';
import { isServing, Node, tagOf, txnAt, type DiskOp, type Envelope } from './node.js';
import { show } from './trace.js';

export { isServing, Node, txnAt, z } from './node.js';

export interface ClusterOptions {
  voters: number[];
  observers?: number[];
  /** Durable logs at start, as [epoch, counter] pairs. */
  logs?: Record<number, [number, number][]>;
  epochs?: Record<number, number>;
  autoDisk?: boolean;
  config?: Partial<ZabConfig>;
}

const TRACE = process.env.ZAB_TRACE === '1';

export class Cluster {
  readonly nodes = new Map<ServerId, Node>();
  readonly links = new Map<string, Envelope[]>();
  private readonly cut = new Set<string>();
  /** "b>a": a closed its quorum connection to b; b's packets are dropped until b sees the close. */
  private readonly closed = new Set<string>();
  autoDisk: boolean;
  readonly config: (id: number) => ZabConfig;
  /** zxid → tag of the txn applied there (agreement check). */
  private readonly history = new Map<Zxid, string>();
  private readonly leaders = new Map<number, ServerId>();
  private tagCounter = 0;

  constructor(opts: ClusterOptions) {
    this.autoDisk = opts.autoDisk ?? true;
    const voters = opts.voters.map(serverId);
    const observers = (opts.observers ?? []).map(serverId);
    this.config = (id) => ({
      myId: serverId(id),
      voters,
      observers,
      initLimitTicks: 10,
      syncLimitTicks: 5,
      electionResendTicks: 2,
      finalizeWaitTicks: 1,
      counterLimit: 0xffffffff,
      committedLogMax: 500,
      configText: 'version=0',
      ...opts.config,
    });
    for (const id of [...voters, ...observers]) {
      const node = new Node(id);
      node.log = (opts.logs?.[id] ?? []).map(([e, c]) => txnAt(makeZxid(e, c)));
      const lastEpoch = node.log.length > 0 ? zxidEpoch(node.durableZxid) : 0;
      node.acceptedEpoch = node.currentEpoch = opts.epochs?.[id] ?? lastEpoch;
      this.nodes.set(id, node);
    }
    for (const node of this.nodes.values()) this.boot(node);
  }

  node(id: number): Node {
    const n = this.nodes.get(serverId(id));
    assert.ok(n !== undefined, `no node ${id}`);
    return n;
  }

  private boot(node: Node): void {
    node.up = true;
    node.applied = [...node.log]; // ZooKeeper applies the whole log at start
    node.peer = new Peer(this.config(node.id), {
      acceptedEpoch: node.acceptedEpoch,
      currentEpoch: node.currentEpoch,
      lastLoggedZxid: node.durableZxid,
      recentTxns: node.log.slice(-this.config(node.id).committedLogMax),
    });
    this.perform(node, node.peer.start());
  }

  // ---- inputs and effects ------------------------------------------------------------------------

  input(id: number, input: ZabInput): ZabEffect[] {
    const node = this.node(id);
    if (!node.up) return [];
    const effects = node.peer.step(input);
    if (TRACE) console.log(`${id} <- ${show(input)}${effects.length > 0 ? `\n    -> ${effects.map(show).join('\n    -> ')}` : ''}`);
    this.perform(node, effects);
    return effects;
  }

  private perform(node: Node, effects: readonly ZabEffect[]): void {
    for (const e of effects) {
      node.effects.push(e);
      this.check(node, e);
      switch (e.kind) {
        case 'send':
          this.enqueue(node.id, e.to, { kind: 'msg', message: e.message });
          break;
        case 'disconnect':
          this.close(node.id, e.peer);
          break;
        case 'sendSnapshot':
          assert.equal(node.applied.at(-1)?.header.zxid ?? zxid(0), e.zxid, 'snapshot zxid = applied state');
          this.enqueue(node.id, e.to, { kind: 'snapshot', txns: [...node.applied] });
          break;
        case 'persist':
          node.unsynced.push(...e.txns);
          node.diskOps.push({ kind: 'persist', upTo: e.txns.at(-1)?.header.zxid ?? node.durableZxid });
          break;
        case 'saveEpochs':
          node.diskOps.push({ kind: 'epochs', accepted: e.acceptedEpoch, current: e.currentEpoch });
          break;
        case 'truncate':
          node.diskOps.push({ kind: 'truncate', zxid: e.zxid });
          break;
        case 'loadSnapshot':
          node.diskOps.push({ kind: 'snapshot', zxid: e.zxid });
          break;
        case 'commit':
          this.apply(node, e.zxidUpTo);
          break;
        default:
          break;
      }
    }
  }

  private check(node: Node, e: ZabEffect): void {
    if (e.kind === 'serving' && e.leader === node.id) {
      const other = this.leaders.get(e.epoch);
      assert.ok(other === undefined || other === node.id, `two leaders in epoch ${e.epoch}`);
      this.leaders.set(e.epoch, node.id);
      assert.equal(node.currentEpoch, e.epoch, 'leader serves before saving currentEpoch');
    }
    if (e.kind !== 'send' || e.message.kind !== 'packet') return;
    const m = e.message;
    if (m.type === 'ACK' && zxidCounter(m.zxid) !== 0) {
      assert.ok(m.zxid <= node.durableZxid, `node ${node.id} ACKed ${m.zxid} before it was durable`);
    }
    if (m.type === 'ACK' && zxidCounter(m.zxid) === 0 && node.newLeaderNeeds !== null) {
      // The NEWLEADER ACK (the UPTODATE ACK that follows needs nothing more).
      assert.equal(node.currentEpoch, zxidEpoch(m.zxid), `node ${node.id} acked NEWLEADER before saving currentEpoch`);
      assert.ok(node.newLeaderNeeds <= node.durableZxid, `node ${node.id} acked NEWLEADER with undurable txns`);
      node.newLeaderNeeds = null;
    }
    if (m.type === 'ACKEPOCH') assert.ok(node.acceptedEpoch >= (node.leaderInfoEpochs.get(e.to) ?? -1), 'ACKEPOCH before acceptedEpoch saved');
    if (m.type === 'LEADERINFO') assert.equal(node.acceptedEpoch, zxidEpoch(m.zxid), 'LEADERINFO before acceptedEpoch saved');
  }

  private apply(node: Node, upTo: Zxid): void {
    const last = node.applied.at(-1)?.header.zxid ?? zxid(0);
    const next = node.log.filter((t) => t.header.zxid > last && t.header.zxid <= upTo);
    assert.equal(next.at(-1)?.header.zxid, upTo, `node ${node.id} applies ${upTo} which is not in its durable log`);
    for (const t of next) {
      const seen = this.history.get(t.header.zxid);
      assert.ok(seen === undefined || seen === tagOf(t), `divergence at ${t.header.zxid}: ${seen} vs ${tagOf(t)}`);
      this.history.set(t.header.zxid, tagOf(t));
      node.applied.push(t);
    }
  }

  /** `from` closes its quorum connection to `to`. */
  private close(from: ServerId, to: ServerId): void {
    if (!this.node(to).up) return; // a crashed peer's connections are gone already
    const back = `${to}>${from}`;
    this.closed.add(back);
    const q = this.links.get(back);
    // Unread quorum packets die with the connection; election traffic and close notices stay.
    if (q !== undefined) this.links.set(back, q.filter((env) => env.kind === 'disconnect' || (env.kind === 'msg' && env.message.kind === 'notification')));
    this.enqueue(from, to, { kind: 'disconnect' });
  }

  private enqueue(from: ServerId, to: ServerId, env: Envelope): void {
    const key = `${from}>${to}`;
    if (!this.node(to).up) return;
    const quorumTraffic = env.kind !== 'msg' || env.message.kind === 'packet';
    if (quorumTraffic && env.kind !== 'disconnect' && this.closed.has(key)) return; // a dead connection
    const q = this.links.get(key) ?? [];
    q.push(env);
    this.links.set(key, q);
  }

  // ---- disk --------------------------------------------------------------------------------------

  /** Completes the oldest pending disk operations of a node (all by default). */
  fsync(id: number, count = Infinity): void {
    const node = this.node(id);
    for (let i = 0; i < count && node.up && node.diskOps.length > 0; i++) {
      const op = node.diskOps.shift();
      if (op === undefined) break;
      this.input(id, this.completeDiskOp(node, op));
    }
  }

  /** Completes the oldest pending epoch-file write ahead of log fsyncs (separate files). */
  saveEpochsFirst(id: number): void {
    const node = this.node(id);
    const at = node.diskOps.findIndex((op) => op.kind === 'epochs');
    const op = node.diskOps[at];
    if (!node.up || op === undefined) return;
    node.diskOps.splice(at, 1);
    this.input(id, this.completeDiskOp(node, op));
  }

  private completeDiskOp(node: Node, op: DiskOp): ZabInput {
    switch (op.kind) {
      case 'persist': {
        const synced = node.unsynced.filter((t) => t.header.zxid <= op.upTo);
        node.unsynced = node.unsynced.filter((t) => t.header.zxid > op.upTo);
        node.log.push(...synced);
        return { kind: 'persisted', zxidUpTo: op.upTo };
      }
      case 'epochs':
        node.acceptedEpoch = op.accepted;
        node.currentEpoch = op.current;
        return { kind: 'epochsSaved' };
      case 'truncate':
        node.log = node.log.filter((t) => t.header.zxid <= op.zxid);
        node.applied = [...node.log]; // reload from disk
        return { kind: 'truncated', zxid: op.zxid };
      case 'snapshot': {
        assert.ok(node.incomingSnapshot !== null, 'no snapshot on the stream');
        node.log = [...node.incomingSnapshot];
        node.applied = [...node.incomingSnapshot];
        node.incomingSnapshot = null;
        return { kind: 'snapshotLoaded', zxid: op.zxid };
      }
    }
  }

  // ---- network -----------------------------------------------------------------------------------

  /** Delivers the oldest envelope on from→to. Returns false when the link is empty. */
  deliver(from: number, to: number): boolean {
    if (this.cut.has(`${from}>${to}`)) return false; // held by the partition
    const q = this.links.get(`${from}>${to}`);
    const env = q?.shift();
    if (env === undefined || q === undefined) return false;
    const dest = this.node(to);
    if (env.kind === 'disconnect') {
      this.closed.delete(`${to}>${from}`); // `to` now knows: its next packets start a new connection
      this.input(to, { kind: 'peerDisconnected', peer: serverId(from) });
    } else if (env.kind === 'msg') {
      const m = env.message;
      if (m.kind === 'packet' && m.type === 'LEADERINFO') dest.leaderInfoEpochs.set(from, zxidEpoch(m.zxid));
      if (m.kind === 'packet' && (m.type === 'PROPOSAL' || m.type === 'INFORM') && m.zxid > dest.maxReceivedZxid) dest.maxReceivedZxid = m.zxid;
      if (m.kind === 'packet' && m.type === 'SNAP') {
        // The body follows SNAP on the stream; the shell reads both before feeding SNAP.
        const body = q.shift();
        assert.ok(body?.kind === 'snapshot', 'SNAP without a body');
        dest.incomingSnapshot = body.txns;
        dest.maxReceivedZxid = zxid(0);
      }
      if (m.kind === 'packet' && (m.type === 'TRUNC' || m.type === 'DIFF')) dest.maxReceivedZxid = zxid(0);
      if (m.kind === 'packet' && m.type === 'NEWLEADER') dest.newLeaderNeeds = dest.maxReceivedZxid;
      this.input(to, { kind: 'message', from: serverId(from), message: m });
    }
    return true;
  }

  /** Delivers every queued message (and completes disk ops when autoDisk) until quiet. */
  deliverAll(maxSteps = 20_000): number {
    let steps = 0;
    for (;;) {
      let progressed = false;
      if (this.autoDisk) {
        for (const node of this.nodes.values()) {
          if (node.diskOps.length > 0) {
            this.fsync(node.id, 1);
            progressed = true;
          }
        }
      }
      for (const [key, q] of [...this.links].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (q.length === 0 || this.cut.has(key)) continue;
        const [from, to] = key.split('>').map(Number) as [number, number];
        this.deliver(from, to);
        progressed = true;
      }
      if (!progressed) return steps;
      assert.ok(++steps < maxSteps, 'deliverAll did not settle');
    }
  }

  /** Every up node sees `count` ticks, with deliveries in between. */
  tick(count = 1, ids?: number[]): void {
    for (let i = 0; i < count; i++) {
      for (const node of this.nodes.values()) if (node.up && (ids === undefined || ids.includes(node.id))) this.input(node.id, { kind: 'tick' });
      this.deliverAll();
    }
  }

  /** Ticks until `done` holds (bounded). */
  until(done: () => boolean, ticksMax = 100): void {
    this.deliverAll();
    for (let i = 0; i < ticksMax && !done(); i++) this.tick();
    assert.ok(done(), 'condition not reached');
  }

  /** Runs until one leader serves and every other up node (in `ids`) follows or observes it. */
  elect(ids?: number[]): Node {
    const members = [...this.nodes.values()].filter((n) => n.up && (ids === undefined || ids.includes(n.id)));
    let leader: Node | undefined;
    this.until(() => {
      leader = members.find((n) => n.role === 'leading' && n.peer.nextZxid() !== null);
      const epoch = leader?.peer.status().currentEpoch;
      return (
        leader !== undefined &&
        members.every((n) => n === leader || (n.role !== 'looking' && n.peer.status().leader === leader?.id && n.peer.status().currentEpoch === epoch && isServing(n)))
      );
    });
    assert.ok(leader !== undefined);
    return leader;
  }

  /** Links that have something to deliver now. */
  deliverable(): [number, number][] {
    return [...this.links]
      .filter(([key, q]) => q.length > 0 && !this.cut.has(key))
      .map(([key]) => key.split('>').map(Number) as [number, number]);
  }

  /** Holds both directions between every pair across the groups until `heal`. */
  partition(...groups: number[][]): void {
    for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cutLink(x, y);
  }

  cutLink(from: number, to: number): void {
    this.cut.add(`${from}>${to}`);
  }

  /** A connection reset between a and b: queued messages are lost, both sides see it close. */
  reset(a: number, b: number): void {
    this.links.delete(`${a}>${b}`);
    this.links.delete(`${b}>${a}`);
    this.close(serverId(a), serverId(b));
    this.close(serverId(b), serverId(a));
  }

  /** Election channels may deliver a notification twice (§8.3): duplicate the head if it is one. */
  duplicateHead(from: number, to: number): void {
    const q = this.links.get(`${from}>${to}`);
    const head = q?.[0];
    if (head?.kind === 'msg' && head.message.kind === 'notification') q?.unshift(head);
  }

  heal(): void {
    this.cut.clear();
  }

  crash(id: number): void {
    const node = this.node(id);
    node.up = false;
    node.unsynced = []; // unsynced writes are lost
    node.diskOps = [];
    node.incomingSnapshot = null;
    const touches = (key: string): boolean => key.startsWith(`${id}>`) || key.endsWith(`>${id}`);
    for (const key of [...this.links.keys()]) if (touches(key)) this.links.delete(key);
    for (const key of [...this.closed]) if (touches(key)) this.closed.delete(key);
    // Peers see the connections close.
    for (const other of this.nodes.values()) if (other.up) this.enqueue(serverId(id), other.id, { kind: 'disconnect' });
    node.up = false;
  }

  restart(id: number): void {
    const node = this.node(id);
    node.effects = [];
    node.maxReceivedZxid = zxid(0);
    node.newLeaderNeeds = null;
    this.boot(node);
  }

  /** Proposes a txn on the leader with the zxid its core expects. */
  propose(leaderId: number, tag?: string): Zxid {
    const next = this.node(leaderId).peer.nextZxid();
    assert.ok(next !== null, `node ${leaderId} takes no proposals`);
    this.input(leaderId, { kind: 'propose', txn: txnAt(next, tag ?? `w${++this.tagCounter}`) });
    return next;
  }

  appliedZxids(id: number): Zxid[] {
    return this.node(id).applied.map((t) => t.header.zxid);
  }
}

