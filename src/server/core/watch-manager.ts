// Server-side watch tables (protocol.md §6.7, §6.8, §7.2). Watches are data: the tree reports
// triggers, this module maps them onto watcher ids (one per client connection), and the caller
// turns deliveries into notification frames (after its READ check).
//
// Two tables, as in ZooKeeper: the data table (getData and exists watches) and the child table
// (getChildren watches). addWatch registers in both with a persistent mode.
//
// Invariants:
// - Per table, (watcher, path) has at most one entry; a later registration overwrites its kind.
// - byPath and byWatcher of a table hold exactly the same entries; empty inner maps are deleted.
// - `recursive` holds exactly the entries of kind persistentRecursive, so a table with none
//   answers a trigger with one map lookup and never walks the ancestors.
// - A trigger delivers at most once per watcher (NodeDeleted's two passes share one set);
//   standard entries it reaches are removed even when the watcher was already notified,
//   persistent ones stay.

import { assert, unreachable } from '../../util/assert.js';
import { hex64, type SessionId, type Zxid } from '../../util/ids.js';
import { EventType } from '../../proto/opcodes.js';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';
/** removeWatches / checkWatches type: 1 children, 2 data, 3 any (WatcherType). */
export type WatcherTypeCode = 1 | 2 | 3;

export interface WatchDelivery {
  readonly watcherId: number;
  readonly path: string;
  readonly type: EventType;
}

/** The five lists of SetWatches2 (SetWatches carries the first three). */
export interface WatchLists {
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}

/** What setWatches needs to know about a node of the current tree. */
export interface NodeZxids {
  readonly mzxid: Zxid;
  readonly czxid: Zxid;
  readonly pzxid: Zxid;
}

export type SessionOf = (watcherId: number) => SessionId | undefined;

class WatchTable {
  readonly byPath = new Map<string, Map<number, WatchKind>>();
  readonly byWatcher = new Map<number, Map<string, WatchKind>>();
  /** path -> watchers with a persistentRecursive entry there. */
  readonly recursive = new Map<string, Set<number>>();
  recursiveCount = 0;
  size = 0;

  set(watcherId: number, path: string, kind: WatchKind): void {
    const previous = this.byPath.get(path)?.get(watcherId);
    if (previous === undefined) this.size++;
    if (previous === 'persistentRecursive' && kind !== 'persistentRecursive') this.#unmarkRecursive(watcherId, path);
    if (kind === 'persistentRecursive' && previous !== 'persistentRecursive') this.#markRecursive(watcherId, path);
    getOrCreate(this.byPath, path, () => new Map<number, WatchKind>()).set(watcherId, kind);
    getOrCreate(this.byWatcher, watcherId, () => new Map<string, WatchKind>()).set(path, kind);
  }

  get(watcherId: number, path: string): WatchKind | undefined {
    return this.byPath.get(path)?.get(watcherId);
  }

  delete(watcherId: number, path: string): boolean {
    const watchers = this.byPath.get(path);
    const kind = watchers?.get(watcherId);
    if (watchers === undefined || kind === undefined) return false;
    watchers.delete(watcherId);
    if (watchers.size === 0) this.byPath.delete(path);
    const paths = this.byWatcher.get(watcherId);
    assert(paths !== undefined && paths.delete(path), 'watch table indexes disagree');
    if (paths.size === 0) this.byWatcher.delete(watcherId);
    if (kind === 'persistentRecursive') this.#unmarkRecursive(watcherId, path);
    this.size--;
    return true;
  }

  deleteWatcher(watcherId: number): void {
    const paths = this.byWatcher.get(watcherId);
    if (paths === undefined) return;
    for (const path of [...paths.keys()]) this.delete(watcherId, path);
  }

  /**
   * Fires `type` at `path`: standard and persistent entries on the path, recursive entries on
   * the path and its ancestors (never for NodeChildrenChanged). Adds fired watchers to `fired`,
   * a set shared by the passes of one event, so a watcher reached twice is delivered once;
   * standard entries reached are removed either way.
   */
  trigger(path: string, type: EventType, fired: Set<number>): void {
    const childrenChanged = type === EventType.nodeChildrenChanged;
    const watchers = this.byPath.get(path);
    if (watchers !== undefined) {
      for (const [watcherId, kind] of watchers) {
        if (kind === 'persistentRecursive') {
          if (childrenChanged) continue;
        } else if (kind !== 'persistent') {
          this.delete(watcherId, path); // safe while iterating a Map
        }
        fired.add(watcherId);
      }
    }
    if (this.recursiveCount === 0 || childrenChanged) return;
    for (let ancestor = parentOf(path); ancestor !== null; ancestor = parentOf(ancestor)) {
      const recursive = this.recursive.get(ancestor);
      if (recursive === undefined) continue;
      for (const watcherId of recursive) fired.add(watcherId);
    }
  }

  #markRecursive(watcherId: number, path: string): void {
    getOrCreate(this.recursive, path, () => new Set<number>()).add(watcherId);
    this.recursiveCount++;
  }

  #unmarkRecursive(watcherId: number, path: string): void {
    const set = this.recursive.get(path);
    assert(set !== undefined && set.delete(watcherId), 'recursive index out of sync');
    if (set.size === 0) this.recursive.delete(path);
    this.recursiveCount--;
  }
}

export class WatchManager {
  readonly #data = new WatchTable();
  readonly #child = new WatchTable();

  /** Registers a watch; a later registration on the same (watcher, path, table) overwrites. */
  add(watcherId: number, path: string, kind: WatchKind): void {
    switch (kind) {
      case 'data':
      case 'exist':
        this.#data.set(watcherId, path, kind);
        return;
      case 'child':
        this.#child.set(watcherId, path, kind);
        return;
      case 'persistent':
      case 'persistentRecursive':
        this.#data.set(watcherId, path, kind);
        this.#child.set(watcherId, path, kind);
        return;
      default:
        unreachable(kind, 'watch kind');
    }
  }

  /**
   * Fires the watches one tree event reaches (§6.7), at most one delivery per watcher:
   * NodeCreated / NodeDataChanged: the data table; NodeDeleted: the data table, then the child
   * table for watchers not already notified; NodeChildrenChanged (path = the parent): the child
   * table, without recursive watches.
   */
  trigger(path: string, type: EventType): WatchDelivery[] {
    const fired = new Set<number>();
    switch (type) {
      case EventType.nodeCreated:
      case EventType.nodeDataChanged:
        this.#data.trigger(path, type, fired);
        break;
      case EventType.nodeDeleted:
        this.#data.trigger(path, type, fired);
        this.#child.trigger(path, type, fired);
        break;
      case EventType.nodeChildrenChanged:
        this.#child.trigger(path, type, fired);
        break;
      default:
        assert(false, `event type ${type} is not fired by the tree`);
    }
    return [...fired].map((watcherId) => ({ watcherId, path, type }));
  }

  /** removeWatches: false means nothing matched (the server answers −121, NoWatcher). */
  remove(watcherId: number, path: string, watcherType: WatcherTypeCode): boolean {
    const fromChild = watcherType !== 2 && this.#child.delete(watcherId, path);
    const fromData = watcherType !== 1 && this.#data.delete(watcherId, path);
    return fromChild || fromData;
  }

  /** checkWatches: whether removeWatches with the same arguments would remove something. */
  has(watcherId: number, path: string, watcherType: WatcherTypeCode): boolean {
    return (
      (watcherType !== 2 && this.#child.get(watcherId, path) !== undefined) ||
      (watcherType !== 1 && this.#data.get(watcherId, path) !== undefined)
    );
  }

  /** Drops every watch of a closed connection. */
  removeWatcher(watcherId: number): void {
    this.#data.deleteWatcher(watcherId);
    this.#child.deleteWatcher(watcherId);
  }

  /** The registration kind in one table, or undefined. */
  kindOf(watcherId: number, path: string, table: 'data' | 'child'): WatchKind | undefined {
    return (table === 'data' ? this.#data : this.#child).get(watcherId, path);
  }

  /**
   * A watcher's watches as SetWatches2 lists. A persistent entry counts if it is in either table
   * (removeWatches may have taken it out of one).
   */
  pathsOf(watcherId: number): WatchLists {
    const lists = {
      data: [] as string[], exist: [] as string[], child: [] as string[],
      persistent: new Set<string>(), persistentRecursive: new Set<string>(),
    };
    for (const table of [this.#data, this.#child]) {
      for (const [path, kind] of table.byWatcher.get(watcherId) ?? []) {
        if (kind === 'persistent' || kind === 'persistentRecursive') lists[kind].add(path);
        else lists[kind].push(path);
      }
    }
    return {
      dataWatches: lists.data,
      existWatches: lists.exist,
      childWatches: lists.child,
      persistentWatches: [...lists.persistent],
      persistentRecursiveWatches: [...lists.persistentRecursive],
    };
  }

  /** `zk_watch_count`: entries in the data table plus entries in the child table. */
  watchCount(): number {
    return this.#data.size + this.#child.size;
  }

  /** Recursive entries over both tables; 0 means triggers never look at ancestors. */
  recursiveWatchCount(): number {
    return this.#data.recursiveCount + this.#child.recursiveCount;
  }

  /** The numbers `wchs` prints, over the data table only. */
  dataWatchSummary(): { connections: number; paths: number; watches: number } {
    return { connections: this.#data.byWatcher.size, paths: this.#data.byPath.size, watches: this.#data.size };
  }

  /**
   * setWatches / setWatches2 on reconnect (§6.8), relativeZxid being the client's last zxid.
   * Returns the events to send now, in list order (data, exist, child), before the −8 reply; the
   * other watches are registered. A (path, event) pair is sent once even if two lists ask for it
   * (a missing node in dataWatches and childWatches): the client's NodeDeleted dispatch fires
   * data, exist and child watchers of the path alike.
   */
  setWatches(
    watcherId: number,
    relativeZxid: Zxid,
    lists: Partial<WatchLists>,
    lookup: (path: string) => NodeZxids | undefined,
  ): WatchDelivery[] {
    const events: WatchDelivery[] = [];
    const sent = new Set<string>();
    const send = (path: string, type: EventType): void => {
      const key = `${type}:${path}`;
      if (sent.has(key)) return;
      sent.add(key);
      events.push({ watcherId, path, type });
    };
    for (const path of lists.dataWatches ?? []) {
      const node = lookup(path);
      if (node === undefined) send(path, EventType.nodeDeleted);
      else if (node.mzxid > relativeZxid) send(path, EventType.nodeDataChanged);
      else this.add(watcherId, path, 'data');
    }
    for (const path of lists.existWatches ?? []) {
      // czxid is not compared: a node that exists now is reported created.
      if (lookup(path) === undefined) this.add(watcherId, path, 'exist');
      else send(path, EventType.nodeCreated);
    }
    for (const path of lists.childWatches ?? []) {
      const node = lookup(path);
      if (node === undefined) send(path, EventType.nodeDeleted);
      else if (node.pzxid > relativeZxid) send(path, EventType.nodeChildrenChanged);
      else this.add(watcherId, path, 'child');
    }
    for (const path of lists.persistentWatches ?? []) this.add(watcherId, path, 'persistent');
    for (const path of lists.persistentRecursiveWatches ?? []) this.add(watcherId, path, 'persistentRecursive');
    return events;
  }

  /** `wchs`: `<n> connections watching <m> paths\nTotal watches:<k>\n` (data table). */
  renderWchs(): string {
    const { connections, paths, watches } = this.dataWatchSummary();
    return `${connections} connections watching ${paths} paths\nTotal watches:${watches}\n`;
  }

  /** `wchc`: per connection `0x<sid>\n` then `\t<path>\n` lines; then an empty line (data table). */
  renderWchc(sessionOf: SessionOf): string {
    let out = '';
    for (const [watcherId, paths] of this.#data.byWatcher) {
      out += `0x${hex64(sessionOf(watcherId) ?? 0n)}\n`;
      for (const path of paths.keys()) out += `\t${path}\n`;
    }
    return out + '\n';
  }

  /** `wchp`: per path `<path>\n` then `\t0x<sid>\n` lines; then an empty line (data table). */
  renderWchp(sessionOf: SessionOf): string {
    let out = '';
    for (const [path, watchers] of this.#data.byPath) {
      out += `${path}\n`;
      for (const watcherId of watchers.keys()) out += `\t0x${hex64(sessionOf(watcherId) ?? 0n)}\n`;
    }
    return out + '\n';
  }
}

/** The parent of an absolute path, `/` for a top-level node, null for `/` itself. */
function parentOf(path: string): string | null {
  if (path === '/') return null;
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
