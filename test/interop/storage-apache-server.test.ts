// Apache ZooKeeper 3.8 itself starts on a data directory written by zkts (snapshot.0 + logs),
// replays our txns, and zkts then recovers the snapshot Apache wrote at start-up. Needs java and
// the Debian `zookeeper` package; fails (does not skip) without them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeDisk } from '../../src/io/node/disk.js';
import { TxnLog } from '../../src/storage/txn-log.js';
import { writeSnapshot } from '../../src/storage/snapshots.js';
import { recover } from '../../src/storage/recovery.js';
import { decodeSnapshot } from '../../src/storage/format/snapshot-format.js';
import { createSessionEntry, z } from '../unit/storage/entries.js';

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const FRESH_TREE_DIGEST = 1371985504n; // §5.2: root + /zookeeper, as Apache computes it
const FIXTURE_SNAPSHOT_0 = fileURLToPath(new URL('../fixtures/apache-3.8-storage/plain/snapshot.0', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Sends a four-letter word; resolves with the reply, or '' if the server is not up yet. */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => socket.write(word));
    socket.on('data', (d: Buffer) => (reply += d.toString('utf8')));
    socket.on('error', () => resolve(''));
    socket.on('close', () => resolve(reply));
  });
}

test('Apache 3.8 loads a zkts data directory and zkts loads what Apache wrote back', async () => {
  assert.ok(existsSync(ZOOKEEPER_JAR), `${ZOOKEEPER_JAR} is missing: install the Debian 'zookeeper' package (Apache ZooKeeper 3.8)`);
  const dataDir = await mkdtemp(join(tmpdir(), 'zkts-apache-server-'));
  const disk = new NodeDisk();
  let child: ReturnType<typeof spawn> | null = null;
  try {
    // What zkts does on a fresh dir: snapshot.0 of the empty tree, then the log.
    const fresh = await recover(disk, { dataDir });
    assert.equal(fresh.fresh, true);
    const empty = decodeSnapshot(readFileSync(FIXTURE_SNAPSHOT_0));
    await writeSnapshot(disk, fresh.snapDir, z(0), { sessions: [], aclCache: empty.aclCache, nodes: empty.nodes, digest: empty.digest! });
    const log = await TxnLog.open(disk, fresh.logDir, { preAllocBytes: 4096, lastZxid: fresh.lastZxid });
    const sessionIds: bigint[] = [];
    for (let i = 1; i <= 5; i++) {
      const sessionId = 0x100000abc000000n + BigInt(i);
      sessionIds.push(sessionId);
      await log.append(z(i), createSessionEntry(BigInt(i), { sessionId, timeoutMs: 30000, digest: FRESH_TREE_DIGEST }));
      if (i === 3) log.roll();
    }
    await log.close();

    const port = await freePort();
    const cfg = join(dataDir, 'zoo.cfg');
    await writeFile(cfg, [`tickTime=2000`, `dataDir=${dataDir}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1', 'admin.enableServer=false', '4lw.commands.whitelist=srvr', ''].join('\n'));
    let output = '';
    child = spawn('java', ['-cp', `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.once('error', (err) => (output += `spawn failed: ${err.message}`));

    let srvr = '';
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      srvr = await fourLetterWord(port, 'srvr');
      if (srvr.includes('Zxid:')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.match(srvr, /Zxid: 0x5\b/, `Apache did not come up at zxid 0x5:\n${srvr}\n${output}`);
    assert.match(srvr, /Mode: standalone/);

    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 15_000)))]);
    clearTimeout(timer);
    assert.notEqual(stopped, 'timeout', 'Apache did not stop');
    child = null;

    // A standalone Apache snapshots at start-up, after replaying our log: snapshot.5 holds our sessions.
    const again = await recover(disk, { dataDir });
    assert.equal(again.snapshot?.file.name, 'snapshot.5');
    assert.deepEqual(again.snapshot?.snapshot.sessions.map(([id]) => id).sort(), sessionIds);
    assert.deepEqual(again.entries, []);
    assert.equal(again.lastZxid, 5n);
  } finally {
    if (child !== null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
