// The fuzzy snapshot encodes nodes as its walk reaches them. For a tree nobody writes to meanwhile
// it must give exactly the bytes of the one-pass snapshot (header, sessions, ACL map, nodes across
// many chunks, seals, digest), and load back into the same tree.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE } from '../../src/proto/data.js';
import { fuzzySnapshotContentOf, snapshotContentOf, treeOfSnapshot } from '../../src/quorum/load-database.js';
import { decodeSnapshot, encodeSnapshot } from '../../src/storage/format/snapshot-format.js';
import { DataTree } from '../../src/tree/data-tree.js';
import { CONTAINER_OWNER } from '../../src/tree/owner.js';
import { sessionId, zxid, type SessionId } from '../../src/util/ids.js';
import { treeContent } from '../unit/txn/support.js';

const DIGEST_ACL = [{ perms: 31, id: { scheme: 'digest', id: 'u:9dl2Kf7XvZu6/JhM4Ed5oAGUizQ=' } }];

/** 3000 nodes in three levels, data null / empty / 100 bytes, three ACLs, ephemerals, a container. */
function sampleTree(): DataTree {
  const tree = DataTree.fresh();
  const owner: SessionId = sessionId(0x100n);
  tree.sessions.set(owner, 30000);
  let z = 0;
  const acls = [OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, DIGEST_ACL];
  for (let a = 0; a < 30; a++) {
    tree.createNode(`/a${a}`, null, acls[a % 3]!, a === 7 ? CONTAINER_OWNER : 0n, -1, zxid(++z), 1000 + z);
    for (let b = 0; b < 10; b++) {
      tree.createNode(`/a${a}/b${b}`, new Uint8Array(0), acls[b % 3]!, 0n, -1, zxid(++z), 1000 + z);
      for (let c = 0; c < 9; c++) {
        const data = new Uint8Array(100).fill(c);
        tree.createNode(`/a${a}/b${b}/c${c}`, data, OPEN_ACL_UNSAFE, c === 0 ? owner : 0n, -1, zxid(++z), 1000 + z);
      }
    }
  }
  tree.lastProcessedZxid = zxid(z);
  return tree;
}

const bytesOf = (chunks: Iterable<Uint8Array>): Buffer => Buffer.concat([...chunks]);

describe('fuzzy snapshot', () => {
  test('of a quiet tree: the same bytes as the one-pass snapshot, and it loads back', async () => {
    const tree = sampleTree();
    const fuzzy = await fuzzySnapshotContentOf(tree);
    assert.ok((fuzzy.encodedNodes?.length ?? 0) > 2, 'nodes spread over several encoded chunks');
    const expected = bytesOf(encodeSnapshot(snapshotContentOf(tree), 64 * 1024));
    assert.deepEqual(bytesOf(encodeSnapshot(fuzzy, 64 * 1024)), expected);
    assert.deepEqual(bytesOf(encodeSnapshot(fuzzy, 1 << 20)), expected);

    const decoded = decodeSnapshot(expected);
    const loaded = treeOfSnapshot(decoded, decoded.digest!.zxid);
    assert.deepEqual(treeContent(loaded), treeContent(tree));
  });
});
