// Named scenario: epoch counter rollover under load with a tiny counterLimit and crash faults.
// The ensemble must keep serving: after healing a majority, a serving leader appears and fresh
// writes complete while clients keep writing (each epoch holds only counterLimit-1 txns, so the
// leaders roll over again and again), and the safety checkers pass.
//
// Regression (the stall "3 voters, one down, one LOOKING, one LEADING but not serving, with
// applied zxid = counterLimit-1"): a follower that decided a tick before its leader sent
// FOLLOWERINFO to a server still LOOKING, was refused, started a new election round, and lost
// the same race every round. Fixed in src/zab/learner.ts: a refused connection is retried on the
// next tick (within initLimit) instead of abandoning the leader. Seeds 276 (counterLimit 4) and
// 210 (counterLimit 6) with crash+disk faults stalled for the whole bound before the fix.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runRolloverLiveness } from '../../src/sim/scenarios/rollover.js';

describe('scenario: epoch rollover under load with crashes keeps the ensemble serving', () => {
  test('regression: the refused-FOLLOWERINFO livelock (seeds 276 and 210, crash+disk)', () => {
    for (const [seed, limit] of [[276, 4], [210, 6]] as const) {
      const r = runRolloverLiveness(seed, ['crash', 'disk'], limit);
      assert.equal(r.failure, null, `seed ${seed} counterLimit ${limit}`);
      assert.ok(r.epochsAfterHeal >= 2, `seed ${seed}: rollovers happened under load after healing (${r.epochsAfterHeal} epochs)`);
    }
  });

  test('counterLimit 4..8, crash faults, 8 seeds each: a leader serves and writes complete', () => {
    const failures: string[] = [];
    let epochs = 0;
    for (let limit = 4; limit <= 8; limit++) {
      for (let seed = 500; seed < 508; seed++) {
        const r = runRolloverLiveness(seed, ['crash', 'disk'], limit, 3);
        epochs += r.epochsAfterHeal;
        if (!r.ok) failures.push(`seed ${seed} counterLimit ${limit}: ${r.failure}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(epochs > 40, `leaders rolled over under load (${epochs} epochs seen)`);
  });
});
