// LogWindow against a model that keeps every txn: lookups (upTo, range, get) answer exactly what
// a filter over the whole log would, restricted to the window; the window keeps every txn above
// appliedZxid and at least committedMax applied ones below it (when there are that many), at most
// an eighth more — or, with a byte budget, also every newest applied txn that fits in it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LogWindow } from '../../src/zab/log-window.js';
import { encodeTxnEntry } from '../../src/txn/codec.js';
import type { Txn } from '../../src/txn/types.js';
import { makeZxid, sessionId, type Zxid } from '../../src/util/ids.js';

function txnAt(z: Zxid, dataBytes: number): Txn {
  return {
    header: { clientId: sessionId(1n), cxid: 0, zxid: z, time: 0, type: 5 },
    record: { type: 5, path: '/n', data: new Uint8Array(dataBytes), version: 1 },
    digest: null,
  };
}

const bytesOf = (txns: readonly Txn[]): number => txns.reduce((sum, t) => sum + encodeTxnEntry(t).length, 0);

const zxidsOf = (txns: readonly Txn[]): bigint[] => txns.map((t) => t.header.zxid);

describe('LogWindow', () => {
  test('lookups match a filter over the whole log; the window keeps what DIFF needs', () => {
    const step = fc.oneof(
      fc.record({ k: fc.constant('append' as const), epochJump: fc.boolean(), dataBytes: fc.nat(300) }),
      fc.record({ k: fc.constant('apply' as const), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.oneof(fc.constant(0), fc.nat(20_000)), fc.array(step, { maxLength: 300 }), fc.array(fc.nat(400), { minLength: 4, maxLength: 4 }), (committedMax, budget, steps, probes) => {
        const w = new LogWindow(makeZxid(1, 0), [], makeZxid(1, 0), committedMax);
        w.diffBudgetBytes = budget;
        const all: Txn[] = [];
        let epoch = 1;
        let counter = 0;
        for (const s of steps) {
          if (s.k === 'append') {
            if (s.epochJump && all.length > 0) {
              epoch++;
              counter = 0;
            }
            const txn = txnAt(makeZxid(epoch, ++counter), s.dataBytes);
            w.append(txn);
            all.push(txn);
            w.markDurable(txn.header.zxid);
          } else {
            const unapplied = all.filter((t) => t.header.zxid > w.appliedZxid);
            const target = unapplied[Math.floor(s.share * unapplied.length)];
            if (target === undefined) continue;
            w.markCommitted(target.header.zxid);
            w.markApplied(target.header.zxid);
          }
          // The window: every unapplied txn, and between committedMax and 9/8 of it applied ones.
          const held = w.upTo(w.appendedZxid);
          const applied = all.filter((t) => t.header.zxid <= w.appliedZxid);
          assert.deepEqual(zxidsOf(held.filter((t) => t.header.zxid > w.appliedZxid)), zxidsOf(all.filter((t) => t.header.zxid > w.appliedZxid)));
          const heldApplied = held.filter((t) => t.header.zxid <= w.appliedZxid).length;
          assert.ok(heldApplied >= Math.min(committedMax, applied.length), `holds ${heldApplied} applied, fewer than ${committedMax}`);
          // The newest applied txns that fit in the budget are all held...
          let fitting = 0;
          while (fitting < applied.length && bytesOf(applied.slice(applied.length - fitting - 1)) <= budget) fitting++;
          assert.ok(budget === 0 || heldApplied >= fitting, `holds ${heldApplied} applied, ${fitting} fit in ${budget} bytes`);
          // ...and no more than an eighth of committedMax beyond what count and budget ask for.
          assert.ok(heldApplied <= Math.max(committedMax, budget === 0 ? 0 : fitting) + (committedMax >> 3), `holds ${heldApplied} applied: count ${committedMax}, budget fits ${fitting}`);
          assert.deepEqual(zxidsOf(held), zxidsOf(all.slice(all.length - held.length)));
        }
        // Lookups at arbitrary zxids (present, between epochs, before the window, past the end).
        const zxids = [0n, ...all.map((t) => t.header.zxid), makeZxid(epoch + 1, 0)];
        const held = w.upTo(w.appendedZxid);
        const inWindow = (t: Txn) => held.includes(t);
        for (const p of probes) {
          const a = zxids[p % zxids.length]!;
          const b = zxids[(p * 7 + 3) % zxids.length]!;
          assert.deepEqual(zxidsOf(w.upTo(a as Zxid)), zxidsOf(all.filter((t) => inWindow(t) && t.header.zxid <= a)));
          assert.deepEqual(zxidsOf(w.range(a as Zxid, b as Zxid)), zxidsOf(all.filter((t) => inWindow(t) && t.header.zxid > a && t.header.zxid <= b)));
          const found = all.find((t) => inWindow(t) && t.header.zxid === a);
          assert.equal(w.get(a as Zxid), found);
        }
      }),
      { numRuns: 200 },
    );
  });
});
