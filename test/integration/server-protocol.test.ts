// The zkts server process on loopback, driven at the protocol level: handshake variants, every
// client opcode's success and error answers, watch ordering, and bad input.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startZkts, type Server } from '../support/zkts-server.js';
import { RawClient, OPEN_ACL, utf8 } from './raw-client.js';
import { ErrorCode } from '../../src/proto/error-codes.js';
import { EventType } from '../../src/proto/opcodes.js';
import { digestOf } from '../../src/acl/digest.js';

let server: Server;
const clients: RawClient[] = [];

async function session(options: Parameters<typeof RawClient.session>[1] = {}): Promise<RawClient> {
  const c = await RawClient.session(server.port, options);
  clients.push(c);
  return c;
}

before(async () => {
  server = await startZkts({ extraCfg: { maxClientCnxns: '0' } });
});

after(async () => {
  for (const c of clients) c.close();
  await server.stop();
});

describe('handshake', () => {
  test('a new session gets an id with server byte 1, a 16-byte password and the negotiated timeout', async () => {
    const c = await session({ timeoutMs: 1000 });
    const r = c.connectResponse!;
    assert.equal(r.timeoutMs, 4000); // min = 2 x tickTime 2000
    assert.equal(BigInt.asUintN(64, r.sessionId) >> 56n, 1n);
    assert.equal(r.passwd.length, 16);
    assert.equal(r.readOnly, false);
  });

  test('an old client (no readOnly byte) gets the 36-byte response', async () => {
    const c = await session({ readOnly: null, timeoutMs: 100000 });
    assert.equal(c.connectResponse!.readOnly, null);
    assert.equal(c.connectResponse!.timeoutMs, 40000);
  });

  test('re-attach with the password keeps the session; the old connection is closed', async () => {
    const first = await session();
    const created = await first.call({ op: 'create', path: '/reattach', data: utf8('x'), acl: OPEN_ACL, flags: 1 });
    assert.equal(created.err, 0);
    const second = await session({ sessionId: first.sessionId, passwd: first.connectResponse!.passwd });
    assert.equal(second.sessionId, first.sessionId);
    await first.waitClosed();
    const stat = await second.call({ op: 'exists', path: '/reattach', watch: false });
    assert.equal(stat.err, 0);
  });

  test('a wrong password is answered with timeout 0 and a closed connection', async () => {
    const first = await session();
    const bad = await RawClient.open(server.port);
    clients.push(bad);
    const r = await bad.handshake({ sessionId: first.sessionId, passwd: new Uint8Array(16).fill(7) });
    assert.equal(r.timeoutMs, 0);
    assert.equal(r.sessionId, 0n);
    await bad.waitClosed();
  });

  test('a client that has seen a newer zxid is closed without a response', async () => {
    const c = await RawClient.open(server.port);
    clients.push(c);
    c.socket.write(Buffer.from('0000002d00000000' + '00000fffffffffff' + '00007530' + '0000000000000000' + '00000010' + '00'.repeat(16) + '00', 'hex'));
    await c.waitClosed();
    assert.equal(c.connectResponse, null);
  });
});

describe('operations', () => {
  test('create, getData, setData, delete with versions and Stat maintenance', async () => {
    const c = await session();
    const created = await c.call({ op: 'create2', path: '/ops', data: utf8('v0'), acl: OPEN_ACL, flags: 0 });
    assert.equal(created.err, 0);
    assert.equal(created.response?.kind, 'create2');
    const get = await c.call({ op: 'getData', path: '/ops', watch: false });
    assert.equal(get.response?.kind, 'getData');
    if (get.response?.kind !== 'getData') return;
    assert.deepEqual(Buffer.from(get.response.data!), utf8('v0'));
    assert.equal(get.response.stat.czxid, created.zxid);
    assert.equal(get.response.stat.version, 0);
    assert.equal((await c.call({ op: 'setData', path: '/ops', data: utf8('v1'), version: 5 })).err, ErrorCode.badVersion);
    const set = await c.call({ op: 'setData', path: '/ops', data: utf8('v1'), version: 0 });
    assert.equal(set.err, 0);
    if (set.response?.kind === 'stat') assert.equal(set.response.stat.version, 1);
    assert.equal((await c.call({ op: 'create', path: '/ops/child', data: null, acl: OPEN_ACL, flags: 0 })).err, 0);
    assert.equal((await c.call({ op: 'delete', path: '/ops', version: -1 })).err, ErrorCode.notEmpty);
    assert.equal((await c.call({ op: 'create', path: '/ops', data: null, acl: OPEN_ACL, flags: 0 })).err, ErrorCode.nodeExists);
    assert.equal((await c.call({ op: 'create', path: '/missing/x', data: null, acl: OPEN_ACL, flags: 0 })).err, ErrorCode.noNode);
    assert.equal((await c.call({ op: 'create', path: 'rel', data: null, acl: OPEN_ACL, flags: 0 })).err, ErrorCode.badArguments);
    assert.equal((await c.call({ op: 'delete', path: '/', version: -1 })).err, ErrorCode.badArguments);
    assert.equal((await c.call({ op: 'delete', path: '/zookeeper', version: -1 })).err, ErrorCode.badArguments);
    const children = await c.call({ op: 'getChildren2', path: '/ops', watch: false });
    assert.equal(children.response?.kind, 'getChildren2');
    if (children.response?.kind === 'getChildren2') {
      assert.deepEqual(children.response.children, ['child']);
      assert.equal(children.response.stat.cversion, 1);
      assert.equal(children.response.stat.numChildren, 1);
    }
    const nullData = await c.call({ op: 'getData', path: '/ops/child', watch: false });
    if (nullData.response?.kind === 'getData') assert.equal(nullData.response.data, null);
  });

  test('a failed write consumes a zxid; reads return the last zxid', async () => {
    const c = await session();
    const a = await c.call({ op: 'create', path: '/zx', data: null, acl: OPEN_ACL, flags: 0 });
    const b = await c.call({ op: 'create', path: '/zx', data: null, acl: OPEN_ACL, flags: 0 });
    assert.equal(b.err, ErrorCode.nodeExists);
    assert.equal(b.zxid, a.zxid + 1n);
    const read = await c.call({ op: 'exists', path: '/zx', watch: false });
    assert.ok(read.zxid >= b.zxid);
  });

  test('sequential, ephemeral, container and TTL nodes', async () => {
    const c = await session();
    await c.call({ op: 'create', path: '/seq', data: null, acl: OPEN_ACL, flags: 0 });
    const s0 = await c.call({ op: 'create', path: '/seq/s-', data: null, acl: OPEN_ACL, flags: 2 });
    const s1 = await c.call({ op: 'create', path: '/seq/s-', data: null, acl: OPEN_ACL, flags: 3 });
    assert.deepEqual([s0.response, s1.response], [
      { kind: 'create', path: '/seq/s-0000000000' },
      { kind: 'create', path: '/seq/s-0000000001' },
    ]);
    assert.equal((await c.call({ op: 'create', path: '/seq/s-0000000001/x', data: null, acl: OPEN_ACL, flags: 0 })).err, ErrorCode.noChildrenForEphemerals);
    const eph = await c.call({ op: 'getEphemerals', prefixPath: '/seq' });
    assert.deepEqual(eph.response, { kind: 'getEphemerals', ephemerals: ['/seq/s-0000000001'] });
    const container = await c.call({ op: 'createContainer', path: '/cont', data: null, acl: OPEN_ACL, flags: 4 });
    assert.equal(container.err, 0);
    assert.equal(container.response?.kind, 'create2');
    const ttl = await c.call({ op: 'createTTL', path: '/ttl', data: null, acl: OPEN_ACL, flags: 5, ttl: 60000 });
    assert.equal(ttl.err, 0);
    if (ttl.response?.kind === 'create2') assert.equal(ttl.response.stat.ephemeralOwner, 0n);
    assert.equal((await c.call({ op: 'createTTL', path: '/ttl0', data: null, acl: OPEN_ACL, flags: 5, ttl: 0 })).err, ErrorCode.badArguments);
    assert.equal((await c.call({ op: 'create', path: '/ttl1', data: null, acl: OPEN_ACL, flags: 5 })).err, ErrorCode.badArguments);
    assert.equal((await c.call({ op: 'create', path: '/flag7', data: null, acl: OPEN_ACL, flags: 7 })).err, ErrorCode.badArguments);
    const count = await c.call({ op: 'getAllChildrenNumber', path: '/seq' });
    assert.deepEqual(count.response, { kind: 'getAllChildrenNumber', totalNumber: 2 });
  });

  test('multi applies all or nothing; multiRead reports per op', async () => {
    const c = await session();
    const ok = await c.call({ op: 'multi', opsAllowed: true, ops: [
      { op: 'create', path: '/m', data: null, acl: OPEN_ACL, flags: 0 },
      { op: 'create', path: '/m/a', data: utf8('a'), acl: OPEN_ACL, flags: 0 },
      { op: 'setData', path: '/m', data: utf8('x'), version: 0 },
      { op: 'check', path: '/m', version: 1 },
    ] });
    assert.equal(ok.err, 0);
    assert.equal(ok.response?.kind, 'multi');
    if (ok.response?.kind === 'multi') assert.deepEqual(ok.response.results.map((r) => r.op), ['create', 'create', 'setData', 'check']);
    const failed = await c.call({ op: 'multi', opsAllowed: true, ops: [
      { op: 'create', path: '/m2', data: null, acl: OPEN_ACL, flags: 0 },
      { op: 'setData', path: '/nothere', data: null, version: -1 },
      { op: 'create', path: '/m3', data: null, acl: OPEN_ACL, flags: 0 },
    ] });
    assert.equal(failed.err, 0);
    if (failed.response?.kind === 'multi') {
      assert.deepEqual(failed.response.results, [
        { op: 'error', err: 0 },
        { op: 'error', err: ErrorCode.noNode },
        { op: 'error', err: ErrorCode.runtimeInconsistency },
      ]);
    }
    assert.equal((await c.call({ op: 'exists', path: '/m2', watch: false })).err, ErrorCode.noNode);
    const reads = await c.call({ op: 'multiRead', opsAllowed: true, ops: [
      { op: 'getData', path: '/m/a', watch: false },
      { op: 'getChildren', path: '/nothere', watch: false },
      { op: 'getChildren', path: '/m', watch: false },
    ] });
    if (reads.response?.kind === 'multi') {
      assert.equal(reads.response.results[0]?.op, 'getData');
      assert.deepEqual(reads.response.results[1], { op: 'error', err: ErrorCode.noNode });
      assert.deepEqual(reads.response.results[2], { op: 'getChildren', children: ['a'] });
    }
  });

  test('ACLs: digest auth, NoAuth, masked getACL, super via auth, InvalidACL, failed auth closes', async () => {
    const owner = await session();
    const digest = digestOf('root:12345');
    assert.equal((await owner.call({ op: 'auth', type: 0, scheme: 'digest', auth: utf8('root:12345') })).err, 0);
    assert.equal((await owner.call({ op: 'create', path: '/secret', data: utf8('s'), acl: [{ perms: 31, id: { scheme: 'digest', id: digest } }], flags: 0 })).err, 0);
    const other = await session();
    assert.equal((await other.call({ op: 'getData', path: '/secret', watch: false })).err, ErrorCode.noAuth);
    // 3.9 (ZOOKEEPER-2590): exists needs READ too, and sets no watch when refused.
    assert.equal((await other.call({ op: 'exists', path: '/secret', watch: true })).err, ErrorCode.noAuth);
    assert.equal((await other.call({ op: 'exists', path: '/secret-missing', watch: false })).err, ErrorCode.noNode);
    assert.equal((await other.call({ op: 'getACL', path: '/secret' })).err, ErrorCode.noAuth);
    assert.equal((await other.call({ op: 'create', path: '/bad', data: null, acl: [{ perms: 31, id: { scheme: 'auth', id: '' } }], flags: 0 })).err, ErrorCode.invalidAcl);
    assert.equal((await other.call({ op: 'create', path: '/bad', data: null, acl: [], flags: 0 })).err, ErrorCode.invalidAcl);
    await other.call({ op: 'auth', type: 0, scheme: 'digest', auth: utf8('root:12345') });
    assert.equal((await other.call({ op: 'getData', path: '/secret', watch: false })).err, 0);
    const who = await other.call({ op: 'whoAmI' });
    assert.equal(who.response?.kind, 'whoAmI');
    if (who.response?.kind === 'whoAmI') {
      assert.deepEqual(who.response.clientInfo.map((i) => i.authScheme).sort(), ['digest', 'ip']);
    }
    // READ without ADMIN sees digest ids masked.
    await owner.call({ op: 'create', path: '/masked', data: null, acl: [{ perms: 31, id: { scheme: 'digest', id: digest } }, { perms: 1, id: { scheme: 'world', id: 'anyone' } }], flags: 0 });
    const third = await session();
    const masked = await third.call({ op: 'getACL', path: '/masked' });
    if (masked.response?.kind === 'getACL') assert.equal(masked.response.acl[0]?.id.id, 'root:x');
    const failing = await session();
    const denied = await failing.call({ op: 'auth', type: 0, scheme: 'nosuch', auth: utf8('x') });
    assert.equal(denied.err, ErrorCode.authFailed);
    await failing.waitClosed();
  });

  test('sync echoes the path; unknown opcode gets -6 and a closed connection', async () => {
    const c = await session();
    assert.deepEqual((await c.call({ op: 'sync', path: '/anything' })).response, { kind: 'sync', path: '/anything' });
    c.sendRaw(Buffer.from('00000008000000070000006f', 'hex'));
    await c.waitClosed();
    const last = c.replies().at(-1)!;
    assert.equal(last.err, ErrorCode.unimplemented);
    assert.equal(last.zxid, -1n);
  });

  test('a malformed body gets -5 and the session continues', async () => {
    const c = await session();
    c.sendRaw(Buffer.from('0000000c0000000700000004ffffffff', 'hex')); // getData with a null path
    const after = await c.call({ op: 'exists', path: '/', watch: false });
    assert.equal(after.err, 0);
    assert.equal(c.replies()[0]?.err, ErrorCode.marshallingError);
  });
});

describe('watches', () => {
  test('a notification reaches the client before the reply of the write that fired it', async () => {
    const c = await session();
    await c.call({ op: 'create', path: '/w', data: null, acl: OPEN_ACL, flags: 0 });
    await c.call({ op: 'getData', path: '/w', watch: true });
    const xid = c.send({ op: 'setData', path: '/w', data: utf8('x'), version: -1 });
    await c.replyFor(xid);
    const index = c.frames.findIndex((f) => f.kind === 'reply' && f.reply.xid === xid);
    const before = c.frames[index - 1];
    assert.deepEqual(before, { kind: 'event', event: { type: EventType.nodeDataChanged, state: 3, path: '/w' } });
    // One-shot: a second change fires nothing.
    await c.call({ op: 'setData', path: '/w', data: utf8('y'), version: -1 });
    assert.equal(c.events().length, 1);
  });

  test('exists watches on a missing node fire NodeCreated; child watches fire NodeChildrenChanged', async () => {
    const watcher = await session();
    const writer = await session();
    assert.equal((await watcher.call({ op: 'exists', path: '/later', watch: true })).err, ErrorCode.noNode);
    await writer.call({ op: 'create', path: '/later', data: null, acl: OPEN_ACL, flags: 0 });
    await watcher.call({ op: 'getChildren', path: '/later', watch: true });
    await writer.call({ op: 'create', path: '/later/c', data: null, acl: OPEN_ACL, flags: 0 });
    const events = await watcher.waitForEvents(2);
    assert.deepEqual(events.map((e) => [e.type, e.path]), [
      [EventType.nodeCreated, '/later'],
      [EventType.nodeChildrenChanged, '/later'],
    ]);
  });

  test('persistent recursive watches see descendants and stay; removeWatches stops them', async () => {
    const watcher = await session();
    const writer = await session();
    await writer.call({ op: 'create', path: '/r', data: null, acl: OPEN_ACL, flags: 0 });
    const added = await watcher.call({ op: 'addWatch', path: '/r', mode: 1 });
    assert.deepEqual(added.response, { kind: 'error', err: 0 });
    await writer.call({ op: 'create', path: '/r/x', data: null, acl: OPEN_ACL, flags: 0 });
    await writer.call({ op: 'setData', path: '/r/x', data: utf8('1'), version: -1 });
    await writer.call({ op: 'delete', path: '/r/x', version: -1 });
    const events = await watcher.waitForEvents(3);
    assert.deepEqual(events.map((e) => [e.type, e.path]), [
      [EventType.nodeCreated, '/r/x'],
      [EventType.nodeDataChanged, '/r/x'],
      [EventType.nodeDeleted, '/r/x'],
    ]);
    assert.equal((await watcher.call({ op: 'checkWatches', path: '/r', type: 3 })).err, 0);
    assert.equal((await watcher.call({ op: 'removeWatches', path: '/r', type: 3 })).err, 0);
    assert.equal((await watcher.call({ op: 'removeWatches', path: '/r', type: 3 })).err, ErrorCode.noWatcher);
  });

  test('setWatches fires what was missed since relativeZxid', async () => {
    const writer = await session();
    const created = await writer.call({ op: 'create', path: '/sw', data: null, acl: OPEN_ACL, flags: 0 });
    await writer.call({ op: 'setData', path: '/sw', data: utf8('z'), version: -1 });
    const c = await session();
    const xid = c.send({ op: 'setWatches', relativeZxid: created.zxid as never, dataWatches: ['/sw', '/gone'], existWatches: ['/sw'], childWatches: [] });
    await c.replyFor(xid);
    assert.deepEqual(c.events().map((e) => [e.type, e.path]), [
      [EventType.nodeDataChanged, '/sw'],
      [EventType.nodeDeleted, '/gone'],
      [EventType.nodeCreated, '/sw'],
    ]);
  });
});

describe('sessions', () => {
  test('closeSession deletes ephemerals, fires NodeDeleted to watchers, and closes the socket', async () => {
    const owner = await session();
    const watcher = await session();
    await owner.call({ op: 'create', path: '/e', data: null, acl: OPEN_ACL, flags: 1 });
    await watcher.call({ op: 'exists', path: '/e', watch: true });
    const closing = await owner.call({ op: 'closeSession' });
    assert.equal(closing.err, 0);
    await owner.waitClosed();
    const events = await watcher.waitForEvents(1);
    assert.deepEqual(events.map((e) => [e.type, e.path]), [[EventType.nodeDeleted, '/e']]);
    assert.equal((await watcher.call({ op: 'exists', path: '/e', watch: false })).err, ErrorCode.noNode);
  });

  test('a session whose client stops pinging expires and loses its ephemerals', async () => {
    const owner = await session({ timeoutMs: 4000 });
    const watcher = await session();
    await owner.call({ op: 'create', path: '/expiring', data: null, acl: OPEN_ACL, flags: 1 });
    await watcher.call({ op: 'exists', path: '/expiring', watch: true });
    // The owner stays connected but silent: expiry closes its socket without a reply.
    await owner.waitClosed();
    const events = await watcher.waitForEvents(1);
    assert.deepEqual(events.map((e) => [e.type, e.path]), [[EventType.nodeDeleted, '/expiring']]);
  });
});

describe('bad input', () => {
  test('an oversize frame length closes the connection and the server keeps serving', async () => {
    const c = await RawClient.open(server.port);
    clients.push(c);
    c.socket.write(Buffer.from('00100000', 'hex'));
    await c.waitClosed();
    const healthy = await session();
    assert.equal((await healthy.call({ op: 'exists', path: '/', watch: false })).err, 0);
  });

  test('an unparsable ConnectRequest closes the connection', async () => {
    const c = await RawClient.open(server.port);
    clients.push(c);
    c.socket.write(Buffer.from('0000000300aabb', 'hex'));
    await c.waitClosed();
    assert.equal(c.connectResponse, null);
  });

  test('maxClientCnxns per IP closes excess connections at accept', async () => {
    const limited = await startZkts({ extraCfg: { maxClientCnxns: '3' } });
    const extra: RawClient[] = [];
    try {
      for (let i = 0; i < 6; i++) extra.push(await RawClient.open(limited.port));
      await extra[0]!.until(() => extra.filter((c) => c.closed).length >= 3, 5000);
      assert.deepEqual(extra.map((c) => c.closed), [false, false, false, true, true, true]);
      const r = await extra[0]!.handshake();
      assert.ok(r.timeoutMs > 0);
    } finally {
      for (const c of extra) c.close();
      await limited.stop();
    }
  });
});

describe('floods', () => {
  test('a client that floods requests without reading replies is slowed, not served at others\' expense', async () => {
    const flooder = await session();
    const count = 100_000;
    const frames = [];
    for (let i = 0; i < count; i++) frames.push(Buffer.from('00000011' + (i + 1).toString(16).padStart(8, '0') + '000000030000000461626364' + '00', 'hex'));
    flooder.socket.pause(); // never read: the server must stop reading from us instead of buffering forever
    flooder.socket.write(Buffer.concat(frames));
    const other = await session();
    for (let i = 0; i < 20; i++) assert.equal((await other.call({ op: 'exists', path: '/', watch: false })).err, 0);
    flooder.socket.resume();
    await flooder.until(() => flooder.replies().length >= count, 60_000);
    const replies = flooder.replies();
    assert.equal(replies.length, count);
    assert.ok(replies.every((r, i) => r.xid === i + 1 && r.err === ErrorCode.noNode));
  });
});
