import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TxnLog, LogFailedError } from '../../../src/storage/txn-log.js';
import { readLog, lastLoggedZxid, truncateLog, listLogFiles } from '../../../src/storage/log-files.js';
import { scanLogFile } from '../../../src/storage/format/log-record.js';
import { AssertionError } from '../../../src/util/assert.js';
import { MemoryDisk } from './memory-disk.js';
import { createSessionEntry, z } from './entries.js';

const DIR = '/data/version-2';

async function collect(disk: MemoryDisk, from = 0): Promise<bigint[]> {
  const out: bigint[] = [];
  for await (const e of readLog(disk, DIR, z(from))) out.push(e.zxid);
  return out;
}

/** Holds every file sync until `release()`; counts the waiting ones. */
function gate(disk: MemoryDisk): { release: () => void; waiting: () => number } {
  let waiters: Array<() => void> = [];
  disk.syncGate = () => new Promise<void>((resolve) => waiters.push(resolve));
  return {
    release: () => {
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    },
    waiting: () => waiters.length,
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

describe('txn log writer', () => {
  test('round trip across a roll; files named by first zxid; header and records readable', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    assert.equal(log.lastZxid, null);
    for (let i = 1; i <= 3; i++) await log.append(z(i), createSessionEntry(BigInt(i)));
    log.roll();
    for (let i = 4; i <= 5; i++) await log.append(z(i), createSessionEntry(BigInt(i)));
    await log.close();
    assert.deepEqual((await listLogFiles(disk, DIR)).map((f) => f.name), ['log.1', 'log.4']);
    assert.deepEqual(await collect(disk), [1n, 2n, 3n, 4n, 5n]);
    assert.deepEqual(await collect(disk, 3), [3n, 4n, 5n]);
    assert.deepEqual(await collect(disk, 5), [5n]);
    assert.equal(await lastLoggedZxid(disk, DIR), 5n);
    // Reopening never appends to an existing file.
    const again = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    assert.equal(again.lastZxid, 5n);
    await again.append(z(6), createSessionEntry(6n));
    assert.deepEqual((await listLogFiles(disk, DIR)).map((f) => f.name), ['log.1', 'log.4', 'log.6']);
    assert.deepEqual(await collect(disk), [1n, 2n, 3n, 4n, 5n, 6n]);
  });

  test('preallocation: 4 KB gives 4112 bytes for one record, 8208 after a second batch', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    await log.append(z(1), createSessionEntry(1n));
    assert.equal(disk.node(`${DIR}/log.1`).data.length, 4112);
    await log.append(z(2), createSessionEntry(2n));
    assert.equal(disk.node(`${DIR}/log.1`).data.length, 8208);
    await log.append(z(3), createSessionEntry(3n));
    assert.equal(disk.node(`${DIR}/log.1`).data.length, 8208);
    const scan = scanLogFile(disk.node(`${DIR}/log.1`).data);
    assert.deepEqual(scan.tail, { kind: 'clean' });
    assert.equal(scan.records.length, 3);
    const noPrealloc = new MemoryDisk();
    const plain = await TxnLog.open(noPrealloc, DIR, { preAllocBytes: 0 });
    await plain.append(z(1), createSessionEntry(1n));
    assert.equal(noPrealloc.node(`${DIR}/log.1`).data.length, 16 + 13 + createSessionEntry(1n).length);
  });

  test('group commit: appends during an fsync share the next single fsync; none resolves early', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    const g = gate(disk);
    const resolved = new Set<number>();
    const track = (n: number): Promise<void> => log.append(z(n), createSessionEntry(BigInt(n))).then(() => void resolved.add(n));
    const first = track(1);
    await settle();
    assert.equal(g.waiting(), 1, 'the first fsync is in flight');
    const rest = [2, 3, 4, 5, 6, 7, 8, 9, 10].map(track);
    await settle();
    assert.equal(g.waiting(), 1, 'no second fsync while one runs');
    assert.equal(resolved.size, 0, 'nothing resolves before its fsync');
    g.release();
    await first;
    await settle();
    assert.deepEqual([...resolved], [1], 'only the first append was covered');
    assert.equal(g.waiting(), 1, 'one more fsync for all the rest');
    g.release();
    await Promise.all(rest);
    assert.equal(resolved.size, 10);
    assert.equal(log.syncCount, 2);
    assert.equal(disk.syncsInFlightMax, 1);
    assert.equal(log.durableZxid, 10n);
    disk.syncGate = null;
    await log.commit();
    assert.equal(log.syncCount, 2, 'commit with nothing pending does not fsync');
  });

  test('commit resolves after the fsync covering everything appended', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    const g = gate(disk);
    void log.append(z(1), createSessionEntry(1n));
    void log.append(z(2), createSessionEntry(2n));
    let committed = false;
    const c = log.commit().then(() => (committed = true));
    await settle();
    assert.equal(committed, false);
    assert.equal(log.durableZxid, null);
    g.release();
    await c;
    assert.equal(log.durableZxid, 2n);
    assert.equal(log.syncCount, 1);
  });

  test('a roll inside a batch fsyncs the old file before creating the new one; dir fsynced per file', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    const a = log.append(z(1), createSessionEntry(1n));
    log.roll();
    const b = log.append(z(2), createSessionEntry(2n));
    await Promise.all([a, b]);
    const events = disk.events.filter((e) => /^(sync|syncDir|open)/.test(e));
    assert.deepEqual(events, [
      `open ${DIR}/log.1 create`,
      `syncDir ${DIR}`,
      `sync ${DIR}/log.1`,
      `open ${DIR}/log.2 create`,
      `syncDir ${DIR}`,
      `sync ${DIR}/log.2`,
    ]);
  });

  test('a failed fsync rejects the batch and everything after; the log stays failed', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    await log.append(z(1), createSessionEntry(1n));
    disk.failNextSync = Object.assign(new Error('EIO'), { code: 'EIO' });
    const g = gate(disk);
    const p2 = log.append(z(2), createSessionEntry(2n));
    await settle();
    const p3 = log.append(z(3), createSessionEntry(3n));
    g.release();
    await assert.rejects(p2, LogFailedError);
    await assert.rejects(p3, LogFailedError);
    disk.syncGate = null;
    await assert.rejects(log.append(z(4), createSessionEntry(4n)), LogFailedError);
    await assert.rejects(log.commit(), LogFailedError);
    assert.equal(log.durableZxid, 1n);
    assert.ok(log.failed !== null);
    await log.close();
    await assert.rejects(log.truncate(z(1)), LogFailedError);
  });

  test('a failed write fails the log too', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    disk.failNextWrite = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    await assert.rejects(log.append(z(1), createSessionEntry(1n)), (err: unknown) => err instanceof LogFailedError && (err.cause as { code?: string }).code === 'ENOSPC');
    await assert.rejects(log.append(z(2), createSessionEntry(2n)), LogFailedError);
  });

  test('a batch bigger than the write run and the preallocation: split writes, one fsync, readable', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    const big = (n: number): Uint8Array => {
      const entry = new Uint8Array(1_500_000);
      entry.set(createSessionEntry(BigInt(n)));
      return entry;
    };
    await Promise.all([1, 2, 3, 4].map((n) => log.append(z(n), big(n))));
    assert.equal(log.syncCount, 1);
    assert.ok(disk.events.filter((e) => e.startsWith(`write ${DIR}/log.1`)).length >= 3);
    await log.append(z(5), createSessionEntry(5n));
    const bytes = disk.node(`${DIR}/log.1`).data;
    // The second batch started past the padded size: rounded down to a multiple of 4 KB (§3.2).
    const dataEnd = 16 + 4 * (1_500_000 + 13);
    assert.equal(bytes.length, dataEnd + 4096 - ((dataEnd + 4096) % 4096));
    assert.deepEqual(await collect(disk), [1n, 2n, 3n, 4n, 5n]);
  });

  test('zxids must increase and match the entry header', async () => {
    const disk = new MemoryDisk();
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    await log.append(z(5), createSessionEntry(5n));
    assert.throws(() => void log.append(z(5), createSessionEntry(5n)), AssertionError);
    assert.throws(() => void log.append(z(6), createSessionEntry(7n)), AssertionError);
  });
});

test('open without lastZxid cuts a torn tail before appending to a new file', async () => {
  const disk = new MemoryDisk();
  const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
  for (let i = 1; i <= 3; i++) await log.append(z(i), createSessionEntry(BigInt(i)));
  await log.close();
  const bytes = disk.node(`${DIR}/log.1`).data;
  const third = scanLogFile(bytes).records[2]!.offset;
  bytes.fill(0, third + 30); // the third record never fully reached the disk
  const reopened = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
  assert.equal(reopened.lastZxid, 2n);
  await reopened.append(z(3), createSessionEntry(3n));
  assert.deepEqual(await collect(disk), [1n, 2n, 3n]);
  assert.equal(disk.node(`${DIR}/log.1`).data.length, third);
});

describe('truncation (§3.5)', () => {
  async function build(disk: MemoryDisk): Promise<void> {
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    for (const [from, to] of [[1, 4], [5, 8], [9, 12]] as const) {
      for (let i = from; i <= to; i++) await log.append(z(i), createSessionEntry(BigInt(i)));
      log.roll();
    }
    await log.close();
  }

  test('cuts right after the record, deletes later files, leaves no zero fill', async () => {
    const disk = new MemoryDisk();
    await build(disk);
    assert.equal(await truncateLog(disk, DIR, z(6)), 6n);
    assert.deepEqual((await listLogFiles(disk, DIR)).map((f) => f.name), ['log.1', 'log.5']);
    const bytes = disk.node(`${DIR}/log.5`).data;
    const scan = scanLogFile(bytes);
    assert.equal(scan.dataEnd, bytes.length, 'no zero fill after the cut');
    assert.deepEqual(await collect(disk), [1n, 2n, 3n, 4n, 5n, 6n]);
  });

  test('truncating to a file boundary, to the end, and before everything', async () => {
    const disk = new MemoryDisk();
    await build(disk);
    assert.equal(await truncateLog(disk, DIR, z(12)), 12n);
    assert.deepEqual(await collect(disk), [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n]);
    assert.equal(await truncateLog(disk, DIR, z(8)), 8n);
    assert.deepEqual((await listLogFiles(disk, DIR)).map((f) => f.name), ['log.1', 'log.5']);
    assert.equal(await truncateLog(disk, DIR, z(0)), null);
    assert.deepEqual(await listLogFiles(disk, DIR), []);
  });

  test('TxnLog.truncate: next append starts a new file after the cut', async () => {
    const disk = new MemoryDisk();
    await build(disk);
    const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
    assert.equal(log.lastZxid, 12n);
    await log.truncate(z(0x6));
    assert.equal(log.lastZxid, 6n);
    await log.append(z(0x100000001), createSessionEntry(0x100000001n));
    assert.deepEqual((await listLogFiles(disk, DIR)).map((f) => f.name), ['log.1', 'log.5', 'log.100000001']);
    assert.deepEqual(await collect(disk, 6), [6n, 0x100000001n]);
  });
});
