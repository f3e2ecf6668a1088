// Interned ACL lists, referenced from znodes by a number, as Apache ZooKeeper stores them in
// snapshots (storage-and-quorum.md §4.3).
//
// Invariants:
// - Reference -1 means OPEN_ACL_UNSAFE and is never stored in the map or counted.
// - Other references are 1, 2, 3, … handed out in order of first use of a distinct list (list
//   equality, order matters); a reference is never reused, even after its list is dropped.
// - Each stored reference has a use count (one per node holding it); a list whose count drops
//   to 0 is dropped from the map, so a snapshot lists only references in use.

import { type Acl, OPEN_ACL_UNSAFE } from '../proto/data.js';
import { assert } from '../util/assert.js';

/** The reserved reference for OPEN_ACL_UNSAFE, never written in a snapshot's ACL map. */
export const OPEN_ACL_REF = -1;

function keyOf(acl: readonly Acl[]): string {
  return JSON.stringify(acl.map((a) => [a.perms, a.id.scheme, a.id.id]));
}

export class AclCache {
  private readonly byRef = new Map<number, readonly Acl[]>();
  private readonly byKey = new Map<string, number>();
  private readonly uses = new Map<number, number>();
  private lastRef = 0;

  /** Interns `acl` (a new reference on first use) and counts one more use of it. */
  intern(acl: readonly Acl[]): number {
    const key = keyOf(acl);
    let ref = this.byKey.get(key);
    if (ref === undefined) {
      ref = ++this.lastRef;
      // Copy so a caller mutating its array cannot change an interned list.
      this.byRef.set(ref, acl.map((a) => ({ perms: a.perms, id: { scheme: a.id.scheme, id: a.id.id } })));
      this.byKey.set(key, ref);
    }
    this.addUse(ref);
    return ref;
  }

  addUse(ref: number): void {
    if (ref === OPEN_ACL_REF) return;
    this.uses.set(ref, (this.uses.get(ref) ?? 0) + 1);
  }

  /** Counts one use less; a list nobody uses any more leaves the map. */
  removeUse(ref: number): void {
    if (ref === OPEN_ACL_REF) return;
    const count = this.uses.get(ref);
    if (count === undefined) return;
    if (count > 1) {
      this.uses.set(ref, count - 1);
      return;
    }
    this.uses.delete(ref);
    const acl = this.byRef.get(ref);
    this.byRef.delete(ref);
    if (acl !== undefined) this.byKey.delete(keyOf(acl));
  }

  /** The list behind a reference; an unknown reference yields [] (Apache 3.8.5+ tolerates it). */
  lookup(ref: number): readonly Acl[] {
    if (ref === OPEN_ACL_REF) return OPEN_ACL_UNSAFE;
    return this.byRef.get(ref) ?? [];
  }

  has(ref: number): boolean {
    return ref === OPEN_ACL_REF || this.byRef.has(ref);
  }

  /** Entries in reference order, for the snapshot writer. */
  entries(): Array<[number, readonly Acl[]]> {
    return [...this.byRef.entries()].sort((a, b) => a[0] - b[0]);
  }

  useCount(ref: number): number {
    return this.uses.get(ref) ?? 0;
  }

  /** Loads one snapshot entry; the next new reference is max + 1. */
  load(ref: number, acl: readonly Acl[]): void {
    assert(ref !== OPEN_ACL_REF, 'ACL reference -1 is reserved');
    this.byRef.set(ref, acl);
    this.byKey.set(keyOf(acl), ref);
    if (ref > this.lastRef) this.lastRef = ref;
  }

  /** A snapshot node's reference: counted, and never handed out again even if its list is
   * missing from the map (a fuzzy snapshot can hold such a node until replay fixes it). */
  loadUse(ref: number): void {
    this.addUse(ref);
    if (ref > this.lastRef) this.lastRef = ref;
  }

  /** After a snapshot load: drops entries no node uses (as Apache 3.8 does). */
  purgeUnused(): void {
    for (const [ref, acl] of [...this.byRef]) {
      if (this.useCount(ref) > 0) continue;
      this.byRef.delete(ref);
      if (this.byKey.get(keyOf(acl)) === ref) this.byKey.delete(keyOf(acl));
    }
  }
}
