// The digest log behind the `hash` four-letter word: the tree digest after every applied zxid
// divisible by 128, the newest 1024, oldest first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree } from '../../../src/tree/data-tree.js';
import { zxid } from '../../../src/util/ids.js';

test('digests are recorded at multiples of 128 only, newest 1024 kept', () => {
  const tree = DataTree.fresh();
  tree.noteDigest(zxid(127));
  assert.deepEqual(tree.digestHistory(), []);
  tree.noteDigest(zxid(128));
  assert.deepEqual(tree.digestHistory(), [[zxid(128), tree.digest()]]);
  for (let i = 2; i <= 1100; i++) tree.noteDigest(zxid(128 * i));
  const history = tree.digestHistory();
  assert.equal(history.length, 1024);
  assert.equal(history[0]![0], zxid(128 * 77));
  assert.equal(history.at(-1)![0], zxid(128 * 1100));
});
