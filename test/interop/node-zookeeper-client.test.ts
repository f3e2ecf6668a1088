// node-zookeeper-client (a third-party pure-JS client) against each target: create modes,
// watches, versions, children, multi, digest ACLs and ephemeral cleanup. One server per target.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACL, CreateMode, Id, Permission, ZkError, connectSession, digestId, type Event, type ZkSession } from '../support/nzk.js';
import { startTarget, targetKinds, type Server } from '../support/target.js';

const NO_NODE = -101;
const NO_AUTH = -102;
const BAD_VERSION = -103;
const NO_CHILDREN_FOR_EPHEMERALS = -108;
const NODE_EXISTS = -110;
const NOT_EMPTY = -111;
const RUNTIME_INCONSISTENCY = -2;

/** Asserts that `p` rejects with a ZkError of `code`. */
async function rejectsWith(p: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ZkError, `expected ZkError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

/** A watcher that records its events; `first` resolves on the first one (bounded). */
function recorder(timeoutMs = 5_000): { watcher: (e: Event) => void; events: Event[]; first: Promise<Event> } {
  const events: Event[] = [];
  let resolveFirst: (e: Event) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const first = new Promise<Event>((resolve, reject) => {
    resolveFirst = resolve;
    timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), timeoutMs);
  });
  first.catch(() => undefined); // a caller that never awaits must not see an unhandled rejection
  return {
    events,
    first,
    watcher: (e) => {
      events.push(e);
      clearTimeout(timer);
      resolveFirst(e);
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

for (const kind of targetKinds()) {
  describe(`node-zookeeper-client [${kind}]`, () => {
    let server: Server | undefined;
    const sessions: ZkSession[] = [];
    const open = async (): Promise<ZkSession> => {
      assert.ok(server, 'server not started');
      const s = await connectSession(server.connectString);
      sessions.push(s);
      return s;
    };
    before(async () => {
      server = await startTarget(kind);
      const s = await open();
      await s.create('/nzk', null);
    });
    after(async () => {
      for (const s of sessions) await s.close().catch(() => undefined);
      await server?.stop();
    });

    test('create: persistent, ephemeral, sequential, and failures', async () => {
      const s = await open();
      assert.equal(await s.create('/nzk/p', buf('x')), '/nzk/p');
      assert.equal(await s.create('/nzk/p/seq-', null, CreateMode.PERSISTENT_SEQUENTIAL), '/nzk/p/seq-0000000000');
      assert.equal(await s.create('/nzk/p/seq-', null, CreateMode.PERSISTENT_SEQUENTIAL), '/nzk/p/seq-0000000001');
      assert.equal(await s.create('/nzk/p/eph', null, CreateMode.EPHEMERAL), '/nzk/p/eph');
      assert.equal(await s.create('/nzk/p/eseq-', null, CreateMode.EPHEMERAL_SEQUENTIAL), '/nzk/p/eseq-0000000003');
      const eph = await s.exists('/nzk/p/eph');
      assert.ok(eph);
      assert.equal(eph.ephemeralOwner, s.sessionId);
      const persistent = await s.exists('/nzk/p');
      assert.ok(persistent);
      assert.equal(persistent.ephemeralOwner, 0n);
      assert.equal(persistent.numChildren, 4);
      await rejectsWith(s.create('/nzk/p', null), NODE_EXISTS);
      await rejectsWith(s.create('/nzk/missing/child', null), NO_NODE);
      await rejectsWith(s.create('/nzk/p/eph/child', null), NO_CHILDREN_FOR_EPHEMERALS);
      assert.equal(await s.exists('/nzk/missing'), null);
    });

    test('getData watcher fires NodeDataChanged once', async () => {
      const a = await open();
      const b = await open();
      await a.create('/nzk/w', buf('v1'));
      const rec = recorder();
      const got = await a.getData('/nzk/w', rec.watcher);
      assert.equal(got.data?.toString(), 'v1');
      await b.setData('/nzk/w', buf('v2'));
      const event = await rec.first;
      assert.equal(event.getType(), 3); // NodeDataChanged
      assert.equal(event.getPath(), '/nzk/w');
      await b.setData('/nzk/w', buf('v3'));
      await a.getData('/nzk/w'); // a round trip on a's connection: any second event has arrived
      await sleep(100);
      assert.equal(rec.events.length, 1, 'one-shot watch fired more than once');
    });

    test('setData and delete with versions', async () => {
      const s = await open();
      await s.create('/nzk/v', buf('0'));
      const s1 = await s.setData('/nzk/v', buf('1'), 0);
      assert.equal(s1.version, 1);
      assert.ok(s1.mzxid > s1.czxid);
      await rejectsWith(s.setData('/nzk/v', buf('x'), 0), BAD_VERSION);
      const s2 = await s.setData('/nzk/v', buf('2'), 1);
      assert.equal(s2.version, 2);
      const s3 = await s.setData('/nzk/v', Buffer.alloc(0), -1);
      assert.equal(s3.version, 3);
      assert.equal(s3.dataLength, 0);
      await s.create('/nzk/v/child', null);
      await rejectsWith(s.remove('/nzk/v', 3), NOT_EMPTY);
      await rejectsWith(s.remove('/nzk/v/child', 7), BAD_VERSION);
      await s.remove('/nzk/v/child', 0);
      await rejectsWith(s.remove('/nzk/v', 2), BAD_VERSION);
      await s.remove('/nzk/v', 3);
      await rejectsWith(s.remove('/nzk/v'), NO_NODE);
      await rejectsWith(s.setData('/nzk/v', buf('')), NO_NODE);
    });

    test('getChildren returns the children and the parent Stat', async () => {
      const s = await open();
      await s.create('/nzk/c', null);
      for (const name of ['b', 'a', 'c']) await s.create(`/nzk/c/${name}`, null);
      await s.remove('/nzk/c/b');
      const { children, stat } = await s.getChildren('/nzk/c');
      assert.deepEqual([...children].sort(), ['a', 'c']);
      assert.equal(stat.numChildren, 2);
      assert.equal(stat.cversion, 4); // 3 creates + 1 delete (§6.3)
      const empty = await s.getChildren('/nzk/c/a');
      assert.deepEqual(empty.children, []);
      await rejectsWith(s.getChildren('/nzk/c/zz'), NO_NODE);
    });

    test('multi: success applies all with one zxid, failure applies none', async () => {
      const s = await open();
      const ok = await s.multi([
        { op: 'create', path: '/nzk/tx', data: buf('t'), mode: CreateMode.PERSISTENT },
        { op: 'create', path: '/nzk/tx/a', data: null, mode: CreateMode.PERSISTENT },
        { op: 'setData', path: '/nzk/tx', data: buf('t2'), version: -1 },
        { op: 'check', path: '/nzk/tx', version: 1 },
      ]);
      assert.equal(ok.code, 0);
      assert.deepEqual(ok.results.map((r) => [r.type, r.err, r.path]), [
        [1, 0, '/nzk/tx'],
        [1, 0, '/nzk/tx/a'],
        [5, 0, undefined],
        [13, 0, undefined],
      ]);
      const tx = await s.getData('/nzk/tx');
      assert.equal(tx.data?.toString(), 't2');
      assert.equal(tx.stat.czxid, tx.stat.mzxid);
      assert.equal((await s.exists('/nzk/tx/a'))?.czxid, tx.stat.czxid);

      const bad = await s.multi([
        { op: 'create', path: '/nzk/tx2', data: null, mode: CreateMode.PERSISTENT },
        { op: 'setData', path: '/nzk/nothere', data: null, version: -1 },
        { op: 'create', path: '/nzk/tx3', data: null, mode: CreateMode.PERSISTENT },
      ]);
      assert.equal(bad.code, NO_NODE);
      assert.deepEqual(bad.results.map((r) => [r.type, r.err]), [
        [-1, 0],
        [-1, NO_NODE],
        [-1, RUNTIME_INCONSISTENCY],
      ]);
      assert.equal(await s.exists('/nzk/tx2'), null);
      assert.equal(await s.exists('/nzk/tx3'), null);
    });

    test('digest ACL: NoAuth without the credentials, access with them', async () => {
      const owner = await open();
      owner.addAuth('digest', 'root:12345');
      const rootId = new Id('digest', digestId('root:12345'));
      assert.equal(rootId.id, 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c=');
      await owner.create('/nzk/secret', buf('s'), CreateMode.PERSISTENT, [new ACL(Permission.ALL, rootId)]);
      // `auth` expands to the session's authenticated ids.
      await owner.create('/nzk/mine', null, CreateMode.PERSISTENT, [new ACL(Permission.ALL, new Id('auth', ''))]);
      const mine = await owner.getACL('/nzk/mine');
      assert.deepEqual(mine.acls.map((a) => [a.permission, a.id.scheme, a.id.id]), [[31, 'digest', rootId.id]]);

      const other = await open();
      await rejectsWith(other.getData('/nzk/secret'), NO_AUTH);
      await rejectsWith(other.setData('/nzk/secret', buf('w')), NO_AUTH);
      await rejectsWith(other.create('/nzk/secret/x', null), NO_AUTH);
      await rejectsWith(other.getACL('/nzk/secret'), NO_AUTH);
      other.addAuth('digest', 'root:wrong'); // digest auth always succeeds, and matches nothing
      await rejectsWith(other.getData('/nzk/secret'), NO_AUTH);
      other.addAuth('digest', 'root:12345');
      assert.equal((await other.getData('/nzk/secret')).data?.toString(), 's');

      // setACL checks ADMIN, then aversion.
      const stat = await owner.setACL('/nzk/secret', [new ACL(Permission.READ, new Id('world', 'anyone'))], 0);
      assert.equal(stat.aversion, 1);
      await rejectsWith(owner.setACL('/nzk/secret', ACL.OPEN_ACL_UNSAFE, -1), NO_AUTH);
      const third = await open();
      assert.equal((await third.getData('/nzk/secret')).data?.toString(), 's');
    });

    test('closing a session removes its ephemerals and fires their watches', async () => {
      const owner = await open();
      const watcher = await open();
      await owner.create('/nzk/e', null);
      await owner.create('/nzk/e/1', null, CreateMode.EPHEMERAL);
      await owner.create('/nzk/e/2-', null, CreateMode.EPHEMERAL_SEQUENTIAL);
      const rec = recorder();
      assert.ok(await watcher.exists('/nzk/e/1', rec.watcher));
      await owner.close();
      const event = await rec.first;
      assert.equal(event.getType(), 2); // NodeDeleted
      assert.equal(event.getPath(), '/nzk/e/1');
      assert.equal(await watcher.exists('/nzk/e/1'), null);
      assert.deepEqual((await watcher.getChildren('/nzk/e')).children, []);
    });
  });
}
