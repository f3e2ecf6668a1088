// The ensemble-only bookkeeping of the server core: session owners (first to act after an
// election owns it; a move re-assigns it; closing forgets it), touch tables taken once, and
// revalidations and syncs answered oldest first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuorumBookkeeping } from '../../../src/server/core/quorum-bookkeeping.js';
import { sessionId } from '../../../src/util/ids.js';

const s = sessionId(0x0100000000000001n);

test('session owners: first claim wins, setOwner moves it, forgetOwner frees it', () => {
  const q = new QuorumBookkeeping();
  assert.equal(q.claim(s, 2), true);
  assert.equal(q.claim(s, 2), true);
  assert.equal(q.claim(s, 3), false);
  q.setOwner(s, 3);
  assert.equal(q.claim(s, 2), false);
  assert.equal(q.claim(s, 3), true);
  q.forgetOwner(s);
  assert.equal(q.claim(s, 1), true);
});

test('touches are taken once, with the latest timeout', () => {
  const q = new QuorumBookkeeping();
  q.noteTouch(s, 4000);
  q.noteTouch(s, 6000);
  assert.deepEqual(q.takeTouches(), [{ sessionId: s, timeoutMs: 6000 }]);
  assert.deepEqual(q.takeTouches(), []);
});

test('revalidations and syncs come back oldest first', () => {
  const q = new QuorumBookkeeping();
  q.awaitRevalidation(s, { conn: 1, timeoutMs: 5000 });
  q.awaitRevalidation(s, { conn: 2, timeoutMs: 5000 });
  assert.equal(q.takeRevalidation(s)?.conn, 1);
  assert.equal(q.takeRevalidation(s)?.conn, 2);
  assert.equal(q.takeRevalidation(s), undefined);
  q.awaitSync({ conn: 7, entry: { done: false } });
  q.awaitSync({ conn: 8, entry: { done: false } });
  assert.equal(q.takeSync()?.conn, 7);
  assert.equal(q.takeSync()?.conn, 8);
  assert.equal(q.takeSync(), undefined);
});
