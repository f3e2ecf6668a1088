// The core's view of its own log: the newest txns in memory plus four positions.
//
//   appliedZxid ≤ min(committedZxid, durableZxid)   (never apply what is not durable)
//   durableZxid ≤ appendedZxid                      (fsync lags appends)
//   committedZxid ≤ appendedZxid                    (only known txns commit)
//
// `entries` holds every appended txn above `appliedZxid` plus at least `committedMax` applied ones
// below it, when there are that many (at most an eighth more): the leader's committedLog window
// for DIFF (§10.3). Zxids strictly increase.
//
// With a byte budget (diffBudgetBytes > 0) it also keeps as many more of the newest applied txns
// as fit in the budget: the shell sets it from the tree's size, as Apache DIFFs from its txn log
// while the txns to send are smaller than a share of the snapshot (snapshotSizeFactor).

import { encodeTxnEntry } from '../txn/codec.js';
import type { Txn } from '../txn/types.js';
import { assert } from '../util/assert.js';
import type { Zxid } from '../util/ids.js';

export class LogWindow {
  private entries: Txn[];
  /** Running total of encoded entry sizes after each entry; `endsBase` is the total before entries[0]. */
  private ends: number[] = [];
  private endsBase = 0;
  /** Bytes of applied txns to keep for DIFF beyond committedMax; 0 keeps by count only. */
  diffBudgetBytes = 0;
  appendedZxid: Zxid;
  durableZxid: Zxid;
  committedZxid: Zxid;
  appliedZxid: Zxid;

  constructor(lastLogged: Zxid, recent: readonly Txn[], applied: Zxid, private readonly committedMax: number) {
    this.entries = [...recent];
    this.recountSizes();
    this.appendedZxid = lastLogged;
    this.durableZxid = lastLogged;
    this.committedZxid = applied;
    this.appliedZxid = applied;
    assert(applied <= lastLogged, 'applied beyond the log');
    for (let i = 1; i < this.entries.length; i++) assert(this.zxidAt(i - 1) < this.zxidAt(i), 'recent txns out of order');
    assert(this.entries.length === 0 || this.zxidAt(this.entries.length - 1) === lastLogged, 'recent txns must end at lastLogged');
  }

  private zxidAt(i: number): Zxid {
    const txn = this.entries[i];
    assert(txn !== undefined, 'index out of window');
    return txn.header.zxid;
  }

  append(txn: Txn): void {
    assert(txn.header.zxid > this.appendedZxid, `append ${txn.header.zxid} after ${this.appendedZxid}`);
    this.entries.push(txn);
    this.ends.push((this.ends[this.ends.length - 1] ?? this.endsBase) + encodeTxnEntry(txn).length);
    this.appendedZxid = txn.header.zxid;
  }

  markDurable(upTo: Zxid): void {
    assert(upTo <= this.appendedZxid, `durable ${upTo} beyond appended ${this.appendedZxid}`);
    if (upTo > this.durableZxid) this.durableZxid = upTo;
  }

  /** Raises the commit point (never beyond what was appended). */
  markCommitted(upTo: Zxid): void {
    const z = upTo < this.appendedZxid ? upTo : this.appendedZxid;
    if (z > this.committedZxid) this.committedZxid = z;
  }

  /** The zxid a `commit` effect may now reach, or null when nothing new is applicable. */
  nextApplicable(): Zxid | null {
    const target = this.committedZxid < this.durableZxid ? this.committedZxid : this.durableZxid;
    return target > this.appliedZxid ? target : null;
  }

  markApplied(upTo: Zxid): void {
    assert(upTo <= this.committedZxid && upTo <= this.durableZxid, 'apply beyond commit or durability');
    this.appliedZxid = upTo;
    this.trim();
  }

  /** After TRUNC: the log ends at `zxid`; the reloaded tree reflects all of it. */
  truncateTo(zxid: Zxid): void {
    this.entries = this.entries.filter((t) => t.header.zxid <= zxid);
    this.recountSizes();
    this.appendedZxid = this.durableZxid = this.committedZxid = this.appliedZxid = zxid;
    this.trim();
  }

  /** After SNAP: state is the snapshot at `zxid`, the log is empty. */
  resetTo(zxid: Zxid): void {
    this.entries = [];
    this.ends = [];
    this.endsBase = 0;
    this.appendedZxid = this.durableZxid = this.committedZxid = this.appliedZxid = zxid;
  }

  /** Txns with zxid in (after, upTo], ascending. */
  range(after: Zxid, upTo: Zxid): Txn[] {
    return this.entries.slice(this.countUpTo(after), Math.max(this.countUpTo(after), this.countUpTo(upTo)));
  }

  /** Txns with zxid ≤ upTo that the window still holds, ascending. */
  upTo(upTo: Zxid): readonly Txn[] {
    return this.entries.slice(0, this.countUpTo(upTo));
  }

  get(zxid: Zxid): Txn | undefined {
    const txn = this.entries[this.countUpTo(zxid) - 1];
    return txn?.header.zxid === zxid ? txn : undefined;
  }

  /** How many entries have a zxid ≤ z: a binary search, as zxids strictly increase. */
  private countUpTo(z: Zxid): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid]!.header.zxid <= z) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private trim(): void {
    // Trimmed in steps of an eighth of the window: splicing the front of the array on every commit cost more
    // than the rest of a follower's commit path.
    const slack = this.committedMax >> 3;
    if (this.entries.length <= this.committedMax + slack) return;
    // Found by binary search: a linear count ran on every apply once the window was full and
    // showed as the leader's hottest line under load.
    const applied = this.countUpTo(this.appliedZxid);
    let drop = applied - this.committedMax;
    if (drop > 0 && this.diffBudgetBytes > 0) drop = Math.min(drop, this.firstWithinBudget(applied));
    if (drop > slack) {
      this.entries.splice(0, drop);
      this.endsBase = this.ends[drop - 1]!;
      this.ends.splice(0, drop);
    }
  }

  /** The smallest i such that entries[i..applied) fit in diffBudgetBytes. */
  private firstWithinBudget(applied: number): number {
    const before = (i: number): number => (i === 0 ? this.endsBase : this.ends[i - 1]!);
    const total = before(applied);
    let low = 0;
    let high = applied;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (total - before(mid) <= this.diffBudgetBytes) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  private recountSizes(): void {
    let total = 0;
    this.endsBase = 0;
    this.ends = this.entries.map((t) => (total += encodeTxnEntry(t).length));
  }
}
