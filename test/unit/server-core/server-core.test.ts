// The pipeline as a pure state machine under virtual time: per-session order, prep against
// outstanding changes, session expiry by ticks, and the digests carried by txns.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CoreHarness, OPEN_ACL } from './core-harness.js';
import { ErrorCode } from '../../../src/proto/error-codes.js';
import { EventType } from '../../../src/proto/opcodes.js';
import type { Request } from '../../../src/proto/requests.js';

const data = (s: string) => Buffer.from(s);

describe('per-session order', () => {
  test('a read waits behind its own session\'s uncommitted write, not behind others\'', () => {
    const h = new CoreHarness();
    const a = h.connect();
    const b = h.connect();
    h.autoCommit = false;
    const write = h.send(a, { op: 'create', path: '/x', data: data('1'), acl: OPEN_ACL, flags: 0 });
    const readA = h.send(a, { op: 'exists', path: '/x', watch: false });
    const readB = h.send(b, { op: 'exists', path: '/x', watch: false });
    assert.deepEqual(h.replies(a).map((r) => r.xid), []);
    assert.equal(h.replies(b).find((r) => r.xid === readB)?.err, ErrorCode.noNode);
    h.commitAll();
    assert.deepEqual(h.replies(a).map((r) => [r.xid, r.err]), [[write, 0], [readA, 0]]);
  });

  test('pipelined writes are validated against prepared but uncommitted changes', () => {
    const h = new CoreHarness();
    const a = h.connect();
    const b = h.connect();
    h.autoCommit = false;
    h.send(a, { op: 'create', path: '/p', data: null, acl: OPEN_ACL, flags: 0 });
    h.send(b, { op: 'create', path: '/p', data: null, acl: OPEN_ACL, flags: 0 });
    h.send(b, { op: 'create', path: '/p/c', data: null, acl: OPEN_ACL, flags: 0 });
    h.send(a, { op: 'setData', path: '/p', data: data('v'), version: 0 });
    h.send(b, { op: 'setData', path: '/p', data: data('w'), version: 0 });
    h.send(a, { op: 'delete', path: '/p', version: -1 });
    h.send(b, { op: 'create', path: '/p/s-', data: null, acl: OPEN_ACL, flags: 2 });
    h.commitAll();
    assert.deepEqual(h.replies(a).map((r) => r.err), [0, 0, ErrorCode.notEmpty]);
    assert.deepEqual(h.replies(b).map((r) => r.err), [ErrorCode.nodeExists, 0, ErrorCode.badVersion, 0]);
    assert.deepEqual(h.replies(b)[3]?.response, { kind: 'create', path: '/p/s-0000000001' });
    assert.equal(h.db.digestMismatches, 0);
  });

  test('replies echo odd and repeated xids in arrival order', () => {
    const h = new CoreHarness();
    const a = h.connect();
    h.send(a, { op: 'exists', path: '/', watch: false }, 1000);
    h.send(a, { op: 'create', path: '/q', data: null, acl: OPEN_ACL, flags: 0 }, 5);
    h.send(a, { op: 'exists', path: '/q', watch: false }, 5);
    h.send(a, { op: 'exists', path: '/q', watch: false }, -100);
    assert.deepEqual(h.replies(a).map((r) => r.xid), [1000, 5, 5, -100]);
  });

  test('frames that arrive before the session is established are answered after it, in order', () => {
    const h = new CoreHarness();
    h.autoCommit = false;
    const a = h.connect();
    const xid = h.send(a, { op: 'exists', path: '/', watch: false });
    assert.equal(h.out(a).length, 0);
    h.commitAll();
    assert.equal(h.out(a)[0]?.kind, 'connect');
    assert.equal(h.replies(a)[0]?.xid, xid);
  });
});

describe('sessions under virtual time', () => {
  test('writes pipelined after closeSession fail with SessionExpired and leave no ephemeral behind', () => {
    const h = new CoreHarness();
    h.autoCommit = false;
    const a = h.connect();
    h.commitAll();
    h.send(a, { op: 'create', path: '/before', data: null, acl: OPEN_ACL, flags: 1 });
    h.send(a, { op: 'closeSession' });
    h.send(a, { op: 'create', path: '/after', data: null, acl: OPEN_ACL, flags: 1 });
    h.commitAll();
    assert.equal(h.committed.at(-1)?.record.type, -1);
    assert.equal(h.db.node('/before'), undefined);
    assert.equal(h.db.node('/after'), undefined);
    assert.equal(h.db.ephemeralCount(), 0);
  });

  test('a silent session expires within timeout + tick; its ephemerals go and watchers hear it', () => {
    const h = new CoreHarness();
    const owner = h.connect({ timeoutMs: 4000 });
    const watcher = h.connect({ timeoutMs: 40000 });
    h.call(owner, { op: 'create', path: '/e', data: null, acl: OPEN_ACL, flags: 1 });
    h.call(watcher, { op: 'exists', path: '/e', watch: true });
    for (let t = 0; t < 4000; t += 1000) {
      h.advance(1000);
      assert.equal(h.isClosed(owner), false, `expired early at +${t + 1000} ms`);
      h.call(watcher, { op: 'ping' });
    }
    h.advance(2000);
    assert.equal(h.isClosed(owner), true);
    assert.deepEqual(h.events(watcher).map((e) => [e.type, e.path]), [[EventType.nodeDeleted, '/e']]);
    assert.equal(h.call(watcher, { op: 'exists', path: '/e', watch: false }).err, ErrorCode.noNode);
    // The expiry was a closeSession txn, so it is replicated and logged.
    const ownerId = h.session(owner).sessionId;
    assert.ok(h.committed.some((t) => t.record.type === -11 && t.header.clientId === ownerId));
  });

  test('pings keep a session alive; a disconnected session can re-attach within its timeout', () => {
    const h = new CoreHarness();
    const a = h.connect({ timeoutMs: 4000 });
    const { sessionId, passwd } = h.session(a);
    for (let i = 0; i < 10; i++) {
      h.advance(1500);
      h.call(a, { op: 'ping' });
    }
    assert.equal(h.isClosed(a), false);
    h.disconnect(a);
    h.advance(2000);
    const b = h.connect({ timeoutMs: 4000, sessionId, passwd });
    assert.equal(h.session(b).sessionId, sessionId);
    h.advance(7000);
    assert.equal(h.isClosed(b), true, 'a silent re-attached session still expires');
    const c = h.connect({ sessionId, passwd });
    assert.equal(h.session(c).timeoutMs, 0);
    assert.equal(h.isClosed(c), true);
  });

  test('container nodes are reaped once emptied; never-used ones stay', () => {
    const h = new CoreHarness({ containerCheckIntervalMs: 1000 });
    const a = h.connect();
    h.call(a, { op: 'createContainer', path: '/c', data: null, acl: OPEN_ACL, flags: 4 });
    h.call(a, { op: 'createContainer', path: '/unused', data: null, acl: OPEN_ACL, flags: 4 });
    h.call(a, { op: 'create', path: '/c/x', data: null, acl: OPEN_ACL, flags: 0 });
    h.call(a, { op: 'delete', path: '/c/x', version: -1 });
    h.advance(1500);
    assert.equal(h.call(a, { op: 'exists', path: '/c', watch: false }).err, ErrorCode.noNode);
    assert.equal(h.call(a, { op: 'exists', path: '/unused', watch: false }).err, 0);
  });

  test('TTL nodes are deleted once idle past their TTL; creating them is Unimplemented when disabled', () => {
    const h = new CoreHarness({ containerCheckIntervalMs: 1000 });
    const a = h.connect();
    assert.equal(h.call(a, { op: 'createTTL', path: '/t', data: null, acl: OPEN_ACL, flags: 5, ttl: 5000 }).err, 0);
    h.advance(3000);
    assert.equal(h.call(a, { op: 'exists', path: '/t', watch: false }).err, 0);
    h.advance(4000);
    assert.equal(h.call(a, { op: 'exists', path: '/t', watch: false }).err, ErrorCode.noNode);
    const off = new CoreHarness({ extendedTypesEnabled: false });
    const b = off.connect();
    assert.equal(off.call(b, { op: 'createTTL', path: '/t', data: null, acl: OPEN_ACL, flags: 5, ttl: 5000 }).err, ErrorCode.unimplemented);
  });
});

describe('txn digests', () => {
  const paths = ['/a', '/a/b', '/a/b/c', '/d', '/a/e'];
  const op = fc.oneof(
    fc.record({ kind: fc.constant('create'), path: fc.constantFrom(...paths), flags: fc.constantFrom(0, 1, 2, 3, 4, 5), d: fc.option(fc.string({ maxLength: 4 })) }),
    fc.record({ kind: fc.constant('delete'), path: fc.constantFrom(...paths), version: fc.constantFrom(-1, 0, 1) }),
    fc.record({ kind: fc.constant('setData'), path: fc.constantFrom(...paths), version: fc.constantFrom(-1, 0, 1), d: fc.string({ maxLength: 4 }) }),
    fc.record({ kind: fc.constant('setACL'), path: fc.constantFrom(...paths), version: fc.constantFrom(-1, 0) }),
    fc.record({ kind: fc.constant('multi'), path: fc.constantFrom(...paths), version: fc.constantFrom(-1, 0) }),
    fc.record({ kind: fc.constant('close') }),
  );

  function toRequest(o: { kind: string; path?: string; flags?: number; d?: string | null; version?: number }): Request {
    const path = o.path ?? '/';
    switch (o.kind) {
      case 'create':
        return o.flags === 5
          ? { op: 'createTTL', path, data: o.d == null ? null : data(o.d), acl: OPEN_ACL, flags: 5, ttl: 1000 }
          : { op: o.flags === 4 ? 'createContainer' : 'create2', path, data: o.d == null ? null : data(o.d), acl: OPEN_ACL, flags: o.flags ?? 0 };
      case 'delete':
        return { op: 'delete', path, version: o.version ?? -1 };
      case 'setData':
        return { op: 'setData', path, data: data(o.d ?? ''), version: o.version ?? -1 };
      case 'setACL':
        return { op: 'setACL', path, acl: OPEN_ACL, version: o.version ?? -1 };
      case 'multi':
        return { op: 'multi', opsAllowed: true, ops: [
          { op: 'create', path: path + '/m', data: null, acl: OPEN_ACL, flags: 0 },
          { op: 'setData', path, data: data('m'), version: o.version ?? -1 },
          { op: 'delete', path: path + '/m', version: -1 },
        ] };
      default:
        return { op: 'closeSession' };
    }
  }

  test('every txn carries the digest the tree has after applying it, however writes interleave', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(2), op), { maxLength: 40 }), fc.nat(5), (steps, batch) => {
        const h = new CoreHarness();
        h.autoCommit = false;
        const conns = [h.connect(), h.connect(), h.connect()];
        h.commitAll();
        for (const [which, o] of steps) {
          const conn = conns[which]!;
          if (h.isClosed(conn)) continue;
          h.send(conn, toRequest(o));
          if (h.proposed.length > batch) h.commitAll(1);
        }
        h.commitAll();
        assert.equal(h.db.digestMismatches, 0);
        const carried = h.committed.filter((t) => t.digest !== null);
        assert.ok(carried.length > 0);
        assert.equal(carried.at(-1)!.digest!.treeDigest, h.db.digest());
      }),
      { numRuns: 150 },
    );
  });
});
