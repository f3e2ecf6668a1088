// A standalone server: the server core over the real network, disk and clock, as an ensemble of
// one (design.md §3). It is the one place that knows the core and storage: it performs the
// core's effects in order and feeds completions back — a proposal is logged, and only after its
// fsync is it fed back as committed. A failed log write stops the server instead of letting it
// serve ahead of its disk.

import type { Logger } from 'pino';
import { NodeDisk } from '../io/node/disk.js';
import { ClientListener } from '../server/net/client-listener.js';
import { ServerCore } from '../server/core/server-core.js';
import { TreeDatabase } from '../server/core/tree-database.js';
import { renderFourLetterWord } from '../server/core/four-letter-words.js';
import type { CoreEffect, CoreInput } from '../server/core/types.js';
import { ALL_FOUR_LETTER_WORDS, notWhitelistedMessage, renderConf, type ServerConfig } from '../config/index.js';
import { TxnLog } from '../storage/txn-log.js';
import { writeSnapshot } from '../storage/snapshots.js';
import { SnapshotScheduler } from './snapshot-scheduler.js';
import { encodeTxnEntry } from '../txn/codec.js';
import type { Txn } from '../txn/types.js';
import { hex64 } from '../util/ids.js';
import type { DataTree } from '../tree/data-tree.js';
import { loadDatabase, logDir, snapshotContentOf, snapshotDir } from './load-database.js';
import { javaDateString } from '../util/java-date.js';
import { coreConfigOf } from './core-config.js';
import { directorySizes, environment, openFileDescriptors } from './runtime-info.js';


interface Proposal {
  readonly txn: Txn;
  durable: boolean;
}

export class StandaloneServer {
  private readonly proposals: Proposal[] = [];
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly startedMs = Date.now();
  private stopped = false;
  private readonly snapshots: SnapshotScheduler;
  port = 0;

  private constructor(
    readonly config: ServerConfig,
    private readonly logger: Logger,
    private readonly core: ServerCore,
    private readonly log: TxnLog,
    disk: NodeDisk,
    tree: DataTree,
    private listener: ClientListener | null = null,
  ) {
    this.snapshots = new SnapshotScheduler({
      log: () => log,
      disk,
      tree: () => tree,
      dirs: { dataDir: config.dataDir, dataLogDir: config.dataLogDir },
      config,
      logger,
      random: Math.random,
    });
  }

  static async start(config: ServerConfig, logger: Logger): Promise<StandaloneServer> {
    const disk = new NodeDisk();
    const dirs = { dataDir: config.dataDir, dataLogDir: config.dataLogDir };
    const loaded = await loadDatabase(disk, dirs);
    for (const repair of loaded.repairs) logger.warn({ repair }, 'truncated a torn txn log tail');
    const tree = loaded.tree;
    logger.info(
      { snapshotZxid: `0x${hex64(loaded.snapshotZxid)}`, replayedTxns: loaded.replayedTxns, lastZxid: `0x${hex64(tree.lastProcessedZxid)}` },
      'database loaded',
    );
    if (loaded.replayedTxns > 0) {
      // As ZooKeeper does at standalone start: a snapshot of what was loaded shortens the next replay.
      await writeSnapshot(disk, snapshotDir(dirs), tree.lastProcessedZxid, snapshotContentOf(tree));
    }
    const log = await TxnLog.open(disk, logDir(dirs), {
      preAllocBytes: config.preAllocSizeKb * 1024,
      lastZxid: tree.lastProcessedZxid,
    });
    const core = new ServerCore(new TreeDatabase(tree), coreConfigOf(config, 'standalone', 0), Date.now());
    const server = new StandaloneServer(config, logger, core, log, disk, tree);
    await server.listen();
    return server;
  }

  private async listen(): Promise<void> {
    const host = this.config.clientPortAddress ?? '0.0.0.0';
    this.listener = new ClientListener(
      {
        host,
        port: this.config.clientPort ?? 2181,
        maxClientCnxns: this.config.maxClientCnxns,
        frameBytesMax: this.config.juteMaxBufferBytes,
      },
      {
        connected: (conn, address, port) => this.input({ kind: 'connected', conn, address, port, nowMs: Date.now() }),
        frame: (conn, payload) => this.input({ kind: 'frame', conn, payload, nowMs: Date.now() }),
        disconnected: (conn) => this.input({ kind: 'disconnected', conn, nowMs: Date.now() }),
        fourLetterWord: (word) => this.fourLetterWord(word),
        afterInput: () => {},
        log: (level, message) => this.logger[level](message),
      },
    );
    this.port = await this.listener.listen();
    const tickMs = Math.max(10, Math.min(this.config.tickTimeMs / 2, 1000));
    this.tickTimer = setInterval(() => this.input({ kind: 'tick', nowMs: Date.now() }), tickMs);
    this.logger.info({ host, port: this.port }, 'serving clients');
  }

  private input(input: CoreInput): void {
    if (this.stopped) return;
    this.perform(this.core.step(input));
  }

  private perform(effects: readonly CoreEffect[]): void {
    const listener = this.listener!;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'send':
          listener.send(effect.conn, effect.bytes);
          break;
        case 'close':
          listener.close(effect.conn);
          break;
        case 'pauseReads':
          listener.pauseReads(effect.conn, effect.paused);
          break;
        case 'propose':
          this.propose(effect.txn);
          break;
      }
    }
  }

  private propose(txn: Txn): void {
    const proposal: Proposal = { txn, durable: false };
    this.proposals.push(proposal);
    this.log.append(txn.header.zxid, encodeTxnEntry(txn)).then(
      () => {
        proposal.durable = true;
        this.commitDurable();
      },
      (err: unknown) => this.fail(err),
    );
  }

  /** Feeds durable proposals to the core in zxid order (a quorum of one has them). */
  private commitDurable(): void {
    while (this.proposals.length > 0 && this.proposals[0]!.durable) {
      const { txn } = this.proposals.shift()!;
      this.input({ kind: 'committed', txn, nowMs: Date.now() });
      // Counted after the core applied it, so the snapshot's zxid is never ahead of the tree.
      this.snapshots.noteCommitted();
    }
  }

  private fail(err: unknown): void {
    if (this.stopped) return;
    this.logger.fatal({ err }, 'txn log write failed: stopping so as never to serve ahead of the disk');
    void this.stop().finally(() => process.exit(3));
  }

  private fourLetterWord(word: string): string | null {
    if (!ALL_FOUR_LETTER_WORDS.includes(word)) return null;
    if (!this.config.fourLetterWords.has(word)) return notWhitelistedMessage(word);
    const nowMs = Date.now();
    const dirSizes = directorySizes(this.config.dataDir, this.config.dataLogDir);
    return renderFourLetterWord(word, this.core, {
      nowMs,
      monotonicMs: Math.round(performance.now()),
      uptimeMs: nowMs - this.startedMs,
      mode: 'standalone',
      readOnly: false,
      dirSizes,
      conf: () => renderConf(this.config, { ...dirSizes(), serverId: 0, clientPort: this.port }),
      environment,
      formatDate: javaDateString,
      openFileDescriptors,
      maxFileDescriptors: 1048576,
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    await this.listener?.stop();
    await this.snapshots.stop();
    await this.log.close().catch(() => {});
  }
}
