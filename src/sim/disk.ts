// The simulated disk of one server: a snapshot image, the durable log, writes not yet fsynced,
// and the two epoch files. Operations complete in FIFO order after a drawn latency (slow disks:
// a wide range). Writes are visible at once (the page cache) but durable only at fsync: a crash
// keeps a random prefix of the unsynced records and may tear the last one it keeps (recovery
// drops a torn record). A "lying" disk (the planted bug) completes fsyncs without persisting.
//
// Invariants (asserted): the visible log is zxid-ascending; a log write is never issued while a
// truncate or a snapshot load is pending (the core waits for those completions first).

import { assert } from '../util/assert.js';
import { zxid, type Zxid } from '../util/ids.js';
import type { Txn } from '../txn/types.js';
import type { DurableState } from '../zab/types.js';
import type { FaultMix } from './faults.js';
import type { Prng } from './prng.js';
import type { Scheduler } from './scheduler.js';

/** A snapshot as the simulator keeps it: the txns whose application gives the state, in order. */
export interface SnapshotImage {
  readonly zxid: Zxid;
  readonly txns: readonly Txn[];
}

type PendingKind = 'fsync' | 'epochs' | 'truncate' | 'snapshot';

export class SimDisk {
  snapshot: SnapshotImage = { zxid: zxid(0), txns: [] };
  log: Txn[] = [];
  unsynced: Txn[] = [];
  acceptedEpoch = 0;
  currentEpoch = 0;
  private pending: PendingKind[] = [];
  private lastCompletionMs = 0;
  /** Bumped at each crash: completions of operations issued before it are dropped. */
  private generation = 0;
  readonly stats = { fsyncs: 0, lostUnsyncedRecords: 0, tornRecords: 0 };

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Prng,
    public mix: FaultMix,
  ) {}

  /** Log records visible to a reader now (durable + written). */
  visibleLog(): Txn[] {
    return this.unsynced.length === 0 ? this.log : [...this.log, ...this.unsynced];
  }

  /** The txns whose application gives what this disk holds: snapshot, then the visible log. */
  contents(): Txn[] {
    return [...this.snapshot.txns, ...this.visibleLog()];
  }

  lastVisibleZxid(): Zxid {
    return this.unsynced.at(-1)?.header.zxid ?? this.log.at(-1)?.header.zxid ?? this.snapshot.zxid;
  }

  durableState(recentMax: number): DurableState {
    const last = this.log.at(-1)?.header.zxid ?? this.snapshot.zxid;
    return {
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      lastLoggedZxid: last,
      recentTxns: this.log.slice(-recentMax),
    };
  }

  private schedule(kind: PendingKind, complete: () => void): void {
    this.pending.push(kind);
    const at = Math.max(this.sched.nowMs + this.rng.int(this.mix.fsyncMsMin, this.mix.fsyncMsMax), this.lastCompletionMs);
    this.lastCompletionMs = at;
    const generation = this.generation;
    this.sched.at(at, () => {
      if (generation !== this.generation) return;
      this.pending.shift();
      complete();
    });
  }

  /** Append (visible now) + fsync (durable at completion, then `done(upTo)`). */
  persist(txns: readonly Txn[], done: (upTo: Zxid) => void): void {
    assert(!this.pending.includes('truncate') && !this.pending.includes('snapshot'), 'log write while a truncate/snapshot load is pending');
    const first = txns[0];
    const last = txns.at(-1);
    if (first === undefined || last === undefined) return;
    assert(first.header.zxid > this.lastVisibleZxid(), () => `log write ${first.header.zxid} not after ${this.lastVisibleZxid()}`);
    this.unsynced.push(...txns);
    const upTo = last.header.zxid;
    this.schedule('fsync', () => {
      this.stats.fsyncs++;
      if (!this.mix.lyingDisk) {
        const keep = this.unsynced.filter((t) => t.header.zxid > upTo);
        this.log.push(...this.unsynced.filter((t) => t.header.zxid <= upTo));
        this.unsynced = keep;
      }
      done(upTo);
    });
  }

  saveEpochs(acceptedEpoch: number, currentEpoch: number, done: () => void): void {
    this.schedule('epochs', () => {
      this.acceptedEpoch = acceptedEpoch;
      this.currentEpoch = currentEpoch;
      done();
    });
  }

  /** Cuts the log after `z` (the caller reloads its tree from `contents()` at completion). */
  truncate(z: Zxid, done: () => void): void {
    this.schedule('truncate', () => {
      assert(z >= this.snapshot.zxid, 'truncate below the snapshot');
      this.log = this.log.filter((t) => t.header.zxid <= z);
      this.unsynced = this.unsynced.filter((t) => t.header.zxid <= z);
      done();
    });
  }

  /** Replaces everything with a snapshot received from the leader, durably. */
  loadSnapshot(image: SnapshotImage, done: () => void): void {
    this.schedule('snapshot', () => {
      this.snapshot = image;
      this.log = [];
      this.unsynced = [];
      done();
    });
  }

  /** Power loss: pending operations vanish; a prefix of the unsynced records may have reached
   * the platter, and the last of those may be torn (recovery drops it). */
  crash(): void {
    this.generation++;
    this.pending = [];
    this.lastCompletionMs = 0;
    let kept = this.mix.lyingDisk ? 0 : this.rng.int(0, this.unsynced.length);
    if (kept > 0 && this.rng.chance(this.mix.tornWriteChance)) {
      kept--;
      this.stats.tornRecords++;
    }
    this.stats.lostUnsyncedRecords += this.unsynced.length - kept;
    this.log.push(...this.unsynced.slice(0, kept));
    this.unsynced = [];
  }
}
