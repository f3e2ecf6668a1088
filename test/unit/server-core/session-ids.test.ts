// Session id layout (protocol.md §2.5) and password derivation (§2.6).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CONTAINER_OWNER_SESSION,
  SessionIdGenerator,
  firstSessionId,
  passwordMatches,
  sessionPassword,
} from '../../../src/server/core/session-ids.js';
import { hex64, sessionId } from '../../../src/util/ids.js';

const MASK40 = (1n << 40n) - 1n;

describe('firstSessionId', () => {
  test('matches the id observed on a standalone 3.8.0 server', () => {
    assert.equal(hex64(firstSessionId(1, 0x405efe)), '10000405efe0000');
  });

  test('server id in bits 63..56, low 40 clock bits in 55..16, counter 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.bigInt({ min: 0n, max: (1n << 52n) - 1n }), (server, ms) => {
        const id = BigInt.asUintN(64, firstSessionId(server, Number(ms)));
        if (server === 0x80 && (ms & MASK40) === 0n) return; // the container marker, skipped
        assert.equal(id >> 56n, BigInt(server));
        assert.equal((id >> 16n) & MASK40, ms & MASK40);
        assert.equal(id & 0xffffn, 0n);
      }),
    );
  });

  test('clock bits above 40 are dropped, as the Java shifts drop them', () => {
    assert.equal(firstSessionId(1, 2 ** 40 + 5), firstSessionId(1, 5));
    assert.equal(firstSessionId(3, 2 ** 45), firstSessionId(3, 0));
  });

  test('server ids of 128 and more make a negative long; bits above 8 are shifted out', () => {
    const id = firstSessionId(0xc8, 1);
    assert.ok(id < 0n);
    assert.equal(hex64(id), 'c800000000010000');
    assert.equal(firstSessionId(0x101, 7), firstSessionId(1, 7));
  });

  test('a negative clock reading (Java nanoTime may be negative) keeps its low 40 bits', () => {
    assert.equal(hex64(firstSessionId(1, -1)), '1ffffffffff0000');
  });

  test('the container marker 0x8000000000000000 is never the first id', () => {
    const id = firstSessionId(0x80, 0);
    assert.notEqual(id, CONTAINER_OWNER_SESSION);
    assert.equal(hex64(id), '8000000000000001');
  });
});

describe('SessionIdGenerator', () => {
  test('hands out first, first+1, first+2, ...', () => {
    const generator = SessionIdGenerator.forServer(1, 0x405efe);
    assert.deepEqual(
      [generator.next(), generator.next(), generator.next()].map(hex64),
      ['10000405efe0000', '10000405efe0001', '10000405efe0002'],
    );
    assert.equal(hex64(generator.peek()), '10000405efe0003');
  });

  test('a carry out of the 16-bit counter flows into the time bits', () => {
    const generator = new SessionIdGenerator(sessionId(0x010000405efeffffn));
    assert.equal(hex64(generator.next()), '10000405efeffff');
    assert.equal(hex64(generator.next()), '10000405eff0000');
  });

  test('skips 0x8000000000000000 when the long overflows', () => {
    const generator = new SessionIdGenerator(sessionId(0x7fffffffffffffffn));
    assert.equal(hex64(generator.next()), '7fffffffffffffff');
    const after = generator.next();
    assert.equal(hex64(after), '8000000000000001');
    assert.ok(after < 0n, 'kept as a signed long');
  });

  test('skips 0, which a client sends to ask for a new session', () => {
    const generator = new SessionIdGenerator(sessionId(-1n));
    assert.equal(generator.next(), -1n);
    assert.equal(generator.next(), 1n);
  });

  test('ids are distinct and increasing (unsigned) within a run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 2 ** 40 }), (server, ms) => {
        const generator = SessionIdGenerator.forServer(server, ms);
        let previous = BigInt.asUintN(64, generator.next());
        for (let i = 0; i < 50; i++) {
          const id = BigInt.asUintN(64, generator.next());
          assert.ok(id > previous);
          previous = id;
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('sessionPassword', () => {
  test('matches the check value of the fact sheet', () => {
    assert.equal(sessionPassword(0x010000405efe0000n).toString('hex'), 'a0768fdaad73bedb7e7a81fd3ea4f809');
  });

  test('is 16 bytes, deterministic, and differs between neighbouring sessions', () => {
    const a = sessionPassword(0x010000405efe0011n);
    assert.equal(a.length, 16);
    assert.deepEqual(sessionPassword(0x010000405efe0011n), a);
    assert.notDeepEqual(sessionPassword(0x010000405efe0012n), a);
  });

  test('signed and unsigned spellings of the same long give the same password', () => {
    assert.deepEqual(sessionPassword(-1n), sessionPassword(0xffffffffffffffffn));
  });

  test('passwordMatches accepts only the derived password and never session 0', () => {
    const id = sessionId(0x010000405efe0000n);
    const good = Uint8Array.from(sessionPassword(id));
    assert.ok(passwordMatches(id, good));
    const bad = Uint8Array.from(good);
    bad[15] = (bad[15] ?? 0) ^ 1;
    assert.ok(!passwordMatches(id, bad));
    assert.ok(!passwordMatches(id, good.subarray(0, 15)));
    assert.ok(!passwordMatches(0n, sessionPassword(0n)));
  });
});
