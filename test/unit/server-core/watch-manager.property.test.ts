// Property tests for WatchManager: a naive reference model of §6.7 (a flat list of entries, every
// trigger scans everything) must agree with the indexed implementation on every random script,
// plus the targeted properties: a standard watch fires at most once, persistent watches survive
// triggers, removed watches never fire.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { WatchManager, type WatchKind, type WatcherTypeCode } from '../../../src/server/core/watch-manager.js';
import { EventType } from '../../../src/proto/opcodes.js';

const PATHS = ['/', '/a', '/a/b', '/a/b/c', '/ab', '/b'] as const;
const KINDS: readonly WatchKind[] = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'];
const EVENTS: readonly EventType[] = [
  EventType.nodeCreated, EventType.nodeDeleted, EventType.nodeDataChanged, EventType.nodeChildrenChanged,
];
const WATCHERS = 4;

type Op =
  | { op: 'add'; watcherId: number; path: string; kind: WatchKind }
  | { op: 'trigger'; path: string; type: EventType }
  | { op: 'remove'; watcherId: number; path: string; watcherType: WatcherTypeCode }
  | { op: 'removeWatcher'; watcherId: number };

const watcherArb = fc.integer({ min: 0, max: WATCHERS - 1 });
const pathArb = fc.constantFrom(...PATHS);
const addArb = fc.record({ op: fc.constant('add' as const), watcherId: watcherArb, path: pathArb, kind: fc.constantFrom(...KINDS) });
const triggerArb = fc.record({ op: fc.constant('trigger' as const), path: pathArb, type: fc.constantFrom(...EVENTS) });
const removeArb = fc.record({
  op: fc.constant('remove' as const), watcherId: watcherArb, path: pathArb,
  watcherType: fc.constantFrom<WatcherTypeCode>(1, 2, 3),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: addArb, weight: 4 },
  { arbitrary: triggerArb, weight: 4 },
  { arbitrary: removeArb, weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('removeWatcher' as const), watcherId: watcherArb }), weight: 1 },
);

function isAncestor(ancestor: string, path: string): boolean {
  if (ancestor === path) return false;
  return ancestor === '/' || path.startsWith(ancestor + '/');
}

/** The reference: entries keyed `${table}|${watcher}|${path}`, scanned in full on every trigger. */
class Model {
  readonly entries = new Map<string, { table: 'data' | 'child'; watcherId: number; path: string; kind: WatchKind }>();

  add(watcherId: number, path: string, kind: WatchKind): void {
    const tables: ('data' | 'child')[] =
      kind === 'data' || kind === 'exist' ? ['data'] : kind === 'child' ? ['child'] : ['data', 'child'];
    for (const table of tables) this.entries.set(`${table}|${watcherId}|${path}`, { table, watcherId, path, kind });
  }

  #fire(table: 'data' | 'child', path: string, type: EventType, fired: Set<number>, suppressed: Set<number>): void {
    for (const [key, e] of this.entries) {
      if (e.table !== table) continue;
      let hit = false;
      if (e.path === path) {
        hit = e.kind !== 'persistentRecursive' || type !== EventType.nodeChildrenChanged;
        if (e.kind !== 'persistent' && e.kind !== 'persistentRecursive') this.entries.delete(key);
      } else if (e.kind === 'persistentRecursive' && isAncestor(e.path, path)) {
        hit = type !== EventType.nodeChildrenChanged;
      }
      if (hit && !suppressed.has(e.watcherId)) fired.add(e.watcherId);
    }
  }

  trigger(path: string, type: EventType): Set<number> {
    const fired = new Set<number>();
    if (type === EventType.nodeChildrenChanged) this.#fire('child', path, type, fired, new Set());
    else this.#fire('data', path, type, fired, new Set());
    if (type === EventType.nodeDeleted) this.#fire('child', path, type, fired, new Set(fired));
    return fired;
  }

  remove(watcherId: number, path: string, watcherType: WatcherTypeCode): boolean {
    const tables = watcherType === 1 ? ['child'] : watcherType === 2 ? ['data'] : ['data', 'child'];
    let removed = false;
    for (const table of tables) removed = this.entries.delete(`${table}|${watcherId}|${path}`) || removed;
    return removed;
  }

  removeWatcher(watcherId: number): void {
    for (const [key, e] of this.entries) if (e.watcherId === watcherId) this.entries.delete(key);
  }
}

function apply(w: WatchManager, op: Op): number[] | boolean | undefined {
  switch (op.op) {
    case 'add': w.add(op.watcherId, op.path, op.kind); return undefined;
    case 'trigger': return w.trigger(op.path, op.type).map((d) => d.watcherId);
    case 'remove': return w.remove(op.watcherId, op.path, op.watcherType);
    case 'removeWatcher': w.removeWatcher(op.watcherId); return undefined;
  }
}

describe('WatchManager properties', () => {
  test('agrees with the reference model of §6.7 on random scripts', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (script) => {
        const w = new WatchManager();
        const model = new Model();
        for (const op of script) {
          const got = apply(w, op);
          if (op.op === 'trigger') {
            const ids = got as number[];
            assert.equal(new Set(ids).size, ids.length, 'at most one delivery per watcher per event');
            assert.deepEqual([...ids].sort(), [...model.trigger(op.path, op.type)].sort());
          } else if (op.op === 'remove') {
            assert.equal(got, model.remove(op.watcherId, op.path, op.watcherType));
          } else if (op.op === 'add') {
            model.add(op.watcherId, op.path, op.kind);
          } else {
            model.removeWatcher(op.watcherId);
          }
          assert.equal(w.watchCount(), model.entries.size);
          for (const e of model.entries.values()) assert.equal(w.kindOf(e.watcherId, e.path, e.table), e.kind);
          const recursive = [...model.entries.values()].filter((e) => e.kind === 'persistentRecursive').length;
          assert.equal(w.recursiveWatchCount(), recursive);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('a standard watch fires at most once', () => {
    const others = fc.array(fc.oneof(addArb.filter((a) => a.watcherId !== 0), triggerArb), { maxLength: 60 });
    fc.assert(
      fc.property(pathArb, fc.constantFrom<WatchKind>('data', 'exist', 'child'), others, (path, kind, script) => {
        const w = new WatchManager();
        w.add(0, path, kind);
        let deliveries = 0;
        for (const op of script) {
          const got = apply(w, op);
          if (Array.isArray(got)) deliveries += got.filter((id) => id === 0).length;
        }
        assert.ok(deliveries <= 1, `fired ${deliveries} times`);
      }),
    );
  });

  test('persistent watches never disappear on trigger, and fire on every exact-path event', () => {
    const others = fc.array(fc.oneof(addArb.filter((a) => a.watcherId !== 0), triggerArb), { maxLength: 60 });
    fc.assert(
      fc.property(pathArb, fc.constantFrom<WatchKind>('persistent', 'persistentRecursive'), others, (path, kind, script) => {
        const w = new WatchManager();
        w.add(0, path, kind);
        for (const op of script) {
          const got = apply(w, op);
          if (op.op === 'trigger' && op.path === path) {
            const expected = !(kind === 'persistentRecursive' && op.type === EventType.nodeChildrenChanged);
            assert.equal((got as number[]).includes(0), expected);
          }
          assert.equal(w.kindOf(0, path, 'data'), kind);
          assert.equal(w.kindOf(0, path, 'child'), kind);
        }
      }),
    );
  });

  test('after remove (Any) on each of its paths, or removeWatcher, a watcher gets nothing', () => {
    const setup = fc.array(addArb, { maxLength: 30 });
    const later = fc.array(fc.oneof(addArb.filter((a) => a.watcherId !== 0), triggerArb), { maxLength: 40 });
    fc.assert(
      fc.property(setup, fc.boolean(), later, (adds, wholeConnection, script) => {
        const w = new WatchManager();
        for (const op of adds) apply(w, op);
        if (wholeConnection) w.removeWatcher(0);
        else for (const path of PATHS) w.remove(0, path, 3);
        for (const path of PATHS) assert.ok(!w.has(0, path, 3));
        for (const op of script) {
          const got = apply(w, op);
          if (Array.isArray(got)) assert.ok(!got.includes(0));
        }
      }),
    );
  });
});
