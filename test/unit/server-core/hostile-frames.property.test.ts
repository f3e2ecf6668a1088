// Bad input never crashes the server core and never damages the tree: any sequence of request
// frames — valid ones, valid ones with bytes flipped, cut short or padded, unknown opcodes, noise —
// is answered or gets its connection closed, and afterwards a well-behaved client is served and
// the tree's incremental digest still equals the digest recomputed from its nodes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRequest, type Request } from '../../../src/proto/index.js';
import { CoreHarness, OPEN_ACL } from './core-harness.js';
import { recomputedDigest } from '../txn/support.js';

const data = (s: string) => new TextEncoder().encode(s);
const DIGEST_ACL = [{ perms: 31, id: { scheme: 'digest', id: 'u:9dl2Kf7XvZu6/JhM4Ed5oAGUizQ=' } }];

/** Well-formed requests of many shapes: the seeds that mutations start from. */
const SEEDS: readonly Request[] = [
  { op: 'create', path: '/h', data: data('x'), acl: OPEN_ACL, flags: 0 },
  { op: 'create2', path: '/h/s-', data: null, acl: OPEN_ACL, flags: 3 },
  { op: 'createContainer', path: '/c', data: null, acl: OPEN_ACL, flags: 4 },
  { op: 'createTTL', path: '/t', data: data('t'), acl: OPEN_ACL, flags: 5, ttl: 5000 },
  { op: 'setData', path: '/h', data: data('yy'), version: -1 },
  { op: 'setACL', path: '/h', acl: DIGEST_ACL, version: -1 },
  { op: 'delete', path: '/h', version: -1 },
  { op: 'getData', path: '/h', watch: true },
  { op: 'exists', path: '/h', watch: true },
  { op: 'getChildren2', path: '/', watch: true },
  { op: 'getACL', path: '/h' },
  { op: 'sync', path: '/' },
  { op: 'check', path: '/h', version: 0 },
  { op: 'getAllChildrenNumber', path: '/' },
  { op: 'getEphemerals', prefixPath: '/' },
  { op: 'addWatch', path: '/', mode: 1 },
  { op: 'removeWatches', path: '/', type: 1 },
  { op: 'setWatches', relativeZxid: 0n, dataWatches: ['/h'], existWatches: ['/x'], childWatches: ['/'] },
  { op: 'auth', type: 0, scheme: 'digest', auth: data('u:p') },
  { op: 'whoAmI' },
  { op: 'multi', opsAllowed: true, ops: [
    { op: 'create', path: '/m', data: null, acl: OPEN_ACL, flags: 1 },
    { op: 'setData', path: '/m', data: data('m'), version: 0 },
    { op: 'check', path: '/m', version: 1 },
    { op: 'delete', path: '/m', version: -1 },
  ] },
  { op: 'multiRead', opsAllowed: true, ops: [{ op: 'getData', path: '/h', watch: false }, { op: 'getChildren', path: '/', watch: false }] },
] as Request[];

type Mutation =
  | { k: 'asIs' }
  | { k: 'flip'; at: number; value: number }
  | { k: 'cut'; at: number }
  | { k: 'pad'; bytes: Uint8Array }
  | { k: 'opcode'; type: number }
  | { k: 'noise'; bytes: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ k: 'asIs' as const }),
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('pad' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ k: fc.constant('opcode' as const), type: fc.oneof(fc.integer({ min: -12, max: 120 }), fc.integer()) }),
  fc.record({ k: fc.constant('noise' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

/** A request payload (no length prefix), mutated. */
function hostilePayload(seed: Request, xid: number, m: Mutation): Uint8Array {
  const payload = Buffer.from(encodeRequest(xid, seed).subarray(4));
  switch (m.k) {
    case 'asIs':
      return payload;
    case 'flip':
      payload[m.at % payload.length] = m.value;
      return payload;
    case 'cut':
      return payload.subarray(0, m.at % payload.length);
    case 'pad':
      return Buffer.concat([payload, m.bytes]);
    case 'opcode':
      payload.writeInt32BE(m.type | 0, 4);
      return payload;
    case 'noise':
      return m.bytes;
  }
}

describe('hostile request frames', () => {
  test('never throw, never corrupt the tree, and leave the server serving others', () => {
    // Over all runs, some hostile frames must have been answered and some connections closed:
    // otherwise the generator is not reaching the paths this test is about.
    let answered = 0;
    let closed = 0;
    const step = fc.tuple(fc.nat(SEEDS.length - 1), mutation, fc.integer({ min: -3, max: 40 }), fc.boolean());
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const h = new CoreHarness();
        const good = h.connect();
        assert.equal(h.call(good, { op: 'create', path: '/h', data: data('0'), acl: OPEN_ACL, flags: 0 }).err, 0);
        let hostile = h.connect({ raw: true });
        for (const [seed, m, xid, tick] of steps) {
          if (h.isClosed(hostile)) {
            closed++;
            hostile = h.connect({ raw: true });
          } // a closed connection: the client dials again
          h.step({ kind: 'frame', conn: hostile, payload: hostilePayload(SEEDS[seed]!, xid, m), nowMs: h.nowMs });
          if (tick) h.advance(500);
        }
        answered += h.out(hostile).filter((o) => o.kind === 'frame').length;
        // The well-behaved session still gets answers (its session did not expire: 30 s timeout,
        // at most 30 ticks of 0.5 s).
        assert.equal(h.call(good, { op: 'ping' }).err, 0);
        const reply = h.call(good, { op: 'create', path: '/after', data: data('a'), acl: OPEN_ACL, flags: 0 });
        assert.equal(reply.err, 0);
        assert.equal(h.call(good, { op: 'getData', path: '/after', watch: false }).err, 0);
        assert.equal(h.db.digestMismatches, 0);
        assert.equal(h.db.digest(), recomputedDigest(h.db.tree));
      }),
      { numRuns: 400 },
    );
    assert.ok(answered > 100 && closed > 100, `answered ${answered}, closed ${closed}`);
  });
});
