// The election initial message: Apache's captured bytes (storage-and-quorum.md §8.1), parsing at
// every prefix, the acceptor's version and length rules, and address parsing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HandshakeError,
  encodeHandshake,
  parseHandshake,
  parseHostPort,
  usableAdvertisedAddress,
} from '../../src/quorum/net/election-handshake.js';

const CAPTURED = Buffer.from('ffffffffffff0000' + '0000000000000002' + '0000000d' + '302e302e302e303a3431333032', 'hex');

describe('election handshake', () => {
  test('encodes exactly the bytes Apache 3.8 sends, and parses them back only once complete', () => {
    assert.deepEqual(encodeHandshake(2n, '0.0.0.0:41302'), CAPTURED);
    for (let n = 0; n < CAPTURED.length; n++) assert.equal(parseHandshake(CAPTURED.subarray(0, n)), null, `prefix ${n}`);
    assert.deepEqual(parseHandshake(Buffer.concat([CAPTURED, Buffer.from([0, 0, 0, 1])])), {
      version: 'v1',
      sid: 2n,
      addresses: ['0.0.0.0:41302'],
      bytes: CAPTURED.length,
    });
  });

  test('a non-negative first long is a pre-3.5 sid-only peer; V2 splits its address list', () => {
    const legacy = Buffer.alloc(8);
    legacy.writeBigInt64BE(7n);
    assert.deepEqual(parseHandshake(legacy), { version: 'legacy', sid: 7n, addresses: [], bytes: 8 });
    const v2 = encodeHandshake(4n, '10.0.0.1:3888|[::1]:3889');
    v2.writeBigInt64BE(-65535n, 0);
    assert.deepEqual(parseHandshake(v2)?.addresses, ['10.0.0.1:3888', '[::1]:3889']);
  });

  test('other negative versions and address lengths outside 1..2048 are refused', () => {
    const bad = Buffer.from(CAPTURED);
    bad.writeBigInt64BE(-65537n, 0);
    assert.throws(() => parseHandshake(bad.subarray(0, 8)), HandshakeError);
    for (const length of [0, -1, 2049]) {
      const b = Buffer.from(CAPTURED);
      b.writeInt32BE(length, 16);
      assert.throws(() => parseHandshake(b.subarray(0, 20)), HandshakeError, `length ${length}`);
    }
    assert.throws(() => encodeHandshake(1n, 'x'.repeat(2049)), RangeError);
  });

  test('addresses: host:port, bracketed IPv6, wildcards skipped for dial-back', () => {
    assert.deepEqual(parseHostPort('127.0.0.1:3888'), { host: '127.0.0.1', port: 3888 });
    assert.deepEqual(parseHostPort('[::1]:3888'), { host: '::1', port: 3888 });
    for (const bad of ['', 'nohost', ':3888', 'h:0', 'h:65536', 'h:x', 'a b:1']) assert.equal(parseHostPort(bad), null, bad);
    assert.deepEqual(usableAdvertisedAddress(['0.0.0.0:1', '[::]:2', 'zk3:3888']), { host: 'zk3', port: 3888 });
    assert.equal(usableAdvertisedAddress(['0.0.0.0:1']), null);
  });
});
