// The simulator itself: the PRNG is deterministic, a seed replays exactly (same trace hash),
// the CI seed budget passes with every fault kind on, and a planted bug (disks that acknowledge
// fsync without persisting) is caught by the checkers within the budget.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_KINDS } from '../../src/sim/faults.js';
import { Prng } from '../../src/sim/prng.js';
import { reproduceCommand, runSeed } from '../../src/sim/runner.js';

const ALL = [...FAULT_KINDS];

describe('simulator', () => {
  test('the PRNG is a function of its seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 100 }, () => a.nextU32());
    assert.deepEqual(xs, Array.from({ length: 100 }, () => b.nextU32()));
    assert.notDeepEqual(xs, Array.from({ length: 100 }, () => new Prng(43).nextU32()));
    const r = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 9);
      assert.ok(n >= 3 && n <= 9);
    }
  });

  test('a seed replays exactly', () => {
    for (const seed of [3, 17, 124]) {
      const first = runSeed({ seed, faults: ALL });
      const second = runSeed({ seed, faults: ALL });
      assert.equal(second.traceHash, first.traceHash);
      assert.equal(second.failure, first.failure);
      assert.equal(second.events, first.events);
    }
    assert.notEqual(runSeed({ seed: 3, faults: ALL }).traceHash, runSeed({ seed: 4, faults: ALL }).traceHash);
  });

  test('a failure names the command that replays it', () => {
    assert.equal(reproduceCommand(9, ['net', 'crash']), 'npm run sim -- --seed 9 --faults net,crash');
  });

  test('CI budget: 400 seeds with every fault kind pass every checker', () => {
    const started = performance.now();
    const totals: Record<string, number> = {};
    const failures: string[] = [];
    const SEEDS = 400;
    for (let seed = 1000; seed < 1000 + SEEDS; seed++) {
      const r = runSeed({ seed, faults: ALL });
      for (const [k, v] of Object.entries(r.faults)) totals[k] = (totals[k] ?? 0) + v;
      if (!r.ok) failures.push(`seed ${seed}: ${r.failure} (${reproduceCommand(seed, ALL)})`);
    }
    const perSeedMs = (performance.now() - started) / SEEDS;
    console.log(`sim: ${SEEDS} seeds, ${perSeedMs.toFixed(1)} ms per seed, faults ${JSON.stringify(totals)}`);
    assert.deepEqual(failures, []);
    assert.ok((totals.crash ?? 0) > 50 && (totals.powerLoss ?? 0) > 10 && (totals.resets ?? 0) > 50, 'faults were injected');
  });

  test('planted bug: lying disks are caught within the budget', () => {
    const caught: string[] = [];
    for (let seed = 1; seed <= 60 && caught.length === 0; seed++) {
      const r = runSeed({ seed, faults: ALL, lyingDisk: true });
      if (!r.ok) caught.push(`${seed}: ${r.failure}`);
    }
    assert.ok(caught.length > 0, 'no seed caught disks that acknowledge fsync without persisting');
    assert.match(caught[0] ?? '', /lost|diverge|different txn|not linearizable|read/);
  });
});
