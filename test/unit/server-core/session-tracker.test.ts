// Session expiry by tick buckets (protocol.md §2.4) and the dump rendering (§7.2).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SessionTracker, renderExpirySets } from '../../../src/server/core/session-tracker.js';
import { sessionId, type SessionId } from '../../../src/util/ids.js';

const s1 = sessionId(0x10000405efe000cn);
const s2 = sessionId(0x10000405efe000dn);
const s3 = sessionId(0x10000405efe0011n);

describe('SessionTracker buckets', () => {
  test('expiry time is now + timeout rounded up to the next tick multiple', () => {
    const tracker = new SessionTracker(2000);
    assert.equal(tracker.expiryTimeFor(0, 4000), 6000, 'an exact multiple goes to the next one');
    assert.equal(tracker.expiryTimeFor(1, 4000), 6000);
    assert.equal(tracker.expiryTimeFor(1999, 4000), 6000);
    assert.equal(tracker.expiryTimeFor(2000, 4000), 8000);
  });

  test('a session expires at its bucket time, not before, and is reported once', () => {
    const tracker = new SessionTracker(2000);
    tracker.add(s1, 4000, 100);
    assert.equal(tracker.nextExpiryMs(), 6000);
    assert.deepEqual(tracker.expired(5999), []);
    assert.deepEqual(tracker.expired(6000), [s1]);
    assert.deepEqual(tracker.expired(20000), []);
    assert.ok(tracker.has(s1), 'still tracked until its closeSession applies');
    assert.ok(tracker.isClosing(s1));
    assert.equal(tracker.touch(s1, 6001), false, 'an expired session cannot be revived');
    assert.equal(tracker.nextExpiryMs(), null);
    assert.ok(tracker.remove(s1));
    assert.ok(!tracker.has(s1));
    assert.ok(!tracker.remove(s1));
  });

  test('a committed createSession with a nonsensical timeout is tracked with one tick, not refused', () => {
    // Replicated data (a learner's forwarded createSession, or another server's txn) must never
    // crash the members that apply it.
    const t = new SessionTracker(100);
    const [a, b] = [sessionId(7), sessionId(8)];
    t.add(a, -133789139, 1000);
    t.add(b, 0, 1000);
    assert.equal(t.timeoutOf(a), 100);
    assert.equal(t.timeoutOf(b), 100);
    assert.deepEqual(t.expired(1150), []);
    assert.deepEqual(t.expired(1200).sort(), [a, b]);
  });

  test('touch moves a session to a later bucket', () => {
    const tracker = new SessionTracker(2000);
    tracker.add(s1, 4000, 0);
    assert.ok(tracker.touch(s1, 3000));
    assert.equal(tracker.expiryOf(s1), 8000);
    assert.deepEqual(tracker.expired(6000), []);
    assert.deepEqual(tracker.expired(8000), [s1]);
  });

  test('touch is refused for unknown and closing sessions', () => {
    const tracker = new SessionTracker(2000);
    assert.equal(tracker.touch(s1, 0), false);
    tracker.add(s1, 4000, 0);
    assert.ok(tracker.setClosing(s1));
    assert.equal(tracker.touch(s1, 1000), false);
    assert.equal(tracker.expiryOf(s1), 6000, 'the refused touch did not move it');
    assert.ok(!tracker.setClosing(s2));
  });

  test('a closing session still expires (its close may be lost), once', () => {
    const tracker = new SessionTracker(1000);
    tracker.add(s1, 2000, 0);
    tracker.setClosing(s1);
    assert.deepEqual(tracker.expired(3000), [s1]);
    assert.deepEqual(tracker.expired(9000), []);
  });

  test('several buckets come out oldest first in one call', () => {
    const tracker = new SessionTracker(1000);
    tracker.add(s3, 5000, 0); // 6000
    tracker.add(s1, 2000, 0); // 3000
    tracker.add(s2, 2000, 1500); // 4000
    assert.equal(tracker.nextExpiryMs(), 3000);
    assert.deepEqual(tracker.expired(10000), [s1, s2, s3]);
  });

  test('re-attach (add of a tracked id) takes the renegotiated timeout', () => {
    const tracker = new SessionTracker(2000);
    tracker.add(s1, 4000, 0);
    tracker.add(s1, 10000, 1000);
    assert.equal(tracker.timeoutOf(s1), 10000);
    assert.equal(tracker.expiryOf(s1), 12000);
    assert.equal(tracker.size, 1);
    assert.equal(tracker.timeoutOf(s2), undefined);
  });

  test('remove takes a session out of its bucket', () => {
    const tracker = new SessionTracker(2000);
    tracker.add(s1, 4000, 0);
    tracker.add(s2, 4000, 0);
    tracker.remove(s1);
    assert.deepEqual(tracker.expired(6000), [s2]);
  });
});

describe('SessionTracker properties', () => {
  // A script of (advance time, touch session i) steps over three sessions with varied timeouts.
  const tickMs = 500;
  const timeouts = [1000, 2500, 4000];
  const steps = fc.array(
    fc.record({ advanceMs: fc.integer({ min: 0, max: 3000 }), touch: fc.integer({ min: -1, max: 2 }) }),
    { maxLength: 60 },
  );

  test('never expires a session touched within its timeout; always one idle for timeout + tickTime', () => {
    fc.assert(
      fc.property(steps, (script) => {
        const tracker = new SessionTracker(tickMs);
        const ids = timeouts.map((_, i) => sessionId(BigInt(i + 1)));
        const lastTouchMs = timeouts.map(() => 0);
        const expiredAtMs = new Map<SessionId, number>();
        ids.forEach((id, i) => tracker.add(id, timeouts[i] ?? 0, 0));
        let nowMs = 0;
        const check = (): void => {
          for (const id of tracker.expired(nowMs)) {
            assert.ok(!expiredAtMs.has(id), 'reported twice');
            expiredAtMs.set(id, nowMs);
          }
          ids.forEach((id, i) => {
            const idleMs = nowMs - (lastTouchMs[i] ?? 0);
            const timeoutMs = timeouts[i] ?? 0;
            if (idleMs <= timeoutMs) assert.ok(!expiredAtMs.has(id), `expired after ${idleMs} ms idle`);
            if (idleMs >= timeoutMs + tickMs) assert.ok(expiredAtMs.has(id), `alive after ${idleMs} ms idle`);
          });
        };
        for (const { advanceMs, touch } of script) {
          nowMs += advanceMs;
          check();
          const id = ids[touch];
          if (id !== undefined) {
            const accepted = tracker.touch(id, nowMs);
            assert.equal(accepted, !expiredAtMs.has(id));
            if (accepted) lastTouchMs[touch] = nowMs;
          }
        }
      }),
    );
  });

  test('nextExpiryMs is the earliest time expired() returns something', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 9000 }), fc.integer({ min: 0, max: 9000 })), { minLength: 1, maxLength: 20 }), (sessions) => {
        const tracker = new SessionTracker(1000);
        sessions.forEach(([timeoutMs, nowMs], i) => tracker.add(sessionId(BigInt(i + 1)), timeoutMs, nowMs));
        const next = tracker.nextExpiryMs();
        assert.ok(next !== null);
        assert.deepEqual(tracker.expired(next - 1), []);
        assert.ok(tracker.expired(next).length > 0);
      }),
    );
  });
});

describe('dump rendering', () => {
  const formatDate = (ms: number): string => `T${ms}`;

  test('lists buckets by time, empty ones included, with the Sets counts', () => {
    const tracker = new SessionTracker(2000);
    tracker.add(s2, 4000, 0); // 6000
    tracker.add(s1, 4000, 0); // 6000
    tracker.add(s3, 4000, 0); // 6000
    tracker.touch(s3, 8000); // 14000, leaves nothing in 12000...
    tracker.add(sessionId(0x10000405efe0012n), 6000, 2000); // 10000
    tracker.remove(sessionId(0x10000405efe0012n)); // leaves an empty bucket at 10000, as ZooKeeper does
    assert.equal(
      tracker.dump(formatDate),
      'SessionTracker dump:\n' +
        'Session Sets (3)/(3):\n' +
        '2 expire at T6000:\n\t0x10000405efe000c\n\t0x10000405efe000d\n' +
        '0 expire at T10000:\n' +
        '1 expire at T14000:\n\t0x10000405efe0011\n',
    );
  });

  test('an empty tracker', () => {
    assert.equal(new SessionTracker(2000).dump(formatDate), 'SessionTracker dump:\nSession Sets (0)/(0):\n');
  });

  test('renderExpirySets serves the Connections part too', () => {
    const text = renderExpirySets(
      'Connections',
      [
        { timeMs: 50, elements: ['ip: /127.0.0.1:38006 sessionId: 0x10000405efe0011'] },
        { timeMs: 40, elements: [] },
      ],
      2,
      (ms) => `Sun Nov 22 17:49:${ms} UTC 2026`,
    );
    assert.equal(
      text,
      'Connections Sets (2)/(2):\n0 expire at Sun Nov 22 17:49:40 UTC 2026:\n' +
        '1 expire at Sun Nov 22 17:49:50 UTC 2026:\n\tip: /127.0.0.1:38006 sessionId: 0x10000405efe0011\n',
    );
  });
});
