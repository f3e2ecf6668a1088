// The client's local watch table (protocol.md §6.7 [client], §6.8): which local watchers wait on
// which path, which fire for an incoming event, and the lists re-registered with setWatches
// after a reconnect. Paths are the caller's (chroot-relative) paths.
// Invariants: one-shot watchers (data, exist, child) are removed when they fire; persistent and
// recursive watchers stay until removed; a watcher registered under several tables fires once
// per event; recursive watchers never get nodeChildrenChanged (the server sends none for them).

import type { Watcher, WatchEvent, WatchEventType, WatcherTypeName } from './types.js';

type Table = Map<string, Set<Watcher>>;

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

export interface WatchLists {
  readonly dataWatches: string[];
  readonly existWatches: string[];
  readonly childWatches: string[];
  readonly persistentWatches: string[];
  readonly persistentRecursiveWatches: string[];
}

export class WatchRegistry {
  private readonly tables: Record<WatchKind, Table> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const table = this.tables[kind];
    let set = table.get(path);
    if (set === undefined) table.set(path, (set = new Set()));
    set.add(watcher);
  }

  /** Removes one watcher; true if it was there. */
  delete(kind: WatchKind, path: string, watcher: Watcher): boolean {
    const set = this.tables[kind].get(path);
    if (set === undefined || !set.delete(watcher)) return false;
    if (set.size === 0) this.tables[kind].delete(path);
    return true;
  }

  has(kind: WatchKind, path: string): boolean {
    return this.tables[kind].has(path);
  }

  /** Whether any local watcher of any kind waits on `path`. */
  hasAny(path: string): boolean {
    return (Object.keys(this.tables) as WatchKind[]).some((k) => this.tables[k].has(path));
  }

  /** The watchers that fire for `event`, one-shot ones removed from the table. */
  take(type: WatchEventType, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    const drain = (kind: WatchKind): void => {
      const set = this.tables[kind].get(path);
      if (set === undefined) return;
      for (const w of set) out.add(w);
      this.tables[kind].delete(path);
    };
    switch (type) {
      case 'nodeCreated':
      case 'nodeDataChanged':
        drain('data');
        drain('exist');
        break;
      case 'nodeChildrenChanged':
        drain('child');
        break;
      case 'nodeDeleted':
        drain('data');
        drain('exist');
        drain('child');
        break;
      default:
        break;
    }
    for (const w of this.tables.persistent.get(path) ?? []) out.add(w);
    if (type !== 'nodeChildrenChanged') {
      for (const ancestor of selfAndAncestors(path)) {
        for (const w of this.tables.persistentRecursive.get(ancestor) ?? []) out.add(w);
      }
    }
    return out;
  }

  /**
   * Removes local watchers of `path` for removeWatches: 'data' covers data and exist watchers,
   * 'children' child watchers, 'any' every kind including persistent ones. Returns each removed
   * watcher with the event it is told ('dataWatchRemoved', ...). With `only`, just that watcher.
   */
  remove(path: string, type: WatcherTypeName, only?: Watcher): Array<[Watcher, WatchEvent]> {
    const kinds: Array<[WatchKind, WatchEventType]> = [];
    if (type === 'data' || type === 'any') kinds.push(['data', 'dataWatchRemoved'], ['exist', 'dataWatchRemoved']);
    if (type === 'children' || type === 'any') kinds.push(['child', 'childWatchRemoved']);
    if (type === 'any') {
      kinds.push(['persistent', 'persistentWatchRemoved'], ['persistentRecursive', 'persistentWatchRemoved']);
    }
    const removed: Array<[Watcher, WatchEvent]> = [];
    for (const [kind, eventType] of kinds) {
      const set = this.tables[kind].get(path);
      if (set === undefined) continue;
      for (const w of [...set]) {
        if (only !== undefined && w !== only) continue;
        set.delete(w);
        removed.push([w, { type: eventType, path }]);
      }
      if (set.size === 0) this.tables[kind].delete(path);
    }
    return removed;
  }

  /** The paths of every table, for setWatches/setWatches2. */
  lists(): WatchLists {
    const keys = (kind: WatchKind): string[] => [...this.tables[kind].keys()];
    return {
      dataWatches: keys('data'),
      existWatches: keys('exist'),
      childWatches: keys('child'),
      persistentWatches: keys('persistent'),
      persistentRecursiveWatches: keys('persistentRecursive'),
    };
  }

  clear(): void {
    for (const kind of Object.keys(this.tables) as WatchKind[]) this.tables[kind].clear();
  }

  get size(): number {
    let n = 0;
    for (const kind of Object.keys(this.tables) as WatchKind[]) n += this.tables[kind].size;
    return n;
  }
}

/** "/a/b" -> ["/a/b", "/a", "/"]. */
export function selfAndAncestors(path: string): string[] {
  const out = [path];
  let p = path;
  while (p !== '/' && p !== '') {
    const slash = p.lastIndexOf('/');
    p = slash <= 0 ? '/' : p.slice(0, slash);
    out.push(p);
  }
  return out;
}

const SET_WATCHES_BATCH_CHARS = 128 * 1024;

/**
 * Splits watch lists into batches of about 128 K path characters each (the Java client's limit),
 * so no setWatches frame grows past the server's frame bound.
 */
export function batchWatchLists(lists: WatchLists): WatchLists[] {
  const batches: WatchLists[] = [];
  let current = emptyLists();
  let chars = 0;
  const keys = Object.keys(current) as Array<keyof WatchLists>;
  for (const key of keys) {
    for (const path of lists[key]) {
      if (chars + path.length > SET_WATCHES_BATCH_CHARS && chars > 0) {
        batches.push(current);
        current = emptyLists();
        chars = 0;
      }
      current[key].push(path);
      chars += path.length;
    }
  }
  if (chars > 0) batches.push(current);
  return batches;
}

function emptyLists(): WatchLists {
  return { dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] };
}
