import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { digestOf, digestUser, isValidDigestId } from '../../../src/acl/digest.js';
import { ipIdForAddress, ipMatches, isValidIpExpression, parseIpv4 } from '../../../src/acl/ip.js';

describe('digestOf', () => {
  test('matches the captured digests', () => {
    assert.equal(digestOf('root:12345'), 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c=');
    assert.equal(digestOf('super:admin'), 'super:xQJmxLMiHGwaqBvst5y6rkB6HQs=');
  });

  test('user is the text before the first colon; the hash covers the whole text', () => {
    const id = digestOf('a:b:c');
    assert.ok(id.startsWith('a:'));
    assert.notEqual(id, digestOf('a:b'));
    assert.equal(id.split(':').length, 2);
  });

  test('no colon: the whole text is the user', () => {
    const id = digestOf('bare');
    assert.match(id, /^bare:[A-Za-z0-9+/]{27}=$/);
  });

  test('always a valid digest id when the user has no colon (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (user, password) => {
        fc.pre(!user.includes(':'));
        const id = digestOf(`${user}:${password}`);
        assert.ok(isValidDigestId(id));
        assert.equal(digestUser(id), user);
        assert.equal(id.length, user.length + 1 + 28);
      }),
      { numRuns: 200 },
    );
  });

  test('isValidDigestId needs exactly one colon', () => {
    assert.equal(isValidDigestId('user:hash'), true);
    assert.equal(isValidDigestId(':'), true);
    assert.equal(isValidDigestId('nocolon'), false);
    assert.equal(isValidDigestId('a:b:c'), false);
    assert.equal(isValidDigestId(''), false);
  });
});

describe('ip', () => {
  test('parseIpv4', () => {
    assert.equal(parseIpv4('0.0.0.0'), 0);
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIpv4('10.1.2.3'), 0x0a010203);
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.', '', 'a.b.c.d', '1.2.3.-4', '1.2.3.1234', '::1', ' 1.2.3.4']) {
      assert.equal(parseIpv4(bad), null, bad);
    }
  });

  test('exact address without bits', () => {
    assert.equal(ipMatches('127.0.0.1', '127.0.0.1'), true);
    assert.equal(ipMatches('127.0.0.2', '127.0.0.1'), false);
  });

  test('/32 is exact, /0 matches every IPv4 address', () => {
    assert.equal(ipMatches('10.0.0.1', '10.0.0.1/32'), true);
    assert.equal(ipMatches('10.0.0.2', '10.0.0.1/32'), false);
    assert.equal(ipMatches('1.2.3.4', '0.0.0.0/0'), true);
    assert.equal(ipMatches('255.255.255.255', '9.9.9.9/0'), true);
  });

  test('masks both sides', () => {
    assert.equal(ipMatches('192.168.1.77', '192.168.1.0/24'), true);
    assert.equal(ipMatches('192.168.2.77', '192.168.1.0/24'), false);
    // The ACL address's host bits are masked off too.
    assert.equal(ipMatches('192.168.1.77', '192.168.1.200/24'), true);
    assert.equal(ipMatches('10.255.0.1', '10.128.0.0/9'), true);
    assert.equal(ipMatches('10.127.0.1', '10.128.0.0/9'), false);
    assert.equal(ipMatches('129.0.0.1', '128.0.0.0/1'), true);
    assert.equal(ipMatches('127.0.0.1', '128.0.0.0/1'), false);
  });

  test('bad bits never match and are invalid', () => {
    for (const expr of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/8/8', '10.0.0.0/100']) {
      assert.equal(isValidIpExpression(expr), false, expr);
      assert.equal(ipMatches('10.0.0.1', expr), false, expr);
    }
    assert.equal(isValidIpExpression('10.0.0.0/0'), true);
    assert.equal(isValidIpExpression('10.0.0.0/32'), true);
    assert.equal(isValidIpExpression('10.0.0.0'), true);
  });

  test('IPv6 never matches', () => {
    assert.equal(ipMatches('::1', '::1'), false);
    assert.equal(ipMatches('0:0:0:0:0:0:0:1', '0.0.0.0/0'), false);
    assert.equal(isValidIpExpression('::1'), false);
    assert.equal(isValidIpExpression('fe80::/10'), false);
  });

  test('ipIdForAddress unwraps IPv4-mapped addresses only', () => {
    assert.equal(ipIdForAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(ipIdForAddress('::FFFF:10.0.0.9'), '10.0.0.9');
    assert.equal(ipIdForAddress('127.0.0.1'), '127.0.0.1');
    assert.equal(ipIdForAddress('::1'), '::1');
  });

  test('/n matches exactly the addresses sharing the top n bits (property)', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(octets, octets, fc.integer({ min: 0, max: 32 }), (a, b, bits) => {
        const textA = a.join('.');
        const textB = b.join('.');
        const numA = BigInt(parseIpv4(textA)!);
        const numB = BigInt(parseIpv4(textB)!);
        const shift = BigInt(32 - bits);
        const expected = numA >> shift === numB >> shift;
        assert.equal(ipMatches(textA, `${textB}/${bits}`), expected);
      }),
      { numRuns: 300 },
    );
  });
});
