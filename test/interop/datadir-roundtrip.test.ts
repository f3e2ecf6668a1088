// One dataDir, both servers: zkts writes a tree of every node kind (with a live session holding
// ephemerals) -> stop -> Apache ZooKeeper 3.8 starts on the same dataDir and serves the identical
// tree, Stat included, and the session re-attaches with its password -> Apache writes more -> stop
// -> zkts serves Apache's tree identically. Proves the log and snapshot formats both ways.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, prepareConfig, type PreparedConfig, type Server } from '../support/server-process.js';
import { zktsMainPath } from '../support/zkts-server.js';
import { APACHE_MAIN_CLASS, apacheClasspath } from '../support/apache-zk.js';
import { RawClient, OPEN_ACL, utf8 } from '../integration/raw-client.js';
import { digestOf } from '../../src/acl/digest.js';

type Dump = Map<string, unknown>;

function startZktsOn(cfg: PreparedConfig): Promise<Server> {
  return launch('zkts', process.execPath, [zktsMainPath(), 'server', cfg.cfgPath], cfg);
}

function startApacheOn(cfg: PreparedConfig): Promise<Server> {
  return launch('apache', 'java', [
    '-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-Djava.net.preferIPv4Stack=true',
    '-Dzookeeper.extendedTypesEnabled=true', '-cp', apacheClasspath(), APACHE_MAIN_CLASS, cfg.cfgPath,
  ], cfg);
}

/** Stops a server without deleting its directory (Server.stop() removes it). */
async function halt(server: Server): Promise<void> {
  process.kill(server.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      process.kill(server.pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) {
      process.kill(server.pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Apache answers ruok before its database is loaded: retry the handshake until it serves. */
async function sessionWhenServing(port: number, options: Parameters<typeof RawClient.session>[1] = {}): Promise<RawClient> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await RawClient.session(port, options);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Every node with its data, ACL and full Stat. */
async function dump(c: RawClient): Promise<Dump> {
  await c.call({ op: 'auth', type: 0, scheme: 'digest', auth: utf8('root:12345') });
  const out: Dump = new Map();
  const queue = ['/'];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const data = await c.call({ op: 'getData', path, watch: false });
    const acl = await c.call({ op: 'getACL', path });
    const kids = await c.call({ op: 'getChildren2', path, watch: false });
    if (data.response?.kind !== 'getData' || acl.response?.kind !== 'getACL' || kids.response?.kind !== 'getChildren2') {
      throw new Error(`cannot read ${path}: ${data.err} ${acl.err} ${kids.err}`);
    }
    out.set(path, {
      data: data.response.data === null ? null : Buffer.from(data.response.data).toString('hex'),
      stat: data.response.stat,
      acl: acl.response.acl,
    });
    for (const name of [...kids.response.children].sort()) queue.push(path === '/' ? `/${name}` : `${path}/${name}`);
  }
  return out;
}

async function writeTree(c: RawClient, prefix: string): Promise<void> {
  const digest = digestOf('root:12345');
  const ok = async (p: Promise<{ err: number }>) => assert.equal((await p).err, 0);
  await ok(c.call({ op: 'auth', type: 0, scheme: 'digest', auth: utf8('root:12345') }));
  await ok(c.call({ op: 'create', path: prefix, data: utf8('root'), acl: OPEN_ACL, flags: 0 }));
  await ok(c.call({ op: 'create', path: `${prefix}/null`, data: null, acl: OPEN_ACL, flags: 0 }));
  await ok(c.call({ op: 'create', path: `${prefix}/empty`, data: new Uint8Array(0), acl: OPEN_ACL, flags: 0 }));
  await ok(c.call({ op: 'create', path: `${prefix}/seq-`, data: utf8('s'), acl: OPEN_ACL, flags: 2 }));
  await ok(c.call({ op: 'create', path: `${prefix}/eph`, data: utf8('e'), acl: OPEN_ACL, flags: 1 }));
  await ok(c.call({ op: 'create', path: `${prefix}/eseq-`, data: utf8('e'), acl: OPEN_ACL, flags: 3 }));
  await ok(c.call({ op: 'createContainer', path: `${prefix}/cont`, data: null, acl: OPEN_ACL, flags: 4 }));
  await ok(c.call({ op: 'create', path: `${prefix}/cont/kid`, data: null, acl: OPEN_ACL, flags: 0 }));
  await ok(c.call({ op: 'createTTL', path: `${prefix}/ttl`, data: utf8('t'), acl: OPEN_ACL, flags: 5, ttl: 3_600_000 }));
  await ok(c.call({ op: 'create', path: `${prefix}/secret`, data: utf8('x'), acl: [{ perms: 31, id: { scheme: 'digest', id: digest } }], flags: 0 }));
  await ok(c.call({ op: 'create', path: `${prefix}/auth`, data: utf8('x'), acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 }));
  await ok(c.call({ op: 'setData', path: `${prefix}/null`, data: utf8('now'), version: 0 }));
  await ok(c.call({ op: 'setACL', path: `${prefix}/empty`, acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], version: 0 }));
  await ok(c.call({ op: 'multi', opsAllowed: true, ops: [
    { op: 'create', path: `${prefix}/m1`, data: utf8('1'), acl: OPEN_ACL, flags: 0 },
    { op: 'create', path: `${prefix}/m1/m2`, data: utf8('2'), acl: OPEN_ACL, flags: 0 },
    { op: 'delete', path: `${prefix}/seq-0000000002`, version: -1 },
  ] }));
  // A failing multi and a failing create are logged as error txns.
  await c.call({ op: 'multi', opsAllowed: true, ops: [
    { op: 'create', path: `${prefix}/never`, data: null, acl: OPEN_ACL, flags: 0 },
    { op: 'delete', path: `${prefix}/missing`, version: -1 },
  ] });
  assert.notEqual((await c.call({ op: 'create', path: prefix, data: null, acl: OPEN_ACL, flags: 0 })).err, 0);
}

test('zkts -> Apache -> zkts on one dataDir: identical trees, sessions survive', { timeout: 180_000 }, async () => {
  const cfg = await prepareConfig('roundtrip', { preAllocSize: '64', snapCount: '10000' });
  const clients: RawClient[] = [];
  let server: Server | undefined;
  try {
    server = await startZktsOn(cfg);
    const writer = await RawClient.session(server.port, { timeoutMs: 40000 });
    clients.push(writer);
    await writeTree(writer, '/z');
    const fromZkts = await dump(writer);
    const session = { sessionId: writer.sessionId, passwd: writer.connectResponse!.passwd };
    writer.close(); // the session stays alive: its ephemerals must survive the switch
    await halt(server);

    server = await startApacheOn(cfg);
    const apacheReader = await sessionWhenServing(server.port);
    clients.push(apacheReader);
    assert.deepEqual(await dump(apacheReader), fromZkts);
    // The zkts session re-attaches to Apache with its password and continues.
    const resumed = await RawClient.session(server.port, { ...session, timeoutMs: 40000 });
    clients.push(resumed);
    assert.equal(resumed.sessionId, session.sessionId);
    assert.equal((await resumed.call({ op: 'create', path: '/z/eph2', data: null, acl: OPEN_ACL, flags: 1 })).err, 0);
    await writeTree(resumed, '/a');
    const fromApache = await dump(resumed);
    resumed.close();
    await halt(server);

    server = await startZktsOn(cfg);
    const zktsReader = await sessionWhenServing(server.port);
    clients.push(zktsReader);
    assert.deepEqual(await dump(zktsReader), fromApache);
    const again = await RawClient.session(server.port, { ...session, timeoutMs: 40000 });
    clients.push(again);
    assert.equal(again.sessionId, session.sessionId);
    assert.equal((await again.call({ op: 'exists', path: '/z/eph2', watch: false })).err, 0);
  } finally {
    for (const c of clients) c.close();
    await server?.stop();
  }
});
