import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDisk } from '../../../src/io/node/disk.js';
import { writeSnapshot, loadNewestSnapshot, readSnapshot, listSnapshots } from '../../../src/storage/snapshots.js';
import { decodeSnapshot, type SnapshotContent, type SnapshotNode } from '../../../src/storage/format/snapshot-format.js';
import type { StatPersisted } from '../../../src/proto/data.js';
import { MemoryDisk } from './memory-disk.js';
import { z } from './entries.js';

const DIR = '/d/version-2';
const STAT: StatPersisted = { czxid: z(1), mzxid: z(2), ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7, ephemeralOwner: 0n, pzxid: z(8) };

function* bigTree(count: number, onEach?: () => void): Generator<SnapshotNode> {
  yield { path: '/', data: new Uint8Array(0), aclRef: -1n, stat: STAT };
  for (let i = 0; i < count; i++) {
    onEach?.();
    yield { path: `/node-${i}`, data: Buffer.alloc(100, i % 251), aclRef: -1n, stat: STAT };
  }
}

describe('snapshot files', () => {
  test('written via .tmp, fsynced, renamed, directory fsynced', async () => {
    const disk = new MemoryDisk();
    const name = await writeSnapshot(disk, DIR, z(0x1f), { sessions: [], aclCache: [], nodes: bigTree(1) });
    assert.equal(name, 'snapshot.1f');
    const ops = disk.events.filter((e) => !e.startsWith('write') && !e.startsWith('close'));
    assert.deepEqual(ops, [
      `open ${DIR}/snapshot.1f.tmp replace`,
      `sync ${DIR}/snapshot.1f.tmp`,
      `rename ${DIR}/snapshot.1f.tmp ${DIR}/snapshot.1f`,
      `syncDir ${DIR}`,
    ]);
    assert.deepEqual((await listSnapshots(disk, DIR)).map((f) => f.name), ['snapshot.1f']);
  });

  test('a big tree is written in chunks', async () => {
    for (const compression of ['none', 'gz'] as const) {
      const disk = new MemoryDisk();
      let produced = 0;
      const content: SnapshotContent = { sessions: [[1n, 2]], aclCache: [], nodes: bigTree(20_000, () => produced++) };
      const name = await writeSnapshot(disk, DIR, z(9), content, { compression, chunkBytes: 64 * 1024 });
      assert.equal(produced, 20_000);
      const writes = disk.events.filter((e) => e.startsWith('write')).length;
      assert.ok(writes > 10, `${compression}: ${writes} writes`);
      const raw = disk.node(`${DIR}/${name}`).data;
      const decoded = decodeSnapshot(compression === 'gz' ? gunzipSync(raw) : raw);
      assert.equal(decoded.nodeCount, 20_001);
      assert.equal(decoded.nodes[20_000]!.path, '/node-19999');
    }
  });

  test('on a real disk the event loop runs while a big snapshot is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zkts-snap-'));
    try {
      for (const compression of ['none', 'gz'] as const) {
        let turns = 0;
        const ticker = setInterval(() => turns++, 0);
        const content: SnapshotContent = { sessions: [], aclCache: [], nodes: bigTree(20_000) };
        await writeSnapshot(new NodeDisk(), dir, z(9), content, { compression, chunkBytes: 64 * 1024 });
        clearInterval(ticker);
        assert.ok(turns > 0, `${compression}: the event loop never ran while writing`);
      }
      assert.deepEqual((await readdir(dir)).sort(), ['snapshot.9', 'snapshot.9.gz']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a failed write leaves no snapshot and no .tmp behind', async () => {
    const disk = new MemoryDisk();
    disk.failNextWrite = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    await assert.rejects(writeSnapshot(disk, DIR, z(3), { sessions: [], aclCache: [], nodes: bigTree(10) }), /ENOSPC/);
    assert.deepEqual(await disk.list(DIR), []);
    disk.failNextWrite = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' });
    await assert.rejects(writeSnapshot(disk, DIR, z(3), { sessions: [], aclCache: [], nodes: bigTree(20_000) }, { compression: 'gz', chunkBytes: 4096 }), /ENOSPC/);
    assert.deepEqual(await disk.list(DIR), []);
    disk.failNextSync = Object.assign(new Error('EIO'), { code: 'EIO' });
    await assert.rejects(writeSnapshot(disk, DIR, z(3), { sessions: [], aclCache: [], nodes: bigTree(10) }, { compression: 'gz' }), /EIO/);
    assert.deepEqual(await disk.list(DIR), []);
  });

  test('a tree walk that throws fails the write (plain and gzip) without hanging', async () => {
    for (const compression of ['none', 'gz'] as const) {
      const disk = new MemoryDisk();
      function* failing(): Generator<SnapshotNode> {
        yield* bigTree(5000);
        throw new Error('boom');
      }
      await assert.rejects(writeSnapshot(disk, DIR, z(3), { sessions: [], aclCache: [], nodes: failing() }, { compression, chunkBytes: 4096 }), /boom/);
      assert.deepEqual(await disk.list(DIR), []);
    }
  });

  test('newest valid first: truncated, damaged gzip and torn files are skipped', async () => {
    const disk = new MemoryDisk();
    const content = (n: number): SnapshotContent => ({ sessions: [[BigInt(n), 1000]], aclCache: [], nodes: bigTree(3) });
    await writeSnapshot(disk, DIR, z(1), content(1));
    await writeSnapshot(disk, DIR, z(2), content(2), { compression: 'gz' });
    await writeSnapshot(disk, DIR, z(3), content(3), { compression: 'gz' });
    await writeSnapshot(disk, DIR, z(4), content(4));
    const gz = disk.node(`${DIR}/snapshot.3.gz`).data;
    disk.put(`${DIR}/snapshot.3.gz`, gz.subarray(0, gz.length - 10)); // gzip cut short
    const plain = disk.node(`${DIR}/snapshot.4`).data;
    disk.put(`${DIR}/snapshot.4`, plain.subarray(0, plain.length - 1)); // fails the quick test
    disk.put(`${DIR}/snapshot.5.tmp`, plain); // an unfinished write is never a candidate
    const { loaded, skipped } = await loadNewestSnapshot(disk, DIR);
    assert.equal(loaded?.file.name, 'snapshot.2.gz');
    assert.deepEqual(loaded?.snapshot.sessions, [[2n, 1000]]);
    assert.deepEqual(skipped.map((s) => s.file), ['snapshot.4', 'snapshot.3.gz']);
    await assert.rejects(readSnapshot(disk, DIR, { name: 'snapshot.3.gz', zxid: z(3), compression: 'gz' }), /cannot decompress/);
  });

  test('no snapshot at all', async () => {
    const disk = new MemoryDisk();
    assert.deepEqual(await loadNewestSnapshot(disk, DIR), { loaded: null, skipped: [] });
  });
});
