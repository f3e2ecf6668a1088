// applyTxn: a real Apache 3.8 log replayed digest for digest, then the rules one by one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, type Acl } from '../../../src/proto/data.js';
import { ErrorCode } from '../../../src/proto/error-codes.js';
import { EventType } from '../../../src/proto/opcodes.js';
import { DataTree } from '../../../src/tree/data-tree.js';
import { sequenceSuffix, parentOf } from '../../../src/tree/path.js';
import { applyTxn, digestForTxn, digestMismatch, stampDigest } from '../../../src/txn/apply.js';
import { decodeTxnEntry } from '../../../src/txn/codec.js';
import type { Txn } from '../../../src/txn/types.js';
import { sessionId, zxid } from '../../../src/util/ids.js';
import { SESSION_A, create, fixture, logEntries, recomputedDigest, treeContent, txn } from './support.js';

const ALICE: readonly Acl[] = [{ perms: 31, id: { scheme: 'digest', id: 'alice:x' } }];

function digestOfLast(txns: readonly Txn[]): bigint {
  return txns.filter((t) => t.digest !== null).at(-1)!.digest!.treeDigest;
}

function run(tree: DataTree, txns: readonly Txn[]) {
  return txns.map((t) => applyTxn(tree, t));
}

describe('replay of a real Apache 3.8 log', () => {
  const txns = logEntries(fixture('log.1')).map(decodeTxnEntry);

  test('every txn digest equals our tree digest after applying it', () => {
    const tree = DataTree.fresh();
    let compared = 0;
    for (const t of txns) {
      applyTxn(tree, t);
      assert.equal(digestMismatch(tree, t), false, `zxid 0x${t.header.zxid.toString(16)} type ${t.header.type}`);
      if (t.digest !== null) compared++;
      assert.equal(tree.digest(), recomputedDigest(tree));
    }
    assert.equal(compared, 38);
    // What the server's mntr reported at the end (fixture README).
    assert.equal(tree.nodeCount(), 14);
    assert.equal(tree.approximateDataSize(), 142);
    assert.equal(tree.lastProcessedZxid, 0x29n);
    assert.equal(tree.sessions.size, 0);
    assert.equal(tree.ephemeralCount(), 0);
  });

  test('parentCVersion and sequence suffixes follow the parent stored cversion', () => {
    const tree = DataTree.fresh();
    let sequential = 0;
    // A successful multi is applied op by op (same header), so each op sees the earlier ones.
    const steps = txns.flatMap((t): Txn[] => t.record.type === 14 && t.record.txns.every((x) => x.type !== -1)
      ? t.record.txns.map((record) => ({ header: { ...t.header, type: record.type }, record, digest: null }))
      : [t]);
    for (const t of steps) {
      const c = t.record;
      if (c.type === 1 || c.type === 15 || c.type === 19 || c.type === 21) {
        const before = tree.getNode(parentOf(c.path))!.stat.cversion;
        assert.equal(c.parentCVersion, before + 1, c.path);
        const m = /(\d{10})$/.exec(c.path);
        if (m !== null) {
          sequential++;
          assert.equal(m[1], sequenceSuffix(before), c.path);
        }
      }
      applyTxn(tree, t);
    }
    assert.equal(tree.digest(), digestOfLast(txns));
    assert.equal(sequential, 5);
  });

  test('multi results match what the Apache server answered', () => {
    const tree = DataTree.fresh();
    const outcomes = run(tree, txns);
    const ok = outcomes[0x23 - 1]!.result;
    assert.deepEqual(ok.multi!.map((r) => [r.type, r.err, r.path]), [
      [1, 0, '/w/m1'], [1, 0, '/w/m1/k'], [5, 0, '/w/a'], [13, 0, '/w/a'], [2, 0, '/w/empty'], [1, 0, '/w/mseq-0000000015'],
    ]);
    // The Stat node-zookeeper-client printed for the setData op.
    const stat = ok.multi![2]!.stat!;
    assert.deepEqual({ ...stat }, {
      czxid: 3n, mzxid: 0x23n, ctime: 0x1a22a369410, mtime: 0x1a22a36bb51, version: 3, cversion: 0, aversion: 1,
      ephemeralOwner: 0n, dataLength: 5, numChildren: 0, pzxid: 3n,
    });
    const failed = outcomes[0x24 - 1]!;
    assert.deepEqual(failed.result.multi!.map((r) => [r.type, r.err]), [[-1, 0], [-1, -101], [-1, -2]]);
    assert.deepEqual(failed.triggers, []);
    assert.equal(failed.result.err, 0);
  });

  test('closeSession deletes the listed ephemerals with their triggers', () => {
    const tree = DataTree.fresh();
    const outcomes = run(tree, txns.slice(0, 0x19));
    assert.deepEqual(outcomes[0x19 - 1]!.triggers.map((t) => [t.type, t.path]), [
      [EventType.nodeDeleted, '/w/eph'], [EventType.nodeChildrenChanged, '/w'],
      [EventType.nodeDeleted, '/w/eseq-0000000006'], [EventType.nodeChildrenChanged, '/w'],
    ]);
  });
});

describe('create', () => {
  test('sets the stats of §1.4 and reports a Stat for create2 only', () => {
    const tree = DataTree.fresh();
    const one = applyTxn(tree, txn(1, create('/a', 1)));
    assert.equal(one.result.stat, null);
    assert.equal(one.result.path, '/a');
    const two = applyTxn(tree, txn(2, create('/a/b', 1, { type: 15, data: null })));
    assert.deepEqual({ ...two.result.stat! }, {
      czxid: 2n, mzxid: 2n, ctime: 1_700_000_000_002, mtime: 1_700_000_000_002, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 2n,
    });
    const parent = tree.statOf(tree.getNode('/a')!);
    assert.equal(parent.pzxid, 2n);
    assert.equal(parent.cversion, 1);
    assert.equal(parent.mzxid, 1n);
  });

  test('a V0 create (-1) uses parent.cversion + 1', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/a', -1)));
    applyTxn(tree, txn(2, create('/b', -1)));
    assert.equal(tree.getNode('/')!.stat.cversion, 2);
    assert.equal(tree.getNode('/')!.stat.pzxid, 2n);
  });

  test('a create that finds its node only re-applies the parent cversion/pzxid update', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/a', 1)));
    const before = treeContent(tree);
    const again = applyTxn(tree, txn(1, create('/a', 1)));
    assert.equal(again.result.err, ErrorCode.nodeExists);
    assert.deepEqual(again.triggers, []);
    assert.deepEqual(treeContent(tree), before);
    // The fuzzy case: the parent was written before the create, the child after.
    const fresh = DataTree.fresh();
    const a = tree.getNode('/a')!;
    const nodes = [...fresh.walkPreOrder(), { path: '/a', data: a.data, aclRef: -1, stat: { ...a.stat } }];
    const fuzzy = DataTree.fromSnapshot([], fresh.aclCacheEntries(), nodes, zxid(0));
    assert.equal(fuzzy.getNode('/')!.stat.cversion, 0);
    applyTxn(fuzzy, txn(1, create('/a', 1)));
    assert.deepEqual(treeContent(fuzzy), before);
  });

  test('fires NodeCreated then the parent NodeChildrenChanged, each with its own ACL', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/p', 1, { acl: ALICE })));
    const out = applyTxn(tree, txn(2, create('/p/c', 1, { acl: READ_ACL_UNSAFE })));
    assert.deepEqual(out.triggers, [
      { path: '/p/c', type: EventType.nodeCreated, acl: READ_ACL_UNSAFE },
      { path: '/p', type: EventType.nodeChildrenChanged, acl: ALICE },
    ]);
    const top = applyTxn(tree, txn(3, create('/q', 2)));
    assert.deepEqual(top.triggers.map((t) => t.path), ['/q', '/']);
  });

  test('ephemeral, container and TTL owners, and their Stat', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/e', 1, { ephemeral: true })));
    const c = applyTxn(tree, txn(2, { type: 19, path: '/c', data: null, acl: OPEN_ACL_UNSAFE, parentCVersion: 2 }));
    const t = applyTxn(tree, txn(3, { type: 21, path: '/t', data: null, acl: OPEN_ACL_UNSAFE, parentCVersion: 3, ttl: 60000 }));
    assert.deepEqual(tree.ephemeralsOf(SESSION_A), ['/e']);
    assert.equal(c.result.stat!.ephemeralOwner, 0n);
    assert.equal(t.result.stat!.ephemeralOwner, 0n);
    assert.equal(tree.getNode('/t')!.stat.ephemeralOwner, BigInt.asIntN(64, 0xff0000000000ea60n));
    assert.deepEqual(tree.ttlCandidates().map((x) => x.ttlMs), [60000]);
    assert.deepEqual(tree.containerCandidates().map((x) => x.path), ['/c']);
  });
});

describe('delete, setData, setACL', () => {
  test('delete keeps the stored cversion, moves pzxid, fires NodeDeleted then NodeChildrenChanged', () => {
    const tree = DataTree.fresh();
    run(tree, [txn(1, create('/a', 1, { acl: ALICE })), txn(2, create('/a/b', 1))]);
    const out = applyTxn(tree, txn(3, { type: 2, path: '/a/b' }));
    assert.deepEqual(out.triggers, [
      { path: '/a/b', type: EventType.nodeDeleted, acl: OPEN_ACL_UNSAFE },
      { path: '/a', type: EventType.nodeChildrenChanged, acl: ALICE },
    ]);
    const a = tree.getNode('/a')!;
    assert.equal(a.stat.cversion, 1);
    assert.equal(tree.statOf(a).cversion, 2);
    assert.equal(a.stat.pzxid, 3n);
  });

  test('a delete of a missing node changes nothing', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/a', 1)));
    const before = treeContent(tree);
    const out = applyTxn(tree, txn(1, { type: 2, path: '/zz' }));
    assert.equal(out.result.err, ErrorCode.noNode);
    assert.deepEqual(treeContent(tree), before);
  });

  test('setData stores the txn version, mzxid and mtime, and fires NodeDataChanged', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/a', 1)));
    const out = applyTxn(tree, txn(5, { type: 5, path: '/a', data: null, version: 7 }));
    assert.deepEqual(out.triggers, [{ path: '/a', type: EventType.nodeDataChanged, acl: OPEN_ACL_UNSAFE }]);
    const s = out.result.stat!;
    assert.deepEqual([s.version, s.mzxid, s.mtime, s.czxid, s.ctime, s.dataLength], [7, 5n, 1_700_000_000_005, 1n, 1_700_000_000_001, 0]);
    assert.equal(tree.getNode('/a')!.data, null);
    assert.equal(applyTxn(tree, txn(6, { type: 5, path: '/nope', data: null, version: 1 })).result.err, ErrorCode.noNode);
  });

  test('setACL stores aversion, leaves mzxid, fires nothing', () => {
    const tree = DataTree.fresh();
    applyTxn(tree, txn(1, create('/a', 1)));
    const out = applyTxn(tree, txn(2, { type: 7, path: '/a', acl: ALICE, version: 1 }));
    assert.deepEqual(out.triggers, []);
    assert.equal(out.result.stat!.aversion, 1);
    assert.equal(out.result.stat!.mzxid, 1n);
    assert.deepEqual(tree.aclOf(tree.getNode('/a')!), ALICE);
    assert.equal(tree.digest(), recomputedDigest(tree));
  });
});

describe('multi', () => {
  test('results per §4.6 and triggers of all sub-ops in order', () => {
    const tree = DataTree.fresh();
    const out = applyTxn(tree, txn(1, { type: 14, txns: [
      create('/a', 1) as never, create('/b', 2, { type: 15 }) as never,
      { type: 19, path: '/c', data: null, acl: OPEN_ACL_UNSAFE, parentCVersion: 3 },
      { type: 21, path: '/t', data: null, acl: OPEN_ACL_UNSAFE, parentCVersion: 4, ttl: 10 },
      { type: 5, path: '/a', data: null, version: 1 }, { type: 13, path: '/a', version: 1 }, { type: 2, path: '/b' },
    ] }));
    assert.deepEqual(out.result.multi!.map((r) => [r.type, r.err, r.path, r.stat !== null]), [
      [1, 0, '/a', false], [1, 0, '/b', false], [15, 0, '/c', true], [15, 0, '/t', true], [5, 0, '/a', true], [13, 0, '/a', false], [2, 0, '/b', false],
    ]);
    assert.deepEqual(out.triggers.map((t) => [t.type, t.path]), [
      [1, '/a'], [4, '/'], [1, '/b'], [4, '/'], [1, '/c'], [4, '/'], [1, '/t'], [4, '/'], [3, '/a'], [2, '/b'], [4, '/'],
    ]);
    // One zxid for all ops.
    assert.equal(out.result.multi![2]!.stat!.czxid, 1n);
    assert.equal(tree.getNode('/a')!.stat.mzxid, 1n);
  });

  test('a logged failed multi changes nothing and fires nothing', () => {
    const tree = DataTree.fresh();
    const before = treeContent(tree);
    const out = applyTxn(tree, txn(1, { type: 14, txns: [create('/a', 1) as never, { type: -1, err: -101 }, { type: -1, err: -2 }] }));
    assert.deepEqual(out.triggers, []);
    assert.deepEqual(out.result.multi!.map((r) => [r.type, r.err]), [[-1, 0], [-1, -101], [-1, -2]]);
    assert.deepEqual(treeContent(tree), before);
    assert.equal(tree.lastProcessedZxid, 1n);
  });
});

describe('sessions, errors and digests', () => {
  test('createSession and closeSession maintain the table; close deletes leftovers too', () => {
    const tree = DataTree.fresh();
    const s = sessionId(0x77n);
    run(tree, [
      txn(1, { type: -10, timeOut: 4000 }, { clientId: s }),
      txn(2, create('/e1', 1, { ephemeral: true }), { clientId: s }),
      txn(3, create('/e2', 2, { ephemeral: true }), { clientId: s }),
    ]);
    assert.deepEqual([...tree.sessions], [[s, 4000]]);
    const out = applyTxn(tree, txn(4, { type: -11, paths2Delete: null }, { clientId: s }));
    assert.deepEqual(out.triggers.map((t) => [t.type, t.path]), [[2, '/e1'], [4, '/'], [2, '/e2'], [4, '/']]);
    assert.equal(tree.sessions.size, 0);
    assert.deepEqual(tree.ephemeralsOf(s), []);
    assert.equal(tree.getNode('/')!.stat.pzxid, 4n);
  });

  test('an error txn consumes its zxid and changes nothing else', () => {
    const tree = DataTree.fresh();
    const before = tree.digest();
    const out = applyTxn(tree, txn(9, { type: -1, err: -110 }));
    assert.deepEqual([out.result.type, out.result.err], [-1, -110]);
    assert.equal(tree.lastProcessedZxid, 9n);
    assert.equal(tree.digest(), before);
  });

  test('stampDigest puts the post-apply digest on every txn but a top-level error', () => {
    const tree = DataTree.fresh();
    const t = txn(1, create('/a', 1));
    applyTxn(tree, t);
    const stamped = stampDigest(t, tree);
    assert.deepEqual(stamped.digest, digestForTxn(tree));
    assert.deepEqual(stamped.digest, { version: 2, treeDigest: tree.digest() });
    assert.equal(digestMismatch(tree, stamped), false);
    assert.equal(digestMismatch(tree, { ...t, digest: { version: 2, treeDigest: 5n } }), true);
    assert.equal(digestMismatch(tree, { ...t, digest: { version: 1, treeDigest: 5n } }), false);
    assert.equal(stampDigest(txn(2, { type: -1, err: -110 }), tree).digest, null);
  });
});
