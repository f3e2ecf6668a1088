import { test } from 'node:test';
import assert from 'node:assert/strict';
import { purge } from '../../../src/storage/purge.js';
import { TxnLog } from '../../../src/storage/txn-log.js';
import { writeSnapshot } from '../../../src/storage/snapshots.js';
import { readLog } from '../../../src/storage/log-files.js';
import { MemoryDisk } from './memory-disk.js';
import { createSessionEntry, z } from './entries.js';

const DIR = '/d/version-2';

test('purge keeps N valid snapshots and the logs to replay from the oldest kept', async () => {
  const disk = new MemoryDisk();
  const log = await TxnLog.open(disk, DIR, { preAllocBytes: 4096 });
  await writeSnapshot(disk, DIR, z(0), { sessions: [], aclCache: [], nodes: [] });
  // Logs start at 1, 5, 9, 0xd, 0x11; snapshots at 0, 6, 0xa, 0xe, 0x12 (mid-file, as fuzzy ones are).
  for (let i = 1; i <= 20; i++) {
    await log.append(z(i), createSessionEntry(BigInt(i)));
    if (i % 4 === 0) log.roll();
    if (i % 4 === 2 && i > 2) await writeSnapshot(disk, DIR, z(i), { sessions: [], aclCache: [], nodes: [] });
  }
  await log.close();
  disk.put(`${DIR}/snapshot.b`, Uint8Array.of(9, 9)); // invalid: not counted as kept, but newer than the oldest kept
  const deleted = await purge(disk, { snapDir: DIR, logDir: DIR, snapshotsToKeep: 3 });
  assert.deepEqual(deleted.sort(), ['log.1', 'log.5', 'snapshot.0', 'snapshot.6'].sort());
  const left = (await disk.list(DIR)).sort();
  assert.deepEqual(left, ['log.9', 'log.d', 'log.11', 'snapshot.a', 'snapshot.b', 'snapshot.e', 'snapshot.12'].sort());
  const replay: bigint[] = [];
  for await (const e of readLog(disk, DIR, z(11))) replay.push(e.zxid);
  assert.deepEqual(replay, [11n, 12n, 13n, 14n, 15n, 16n, 17n, 18n, 19n, 20n]);
  assert.deepEqual(await purge(disk, { snapDir: DIR, logDir: DIR, snapshotsToKeep: 3 }), []);
});
