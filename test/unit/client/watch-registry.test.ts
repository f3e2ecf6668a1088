import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WatchRegistry, batchWatchLists, selfAndAncestors } from '../../../src/client/watch-registry.js';
import type { Watcher } from '../../../src/client/types.js';

const named = (name: string, log: string[]): Watcher => (e) => log.push(`${name}:${e.type}:${e.path}`);

describe('WatchRegistry dispatch (protocol.md §6.7 [client])', () => {
  test('nodeCreated / nodeDataChanged fire data and exist watchers once', () => {
    const r = new WatchRegistry();
    const log: string[] = [];
    const d = named('d', log);
    const e = named('e', log);
    const c = named('c', log);
    r.add('data', '/a', d);
    r.add('exist', '/a', e);
    r.add('child', '/a', c);
    assert.deepEqual([...r.take('nodeDataChanged', '/a')], [d, e]);
    assert.deepEqual([...r.take('nodeDataChanged', '/a')], [], 'one-shot');
    assert.ok(r.has('child', '/a'), 'child watcher untouched');
  });
  test('nodeChildrenChanged fires child watchers; nodeDeleted fires all three', () => {
    const r = new WatchRegistry();
    const d = (): void => {};
    const c = (): void => {};
    r.add('child', '/p', c);
    r.add('data', '/p', d);
    assert.deepEqual([...r.take('nodeChildrenChanged', '/p')], [c]);
    r.add('child', '/p', c);
    assert.deepEqual(new Set(r.take('nodeDeleted', '/p')), new Set([d, c]));
    assert.equal(r.size, 0);
  });
  test('a watcher in several tables fires once', () => {
    const r = new WatchRegistry();
    const w = (): void => {};
    r.add('data', '/x', w);
    r.add('child', '/x', w);
    r.add('persistent', '/x', w);
    assert.equal(r.take('nodeDeleted', '/x').size, 1);
  });
  test('persistent stays; recursive covers descendants but not nodeChildrenChanged', () => {
    const r = new WatchRegistry();
    const p = (): void => {};
    const rec = (): void => {};
    r.add('persistent', '/p', p);
    r.add('persistentRecursive', '/', rec);
    assert.deepEqual([...r.take('nodeDataChanged', '/p')], [p, rec]);
    assert.deepEqual([...r.take('nodeDataChanged', '/p')], [p, rec], 'still registered');
    assert.deepEqual([...r.take('nodeCreated', '/p/q/r')], [rec]);
    assert.deepEqual([...r.take('nodeChildrenChanged', '/p')], [p]);
    assert.deepEqual([...r.take('nodeChildrenChanged', '/p/q')], []);
  });
  test('remove by type reports the removal event', () => {
    const r = new WatchRegistry();
    const d = (): void => {};
    const c = (): void => {};
    const p = (): void => {};
    r.add('exist', '/a', d);
    r.add('child', '/a', c);
    r.add('persistent', '/a', p);
    assert.deepEqual(r.remove('/a', 'data').map(([, e]) => e.type), ['dataWatchRemoved']);
    assert.ok(r.hasAny('/a'));
    const rest = r.remove('/a', 'any').map(([, e]) => e.type).sort();
    assert.deepEqual(rest, ['childWatchRemoved', 'persistentWatchRemoved']);
    assert.ok(!r.hasAny('/a'));
  });
  test('lists for setWatches', () => {
    const r = new WatchRegistry();
    const w = (): void => {};
    r.add('data', '/d', w);
    r.add('exist', '/e', w);
    r.add('child', '/c', w);
    r.add('persistent', '/p', w);
    r.add('persistentRecursive', '/r', w);
    assert.deepEqual(r.lists(), {
      dataWatches: ['/d'], existWatches: ['/e'], childWatches: ['/c'], persistentWatches: ['/p'], persistentRecursiveWatches: ['/r'],
    });
  });
});

test('selfAndAncestors', () => {
  assert.deepEqual(selfAndAncestors('/a/b/c'), ['/a/b/c', '/a/b', '/a', '/']);
  assert.deepEqual(selfAndAncestors('/'), ['/']);
});

test('batchWatchLists splits at about 128 K characters and keeps every path', () => {
  const long = Array.from({ length: 3000 }, (_, i) => `/${'x'.repeat(100)}/${i}`);
  const batches = batchWatchLists({ dataWatches: long, existWatches: ['/e'], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] });
  assert.ok(batches.length >= 3);
  for (const b of batches) {
    const chars = Object.values(b).flat().reduce((n: number, p: string) => n + p.length, 0);
    assert.ok(chars <= 128 * 1024);
  }
  assert.deepEqual(batches.flatMap((b) => b.dataWatches), long);
  assert.deepEqual(batches.flatMap((b) => b.existWatches), ['/e']);
  assert.deepEqual(batchWatchLists({ dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] }), []);
});
