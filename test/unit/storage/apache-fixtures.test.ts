// Reads files written by a real Apache ZooKeeper 3.8.0 (test/fixtures/apache-3.8-storage) and
// checks that our writers produce the same bytes from the same content.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { scanLogFile } from '../../../src/storage/format/log-record.js';
import { decodeSnapshot, encodeSnapshot, type DecodedSnapshot } from '../../../src/storage/format/snapshot-format.js';
import { decompressSnappyStream } from '../../../src/storage/format/snappy.js';
import { sortLogFileNames, sortSnapshotFileNames } from '../../../src/storage/format/file-names.js';
import { TxnLog } from '../../../src/storage/txn-log.js';
import { recover } from '../../../src/storage/recovery.js';
import { MemoryDisk } from './memory-disk.js';

const ROOT = fileURLToPath(new URL('../../fixtures/apache-3.8-storage/', import.meta.url));
const KINDS = ['plain', 'gz', 'snappy'] as const;

function files(kind: string): string[] {
  return readdirSync(ROOT + kind);
}

function read(kind: string, name: string): Buffer {
  return readFileSync(`${ROOT}${kind}/${name}`);
}

function uncompressed(kind: string, name: string): Uint8Array {
  const raw = read(kind, name);
  if (name.endsWith('.gz')) return gunzipSync(raw);
  if (name.endsWith('.snappy')) return decompressSnappyStream(raw);
  return raw;
}

function loadInto(disk: MemoryDisk, kind: string): void {
  for (const name of files(kind)) disk.put(`/d/version-2/${name}`, read(kind, name));
}

describe('Apache 3.8 txn logs', () => {
  for (const kind of ['plain', 'gz']) {
    test(`${kind}: every record's checksum and end marker verify, zxids continue across files`, () => {
      let previous = 0n;
      let count = 0;
      for (const { name, zxid } of sortLogFileNames(files(kind))) {
        const bytes = read(kind, name);
        assert.ok(bytes.length === 4112 || bytes.length === 8208, `${name} is ${bytes.length} bytes`);
        const scan = scanLogFile(bytes);
        assert.deepEqual(scan.tail, { kind: 'clean' }, name);
        assert.equal(scan.records[0]!.zxid, zxid, `${name} starts with its own zxid`);
        for (const r of scan.records) {
          assert.equal(r.zxid, previous + 1n, `${name}: standalone zxids are 1, 2, 3...`);
          previous = r.zxid;
          count++;
        }
      }
      assert.ok(count >= 30, `${count} records`);
    });

    test(`${kind}: our writer reproduces Apache's log files byte for byte (one fsync per txn, 4 KB prealloc)`, async () => {
      for (const { name } of sortLogFileNames(files(kind))) {
        const original = read(kind, name);
        const disk = new MemoryDisk();
        const log = await TxnLog.open(disk, '/l', { preAllocBytes: 4096, lastZxid: null });
        for (const r of scanLogFile(original).records) await log.append(r.zxid, r.entry);
        await log.close();
        assert.deepEqual(Buffer.from(disk.node(`/l/${name}`).data), original, name);
      }
    });
  }
});

describe('Apache 3.8 snapshots', () => {
  for (const kind of KINDS) {
    test(`${kind}: seals verify and the node list parses (root first, parents before children)`, () => {
      const names = sortSnapshotFileNames(files(kind));
      assert.ok(names.length >= 5);
      for (const { name, zxid } of names) {
        const snap: DecodedSnapshot = decodeSnapshot(uncompressed(kind, name));
        const paths = snap.nodes.map((n) => n.path);
        assert.equal(paths[0], '/', name);
        const seen = new Set<string>();
        for (const p of paths) {
          const parent = p === '/' ? null : p.slice(0, p.lastIndexOf('/')) || '/';
          if (parent !== null) assert.ok(seen.has(parent), `${name}: ${p} before its parent`);
          seen.add(p);
        }
        for (const p of ['/zookeeper', '/zookeeper/quota', '/zookeeper/config']) assert.ok(seen.has(p), `${name} has ${p}`);
        assert.equal(snap.digest?.version, 2);
        if (zxid === 0n) {
          assert.deepEqual(snap.sessions, []);
          assert.deepEqual(snap.digest, { zxid: 0n, version: 2, digest: 0n });
          continue;
        }
        for (const p of ['/a', '/a/b', '/eph', '/a/seq-0000000001']) assert.ok(seen.has(p), `${name} has ${p}`);
        assert.equal(snap.sessions.length, 1);
        assert.equal(snap.sessions[0]![1], 30000);
        const eph = snap.nodes.find((n) => n.path === '/eph')!;
        assert.equal(eph.stat.ephemeralOwner, snap.sessions[0]![0], 'the ephemeral belongs to the session');
        assert.ok(snap.digest!.zxid >= zxid, 'fuzzy: digest zxid is at or after the name');
        // aclRef -1 (open) for the system nodes; every other ref is in the map.
        const refs = new Set(snap.aclCache.map(([ref]) => ref));
        for (const n of snap.nodes) assert.ok(n.aclRef === -1n || refs.has(n.aclRef), `${name}: ${n.path} ref ${n.aclRef}`);
        assert.equal(snap.nodes.find((n) => n.path === '/')!.aclRef, -1n);
      }
    });

    test(`${kind}: re-encoding the decoded content gives Apache's exact uncompressed bytes`, () => {
      for (const { name } of sortSnapshotFileNames(files(kind))) {
        const bytes = uncompressed(kind, name);
        const snap = decodeSnapshot(bytes);
        const content = { sessions: snap.sessions, aclCache: snap.aclCache, nodes: snap.nodes, digest: snap.digest! };
        const again = Buffer.concat([...encodeSnapshot(content, 256)]);
        assert.deepEqual(again, Buffer.from(bytes), name);
      }
    });
  }

  test('the digest ACL of /secure survives decoding', () => {
    const snap = decodeSnapshot(uncompressed('plain', 'snapshot.1f'));
    const secure = snap.nodes.find((n) => n.path === '/secure')!;
    const acls = snap.aclCache.find(([ref]) => ref === secure.aclRef)![1];
    assert.equal(acls.length, 1);
    assert.equal(acls[0]!.perms, 31);
    assert.equal(acls[0]!.id.scheme, 'digest');
    assert.match(acls[0]!.id.id, /^u:/);
    assert.deepEqual(Buffer.from(snap.nodes.find((n) => n.path === '/a')!.data!).toString(), 'hello');
  });
});

describe('recovery of Apache data directories', () => {
  for (const kind of ['plain', 'gz']) {
    test(`${kind}: newest snapshot and the log after it`, async () => {
      const disk = new MemoryDisk();
      loadInto(disk, kind);
      const result = await recover(disk, { dataDir: '/d' });
      const newest = sortSnapshotFileNames(files(kind))[0]!;
      const logs = sortLogFileNames(files(kind));
      const last = scanLogFile(read(kind, logs.at(-1)!.name)).records.at(-1)!.zxid;
      assert.equal(result.snapshot?.file.name, newest.name);
      assert.deepEqual(result.tailRepairs, []);
      assert.equal(result.entries[0]?.zxid, newest.zxid + 1n);
      assert.equal(result.lastZxid, last);
      assert.equal(result.entries.length, Number(last - newest.zxid));
    });
  }
});
