// loadDatabase keeps the newest replayed txns for DIFF: at least recentTxnsMax, and beyond that as
// many as weigh under the budget the loaded tree allows (bounded by recentBytesMax while replaying);
// none by default (a standalone server).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDatabase } from '../../src/quorum/load-database.js';
import { TxnLog } from '../../src/storage/txn-log.js';
import { MemoryDisk } from '../unit/storage/memory-disk.js';
import { createSessionEntry, z } from '../unit/storage/entries.js';

const DIRS = { dataDir: '/d', dataLogDir: '/d' };
const TXNS = 300;
const ENTRY_BYTES = createSessionEntry(1n).length;

async function dataDirWithLog(): Promise<MemoryDisk> {
  const disk = new MemoryDisk();
  await loadDatabase(disk, DIRS); // writes snapshot.0
  const log = await TxnLog.open(disk, '/d/version-2', { preAllocBytes: 4096 });
  for (let i = 1; i <= TXNS; i++) await log.append(z(i), createSessionEntry(BigInt(i)));
  await log.close();
  return disk;
}

const zxidsOf = (loaded: { recentTxns: readonly { header: { zxid: bigint } }[] }): bigint[] => loaded.recentTxns.map((t) => t.header.zxid);
const newest = (count: number): bigint[] => Array.from({ length: count }, (_, i) => BigInt(TXNS - count + 1 + i));

describe('loadDatabase recent txns', () => {
  test('none by default; the newest recentTxnsMax by count; more within the budget, up to the bound', async () => {
    const disk = await dataDirWithLog();
    const plain = await loadDatabase(disk, DIRS);
    assert.equal(plain.replayedTxns, TXNS);
    assert.deepEqual(zxidsOf(plain), []);
    assert.deepEqual(zxidsOf(await loadDatabase(disk, DIRS, { recentTxnsMax: 10 })), newest(10));
    const budget = (count: number) => () => count * ENTRY_BYTES;
    assert.deepEqual(zxidsOf(await loadDatabase(disk, DIRS, { recentTxnsMax: 10, recentTxnsBudget: budget(120) })), newest(120));
    assert.deepEqual(zxidsOf(await loadDatabase(disk, DIRS, { recentTxnsMax: 10, recentTxnsBudget: budget(5) })), newest(10));
    const bounded = await loadDatabase(disk, DIRS, { recentTxnsMax: 10, recentTxnsBudget: budget(1000), recentBytesMax: 50 * ENTRY_BYTES });
    assert.deepEqual(zxidsOf(bounded), newest(50));
    // The budget is asked of the loaded tree.
    let askedAt: bigint | null = null;
    await loadDatabase(disk, DIRS, { recentTxnsBudget: (tree) => ((askedAt = tree.lastProcessedZxid), 0) });
    assert.equal(askedAt, BigInt(TXNS));
  });
});
