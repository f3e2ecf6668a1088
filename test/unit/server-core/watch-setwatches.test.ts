// setWatches / setWatches2 on reconnect: every row of protocol.md §6.8.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { WatchManager, type NodeZxids, type WatchDelivery } from '../../../src/server/core/watch-manager.js';
import { EventType } from '../../../src/proto/opcodes.js';
import { zxid } from '../../../src/util/ids.js';

const RELATIVE = zxid(100);
/** /old: nothing newer than the client's zxid; /newdata: data changed since; /newkids: children changed since. */
const nodes = new Map<string, NodeZxids>([
  ['/old', { czxid: zxid(10), mzxid: zxid(100), pzxid: zxid(100) }],
  ['/newdata', { czxid: zxid(10), mzxid: zxid(101), pzxid: zxid(10) }],
  ['/newkids', { czxid: zxid(10), mzxid: zxid(10), pzxid: zxid(150) }],
  ['/created-late', { czxid: zxid(500), mzxid: zxid(500), pzxid: zxid(500) }],
]);
const lookup = (path: string): NodeZxids | undefined => nodes.get(path);

function seen(deliveries: readonly WatchDelivery[]): string[] {
  return deliveries.map((d) => `${d.watcherId}:${d.type}:${d.path}`);
}

describe('setWatches (§6.8)', () => {
  test('dataWatches, node missing: fires NodeDeleted, registers nothing', () => {
    const w = new WatchManager();
    assert.deepEqual(seen(w.setWatches(1, RELATIVE, { dataWatches: ['/gone'] }, lookup)), ['1:2:/gone']);
    assert.equal(w.watchCount(), 0);
  });

  test('dataWatches, mzxid > relativeZxid: fires NodeDataChanged, registers nothing', () => {
    const w = new WatchManager();
    assert.deepEqual(seen(w.setWatches(1, RELATIVE, { dataWatches: ['/newdata'] }, lookup)), ['1:3:/newdata']);
    assert.equal(w.watchCount(), 0);
  });

  test('dataWatches, mzxid ≤ relativeZxid: registers a data watch', () => {
    const w = new WatchManager();
    assert.deepEqual(w.setWatches(1, RELATIVE, { dataWatches: ['/old'] }, lookup), []);
    assert.equal(w.kindOf(1, '/old', 'data'), 'data');
    assert.deepEqual(seen(w.trigger('/old', EventType.nodeDataChanged)), ['1:3:/old']);
  });

  test('existWatches, node missing: registers an exists watch', () => {
    const w = new WatchManager();
    assert.deepEqual(w.setWatches(1, RELATIVE, { existWatches: ['/gone'] }, lookup), []);
    assert.equal(w.kindOf(1, '/gone', 'data'), 'exist');
    assert.deepEqual(seen(w.trigger('/gone', EventType.nodeCreated)), ['1:1:/gone']);
  });

  test('existWatches, node present: fires NodeCreated whatever its czxid', () => {
    const w = new WatchManager();
    const events = w.setWatches(1, RELATIVE, { existWatches: ['/old', '/created-late'] }, lookup);
    assert.deepEqual(seen(events), ['1:1:/old', '1:1:/created-late']);
    assert.equal(w.watchCount(), 0);
  });

  test('childWatches, node missing: fires NodeDeleted', () => {
    const w = new WatchManager();
    assert.deepEqual(seen(w.setWatches(1, RELATIVE, { childWatches: ['/gone'] }, lookup)), ['1:2:/gone']);
    assert.equal(w.watchCount(), 0);
  });

  test('childWatches, pzxid > relativeZxid: fires NodeChildrenChanged', () => {
    const w = new WatchManager();
    assert.deepEqual(seen(w.setWatches(1, RELATIVE, { childWatches: ['/newkids'] }, lookup)), ['1:4:/newkids']);
    assert.equal(w.watchCount(), 0);
  });

  test('childWatches, pzxid ≤ relativeZxid: registers a child watch (mzxid is not looked at)', () => {
    const w = new WatchManager();
    assert.deepEqual(w.setWatches(1, RELATIVE, { childWatches: ['/old', '/newdata'] }, lookup), []);
    assert.equal(w.kindOf(1, '/old', 'child'), 'child');
    assert.equal(w.kindOf(1, '/newdata', 'child'), 'child');
  });

  test('persistent and recursive watches register, with no catch-up events, present or missing', () => {
    const w = new WatchManager();
    const events = w.setWatches(
      1,
      RELATIVE,
      { persistentWatches: ['/newdata', '/gone'], persistentRecursiveWatches: ['/newkids', '/gone2'] },
      lookup,
    );
    assert.deepEqual(events, []);
    assert.equal(w.kindOf(1, '/newdata', 'data'), 'persistent');
    assert.equal(w.kindOf(1, '/gone', 'child'), 'persistent');
    assert.equal(w.kindOf(1, '/newkids', 'data'), 'persistentRecursive');
    assert.equal(w.kindOf(1, '/gone2', 'child'), 'persistentRecursive');
    assert.equal(w.recursiveWatchCount(), 4);
  });

  test('events come in list order: data, exist, child', () => {
    const w = new WatchManager();
    const events = w.setWatches(
      1,
      RELATIVE,
      { childWatches: ['/newkids'], existWatches: ['/old'], dataWatches: ['/newdata', '/gone'] },
      lookup,
    );
    assert.deepEqual(seen(events), ['1:3:/newdata', '1:2:/gone', '1:1:/old', '1:4:/newkids']);
  });

  test('one NodeDeleted per path even when the data and child lists both name it', () => {
    const w = new WatchManager();
    const events = w.setWatches(1, RELATIVE, { dataWatches: ['/gone'], childWatches: ['/gone'] }, lookup);
    assert.deepEqual(seen(events), ['1:2:/gone']);
  });

  test('zxids compare as signed 64-bit values, exactly past 2^53', () => {
    const w = new WatchManager();
    const big = zxid(0x100000000000001n);
    const node = { czxid: big, mzxid: big, pzxid: big };
    assert.deepEqual(w.setWatches(1, zxid(0x100000000000000n), { dataWatches: ['/n'] }, () => node).length, 1);
    assert.deepEqual(w.setWatches(2, big, { dataWatches: ['/n'] }, () => node), []);
    assert.deepEqual(w.setWatches(3, zxid(-1), { childWatches: ['/n'] }, () => node).length, 1);
  });

  test('what pathsOf lists, setWatches on a new connection restores', () => {
    const w = new WatchManager();
    w.add(1, '/old', 'data');
    w.add(1, '/gone', 'exist');
    w.add(1, '/old', 'child');
    w.add(1, '/p', 'persistent');
    w.add(1, '/r', 'persistentRecursive');
    const lists = w.pathsOf(1);
    w.removeWatcher(1);
    assert.deepEqual(w.setWatches(2, RELATIVE, lists, lookup), []);
    assert.deepEqual(w.pathsOf(2), lists);
  });
});
