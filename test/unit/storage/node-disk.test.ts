import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDisk } from '../../../src/io/node/disk.js';
import { errorCode } from '../../../src/io/disk.js';
import { TxnLog } from '../../../src/storage/txn-log.js';
import { recover } from '../../../src/storage/recovery.js';
import { writeSnapshot } from '../../../src/storage/snapshots.js';
import { createSessionEntry, z } from './entries.js';

describe('NodeDisk', () => {
  test('file operations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zkts-disk-'));
    try {
      const disk = new NodeDisk();
      await disk.mkdir(join(dir, 'a/b'));
      const path = join(dir, 'a/b/f');
      const f = await disk.open(path, 'create');
      await f.write(Buffer.from('hello'), 0);
      await f.write(Uint8Array.of(1), 99); // past the end: zero-extended
      assert.equal(await f.size(), 100);
      assert.equal(Buffer.from(await f.read(0, 5)).toString(), 'hello');
      assert.equal((await f.read(98, 10)).length, 2);
      await f.sync();
      await f.truncate(5);
      await f.close();
      await assert.rejects(disk.open(path, 'create'), (err: unknown) => errorCode(err) === 'EEXIST');
      assert.deepEqual(await disk.stat(path), { sizeBytes: 5, isDirectory: false });
      assert.equal(await disk.stat(join(dir, 'nope')), null);
      await disk.rename(path, join(dir, 'a/b/g'));
      assert.deepEqual(await disk.list(join(dir, 'a/b')), ['g']);
      await disk.syncDir(join(dir, 'a/b'));
      await disk.unlink(join(dir, 'a/b/g'));
      await assert.rejects(disk.readFile(join(dir, 'a/b/g')), (err: unknown) => errorCode(err) === 'ENOENT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('log + snapshot + recovery on a real directory; default preallocation is 64 MiB (sparse)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zkts-store-'));
    try {
      const disk = new NodeDisk();
      const fresh = await recover(disk, { dataDir: dir });
      assert.equal(fresh.fresh, true);
      await writeSnapshot(disk, fresh.snapDir, z(0), { sessions: [], aclCache: [], nodes: [] });
      const log = await TxnLog.open(disk, fresh.logDir, { lastZxid: fresh.lastZxid });
      await Promise.all([1, 2, 3].map((n) => log.append(z(n), createSessionEntry(BigInt(n)))));
      await log.close();
      assert.equal((await stat(join(fresh.logDir, 'log.1'))).size, 16 + 64 * 1024 * 1024);
      const again = await recover(disk, { dataDir: dir });
      assert.deepEqual(again.entries.map((e) => e.zxid), [1n, 2n, 3n]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
