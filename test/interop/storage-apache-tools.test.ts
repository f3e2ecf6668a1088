// The reverse of apache-fixtures: files written by our code are read by Apache ZooKeeper 3.8's
// own tools (TxnLogToolkit, SnapshotFormatter). Needs java and the Debian `zookeeper` package;
// if either is missing the test fails and says so (CI installs the package).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeDisk } from '../../src/io/node/disk.js';
import { TxnLog } from '../../src/storage/txn-log.js';
import { writeSnapshot } from '../../src/storage/snapshots.js';
import type { SnapshotContent } from '../../src/storage/format/snapshot-format.js';
import type { StatPersisted } from '../../src/proto/data.js';
import { createSessionEntry, z } from '../unit/storage/entries.js';

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
// The Debian jar's manifest Class-Path pulls in jute, slf4j, netty...; conf holds log4j settings.
const CLASSPATH = `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`;
const JAVA = process.env['JAVA'] ?? 'java';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function java(mainClass: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(JAVA, ['-cp', CLASSPATH, mainClass, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') {
        reject(new Error(`cannot run ${JAVA} (install a JRE and the Debian 'zookeeper' package): ${err.message}`));
        return;
      }
      resolve({ code: err === null ? 0 : Number(err.code), stdout, stderr });
    });
  });
}

function stat(n: number, owner = 0n): StatPersisted {
  return { czxid: z(n), mzxid: z(n), ctime: 1_700_000_000_000, mtime: 1_700_000_000_000 + n, version: n, cversion: 0, aversion: 0, ephemeralOwner: owner, pzxid: z(n) };
}

const SESSION_A = 0x100000abc000001n;
const SESSION_B = 0x100000abc000002n;

const CONTENT: SnapshotContent = {
  sessions: [
    [SESSION_A, 30000],
    [SESSION_B, 4000],
  ],
  aclCache: [
    [1n, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]],
    [2n, [{ perms: 31, id: { scheme: 'digest', id: 'u:0Yj9Fr+j9zZ/HR6Mt4VbUw3JG3c=' } }]],
  ],
  nodes: [
    { path: '/', data: new Uint8Array(0), aclRef: -1n, stat: stat(0) },
    { path: '/app', data: Buffer.from('hello'), aclRef: 2n, stat: stat(2) },
    { path: '/app/eph', data: null, aclRef: -1n, stat: stat(3, SESSION_A) },
    { path: '/app/cfg', data: Buffer.from('a'.repeat(300)), aclRef: 1n, stat: stat(4) },
    { path: '/zookeeper', data: new Uint8Array(0), aclRef: -1n, stat: stat(0) },
    { path: '/zookeeper/config', data: new Uint8Array(0), aclRef: 1n, stat: { ...stat(0), aversion: -1 } },
    { path: '/zookeeper/quota', data: new Uint8Array(0), aclRef: -1n, stat: stat(0) },
  ],
  digest: { zxid: z(9), version: 2, digest: 1371985504n },
};

describe('Apache 3.8 tools read our files', () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(ZOOKEEPER_JAR), `${ZOOKEEPER_JAR} is missing: install the Debian 'zookeeper' package (Apache ZooKeeper 3.8)`);
    dir = await mkdtemp(join(tmpdir(), 'zkts-apache-tools-'));
    const disk = new NodeDisk();
    const log = await TxnLog.open(disk, dir, { preAllocBytes: 4096 });
    for (let i = 1; i <= 9; i++) {
      const entry = createSessionEntry(BigInt(i), { sessionId: 0x100000abc000000n + BigInt(i), digest: 1371985504n });
      await log.append(z(i), entry);
      if (i === 5) log.roll();
    }
    await log.close();
    await writeSnapshot(disk, dir, z(9), CONTENT);
    await writeSnapshot(disk, dir, z(5), CONTENT, { compression: 'gz', chunkBytes: 64 });
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  test('TxnLogToolkit dumps every txn of each file, no CRC error', async () => {
    for (const [name, zxids] of [['log.1', [1, 2, 3, 4, 5]], ['log.6', [6, 7, 8, 9]]] as const) {
      const run = await java('org.apache.zookeeper.server.persistence.TxnLogToolkit', ['-d', join(dir, name)]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /ZooKeeper Transactional Log File with dbid 0 txnlog format version 2/);
      assert.doesNotMatch(run.stdout, /CRC ERROR|Exception/);
      for (const n of zxids) assert.match(run.stdout, new RegExp(`session 0x100000abc00000${n} cxid 0x0 zxid 0x${n} createSession 30000`));
      assert.match(run.stdout, new RegExp(`EOF reached after ${zxids.length} txns`));
    }
  });

  test('negative control: the toolkit does flag a damaged record', async () => {
    const bytes = await readFile(join(dir, 'log.1'));
    bytes[16 + 12 + 22] = bytes[16 + 12 + 22]! ^ 0xff; // the first txn's time field
    await writeFile(join(dir, 'damaged.1'), bytes);
    const run = await java('org.apache.zookeeper.server.persistence.TxnLogToolkit', ['-d', join(dir, 'damaged.1')]);
    assert.match(run.stdout, /CRC ERROR/);
  });

  test('SnapshotFormatter reads plain and gzip snapshots: nodes, sessions, ephemerals', async () => {
    for (const name of ['snapshot.9', 'snapshot.5.gz']) {
      const run = await java('org.apache.zookeeper.server.SnapshotFormatter', [join(dir, name)]);
      assert.equal(run.code, 0, `${name}: ${run.stdout}\n${run.stderr}`);
      assert.doesNotMatch(run.stdout + run.stderr, /Exception|Invalid|error/i);
      // Apache counts one more than the nodes listed (its own 4-node snapshot.0 says count=5).
      assert.match(run.stdout, /ZNode Details \(count=8\)/);
      for (const p of ['/app', '/app/eph', '/app/cfg', '/zookeeper/config']) assert.match(run.stdout, new RegExp(`^${p}$`, 'm'));
      assert.match(run.stdout, /dataLength = 300/);
      assert.match(run.stdout, /0x100000abc000001, 30000, 1/);
      assert.match(run.stdout, /0x100000abc000002, 4000, 0/);
      assert.match(run.stdout, name === 'snapshot.9' ? /Last zxid: 0x9/ : /Last zxid: 0x5/);
    }
  });
});
