// Watch registration, triggering, removal and 4lw rendering (protocol.md §6.7, §7.2).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { WatchManager, type WatchDelivery } from '../../../src/server/core/watch-manager.js';
import { EventType } from '../../../src/proto/opcodes.js';
import { sessionId } from '../../../src/util/ids.js';

const { nodeCreated: CREATED, nodeDeleted: DELETED, nodeDataChanged: CHANGED, nodeChildrenChanged: CHILDREN } =
  EventType;

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** The triggers the tree reports for each write (§6.7 "Triggering" table), fed to the manager. */
const tree = {
  create: (w: WatchManager, path: string): WatchDelivery[] => [
    ...w.trigger(path, CREATED),
    ...w.trigger(parentOf(path), CHILDREN),
  ],
  delete: (w: WatchManager, path: string): WatchDelivery[] => [
    ...w.trigger(path, DELETED),
    ...w.trigger(parentOf(path), CHILDREN),
  ],
  setData: (w: WatchManager, path: string): WatchDelivery[] => w.trigger(path, CHANGED),
};

/** "watcher:type:path" strings, in delivery order. */
function seen(deliveries: readonly WatchDelivery[]): string[] {
  return deliveries.map((d) => `${d.watcherId}:${d.type}:${d.path}`);
}

describe('registration', () => {
  test('data and exist watches go to the data table, child watches to the child table', () => {
    const w = new WatchManager();
    w.add(1, '/a', 'data');
    w.add(1, '/b', 'exist');
    w.add(1, '/c', 'child');
    assert.equal(w.kindOf(1, '/a', 'data'), 'data');
    assert.equal(w.kindOf(1, '/b', 'data'), 'exist');
    assert.equal(w.kindOf(1, '/c', 'child'), 'child');
    assert.equal(w.kindOf(1, '/c', 'data'), undefined);
    assert.equal(w.kindOf(1, '/a', 'child'), undefined);
    assert.equal(w.watchCount(), 3);
  });

  test('addWatch registers in both tables with its mode', () => {
    const w = new WatchManager();
    w.add(1, '/p', 'persistent');
    w.add(1, '/r', 'persistentRecursive');
    assert.equal(w.kindOf(1, '/p', 'data'), 'persistent');
    assert.equal(w.kindOf(1, '/p', 'child'), 'persistent');
    assert.equal(w.kindOf(1, '/r', 'data'), 'persistentRecursive');
    assert.equal(w.kindOf(1, '/r', 'child'), 'persistentRecursive');
    assert.equal(w.watchCount(), 4, 'zk_watch_count counts both tables');
    assert.equal(w.recursiveWatchCount(), 2);
  });

  test('a later registration on the same (watcher, path, table) overwrites the mode', () => {
    const w = new WatchManager();
    w.add(1, '/p', 'persistent');
    w.add(1, '/p', 'data');
    assert.equal(w.kindOf(1, '/p', 'data'), 'data');
    assert.equal(w.kindOf(1, '/p', 'child'), 'persistent');
    assert.equal(w.watchCount(), 2);
    assert.deepEqual(seen(tree.setData(w, '/p')), ['1:3:/p']);
    assert.deepEqual(seen(tree.setData(w, '/p')), [], 'the data entry was standard and is used up');
    assert.deepEqual(seen(w.trigger('/p', CHILDREN)), ['1:4:/p'], 'the child table kept persistent');

    w.add(1, '/r', 'persistentRecursive');
    w.add(1, '/r', 'persistent');
    assert.equal(w.recursiveWatchCount(), 0, 'overwriting a recursive entry unindexes it');
    assert.deepEqual(seen(w.trigger('/r/x', CREATED)), [], 'no longer recursive');
    assert.deepEqual(seen(w.trigger('/r', CHILDREN)), ['1:4:/r'], 'now persistent');
  });
});

describe('triggering (§6.7 table)', () => {
  test('create P: NodeCreated P to exist/persistent/recursive watchers, then NodeChildrenChanged Q', () => {
    const w = new WatchManager();
    w.add(1, '/q/p', 'exist');
    w.add(2, '/q/p', 'persistent');
    w.add(3, '/q', 'persistentRecursive'); // ancestor
    w.add(4, '/', 'persistentRecursive'); // root is an ancestor too
    w.add(5, '/q', 'child');
    w.add(6, '/q', 'persistent');
    w.add(7, '/q/p', 'child'); // child table of P: not for NodeCreated
    w.add(8, '/q', 'exist'); // data table of Q: not for NodeChildrenChanged
    const events = tree.create(w, '/q/p');
    assert.deepEqual(seen(events), ['1:1:/q/p', '2:1:/q/p', '3:1:/q/p', '4:1:/q/p', '5:4:/q', '6:4:/q']);
    assert.equal(w.kindOf(1, '/q/p', 'data'), undefined, 'the exist watch is used up');
    assert.equal(w.kindOf(5, '/q', 'child'), undefined, 'the child watch is used up');
    assert.equal(w.kindOf(8, '/q', 'data'), 'exist');
    assert.equal(w.kindOf(7, '/q/p', 'child'), 'child');
  });

  test('create of a top-level node reports NodeChildrenChanged on /', () => {
    const w = new WatchManager();
    w.add(1, '/', 'child');
    assert.deepEqual(seen(tree.create(w, '/top')), ['1:4:/']);
  });

  test('delete P: NodeDeleted to data, exist, persistent, recursive and child watchers, then NCC Q', () => {
    const w = new WatchManager();
    w.add(1, '/q/p', 'data');
    w.add(2, '/q/p', 'exist');
    w.add(3, '/q/p', 'persistent');
    w.add(4, '/q', 'persistentRecursive');
    w.add(5, '/q/p', 'child');
    w.add(6, '/q', 'child');
    assert.deepEqual(seen(tree.delete(w, '/q/p')), [
      '1:2:/q/p', '2:2:/q/p', '3:2:/q/p', '4:2:/q/p', '5:2:/q/p', '6:4:/q',
    ]);
    assert.equal(w.watchCount(), 4, 'left: 3 persistent in both tables, 4 recursive in both tables');
  });

  test('delete P: a watcher in both tables of P gets one NodeDeleted, and both its watches are used', () => {
    const w = new WatchManager();
    w.add(1, '/n', 'data');
    w.add(1, '/n', 'child');
    assert.deepEqual(seen(w.trigger('/n', DELETED)), ['1:2:/n']);
    assert.equal(w.watchCount(), 0);
  });

  test('setData P: NodeDataChanged from the data table only', () => {
    const w = new WatchManager();
    w.add(1, '/n', 'data');
    w.add(2, '/n', 'child');
    w.add(3, '/', 'persistentRecursive');
    w.add(4, '/n/sub', 'persistentRecursive'); // a descendant's watch is not reached
    assert.deepEqual(seen(tree.setData(w, '/n')), ['1:3:/n', '3:3:/n']);
    assert.equal(w.kindOf(2, '/n', 'child'), 'child');
  });

  test('session close: NodeDeleted per ephemeral and NodeChildrenChanged per parent', () => {
    const w = new WatchManager();
    w.add(1, '/h/e1', 'exist');
    w.add(1, '/h/e2', 'data');
    w.add(2, '/h', 'child');
    const events = [...tree.delete(w, '/h/e1'), ...tree.delete(w, '/h/e2')];
    assert.deepEqual(seen(events), ['1:2:/h/e1', '2:4:/h', '1:2:/h/e2']);
  });

  test('an event on a path nobody watches delivers nothing', () => {
    const w = new WatchManager();
    w.add(1, '/a', 'data');
    assert.deepEqual(tree.create(w, '/b/c'), []);
    assert.deepEqual(tree.delete(w, '/b'), []);
  });
});

describe('observations [wire] (§6.7)', () => {
  test('data + child + exists + persistent watches of one connection give a single NodeDeleted', () => {
    const w = new WatchManager();
    w.add(1, '/n', 'data');
    w.add(1, '/n', 'exist');
    w.add(1, '/n', 'child');
    w.add(1, '/', 'persistentRecursive');
    w.add(2, '/n', 'persistent');
    w.add(2, '/n', 'exist');
    const events = w.trigger('/n', DELETED);
    assert.deepEqual(seen(events).sort(), ['1:2:/n', '2:2:/n']);
  });

  test('a persistent watch on /p: NodeCreated, NCC for /p/x, NodeDataChanged; nothing for /p/x/y', () => {
    const w = new WatchManager();
    w.add(1, '/p', 'persistent');
    const events = [
      ...tree.create(w, '/p'),
      ...tree.create(w, '/p/x'),
      ...tree.setData(w, '/p'),
      ...tree.create(w, '/p/x/y'),
      ...tree.setData(w, '/p/x/y'),
      ...tree.delete(w, '/p/x/y'),
    ];
    assert.deepEqual(seen(events), ['1:1:/p', '1:4:/p', '1:3:/p']);
    assert.equal(w.kindOf(1, '/p', 'data'), 'persistent');
  });

  test('a recursive watch on /r: NodeCreated /r, /r/x, /r/x/y, NodeDataChanged and NodeDeleted /r/x/y, no NCC', () => {
    const w = new WatchManager();
    w.add(1, '/r', 'persistentRecursive');
    const events = [
      ...tree.create(w, '/r'),
      ...tree.create(w, '/r/x'),
      ...tree.create(w, '/r/x/y'),
      ...tree.setData(w, '/r/x/y'),
      ...tree.delete(w, '/r/x/y'),
      ...tree.create(w, '/rx'), // a sibling sharing the prefix is not a descendant
    ];
    assert.deepEqual(seen(events), ['1:1:/r', '1:1:/r/x', '1:1:/r/x/y', '1:3:/r/x/y', '1:2:/r/x/y']);
  });

  test('a recursive watch on / sees every node', () => {
    const w = new WatchManager();
    w.add(1, '/', 'persistentRecursive');
    assert.deepEqual(seen(tree.create(w, '/a')), ['1:1:/a']);
    assert.deepEqual(seen(tree.setData(w, '/')), ['1:3:/']);
  });
});

describe('removeWatches and checkWatches (§6.7)', () => {
  test('Data (2) removes data and exist watches; Children (1) the child table; Any (3) both', () => {
    const w = new WatchManager();
    w.add(1, '/d', 'data');
    w.add(1, '/e', 'exist');
    w.add(1, '/c', 'child');
    assert.equal(w.remove(1, '/c', 2), false, 'no data watch on /c');
    assert.equal(w.remove(1, '/d', 1), false, 'no child watch on /d');
    assert.equal(w.remove(1, '/d', 2), true);
    assert.equal(w.remove(1, '/e', 2), true);
    assert.equal(w.remove(1, '/c', 1), true);
    assert.equal(w.watchCount(), 0);
    w.add(1, '/x', 'data');
    w.add(1, '/x', 'child');
    assert.equal(w.remove(1, '/x', 3), true);
    assert.equal(w.watchCount(), 0);
    assert.equal(w.remove(1, '/x', 3), false, 'nothing left: the server answers -121');
  });

  test('removing a persistent watch from one table leaves it in the other', () => {
    const w = new WatchManager();
    w.add(1, '/p', 'persistentRecursive');
    assert.ok(w.remove(1, '/p', 2));
    assert.equal(w.recursiveWatchCount(), 1);
    assert.deepEqual(seen(w.trigger('/p/x', CREATED)), [], 'data table: gone');
    assert.deepEqual(seen(w.trigger('/p/x', DELETED)), ['1:2:/p/x'], 'child table: still recursive');
    assert.ok(w.remove(1, '/p', 3));
    assert.equal(w.recursiveWatchCount(), 0);
  });

  test('removeWatches acts on one connection only and sends nothing', () => {
    const w = new WatchManager();
    w.add(1, '/n', 'data');
    w.add(2, '/n', 'data');
    assert.ok(w.remove(1, '/n', 3));
    assert.deepEqual(seen(tree.setData(w, '/n')), ['2:3:/n']);
  });

  test('checkWatches tests without removing', () => {
    const w = new WatchManager();
    w.add(1, '/d', 'exist');
    w.add(1, '/c', 'child');
    assert.ok(w.has(1, '/d', 2));
    assert.ok(w.has(1, '/d', 3));
    assert.ok(!w.has(1, '/d', 1));
    assert.ok(w.has(1, '/c', 1));
    assert.ok(!w.has(1, '/c', 2));
    assert.ok(!w.has(2, '/d', 3));
    assert.equal(w.watchCount(), 2);
  });

  test('a closed connection loses every watch', () => {
    const w = new WatchManager();
    w.add(1, '/a', 'data');
    w.add(1, '/a', 'child');
    w.add(1, '/r', 'persistentRecursive');
    w.add(2, '/a', 'data');
    w.removeWatcher(1);
    assert.equal(w.watchCount(), 1);
    assert.equal(w.recursiveWatchCount(), 0);
    assert.deepEqual(seen(tree.delete(w, '/a')), ['2:2:/a']);
    assert.deepEqual(w.pathsOf(1), {
      dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [],
    });
  });
});

describe('pathsOf', () => {
  test('lists a watcher\'s watches as SetWatches2 lists', () => {
    const w = new WatchManager();
    w.add(1, '/d', 'data');
    w.add(1, '/e', 'exist');
    w.add(1, '/c', 'child');
    w.add(1, '/p', 'persistent');
    w.add(1, '/r', 'persistentRecursive');
    w.add(2, '/other', 'data');
    assert.deepEqual(w.pathsOf(1), {
      dataWatches: ['/d'], existWatches: ['/e'], childWatches: ['/c'],
      persistentWatches: ['/p'], persistentRecursiveWatches: ['/r'],
    });
  });
});

describe('wchs, wchc, wchp (§7.2)', () => {
  const sid = sessionId(0x10000405efe0011n);
  const sessionOf = (watcherId: number) => (watcherId === 7 ? sid : undefined);

  test('the captured outputs: one connection with exist /nothere and data /h', () => {
    const w = new WatchManager();
    w.add(7, '/nothere', 'exist');
    w.add(7, '/h', 'data');
    w.add(7, '/h', 'child'); // child watches are not shown
    assert.equal(w.renderWchs(), '1 connections watching 2 paths\nTotal watches:2\n');
    assert.equal(w.renderWchc(sessionOf), '0x10000405efe0011\n\t/nothere\n\t/h\n\n');
    assert.equal(w.renderWchp(sessionOf), '/nothere\n\t0x10000405efe0011\n/h\n\t0x10000405efe0011\n\n');
  });

  test('persistent watches appear (they live in the data table too); empty tables', () => {
    const w = new WatchManager();
    assert.equal(w.renderWchs(), '0 connections watching 0 paths\nTotal watches:0\n');
    assert.equal(w.renderWchc(sessionOf), '\n');
    assert.equal(w.renderWchp(sessionOf), '\n');
    w.add(7, '/p', 'persistent');
    w.add(8, '/p', 'persistentRecursive');
    assert.equal(w.renderWchs(), '2 connections watching 1 paths\nTotal watches:2\n');
    assert.equal(w.renderWchp(sessionOf), '/p\n\t0x10000405efe0011\n\t0x0\n\n');
  });

  test('a connection whose watches all fired is no longer counted', () => {
    const w = new WatchManager();
    w.add(7, '/h', 'data');
    w.trigger('/h', CHANGED);
    assert.equal(w.renderWchs(), '0 connections watching 0 paths\nTotal watches:0\n');
    assert.equal(w.renderWchc(sessionOf), '\n');
  });
});
