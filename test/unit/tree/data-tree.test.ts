// DataTree: the fresh database, client-visible Stats, snapshot round trips, the ACL cache.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JuteReader } from '../../../src/jute/reader.js';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, readAclList, readStatPersisted, type Acl } from '../../../src/proto/data.js';
import { ErrorCode } from '../../../src/proto/error-codes.js';
import { AclCache, OPEN_ACL_REF } from '../../../src/tree/acl-cache.js';
import { DataTree, emptyStat, type SnapshotNode } from '../../../src/tree/data-tree.js';
import { CONTAINER_OWNER, ttlOwner } from '../../../src/tree/owner.js';
import { sessionId, zxid, type SessionId } from '../../../src/util/ids.js';
import { fixture, recomputedDigest, treeContent } from '../txn/support.js';

const DIGEST_ACL: readonly Acl[] = [{ perms: 31, id: { scheme: 'digest', id: 'u:x' } }];

function parseSnapshot(file: Buffer): { sessions: Array<[SessionId, number]>; acls: Array<[number, Acl[]]>; nodes: SnapshotNode[] } {
  const r = new JuteReader(file);
  assert.equal(r.readInt(), 0x5a4b534e);
  assert.equal(r.readInt(), 2);
  r.readLong();
  const sessions: Array<[SessionId, number]> = [];
  for (let n = r.readInt(); n > 0; n--) sessions.push([r.readLong() as SessionId, r.readInt()]);
  const acls: Array<[number, Acl[]]> = [];
  for (let n = r.readInt(); n > 0; n--) acls.push([Number(r.readLong()), readAclList(r) ?? []]);
  const nodes: SnapshotNode[] = [];
  for (let path = r.readString(); path !== '/'; path = r.readString()) {
    const data = r.readBuffer();
    const aclRef = Number(r.readLong());
    nodes.push({ path, data, aclRef, stat: readStatPersisted(r) });
  }
  return { sessions, acls, nodes };
}

describe('fresh tree', () => {
  const tree = DataTree.fresh();

  test('has the digest, node count and data size Apache reports', () => {
    assert.equal(tree.digest(), 1371985504n);
    assert.equal(recomputedDigest(tree), 1371985504n);
    assert.equal(tree.nodeCount(), 5);
    assert.equal(tree.approximateDataSize(), 44);
    assert.equal(tree.countAllChildren('/'), tree.nodeCount() - 2);
    assert.equal(tree.countAllChildren('/zookeeper'), 2);
    assert.equal(tree.countAllChildren('/nope'), 0);
  });

  test('shows the visible cversions and ACLs of protocol.md §6.3', () => {
    const root = tree.statOf(tree.getNode('/')!);
    assert.equal(root.cversion, -1);
    assert.equal(root.numChildren, 1);
    assert.equal(root.dataLength, 0);
    assert.equal(tree.statOf(tree.getNode('/zookeeper')!).cversion, -2);
    const config = tree.getNode('/zookeeper/config')!;
    assert.equal(tree.statOf(config).aversion, -1);
    assert.equal(tree.statOf(config).version, 0);
    assert.deepEqual(tree.aclOf(config), READ_ACL_UNSAFE);
    assert.equal(config.aclRef, 1);
    assert.equal(tree.getNode('/zookeeper/quota')!.aclRef, OPEN_ACL_REF);
    assert.deepEqual(tree.aclOf(tree.getNode('/')!), OPEN_ACL_UNSAFE);
    assert.deepEqual(tree.aclCacheEntries(), [[1, READ_ACL_UNSAFE]]);
    assert.deepEqual(tree.getChildren('/')!, ['zookeeper']);
    assert.deepEqual(tree.getChildren('/zookeeper')!.sort(), ['config', 'quota']);
  });

  test('walks in pre-order with the root as the empty path', () => {
    const paths = [...tree.walkPreOrder()].map((n) => n.path);
    assert.deepEqual(paths, ['', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);
  });

  test('a walk yields each path once, even one deleted and created again behind it', () => {
    const t = DataTree.fresh();
    for (const name of ['a', 'b', 'c']) t.createNode(`/${name}`, null, OPEN_ACL_UNSAFE, 0n, -1, zxid(1), 1);
    const walk = t.walkPreOrder();
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(walk.next().value!.path); // '', /zookeeper, /zookeeper/quota
    t.deleteNode('/zookeeper/quota', zxid(2)); // behind the walk: a live Set iterator would meet it again
    t.createNode('/zookeeper/quota', null, OPEN_ACL_UNSAFE, 0n, -1, zxid(3), 1);
    t.deleteNode('/b', zxid(4)); // ahead of the walk: skipped
    for (let r = walk.next(); r.done !== true; r = walk.next()) seen.push(r.value.path);
    assert.equal(new Set(seen).size, seen.length, `duplicates in ${seen.join(' ')}`);
    assert.ok(!seen.includes('/b'));
  });

  test("matches Apache's snapshot.0 node for node", () => {
    const snap = parseSnapshot(fixture('snapshot.0'));
    assert.deepEqual(snap.sessions, []);
    assert.deepEqual(snap.acls, tree.aclCacheEntries());
    const ours = new Map([...tree.walkPreOrder()].map((n) => [n.path, n]));
    assert.equal(snap.nodes.length, ours.size);
    for (const n of snap.nodes) {
      const mine = ours.get(n.path);
      assert.ok(mine, n.path);
      assert.deepEqual({ ...mine, data: Buffer.from(mine.data ?? []) }, { ...n, data: Buffer.from(n.data ?? []) });
    }
    const loaded = DataTree.fromSnapshot(snap.sessions, snap.acls, snap.nodes, zxid(0));
    assert.deepEqual(treeContent(loaded), treeContent(tree));
  });
});

describe('statOf', () => {
  test('reports dataLength 0 for null and empty data, and hides container/TTL markers', () => {
    const t = DataTree.fresh();
    const owner = sessionId(0x1234n);
    assert.equal(t.createNode('/n', null, OPEN_ACL_UNSAFE, 0n, -1, zxid(1), 10), ErrorCode.ok);
    assert.equal(t.createNode('/e', new Uint8Array(0), OPEN_ACL_UNSAFE, owner, -1, zxid(2), 10), ErrorCode.ok);
    assert.equal(t.createNode('/c', Buffer.from('abc'), OPEN_ACL_UNSAFE, CONTAINER_OWNER, -1, zxid(3), 10), ErrorCode.ok);
    assert.equal(t.createNode('/t', null, OPEN_ACL_UNSAFE, ttlOwner(5000), -1, zxid(4), 10), ErrorCode.ok);
    assert.equal(t.getNode('/n')!.data, null);
    assert.deepEqual(t.getNode('/e')!.data, new Uint8Array(0));
    assert.equal(t.statOf(t.getNode('/n')!).dataLength, 0);
    assert.equal(t.statOf(t.getNode('/e')!).dataLength, 0);
    assert.equal(t.statOf(t.getNode('/c')!).dataLength, 3);
    assert.equal(t.statOf(t.getNode('/e')!).ephemeralOwner, owner);
    assert.equal(t.statOf(t.getNode('/c')!).ephemeralOwner, 0n);
    assert.equal(t.statOf(t.getNode('/t')!).ephemeralOwner, 0n);
    assert.equal(t.getNode('/c')!.stat.ephemeralOwner, CONTAINER_OWNER);
    assert.deepEqual(t.ephemeralsOf(owner), ['/e']);
    assert.deepEqual(t.sessionsWithEphemerals(), [owner]);
    assert.deepEqual(t.containerCandidates(), [{ path: '/c', childCount: 0, storedCversion: 0, mtime: 10, ttlMs: null }]);
    assert.deepEqual(t.ttlCandidates(), [{ path: '/t', childCount: 0, storedCversion: 0, mtime: 10, ttlMs: 5000 }]);
    // Root: 4 creates (stored 4) and 5 children with /zookeeper: visible 2*4 - 5.
    const root = t.statOf(t.getNode('/')!);
    assert.equal(root.cversion, 3);
    assert.equal(t.deleteNode('/n', zxid(5)), ErrorCode.ok);
    assert.equal(t.statOf(t.getNode('/')!).cversion, 4);
    assert.equal(t.statOf(t.getNode('/')!).pzxid, 5n);
    assert.equal(t.getNode('/')!.stat.cversion, 4);
    assert.equal(t.digest(), recomputedDigest(t));
  });
});

describe('fromSnapshot', () => {
  test('rebuilds indexes, purges unused ACLs and continues the ref sequence', () => {
    const s = sessionId(7n);
    const stat = (owner: bigint) => ({ ...emptyStat(), ephemeralOwner: owner });
    const tree = DataTree.fromSnapshot(
      [[s, 30000]],
      [[1, READ_ACL_UNSAFE], [4, DIGEST_ACL], [9, OPEN_ACL_UNSAFE]],
      [
        { path: '', data: new Uint8Array(0), aclRef: -1, stat: stat(0n) },
        { path: '/e', data: null, aclRef: 4, stat: stat(s) },
        { path: '/c', data: null, aclRef: 4, stat: stat(CONTAINER_OWNER) },
        { path: '/c/t', data: null, aclRef: -1, stat: stat(ttlOwner(100)) },
      ],
      zxid(0x42),
    );
    assert.equal(tree.lastProcessedZxid, 0x42n);
    assert.deepEqual([...tree.sessions], [[s, 30000]]);
    assert.deepEqual(tree.ephemeralsOf(s), ['/e']);
    assert.deepEqual(tree.containerCandidates().map((c) => c.childCount), [1]);
    assert.deepEqual(tree.ttlCandidates().map((c) => [c.path, c.ttlMs]), [['/c/t', 100]]);
    assert.deepEqual(tree.aclCacheEntries(), [[4, DIGEST_ACL]]);
    assert.equal(tree.nodeCount(), 5);
    assert.equal(tree.digest(), recomputedDigest(tree));
    tree.createNode('/x', null, READ_ACL_UNSAFE, 0n, -1, zxid(0x43), 1);
    assert.equal(tree.getNode('/x')!.aclRef, 10);
  });

  test('a path listed twice loads as its later entry, without the earlier one\'s indexes', () => {
    const s = sessionId(7n);
    const stat = (owner: bigint) => ({ ...emptyStat(), ephemeralOwner: owner });
    const root = { path: '', data: new Uint8Array(0), aclRef: -1, stat: stat(0n) };
    const twice = DataTree.fromSnapshot([], [[4, DIGEST_ACL]], [
      root,
      { path: '/b', data: Buffer.from('old'), aclRef: 4, stat: stat(s) },
      { path: '/b', data: null, aclRef: -1, stat: stat(0n) },
    ], zxid(3));
    const once = DataTree.fromSnapshot([], [], [root, { path: '/b', data: null, aclRef: -1, stat: stat(0n) }], zxid(3));
    assert.deepEqual(treeContent(twice), treeContent(once));
    assert.deepEqual(twice.sessionsWithEphemerals(), []);
  });

  test('refuses an orphan node', () => {
    assert.throws(() => DataTree.fromSnapshot([], [], [
      { path: '', data: null, aclRef: -1, stat: emptyStat() },
      { path: '/a/b', data: null, aclRef: -1, stat: emptyStat() },
    ], zxid(0)), /before its parent/);
  });
});

describe('AclCache', () => {
  test('hands out refs in order of first use, counts uses, never reuses a ref', () => {
    const c = new AclCache();
    assert.equal(c.intern(READ_ACL_UNSAFE), 1);
    assert.equal(c.intern(OPEN_ACL_UNSAFE), 2);
    assert.equal(c.intern(READ_ACL_UNSAFE), 1);
    assert.equal(c.useCount(1), 2);
    c.removeUse(1);
    assert.deepEqual(c.lookup(1), READ_ACL_UNSAFE);
    c.removeUse(1);
    assert.equal(c.has(1), false);
    assert.equal(c.intern(READ_ACL_UNSAFE), 3);
    assert.deepEqual(c.entries().map(([ref]) => ref), [2, 3]);
    assert.deepEqual(c.lookup(OPEN_ACL_REF), OPEN_ACL_UNSAFE);
    c.addUse(OPEN_ACL_REF);
    assert.equal(c.useCount(OPEN_ACL_REF), 0);
  });

  test('setAcl releases before interning, as Apache does', () => {
    const t = DataTree.fresh();
    t.createNode('/a', null, DIGEST_ACL, 0n, -1, zxid(1), 1);
    assert.equal(t.getNode('/a')!.aclRef, 2);
    assert.equal(t.setAcl('/a', DIGEST_ACL, 1), ErrorCode.ok);
    assert.equal(t.getNode('/a')!.aclRef, 3);
    assert.deepEqual(t.aclCacheEntries().map(([ref]) => ref), [1, 3]);
    assert.equal(t.getNode('/a')!.stat.aversion, 1);
  });
});
