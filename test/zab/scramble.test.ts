// Seeded scrambles (see scramble.ts): safety is checked at every effect, recovery at the end.
// A failure prints fast-check's seed, path and shrunk action list; replay the list with
// `runScramble(size, actions, observers)` under ZAB_TRACE=1 to see every input and effect.
// Budget: these seeds catch a planted TRUNC→DIFF bug in sync-plan.ts and a NEWLEADER ACK sent
// before the synced txns are durable (both tried while writing this file).

import { describe, test } from 'node:test';
import fc from 'fast-check';
import { action, runScramble } from './scramble.js';

describe('scrambled schedules', () => {
  test('3 voters', () => {
    fc.assert(fc.property(fc.array(action, { minLength: 80, maxLength: 250 }), (actions) => runScramble(3, actions)), { numRuns: 200, seed: 4 });
  });

  test('5 voters and an observer', () => {
    fc.assert(fc.property(fc.array(action, { minLength: 80, maxLength: 250 }), (actions) => runScramble(5, actions, [6])), { numRuns: 80, seed: 5 });
  });

  test('7 voters and an observer', () => {
    fc.assert(fc.property(fc.array(action, { minLength: 120, maxLength: 300 }), (actions) => runScramble(7, actions, [8])), { numRuns: 30, seed: 7 });
  });
});
