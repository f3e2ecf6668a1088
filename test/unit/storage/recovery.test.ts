import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { recover, RecoveryError } from '../../../src/storage/recovery.js';
import { TxnLog } from '../../../src/storage/txn-log.js';
import { writeSnapshot, loadNewestSnapshot } from '../../../src/storage/snapshots.js';
import { LogCorruptError } from '../../../src/storage/log-files.js';
import { scanLogFile, encodeLogRecord } from '../../../src/storage/format/log-record.js';
import type { SnapshotContent } from '../../../src/storage/format/snapshot-format.js';
import type { StatPersisted } from '../../../src/proto/data.js';
import { MemoryDisk } from './memory-disk.js';
import { createSessionEntry, z } from './entries.js';

const SNAP = '/d/version-2';
const STAT: StatPersisted = { czxid: z(0), mzxid: z(0), ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: z(0) };

function content(sessions: Array<[bigint, number]> = []): SnapshotContent {
  return {
    sessions,
    aclCache: [],
    nodes: [
      { path: '/', data: new Uint8Array(0), aclRef: -1n, stat: STAT },
      { path: '/zookeeper', data: new Uint8Array(0), aclRef: -1n, stat: STAT },
    ],
    digest: { zxid: z(0), version: 2, digest: 0n },
  };
}

async function appendAll(disk: MemoryDisk, dir: string, zxids: number[], preAllocBytes = 4096): Promise<void> {
  const log = await TxnLog.open(disk, dir, { preAllocBytes });
  for (const n of zxids) await log.append(z(n), createSessionEntry(BigInt(n)));
  await log.close();
}

describe('recovery', () => {
  test('a fresh directory reports fresh; after snapshot.0 it is not fresh', async () => {
    const disk = new MemoryDisk();
    const first = await recover(disk, { dataDir: '/d' });
    assert.equal(first.fresh, true);
    assert.equal(first.lastZxid, 0n);
    assert.ok(disk.dirs.has(SNAP));
    await writeSnapshot(disk, first.snapDir, z(0), content());
    const second = await recover(disk, { dataDir: '/d' });
    assert.equal(second.fresh, false);
    assert.equal(second.snapshot?.zxid, 0n);
    assert.equal(second.snapshot?.snapshot.nodes[1]!.path, '/zookeeper');
    assert.deepEqual(second.entries, []);
  });

  test('newest snapshot plus the log entries after it, across files', async () => {
    const disk = new MemoryDisk();
    await writeSnapshot(disk, SNAP, z(0), content());
    const log = await TxnLog.open(disk, SNAP, { preAllocBytes: 4096 });
    for (let i = 1; i <= 10; i++) {
      await log.append(z(i), createSessionEntry(BigInt(i)));
      if (i % 4 === 0) log.roll();
    }
    await log.close();
    await writeSnapshot(disk, SNAP, z(6), content([[6n, 1000]]), { compression: 'gz' });
    const result = await recover(disk, { dataDir: '/d' });
    assert.equal(result.snapshot?.file.name, 'snapshot.6.gz');
    assert.deepEqual(result.snapshot?.snapshot.sessions, [[6n, 1000]]);
    assert.deepEqual(result.entries.map((e) => e.zxid), [7n, 8n, 9n, 10n]);
    assert.deepEqual(Buffer.from(result.entries[0]!.entry), Buffer.from(createSessionEntry(7n)));
    assert.equal(result.lastZxid, 10n);
  });

  test('falls back to an older snapshot when the newest does not verify (§4.8)', async () => {
    const disk = new MemoryDisk();
    await writeSnapshot(disk, SNAP, z(0), content());
    await appendAll(disk, SNAP, [1, 2, 3]);
    await writeSnapshot(disk, SNAP, z(2), content());
    const bytes = disk.node(`${SNAP}/snapshot.2`).data;
    bytes[30] = bytes[30]! ^ 1; // inside the body: the quick test passes, the seal fails
    disk.put(`${SNAP}/snapshot.3`, Uint8Array.of(1, 2, 3)); // fails the quick test
    const result = await recover(disk, { dataDir: '/d' });
    assert.equal(result.snapshot?.zxid, 0n);
    assert.deepEqual(result.skippedSnapshots.map((s) => s.file), ['snapshot.3', 'snapshot.2']);
    assert.deepEqual(result.entries.map((e) => e.zxid), [1n, 2n, 3n]);
  });

  test('logs without a snapshot refuse to start unless trusted', async () => {
    const disk = new MemoryDisk();
    await appendAll(disk, SNAP, [1, 2]);
    await assert.rejects(recover(disk, { dataDir: '/d' }), RecoveryError);
    const trusted = await recover(disk, { dataDir: '/d', trustEmptySnapshot: true });
    assert.equal(trusted.fresh, false);
    assert.deepEqual(trusted.entries.map((e) => e.zxid), [1n, 2n]);
  });

  test('autocreate off needs the initialize file, which is consumed', async () => {
    const disk = new MemoryDisk();
    await assert.rejects(recover(disk, { dataDir: '/d', autocreate: false }), RecoveryError);
    disk.put('/d/initialize', new Uint8Array(0));
    const result = await recover(disk, { dataDir: '/d', autocreate: false });
    assert.equal(result.fresh, true);
    assert.equal(result.initialized, true);
    assert.equal(await disk.stat('/d/initialize'), null);
  });

  test('separate dataLogDir: logs there, and mixing is refused (§2)', async () => {
    const disk = new MemoryDisk();
    await writeSnapshot(disk, SNAP, z(0), content());
    await appendAll(disk, '/l/version-2', [1, 2]);
    const result = await recover(disk, { dataDir: '/d', dataLogDir: '/l' });
    assert.equal(result.logDir, '/l/version-2');
    assert.deepEqual(result.entries.map((e) => e.zxid), [1n, 2n]);
    disk.put('/l/version-2/snapshot.5', new Uint8Array(20));
    await assert.rejects(recover(disk, { dataDir: '/d', dataLogDir: '/l' }), /snapshot file snapshot.5 found in the log directory/);
    disk.files.delete('/l/version-2/snapshot.5');
    disk.put(`${SNAP}/log.9`, new Uint8Array(20));
    await assert.rejects(recover(disk, { dataDir: '/d', dataLogDir: '/l' }), /log file log.9 found in the snapshot directory/);
  });

  test('torn tail at every byte offset: recovery keeps exactly the earlier records and cuts the rest', async () => {
    const base = new MemoryDisk();
    await writeSnapshot(base, SNAP, z(0), content());
    await appendAll(base, SNAP, [1, 2, 3]);
    const original = base.node(`${SNAP}/log.1`).data.slice();
    const recordBytes = encodeLogRecord(createSessionEntry(3n)).length;
    const lastStart = scanLogFile(original).records[2]!.offset;
    assert.equal(lastStart + recordBytes, scanLogFile(original).dataEnd);
    for (let cut = lastStart; cut < lastStart + recordBytes; cut++) {
      for (const mode of ['truncated', 'zeroed'] as const) {
        const disk = new MemoryDisk();
        for (const [path, node] of base.files) disk.put(path, node.data);
        const torn = mode === 'truncated' ? original.slice(0, cut) : original.slice();
        if (mode === 'zeroed') torn.fill(0, cut);
        disk.put(`${SNAP}/log.1`, torn);
        const result = await recover(disk, { dataDir: '/d' });
        assert.deepEqual(result.entries.map((e) => e.zxid), [1n, 2n], `${mode} at ${cut}`);
        // Whatever was torn is gone for good: Apache would refuse a bad checksum.
        const after = scanLogFile(disk.node(`${SNAP}/log.1`).data);
        assert.deepEqual(after.tail, { kind: 'clean' }, `${mode} at ${cut}`);
        // The log goes on in a new file, and a later recovery sees everything in order.
        await appendAll(disk, SNAP, [3]);
        const again = await recover(disk, { dataDir: '/d' });
        assert.deepEqual(again.entries.map((e) => e.zxid), [1n, 2n, 3n], `${mode} at ${cut}`);
      }
    }
  });

  test('a newest file with a torn header and no records is removed', async () => {
    const disk = new MemoryDisk();
    await writeSnapshot(disk, SNAP, z(0), content());
    await appendAll(disk, SNAP, [1, 2]);
    disk.put(`${SNAP}/log.3`, Uint8Array.of(0x5a, 0x4b, 0x4c));
    const result = await recover(disk, { dataDir: '/d' });
    assert.deepEqual(result.tailRepairs.map((r) => [r.file, r.deleted]), [['log.3', true]]);
    assert.deepEqual(result.entries.map((e) => e.zxid), [1n, 2n]);
    assert.equal(await disk.stat(`${SNAP}/log.3`), null);
  });

  test('a corrupt middle record stops recovery loudly, in the newest file and in older ones', async () => {
    for (const which of ['log.1', 'log.3']) {
      const disk = new MemoryDisk();
      await writeSnapshot(disk, SNAP, z(0), content());
      await appendAll(disk, SNAP, [1, 2]);
      await appendAll(disk, SNAP, [3, 4]);
      const bytes = disk.node(`${SNAP}/${which}`).data;
      bytes[16 + 12 + 5] = bytes[16 + 12 + 5]! ^ 0xff; // first record's entry
      await assert.rejects(recover(disk, { dataDir: '/d' }), LogCorruptError, which);
      // Nothing was cut: the damage is left for an operator to see.
      assert.equal(disk.node(`${SNAP}/${which}`).data.length, 8208);
    }
  });

  test('a torn tail in an older file is corruption (it was fsynced before the roll)', async () => {
    const disk = new MemoryDisk();
    await writeSnapshot(disk, SNAP, z(0), content());
    await appendAll(disk, SNAP, [1, 2]);
    await appendAll(disk, SNAP, [3]);
    const bytes = disk.node(`${SNAP}/log.1`).data;
    const last = scanLogFile(bytes).records[1]!.offset;
    bytes.fill(0, last + 20);
    await assert.rejects(recover(disk, { dataDir: '/d' }), LogCorruptError);
  });

  test('streamed snapshot nodes reach onNode', async () => {
    const disk = new MemoryDisk();
    await writeSnapshot(disk, SNAP, z(0), content());
    const seen: string[] = [];
    const { loaded } = await loadNewestSnapshot(disk, SNAP, (node, file) => seen.push(`${file.name}:${node.path}`));
    assert.deepEqual(seen, ['snapshot.0:/', 'snapshot.0:/zookeeper']);
    assert.equal(loaded?.snapshot.nodes.length, 0);
  });
});
