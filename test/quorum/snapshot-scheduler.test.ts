// SnapshotScheduler over an in-memory disk: a snapshot starts once snapCount/2 + a random share
// of snapCount/2 txns were committed, rolls the log first, is named by the tree's zxid, and only
// one runs at a time (commits during one count towards the next); autopurge keeps the N newest
// snapshots and the logs needed to replay from the oldest kept, at start and on demand; stop()
// waits for the work in flight and starts nothing new.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SnapshotScheduler, nextSnapshotThreshold, type SnapshotSchedulerConfig } from '../../src/quorum/snapshot-scheduler.js';
import { TxnLog } from '../../src/storage/txn-log.js';
import { readLog } from '../../src/storage/log-files.js';
import { DataTree } from '../../src/tree/data-tree.js';
import { MemoryDisk } from '../unit/storage/memory-disk.js';
import { createSessionEntry, z } from '../unit/storage/entries.js';
import { waitFor } from './helpers.js';

const DIR = '/d/version-2';

/** Holds each snapshot's final rename while `gate` is set (txn log writes go through). */
class GatedDisk extends MemoryDisk {
  gate: Promise<void> | null = null;
  override async rename(from: string, to: string): Promise<void> {
    if (this.gate !== null && to.includes('snapshot.')) await this.gate;
    return super.rename(from, to);
  }
}

async function setup(config: Partial<SnapshotSchedulerConfig> = {}, random = () => 0) {
  const disk = new GatedDisk();
  const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
  const tree = DataTree.fresh();
  const lines: { fields: object; message: string }[] = [];
  const logger = { info: (fields: object, message: string) => lines.push({ fields, message }), error: (fields: object, message: string) => lines.push({ fields, message }) };
  const scheduler = new SnapshotScheduler({
    log: () => log,
    disk,
    tree: () => tree,
    dirs: { dataDir: '/d', dataLogDir: '/d' },
    config: { snapCount: 10, snapshotCompression: null, autopurgeSnapRetainCount: 3, autopurgePurgeIntervalHours: 0, ...config },
    logger,
    random,
  });
  let next = 1;
  /** Logs and applies one txn, then tells the scheduler, as a server does. */
  const commit = async (): Promise<void> => {
    const zxid = z(next++);
    await log.append(zxid, createSessionEntry(zxid));
    tree.lastProcessedZxid = zxid;
    scheduler.noteCommitted();
  };
  const files = async (prefix: string) => (await disk.list(DIR)).filter((n) => n.startsWith(prefix) && !n.endsWith('.tmp')).sort((a, b) => Number(BigInt(`0x${a.split('.')[1]}`) - BigInt(`0x${b.split('.')[1]}`)));
  return { disk, log, tree, scheduler, commit, files, lines };
}

describe('SnapshotScheduler', () => {
  test('threshold: snapCount/2 plus a random share of snapCount/2', () => {
    assert.equal(nextSnapshotThreshold(10, () => 0), 5);
    assert.equal(nextSnapshotThreshold(10, () => 0.999), 9);
    assert.equal(nextSnapshotThreshold(2, () => 0.5), 1);
  });

  test('a snapshot starts at the threshold, rolls the log and is named by the applied zxid', async () => {
    const { scheduler, commit, files, disk, log } = await setup({}, () => 0.5); // threshold 5 + 2 = 7
    assert.deepEqual(scheduler.progress, { txnsSinceSnapshot: 0, threshold: 7 });
    for (let i = 0; i < 6; i++) await commit();
    assert.equal(scheduler.snapshotInFlight, false);
    await commit();
    assert.equal(scheduler.snapshotInFlight, true);
    await scheduler.stop();
    assert.deepEqual(await files('snapshot.'), ['snapshot.7']);
    // The next txn starts a new log segment: replay from the snapshot needs only that file.
    await log.append(z(8), createSessionEntry(8n));
    await log.close();
    assert.deepEqual(await files('log.'), ['log.1', 'log.8']);
    const replay: bigint[] = [];
    for await (const e of readLog(disk, DIR, z(8))) replay.push(e.zxid);
    assert.deepEqual(replay, [8n]);
  });

  test('one snapshot at a time: commits during one count towards the next', async () => {
    const { scheduler, commit, files, disk } = await setup(); // threshold 5
    for (let i = 0; i < 4; i++) await commit();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    disk.gate = held;
    await commit(); // starts snapshot.5, held before its rename
    assert.equal(scheduler.snapshotInFlight, true);
    for (let i = 0; i < 12; i++) await commit();
    assert.equal(scheduler.progress.txnsSinceSnapshot, 12);
    assert.deepEqual(await files('snapshot.'), []);
    disk.gate = null;
    release();
    await waitFor('snapshot.5 written', () => !scheduler.snapshotInFlight, 2_000);
    assert.deepEqual(await files('snapshot.'), ['snapshot.5']);
    await commit(); // 13 >= 5: the next one starts at once
    await scheduler.stop();
    assert.deepEqual(await files('snapshot.'), ['snapshot.5', 'snapshot.12']);
    assert.equal(scheduler.snapshotInFlight, false);
    for (let i = 0; i < 10; i++) await commit();
    assert.equal(scheduler.snapshotInFlight, false, 'nothing starts after stop()');
  });

  test('takeNow and purgeNow keep the newest N snapshots and the logs needed to replay', async () => {
    const { scheduler, commit, files, disk } = await setup({ snapCount: 1_000_000 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) await commit();
      await scheduler.takeNow(); // 3, 6, 9, 0xc, 0xf
    }
    await commit();
    assert.deepEqual(await files('snapshot.'), ['snapshot.3', 'snapshot.6', 'snapshot.9', 'snapshot.c', 'snapshot.f']);
    assert.deepEqual(await files('log.'), ['log.1', 'log.4', 'log.7', 'log.a', 'log.d', 'log.10']);
    const deleted = await scheduler.purgeNow();
    assert.deepEqual(deleted.sort(), ['log.1', 'log.4', 'log.7', 'snapshot.3', 'snapshot.6'].sort());
    assert.deepEqual(await files('snapshot.'), ['snapshot.9', 'snapshot.c', 'snapshot.f']);
    const replay: bigint[] = [];
    for await (const e of readLog(disk, DIR, z(0xa))) replay.push(e.zxid);
    assert.deepEqual(replay, [10n, 11n, 12n, 13n, 14n, 15n, 16n]);
    await scheduler.stop();
  });

  test('with purgeInterval set, a purge runs at start; stop() clears the timer', async () => {
    const { scheduler: first, commit, files, disk, log } = await setup({ snapCount: 1_000_000 });
    for (let round = 0; round < 5; round++) {
      await commit();
      await first.takeNow();
    }
    await first.stop();
    await log.close();
    assert.equal((await files('snapshot.')).length, 5);
    const lines: string[] = [];
    const log5 = await TxnLog.open(disk, DIR, { preAllocBytes: 4096, lastZxid: z(5) });
    const scheduler = new SnapshotScheduler({
      log: () => log5,
      disk,
      tree: () => DataTree.fresh(),
      dirs: { dataDir: '/d', dataLogDir: '/d' },
      config: { snapCount: 10, snapshotCompression: null, autopurgeSnapRetainCount: 4, autopurgePurgeIntervalHours: 24 },
      logger: { info: (_fields, message) => lines.push(message), error: (_fields, message) => lines.push(message) },
      random: () => 0,
    });
    await waitFor('purge at start', () => lines.includes('purge finished'), 2_000);
    assert.deepEqual(await files('snapshot.'), ['snapshot.2', 'snapshot.3', 'snapshot.4', 'snapshot.5']);
    await scheduler.stop();
  });
});
