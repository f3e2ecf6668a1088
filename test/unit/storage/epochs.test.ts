import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEpoch, writeEpoch, readEpochs, parseEpoch, EpochFileError } from '../../../src/storage/epochs.js';
import { NodeDisk } from '../../../src/io/node/disk.js';
import { MemoryDisk } from './memory-disk.js';

describe('epoch files (§6.2)', () => {
  test('bare decimal, no newline, via .tmp + fsync + rename + dir fsync', async () => {
    const disk = new MemoryDisk();
    await writeEpoch(disk, '/d/version-2', 'acceptedEpoch', 2);
    assert.equal(Buffer.from(disk.node('/d/version-2/acceptedEpoch').data).toString(), '2');
    const order = disk.events.filter((e) => !e.startsWith('close'));
    assert.deepEqual(order, [
      'open /d/version-2/acceptedEpoch.tmp replace',
      'write /d/version-2/acceptedEpoch.tmp 0 1',
      'sync /d/version-2/acceptedEpoch.tmp',
      'rename /d/version-2/acceptedEpoch.tmp /d/version-2/acceptedEpoch',
      'syncDir /d/version-2',
    ]);
    assert.equal(await readEpoch(disk, '/d/version-2', 'acceptedEpoch'), 2);
    assert.equal(await readEpoch(disk, '/d/version-2', 'currentEpoch'), null);
  });

  test('parsing: first line only; garbage is an error', () => {
    assert.equal(parseEpoch('17'), 17);
    assert.equal(parseEpoch('17\n'), 17);
    assert.equal(parseEpoch('4294967295'), 0xffffffff);
    for (const bad of ['', 'x', '-1', '1.5', '4294967296']) assert.throws(() => parseEpoch(bad), EpochFileError, bad);
  });

  test('on a real disk, with a leftover currentEpoch.tmp', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zkts-epochs-'));
    try {
      const disk = new NodeDisk();
      await writeEpoch(disk, dir, 'currentEpoch', 5);
      await writeEpoch(disk, dir, 'currentEpoch', 6);
      await writeEpoch(disk, dir, 'acceptedEpoch', 7);
      assert.equal(await readFile(join(dir, 'currentEpoch'), 'utf8'), '6');
      assert.deepEqual((await readdir(dir)).sort(), ['acceptedEpoch', 'currentEpoch']);
      await writeFile(join(dir, 'currentEpoch.tmp'), '7');
      assert.deepEqual(await readEpochs(disk, dir), { acceptedEpoch: 7, currentEpoch: 6, currentEpochTmp: 7 });
      await writeFile(join(dir, 'currentEpoch.tmp'), '');
      assert.equal((await readEpochs(disk, dir)).currentEpochTmp, null);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
