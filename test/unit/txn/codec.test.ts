// Txn entry codec: Apache's captured bytes, every record of a real 3.8 log re-encoded byte for
// byte, legacy forms (CreateTxnV0, bodiless closeSession), errors, and random round trips.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JuteWriter } from '../../../src/jute/writer.js';
import { JuteDecodeError } from '../../../src/jute/errors.js';
import { OPEN_ACL_UNSAFE, writeAclList, type Acl } from '../../../src/proto/data.js';
import { UnsupportedTxnError, decodeTxnEntry, encodeTxnEntry, writeTxnHeader } from '../../../src/txn/codec.js';
import type { SubTxn, Txn, TxnHeader, TxnRecord } from '../../../src/txn/types.js';
import { sessionId, zxid } from '../../../src/util/ids.js';
import { fixture, logEntries } from './support.js';

/** Comparable form: byte arrays as hex (decode returns views, tests build Buffers). */
function norm(t: Txn): unknown {
  return JSON.parse(JSON.stringify(t, function (this: Record<string, unknown>, k: string, v: unknown) {
    // Look at the value before toJSON (Buffer has one), so Buffer and Uint8Array compare alike.
    const original = this[k];
    if (original instanceof Uint8Array) return `hex:${Buffer.from(original).toString('hex')}`;
    if (typeof v === 'bigint') return `${v}n`;
    return v;
  }));
}

const HEADER: TxnHeader = { clientId: sessionId(0x0100000a080d0000n), cxid: 3, zxid: zxid(9), time: 1_700_000_000_123, type: 0 };

function headerBytes(type: number): JuteWriter {
  const w = new JuteWriter();
  writeTxnHeader(w, { ...HEADER, type });
  return w;
}

describe('Apache bytes', () => {
  test('decodes and re-encodes the captured createSession entry of storage §1.5', () => {
    const hex = '0100000a080d0000' + '00000000' + '0000000000000001' + '000001a2097a8158' + 'fffffff6' + '00007530' + '00000002' + '0000000051c6d660';
    const bytes = Buffer.from(hex, 'hex');
    const t = decodeTxnEntry(bytes);
    assert.equal(t.header.clientId, 0x0100000a080d0000n);
    assert.equal(t.header.cxid, 0);
    assert.equal(t.header.zxid, 1n);
    assert.equal(t.header.time, 0x1a2097a8158);
    assert.equal(t.header.type, -10);
    assert.deepEqual(t.record, { type: -10, timeOut: 30000 });
    assert.deepEqual(t.digest, { version: 2, treeDigest: 1371985504n });
    assert.deepEqual(encodeTxnEntry(t), bytes);
  });

  test('every record of a real 3.8 log decodes and re-encodes byte for byte', () => {
    const entries = logEntries(fixture('log.1'));
    assert.equal(entries.length, 0x29);
    const types = new Set<number>();
    for (const e of entries) {
      const t = decodeTxnEntry(e);
      types.add(t.header.type);
      assert.deepEqual(encodeTxnEntry(t), e, `zxid ${t.header.zxid}`);
      assert.equal(t.digest === null, t.header.type === -1, `digest presence at zxid ${t.header.zxid}`);
    }
    assert.deepEqual([...types].sort((a, b) => a - b), [-11, -10, -1, 1, 2, 5, 7, 14, 19, 20, 21]);
  });

  test('keeps null and empty data distinct', () => {
    const byPath = new Map<string, Txn>();
    for (const e of logEntries(fixture('log.1'))) {
      const t = decodeTxnEntry(e);
      if (t.record.type === 1) byPath.set(t.record.path, t);
    }
    const data = (p: string) => (byPath.get(p)!.record as { data: Uint8Array | null }).data;
    assert.equal(data('/w/nulldata'), null);
    assert.deepEqual(Buffer.from(data('/w/empty')!), Buffer.alloc(0));
  });

  test('a cut entry never decodes to the original', () => {
    for (const e of logEntries(fixture('log.1')).slice(0, 12)) {
      const full = norm(decodeTxnEntry(e));
      for (let cut = 0; cut < e.length; cut++) {
        let decoded: unknown = null;
        try {
          decoded = norm(decodeTxnEntry(e.subarray(0, cut)));
        } catch (err) {
          assert.ok(err instanceof JuteDecodeError);
          continue;
        }
        assert.notDeepEqual(decoded, full);
      }
    }
  });
});

describe('legacy and odd forms', () => {
  test('a create without parentCVersion is CreateTxnV0 (-1)', () => {
    const w = headerBytes(1).writeUString('/v0').writeBuffer(Buffer.from('x'));
    writeAclList(w, OPEN_ACL_UNSAFE);
    w.writeBool(true);
    const t = decodeTxnEntry(w.toBuffer());
    assert.deepEqual(norm(t), norm({ header: { ...HEADER, type: 1 }, record: { type: 1, path: '/v0', data: Buffer.from('x'), acl: OPEN_ACL_UNSAFE, ephemeral: true, parentCVersion: -1 }, digest: null }));
  });

  test('closeSession with no body, with or without a digest', () => {
    const bare = decodeTxnEntry(headerBytes(-11).toBuffer());
    assert.deepEqual(bare.record, { type: -11, paths2Delete: null });
    assert.equal(bare.digest, null);
    const withDigest = decodeTxnEntry(headerBytes(-11).writeInt(2).writeLong(0x1234n).toBuffer());
    assert.deepEqual(withDigest.record, { type: -11, paths2Delete: null });
    assert.deepEqual(withDigest.digest, { version: 2, treeDigest: 0x1234n });
    // A 12-byte body that is a real path list stays a body.
    const body = decodeTxnEntry(headerBytes(-11).writeInt(1).writeUString('/abc').toBuffer());
    assert.deepEqual(body.record, { type: -11, paths2Delete: ['/abc'] });
    assert.equal(body.digest, null);
  });

  test('unsupported types fail clearly, at top level and inside a multi', () => {
    assert.throws(() => decodeTxnEntry(headerBytes(99).writeInt(0).toBuffer()), (e: unknown) =>
      e instanceof UnsupportedTxnError && e.txnType === 99 && /unsupported txn type 99/.test(e.message));
    const multi = headerBytes(14).writeInt(1).writeInt(-10).writeBuffer(Buffer.from([0, 0, 0, 1]));
    assert.throws(() => decodeTxnEntry(multi.toBuffer()), /unsupported txn type -10 inside a multi/);
  });
});

// ---- random round trips -------------------------------------------------------------------------

const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const i64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const safeLong = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const text = fc.oneof(fc.string(), fc.fullUnicodeString());
const path = text.map((s) => `/${s}`);
const data = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null });
const acl: fc.Arbitrary<Acl[]> = fc.array(fc.record({ perms: i32, id: fc.record({ scheme: text, id: text }) }), { maxLength: 3 });

const sub: fc.Arbitrary<SubTxn> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 15 as const), path, data, acl, ephemeral: fc.boolean(), parentCVersion: i32 }),
  fc.record({ type: fc.constant(19 as const), path, data, acl, parentCVersion: i32 }),
  fc.record({ type: fc.constant(21 as const), path, data, acl, parentCVersion: i32, ttl: fc.integer({ min: 0, max: 0xffffffffff }) }),
  fc.record({ type: fc.constantFrom(2 as const, 20 as const), path }),
  fc.record({ type: fc.constantFrom(5 as const, 16 as const), path, data, version: i32 }),
  fc.record({ type: fc.constant(7 as const), path, acl, version: i32 }),
  fc.record({ type: fc.constant(13 as const), path, version: i32 }),
  fc.record({ type: fc.constant(-1 as const), err: i32 }),
);
const record: fc.Arbitrary<TxnRecord> = fc.oneof(
  sub,
  fc.record({ type: fc.constant(-10 as const), timeOut: i32 }),
  fc.record({ type: fc.constant(-11 as const), paths2Delete: fc.option(fc.array(path, { maxLength: 4 }), { nil: null }) }),
  fc.record({ type: fc.constant(14 as const), txns: fc.array(sub, { maxLength: 4 }) }),
);
const anyTxn: fc.Arbitrary<Txn> = fc.record({
  header: fc.record({ clientId: i64, cxid: i32, zxid: i64, time: safeLong }),
  record,
  digest: fc.option(fc.record({ version: i32, treeDigest: i64 }), { nil: null }),
}).map(({ header, record: r, digest }) => ({
  header: { clientId: sessionId(header.clientId), cxid: header.cxid, zxid: zxid(header.zxid), time: header.time, type: r.type },
  record: r,
  digest,
}));

describe('round trips', () => {
  test('encode then decode gives back every txn kind', () => {
    fc.assert(fc.property(anyTxn, (t) => {
      assert.deepEqual(norm(decodeTxnEntry(encodeTxnEntry(t))), norm(t));
    }), { numRuns: 500 });
  });

  test('decode then encode gives back the bytes', () => {
    fc.assert(fc.property(anyTxn, (t) => {
      const bytes = encodeTxnEntry(t);
      assert.deepEqual(encodeTxnEntry(decodeTxnEntry(bytes)), bytes);
    }), { numRuns: 300 });
  });
});
