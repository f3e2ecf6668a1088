// Issue 4's proof that the simulator catches a bug in the consensus core itself: with the TRUNC
// rule switched off in the leader (a learner keeps txns the new leader never committed), the
// checkers fail within the CI seed budget — and the same seed passes with the rule on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSeed } from '../../src/sim/runner.js';
import { FAULT_KINDS } from '../../src/sim/faults.js';

const SEED_BUDGET = 400;

test('switching off TRUNC in the leader is caught by the checkers within the CI budget', () => {
  let caught: { seed: number; failure: string } | null = null;
  for (let seed = 1; seed <= SEED_BUDGET && caught === null; seed++) {
    const result = runSeed({ seed, faults: FAULT_KINDS, zab: { plantedBug: 'diffInsteadOfTrunc' } });
    if (!result.ok) caught = { seed, failure: result.failure ?? '' };
  }
  assert.ok(caught !== null, `the planted bug survived ${SEED_BUDGET} seeds`);
  assert.match(caught.failure, /diverges|digest mismatch|lost/);
  const clean = runSeed({ seed: caught.seed, faults: FAULT_KINDS });
  assert.equal(clean.ok, true, `seed ${caught.seed} fails without the planted bug too: ${clean.failure}`);
});
