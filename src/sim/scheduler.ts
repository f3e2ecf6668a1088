// Virtual time: a priority queue of callbacks ordered by (time, insertion order). Nothing in a
// simulation runs except from here, so the order of events, and the run, depend only on the seed.
// Invariant: time never goes backwards; events at equal times run in the order they were added.

export class Scheduler {
  nowMs = 0;
  private readonly heap: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  /** Events run so far (a bound and a statistic). */
  eventsRun = 0;
  /** A running hash of every event's time (the replay fingerprint). */
  timeHash = 0x811c9dc5;

  at(timeMs: number, run: () => void): void {
    const at = Math.max(timeMs, this.nowMs);
    this.push({ at, seq: this.seq++, run });
  }

  after(delayMs: number, run: () => void): void {
    this.at(this.nowMs + delayMs, run);
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Runs events up to and including `untilMs` (or until `stop` holds); then time is untilMs. */
  runUntil(untilMs: number, stop?: () => boolean): void {
    for (;;) {
      const head = this.heap[0];
      if (head === undefined || head.at > untilMs) break;
      if (stop?.() === true) return;
      this.pop();
      this.nowMs = head.at;
      this.eventsRun++;
      this.timeHash = Math.imul(this.timeHash ^ head.at, 0x01000193) >>> 0;
      head.run();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
  }

  private push(e: { at: number; seq: number; run: () => void }): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, h[p]!)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && less(h[r]!, h[l]!) ? r : l;
      if (!less(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}

function less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
