import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseConnectString, seededRandom, shuffled, toClientPath, toServerPath,
} from '../../../src/client/connect-string.js';

describe('parseConnectString', () => {
  test('hosts, default port and chroot', () => {
    assert.deepEqual(parseConnectString('h1:2181,h2:2182/app/x'), {
      hosts: [{ host: 'h1', port: 2181 }, { host: 'h2', port: 2182 }],
      chroot: '/app/x',
    });
    assert.deepEqual(parseConnectString('h1'), { hosts: [{ host: 'h1', port: 2181 }], chroot: null });
    assert.deepEqual(parseConnectString('[::1]:3000/'), { hosts: [{ host: '::1', port: 3000 }], chroot: null });
    assert.deepEqual(parseConnectString(' a:1 , b:2 ').hosts.map((h) => h.host), ['a', 'b']);
  });
  test('rejects bad input', () => {
    assert.throws(() => parseConnectString(''), /names no host/);
    assert.throws(() => parseConnectString('h:0'), /bad port/);
    assert.throws(() => parseConnectString('h:99999'), /bad port/);
    assert.throws(() => parseConnectString('h:x'), /bad port/);
    assert.throws(() => parseConnectString('h/app/'), /invalid chroot/);
    assert.throws(() => parseConnectString('h/a//b'), /invalid chroot/);
    assert.throws(() => parseConnectString('h/a/../b'), /invalid chroot/);
  });
});

describe('chroot path mapping', () => {
  test('in and out', () => {
    assert.equal(toServerPath('/app', '/'), '/app');
    assert.equal(toServerPath('/app', '/x/y'), '/app/x/y');
    assert.equal(toServerPath(null, '/x'), '/x');
    assert.equal(toClientPath('/app', '/app'), '/');
    assert.equal(toClientPath('/app', '/app/x'), '/x');
    assert.equal(toClientPath('/app', '/apple'), '/apple', 'a sibling with the chroot as a name prefix is not inside it');
    assert.equal(toClientPath(null, '/x'), '/x');
  });
  test('round trip (property)', () => {
    const seg = fc.stringMatching(/^[a-z0-9]{1,5}$/);
    const path = fc.array(seg, { minLength: 0, maxLength: 4 }).map((s) => '/' + s.join('/'));
    const chroot = fc.option(fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => '/' + s.join('/')), { nil: null });
    fc.assert(fc.property(chroot, path, (c, p) => toClientPath(c, toServerPath(c, p)) === p));
  });
});

describe('seeded shuffle', () => {
  test('is a permutation and deterministic per seed', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { maxLength: 20 }), fc.integer(), (items, seed) => {
      const a = shuffled(items, seededRandom(seed));
      const b = shuffled(items, seededRandom(seed));
      assert.deepEqual(a, b);
      assert.deepEqual([...a].sort((x, y) => x - y), [...items].sort((x, y) => x - y));
    }));
  });
  test('different seeds give different orders', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const orders = new Set([1, 2, 3, 4, 5].map((s) => shuffled(items, seededRandom(s)).join(',')));
    assert.ok(orders.size > 1);
  });
});
