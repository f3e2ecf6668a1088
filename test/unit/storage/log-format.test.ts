import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Adler32, adler32 } from '../../../src/storage/format/adler32.js';
import { encodeFileHeader, LOG_HEADER, decodeFileHeader } from '../../../src/storage/format/file-header.js';
import {
  logFileName,
  snapshotFileName,
  sortLogFileNames,
  sortSnapshotFileNames,
  logFilesFrom,
  zxidOfFileName,
} from '../../../src/storage/format/file-names.js';
import { encodeLogRecord, preallocatedSize, scanLogFile } from '../../../src/storage/format/log-record.js';
import { createSessionEntry, z } from './entries.js';

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function logFile(zxids: number[], zeroFillBytes = 0): { bytes: Uint8Array; ends: number[] } {
  const parts = [encodeFileHeader(LOG_HEADER)];
  const ends: number[] = [];
  let at = 16;
  for (const n of zxids) {
    const record = encodeLogRecord(createSessionEntry(BigInt(n)));
    parts.push(record);
    at += record.length;
    ends.push(at);
  }
  parts.push(new Uint8Array(zeroFillBytes));
  return { bytes: concat(...parts), ends };
}

describe('adler32', () => {
  test('known values', () => {
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
    assert.equal(adler32(new Uint8Array(0)), 1);
    // 100 KB of 0xff crosses many reduction blocks.
    const big = new Uint8Array(100_000).fill(0xff);
    let a = 1;
    let b = 0;
    for (const x of big) {
      a = (a + x) % 65521;
      b = (b + a) % 65521;
    }
    assert.equal(adler32(big), b * 65536 + a);
  });

  test('incremental in any split equals one shot', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20000 }), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const state = new Adler32();
        let from = 0;
        for (const p of [...points, bytes.length]) {
          state.update(bytes, from, p);
          from = p;
        }
        assert.equal(state.value(), adler32(bytes));
      }),
      { numRuns: 50 },
    );
  });
});

describe('file names', () => {
  test('lower-case hex without padding, ordered by value', () => {
    assert.equal(logFileName(z(0x1a)), 'log.1a');
    assert.equal(logFileName(z(0x100000001)), 'log.100000001');
    assert.equal(snapshotFileName(z(0)), 'snapshot.0');
    assert.equal(snapshotFileName(z(0x29), 'gz'), 'snapshot.29.gz');
    assert.equal(zxidOfFileName('log.zz', 'log'), null);
    assert.equal(zxidOfFileName('snapshot.1f.gz', 'snapshot'), 0x1fn);
    const logs = sortLogFileNames(['log.9', 'log.1a', 'log.1', 'snapshot.3', 'log.x', 'log.2.tmp', 'acceptedEpoch']);
    assert.deepEqual(logs.map((f) => f.name), ['log.1', 'log.9', 'log.1a']);
    const snaps = sortSnapshotFileNames(['snapshot.9', 'snapshot.1a.gz', 'snapshot.0', 'snapshot.b.snappy', 'snapshot.c.tmp', 'snapshot.d.zip']);
    assert.deepEqual(snaps.map((f) => [f.name, f.compression]), [
      ['snapshot.1a.gz', 'gz'],
      ['snapshot.b.snappy', 'snappy'],
      ['snapshot.9', 'none'],
      ['snapshot.0', 'none'],
    ]);
  });

  test('files needed from a zxid: the newest starting at or before it, and every later one', () => {
    const logs = sortLogFileNames(['log.1', 'log.9', 'log.11', 'log.1a']);
    assert.deepEqual(logFilesFrom(logs, z(0x10)).map((f) => f.name), ['log.9', 'log.11', 'log.1a']);
    assert.deepEqual(logFilesFrom(logs, z(0x11)).map((f) => f.name), ['log.11', 'log.1a']);
    assert.deepEqual(logFilesFrom(logs, z(0)).map((f) => f.name), ['log.1', 'log.9', 'log.11', 'log.1a']);
  });
});

describe('log records', () => {
  test('header and record layout', () => {
    assert.deepEqual(Buffer.from(encodeFileHeader(LOG_HEADER)).toString('hex'), '5a4b4c47' + '00000002' + '0000000000000000');
    assert.deepEqual(decodeFileHeader(encodeFileHeader(LOG_HEADER)), LOG_HEADER);
    const entry = createSessionEntry(1n);
    const record = Buffer.from(encodeLogRecord(entry));
    assert.equal(record.readBigInt64BE(0), BigInt(adler32(entry)));
    assert.equal(record.readInt32BE(8), entry.length);
    assert.deepEqual(record.subarray(12, 12 + entry.length), Buffer.from(entry));
    assert.equal(record[record.length - 1], 0x42);
  });

  test('preallocation rule (§3.2)', () => {
    const kb4 = 4096;
    assert.equal(preallocatedSize(16, 16, kb4), 4112); // new file: header only
    assert.equal(preallocatedSize(100, 4112, kb4), 8208); // less than 4 KB left
    assert.equal(preallocatedSize(4000, 8208, kb4), 8208); // enough left
    assert.equal(preallocatedSize(9000, 8208, kb4), 12288); // already past the end: rounded down
    const mb64 = 64 * 1024 * 1024;
    assert.equal(preallocatedSize(16, 16, mb64), 67_108_880);
    assert.equal(preallocatedSize(16, 16, 0), 16);
  });

  test('scan round trip, with and without zero fill', () => {
    for (const fill of [0, 5, 4096]) {
      const { bytes } = logFile([1, 2, 3, 0x100000001], fill);
      const result = scanLogFile(bytes);
      assert.deepEqual(result.tail, { kind: 'clean' });
      assert.deepEqual(result.records.map((r) => r.zxid), [1n, 2n, 3n, 0x100000001n]);
      assert.deepEqual(Buffer.from(result.records[3]!.entry), Buffer.from(createSessionEntry(0x100000001n)));
    }
  });

  test('a tail cut at every byte offset keeps exactly the records before it', () => {
    const { bytes, ends } = logFile([1, 2, 3]);
    const lastStart = ends[1]!;
    for (let cut = lastStart; cut < bytes.length; cut++) {
      // Cut (EOF inside the record) and torn-with-zero-fill (the rest of the write never landed).
      const truncated = bytes.slice(0, cut);
      const zeroed = bytes.slice();
      zeroed.fill(0, cut);
      for (const variant of [truncated, zeroed]) {
        const result = scanLogFile(variant);
        assert.deepEqual(result.records.map((r) => r.zxid), [1n, 2n], `cut at ${cut}`);
        assert.equal(result.dataEnd, lastStart);
        // Written bytes that happen to be zero (a checksum's high half) look like zero fill.
        const expected = variant.subarray(lastStart).every((b) => b === 0) ? 'clean' : 'torn';
        assert.equal(result.tail.kind, expected, `cut at ${cut}`);
      }
    }
  });

  test('a bad end marker on the last record is a torn tail', () => {
    const { bytes, ends } = logFile([1, 2], 100);
    bytes[ends[1]! - 1] = 0;
    const result = scanLogFile(bytes);
    assert.equal(result.tail.kind, 'torn');
    assert.equal(result.records.length, 1);
  });

  test('a checksum mismatch in the middle is corruption, never skipped', () => {
    const { bytes, ends } = logFile([1, 2, 3], 100);
    bytes[ends[0]! + 30] = bytes[ends[0]! + 30]! ^ 0x01; // inside record 2's entry
    const result = scanLogFile(bytes);
    assert.equal(result.tail.kind, 'corrupt');
    assert.deepEqual(result.records.map((r) => r.zxid), [1n]);
  });

  test('an impossible length is corruption, not a torn tail', () => {
    for (const length of [-5, 0x7fffffff]) {
      const { bytes, ends } = logFile([1, 2, 3], 100);
      new DataView(bytes.buffer).setInt32(ends[0]! + 8, length);
      const result = scanLogFile(bytes);
      assert.equal(result.tail.kind, 'corrupt', `length ${length}`);
      assert.equal(result.records.length, 1);
    }
  });

  test('a bad header or a zxid going backwards is corruption', () => {
    const { bytes } = logFile([1, 2]);
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    assert.equal(scanLogFile(badMagic).tail.kind, 'corrupt');
    const backwards = logFile([5, 4]).bytes;
    assert.equal(scanLogFile(backwards).tail.kind, 'corrupt');
    assert.equal(scanLogFile(new Uint8Array(0)).tail.kind, 'clean');
    assert.equal(scanLogFile(bytes.slice(0, 7)).tail.kind, 'torn');
  });
});
