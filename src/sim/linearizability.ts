// A linearizability checker in the style of Wing & Gong with Lowe's memoization, as Porcupine
// implements it: histories are split per key (P-compositionality), then a depth-first search
// linearizes calls one at a time, backtracking at a return whose call it has not linearized,
// and never revisits a (linearized set, model state) pair it has already explored.
//
// An operation whose outcome is unknown (the client timed out) has its return at +infinity and
// accepts any output: it may take effect at any point after its call, or not observably at all.

export interface Operation<I, O> {
  readonly key: string;
  readonly input: I;
  /** null = unknown outcome (the return is at +infinity). */
  readonly output: O | null;
  /** Positions in real time (any comparable numbers; calls and returns are all distinct or tied returns-first). */
  readonly call: number;
  readonly ret: number;
}

export interface Model<S, I, O> {
  init(): S;
  /** The state after applying `input` with observed `output` (null = any output), or undefined if impossible. */
  step(state: S, input: I, output: O | null): S | undefined;
  /** A string naming the state, for the memo table. */
  key(state: S): string;
}

export interface CheckResult {
  readonly ok: boolean;
  /** The key whose sub-history is not linearizable. */
  readonly badKey: string | null;
  /** Search nodes explored (a cost figure). */
  readonly explored: number;
  /** True if the search hit its bound before deciding (counted as ok = false? no: reported). */
  readonly exhausted: boolean;
}

interface Node {
  readonly isCall: boolean;
  readonly opIndex: number;
  readonly time: number;
  match: Node | null; // a call's return
  prev: Node | null;
  next: Node | null;
}

export function checkLinearizable<S, I, O>(model: Model<S, I, O>, history: readonly Operation<I, O>[], exploreMax = 2_000_000): CheckResult {
  const byKey = new Map<string, Operation<I, O>[]>();
  for (const op of history) {
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  let explored = 0;
  for (const [key, ops] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const r = checkOne(model, ops, exploreMax - explored);
    explored += r.explored;
    if (r.exhausted) return { ok: false, badKey: key, explored, exhausted: true };
    if (!r.ok) return { ok: false, badKey: key, explored, exhausted: false };
  }
  return { ok: true, badKey: null, explored, exhausted: false };
}

function buildList<I, O>(ops: readonly Operation<I, O>[]): Node {
  const events: Node[] = [];
  ops.forEach((op, i) => {
    const call: Node = { isCall: true, opIndex: i, time: op.call, match: null, prev: null, next: null };
    const ret: Node = { isCall: false, opIndex: i, time: op.output === null ? Infinity : op.ret, match: null, prev: null, next: null };
    call.match = ret;
    events.push(call, ret);
  });
  // Real-time order; at a tie a return comes first (the strict reading).
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.opIndex - b.opIndex : a.isCall ? 1 : -1));
  const head: Node = { isCall: false, opIndex: -1, time: -Infinity, match: null, prev: null, next: null };
  let last = head;
  for (const e of events) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  return head;
}

function lift(call: Node): void {
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  const ret = call.match!;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

function unlift(call: Node): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

function checkOne<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[], exploreMax: number): { ok: boolean; explored: number; exhausted: boolean } {
  const head = buildList(ops);
  const linearized = new Uint8Array(ops.length);
  const memo = new Set<string>();
  const stack: { call: Node; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  let explored = 0;
  const bits = (): string => Buffer.from(linearized).toString('base64');
  while (head.next !== null) {
    if (++explored > exploreMax) return { ok: false, explored, exhausted: true };
    if (entry === null) return { ok: false, explored, exhausted: false };
    if (entry.isCall) {
      const op = ops[entry.opIndex]!;
      const after = model.step(state, op.input, op.output);
      if (after !== undefined) {
        linearized[entry.opIndex] = 1;
        const k = `${bits()}|${model.key(after)}`;
        if (!memo.has(k)) {
          memo.add(k);
          stack.push({ call: entry, state });
          state = after;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.opIndex] = 0;
      }
      entry = entry.next;
    } else {
      // A return whose call is not linearized yet: backtrack.
      const top = stack.pop();
      if (top === undefined) return { ok: false, explored, exhausted: false };
      state = top.state;
      linearized[top.call.opIndex] = 0;
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return { ok: true, explored, exhausted: false };
}
