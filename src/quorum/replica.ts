// One member of a ZooKeeper ensemble: the consensus core (zab Peer), the server core (client
// protocol), the data directory and the network, tied together (design.md §3–4). It performs
// both cores' effects in order and feeds completions back:
//
// - Every core input goes through one task queue, so neither core is ever re-entered and
//   effects run in the order they were emitted (a commit raised while performing a proposal's
//   effects waits its turn).
// - The tree holds exactly the applied txns. Txns logged but not yet committed wait in
//   `unapplied`; a `commit` applies them in zxid order — through the server core when one is
//   serving (replies, watches), straight to the tree while syncing.
// - A server core exists only while the peer serves (leader after its NEWLEADER quorum, learner
//   after UPTODATE). Any role change drops it and closes every client connection, as ZooKeeper
//   shuts its ZooKeeperServer down; clients reconnect and re-register their watches.
// - Disk work the peer waits for (epochs, truncate, snapshot load) runs one job at a time after
//   the appends issued before it.
// - A failed log write stops the process: a member must never act on txns it could not log.

import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMyId, type ServerConfig } from '../config/index.js';
import { NodeDisk } from '../io/node/disk.js';
import { ClientListener } from '../server/net/client-listener.js';
import { ServerCore } from '../server/core/server-core.js';
import { TreeDatabase } from '../server/core/tree-database.js';
import type { CoreEffect, CoreInput, CoreMode } from '../server/core/types.js';
import type { SnapshotContent } from '../storage/format/snapshot-format.js';
import { DataTree } from '../tree/data-tree.js';
import type { Txn } from '../txn/types.js';
import { hex64, type ServerId, type Zxid } from '../util/ids.js';
import { Peer } from '../zab/peer.js';
import type { Role, ZabEffect, ZabInput } from '../zab/types.js';
import { coreConfigOf } from './core-config.js';
import { diffBudgetBytes } from './diff-budget.js';
import { snapshotContentOf, type DataDirs } from './load-database.js';
import { PeerLinks } from './peer-links.js';
import { quorumSetup, type QuorumSetup } from './quorum-config.js';
import { renderQuorumFourLetterWord } from './quorum-four-letter-words.js';
import { SnapshotScheduler } from './snapshot-scheduler.js';
import { ReplicaStorage } from './replica-storage.js';

/** Ticks of LOOKING before a member with readonlymode.enabled serves read-only clients. */
const READ_ONLY_DELAY_TICKS = 2;

export class QuorumReplica {
  private readonly tasks: Array<() => void> = [];
  private pumping = false;
  private core: ServerCore | null = null;
  private role: Role = 'looking';
  private readonly clientConns = new Set<number>();
  private unapplied: Txn[] = [];
  private incomingSnapshot: SnapshotContent | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  /** readonlymode.enabled: serves read-only once LOOKING has lasted this long. */
  private readOnlyTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private servingSinceMs = 0;
  /** Sizes of this leader's proposals (mntr's zk_*_proposal_size), -1 until the first. */
  private proposalSizes = { last: -1, min: -1, max: -1 };
  private readonly snapshots: SnapshotScheduler;
  /**
   * The applied tree and its digest check; every server core of this member uses it, so mismatches
   * counted while syncing (no core) still show in mntr.
   */
  private db: TreeDatabase;
  readonly startedMs = Date.now();
  port = 0;

  private constructor(
    readonly config: ServerConfig,
    readonly setup: QuorumSetup,
    private readonly logger: Logger,
    private readonly storage: ReplicaStorage,
    disk: NodeDisk,
    dirs: DataDirs,
    tree: DataTree,
    private readonly peer: Peer,
    private readonly links: PeerLinks,
    private readonly listener: ClientListener,
  ) {
    this.db = new TreeDatabase(tree);
    this.snapshots = new SnapshotScheduler({
      log: () => storage.log,
      disk,
      tree: () => this.db.tree,
      dirs,
      config,
      logger,
      random: Math.random,
    });
  }

  static async start(config: ServerConfig, logger: Logger): Promise<QuorumReplica> {
    const myId = readMyId(readFileSync(join(config.dataDir, 'myid'), 'utf8'));
    const setup = quorumSetup(config, myId);
    const disk = new NodeDisk();
    const dirs = { dataDir: config.dataDir, dataLogDir: config.dataLogDir };
    const { storage, tree, durable } = await ReplicaStorage.open(disk, dirs, setup.zab.configText, config.preAllocSizeKb * 1024, logger);
    const peer = new Peer(setup.zab, durable);
    // Before anything can be applied (and trimmed): the txns replayed at start are kept by it.
    peer.setDiffBudget(diffBudgetBytes(tree));
    let replica: QuorumReplica | null = null;
    const tickMs = config.tickTimeMs;
    const links = new PeerLinks({
      myId,
      me: setup.me,
      others: setup.others,
      listenOnAllIps: config.quorumListenOnAllIps,
      electionPortBindRetry: config.electionPortBindRetry,
      connectTimeoutMs: Math.max(1000, (config.initLimitTicks ?? 10) * tickMs),
      readTimeoutMs: Math.max(2000, (config.initLimitTicks ?? 10) * tickMs),
      logger: transportLogger(logger),
      events: {
        message: (from, message, snapshot) => replica?.onPeerMessage(from, message, snapshot),
        peerConnected: (peerId) => replica?.feedPeer({ kind: 'peerConnected', peer: peerId }),
        peerDisconnected: (peerId) => replica?.feedPeer({ kind: 'peerDisconnected', peer: peerId }),
      },
    });
    const listener = new ClientListener(
      { host: setup.clientHost, port: setup.clientPort, maxClientCnxns: config.maxClientCnxns, frameBytesMax: config.juteMaxBufferBytes },
      {
        connected: (conn, address, port) => replica?.onClientConnected(conn, address, port),
        frame: (conn, payload) => replica?.feedCore({ kind: 'frame', conn, payload, nowMs: Date.now() }),
        disconnected: (conn) => replica?.onClientDisconnected(conn),
        fourLetterWord: (word) => replica?.fourLetterWord(word) ?? null,
        afterInput: () => {},
        log: (level, message) => logger[level](message),
      },
    );
    replica = new QuorumReplica(config, setup, logger, storage, disk, dirs, tree, peer, links, listener);
    await links.start();
    replica.port = await listener.listen();
    logger.info({ host: setup.clientHost, port: replica.port, myId }, 'client port open (serving once in a quorum)');
    replica.run(() => replica!.performPeer(peer.start()));
    replica.tickTimer = setInterval(() => replica!.onTick(), setup.peerTickMs);
    return replica;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    if (this.readOnlyTimer !== null) clearTimeout(this.readOnlyTimer);
    await this.listener.stop();
    await this.links.close();
    await this.snapshots.stop();
    await this.storage.close();
  }

  // ---- the task queue ----------------------------------------------------------------------------

  private run(task: () => void): void {
    if (this.stopped) return;
    this.tasks.push(task);
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let next = this.tasks.shift(); next !== undefined; next = this.tasks.shift()) {
        if (this.stopped) break;
        next();
      }
    } finally {
      this.pumping = false;
    }
  }

  private feedPeer(input: ZabInput): void {
    this.run(() => this.performPeer(this.peer.step(input)));
  }

  private feedCore(input: CoreInput): void {
    this.run(() => {
      if (this.core !== null) this.performCore(this.core.step(input));
    });
  }

  private onTick(): void {
    const nowMs = Date.now();
    this.peer.setDiffBudget(diffBudgetBytes(this.db.tree));
    this.feedPeer({ kind: 'tick' });
    this.run(() => {
      const core = this.core;
      if (core === null) return;
      this.performCore(core.step({ kind: 'tick', nowMs }));
      if (core.config.mode === 'learner') {
        const touches = core.takeTouches();
        if (touches.length > 0) this.performPeer(this.peer.step({ kind: 'touchSessions', touches }));
      }
    });
  }

  private onPeerMessage(from: ServerId, message: import('../zab/messages.js').PeerMessage, snapshot: SnapshotContent | null): void {
    if (snapshot !== null) this.incomingSnapshot = snapshot;
    this.feedPeer({ kind: 'message', from, message });
  }

  // ---- clients -----------------------------------------------------------------------------------

  private onClientConnected(conn: number, address: string, port: number): void {
    this.run(() => {
      if (this.core === null) {
        // Not in a quorum: refuse, as ZooKeeper does while its server is not running.
        this.listener.close(conn);
        return;
      }
      this.clientConns.add(conn);
      this.performCore(this.core.step({ kind: 'connected', conn, address, port, nowMs: Date.now() }));
    });
  }

  private onClientDisconnected(conn: number): void {
    this.run(() => {
      if (!this.clientConns.delete(conn) || this.core === null) return;
      this.performCore(this.core.step({ kind: 'disconnected', conn, nowMs: Date.now() }));
    });
  }

  private performCore(effects: readonly CoreEffect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          this.listener.send(effect.conn, effect.bytes);
          break;
        case 'close':
          this.listener.close(effect.conn);
          break;
        case 'pauseReads':
          this.listener.pauseReads(effect.conn, effect.paused);
          break;
        case 'propose':
          this.performPeer(this.peer.step({ kind: 'propose', txn: effect.txn }));
          break;
        case 'forward':
          this.performPeer(this.peer.step({ kind: 'forward', request: effect.request }));
          break;
        case 'revalidate':
          this.performPeer(this.peer.step({ kind: 'revalidate', sessionId: effect.sessionId, timeoutMs: effect.timeoutMs }));
          break;
      }
    }
  }

  /** Starts a server core for the role the peer now serves in. */
  private startServing(leader: ServerId): void {
    const mode: CoreMode = leader === this.setup.zab.myId ? 'leader' : 'learner';
    const nextZxid = mode === 'leader' ? (this.peer.nextZxid() ?? undefined) : undefined;
    this.core = new ServerCore(this.db, coreConfigOf(this.config, mode, this.setup.zab.myId), Date.now(), nextZxid);
    this.servingSinceMs = Date.now();
    this.logger.info({ mode: mode === 'leader' ? 'leader' : this.role, leader, lastZxid: `0x${hex64(this.db.lastProcessedZxid)}` }, 'serving clients');
  }

  /**
   * With readonlymode.enabled, a member that stays LOOKING (cut off from its quorum) for a few
   * ticks serves read-only clients until it rejoins a quorum, as ZooKeeper's ReadOnlyZooKeeperServer.
   */
  private scheduleReadOnly(): void {
    if (this.readOnlyTimer !== null) clearTimeout(this.readOnlyTimer);
    this.readOnlyTimer = null;
    if (!this.config.readOnlyModeEnabled || this.role !== 'looking' || this.stopped) return;
    this.readOnlyTimer = setTimeout(() => {
      this.readOnlyTimer = null;
      this.run(() => {
        if (this.role !== 'looking' || this.core !== null) return;
        this.core = new ServerCore(this.db, coreConfigOf(this.config, 'readOnly', this.setup.zab.myId), Date.now());
        this.logger.info({ lastZxid: `0x${hex64(this.db.lastProcessedZxid)}` }, 'no quorum: serving read-only clients');
      });
    }, READ_ONLY_DELAY_TICKS * this.config.tickTimeMs);
  }

  private stopServing(): void {
    if (this.core === null) return;
    this.core = null;
    for (const conn of this.clientConns) this.listener.close(conn);
    this.clientConns.clear();
  }

  // ---- the consensus core's effects ---------------------------------------------------------------

  private performPeer(effects: readonly ZabEffect[]): void {
    for (const e of effects) {
      if (this.stopped) return;
      switch (e.kind) {
        case 'send':
          this.links.send(e.to, e.message);
          break;
        case 'disconnect':
          this.links.disconnect(e.peer);
          break;
        case 'persist':
          this.persist(e.txns);
          break;
        case 'commit':
          this.applyUpTo(e.zxidUpTo);
          break;
        case 'saveEpochs':
          this.afterDisk('saving the epochs', this.storage.saveEpochs(e.acceptedEpoch, e.currentEpoch), { kind: 'epochsSaved' });
          break;
        case 'truncate':
          this.afterDisk(`log truncation to 0x${hex64(e.zxid)} (TRUNC)`, this.storage.truncate(e.zxid), { kind: 'truncated', zxid: e.zxid });
          break;
        case 'loadSnapshot': {
          const content = this.incomingSnapshot;
          this.incomingSnapshot = null;
          if (content === null) return this.fail('SNAP without its body', new Error(`loadSnapshot 0x${hex64(e.zxid)}`));
          this.afterDisk(`loading the leader's snapshot 0x${hex64(e.zxid)} (SNAP)`, this.storage.loadSnapshot(content, e.zxid), { kind: 'snapshotLoaded', zxid: e.zxid });
          break;
        }
        case 'sendSnapshot':
          this.sendSnapshot(e.to, e.zxid);
          break;
        case 'roleChanged':
          this.role = e.role;
          this.stopServing();
          this.scheduleReadOnly();
          this.logger.info({ role: e.role, epoch: e.epoch, leader: e.leader }, 'role changed');
          break;
        case 'serving':
          this.startServing(e.leader);
          break;
        case 'proposalRejected':
          // The server core's prep state now holds a txn that will never commit: start afresh.
          this.logger.warn({ zxid: `0x${hex64(e.txn.header.zxid)}`, reason: e.reason }, 'proposal rejected');
          this.stopServing();
          if (this.peer.nextZxid() !== null) this.startServing(this.setup.zab.myId);
          break;
        case 'requestReceived':
          if (this.core !== null) this.performCore(this.core.step({ kind: 'forwarded', from: e.from, request: e.request, nowMs: Date.now() }));
          break;
        case 'sessionsTouched':
          if (this.core !== null) this.performCore(this.core.step({ kind: 'sessionsTouched', touches: e.touches, nowMs: Date.now() }));
          break;
        case 'revalidateRequested': {
          const valid = this.core?.revalidate(e.from, e.sessionId, Date.now()) ?? false;
          this.performPeer(this.peer.step({ kind: 'revalidateReply', to: e.from, sessionId: e.sessionId, valid }));
          break;
        }
        case 'syncCompleted':
          if (this.core !== null) this.performCore(this.core.step({ kind: 'syncCompleted', nowMs: Date.now() }));
          break;
        case 'revalidated':
          if (this.core !== null) this.performCore(this.core.step({ kind: 'revalidated', sessionId: e.sessionId, valid: e.valid, nowMs: Date.now() }));
          break;
      }
    }
  }

  private persist(txns: readonly Txn[]): void {
    let last: Promise<void> | null = null;
    const leading = this.role === 'leading';
    for (const txn of txns) {
      this.unapplied.push(txn);
      const appended = this.storage.append(txn);
      last = appended.durable;
      if (leading) this.noteProposalSize(appended.entryBytes);
    }
    const upTo = txns.at(-1)?.header.zxid;
    if (last === null || upTo === undefined) return;
    last.then(
      () => this.feedPeer({ kind: 'persisted', zxidUpTo: upTo }),
      (err: unknown) => this.fail('txn log write failed', err),
    );
  }

  private noteProposalSize(bytes: number): void {
    const s = this.proposalSizes;
    this.proposalSizes = { last: bytes, min: s.min < 0 ? bytes : Math.min(s.min, bytes), max: Math.max(s.max, bytes) };
  }

  /** Applies logged txns up to `upTo` in zxid order. */
  private applyUpTo(upTo: Zxid): void {
    while (this.unapplied.length > 0 && this.unapplied[0]!.header.zxid <= upTo) {
      const txn = this.unapplied.shift()!;
      if (txn.header.zxid <= this.db.lastProcessedZxid) continue; // already in the tree (reload)
      const mismatchesBefore = this.db.digestMismatches;
      // Through the server core when one serves (replies, watches); straight to the database while syncing.
      if (this.core !== null) this.performCore(this.core.step({ kind: 'committed', txn, nowMs: Date.now() }));
      else this.db.apply(txn);
      if (this.db.digestMismatches > mismatchesBefore) {
        this.logger.error({ zxid: `0x${hex64(txn.header.zxid)}` }, 'digest mismatch: this server diverged from the txn\'s author');
      }
      this.snapshots.noteCommitted();
    }
  }

  /** Disk work the consensus core waits for: its completion goes back as `then`. */
  private afterDisk(what: string, work: Promise<DataTree | void>, then: ZabInput): void {
    work.then(
      (tree) => {
        if (tree instanceof DataTree) {
          // TRUNC or SNAP: the member goes on from this tree; nothing logged before is pending.
          this.db = new TreeDatabase(tree);
          this.unapplied = [];
          this.logger.info({ lastZxid: `0x${hex64(tree.lastProcessedZxid)}`, nodes: tree.nodeCount() }, `${what} done`);
        }
        this.feedPeer(then);
      },
      (err: unknown) => this.fail(`${what} failed`, err),
    );
  }

  private sendSnapshot(to: ServerId, zxid: Zxid): void {
    if (this.db.lastProcessedZxid !== zxid) {
      this.logger.error({ to, zxid: `0x${hex64(zxid)}`, applied: `0x${hex64(this.db.lastProcessedZxid)}` }, 'SNAP zxid differs from the tree');
    }
    const ok = this.links.sendSnapshot(to, snapshotContentOf(this.db.tree));
    if (!ok) this.feedPeer({ kind: 'snapshotSent', to, ok: false });
  }

  private fail(what: string, err: unknown): void {
    if (this.stopped) return;
    this.logger.fatal({ err }, `${what}: stopping so as never to serve ahead of the disk`);
    void this.stop().finally(() => process.exit(3));
  }

  // ---- four-letter words -------------------------------------------------------------------------

  private fourLetterWord(word: string): string | null {
    const counts = this.peer.learnerCounts();
    return renderQuorumFourLetterWord(word, {
      config: this.config,
      core: this.core,
      role: this.role,
      myId: this.setup.zab.myId,
      leader: this.peer.status().leader,
      clientPort: this.port,
      startedMs: this.startedMs,
      quorumSize: this.setup.zab.voters.length,
      quorumConf: {
        electionPort: this.setup.me.electionPort,
        quorumPort: this.setup.me.quorumPort,
        observer: this.setup.me.role === 'observer',
        configText: this.setup.zab.configText,
      },
      leaderFacts:
        counts === null || this.core === null
          ? null
          : { ...counts, syncedNonVotingFollowers: 0, leaderUptimeMs: Date.now() - this.servingSinceMs, proposalSizes: this.proposalSizes },
    });
  }
}

function transportLogger(logger: Logger): import('./net/runtime.js').TransportLogger {
  return {
    debug: (fields, message) => logger.debug(fields, message),
    info: (fields, message) => logger.info(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
  };
}
