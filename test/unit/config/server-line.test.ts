import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerLine } from '../../../src/config/server-line.js';
import { ConfigError } from '../../../src/config/errors.js';

const options = { multiAddressEnabled: false, maxServerId: 254 };

describe('parseServerLine', () => {
  test('host:quorum:election', () => {
    assert.deepEqual(parseServerLine('1', 'zk1:2888:3888', options), {
      id: 1,
      host: 'zk1',
      quorumPort: 2888,
      electionPort: 3888,
      addresses: [{ host: 'zk1', quorumPort: 2888, electionPort: 3888 }],
      role: 'participant',
    });
  });

  test('client port alone and with a host', () => {
    const a = parseServerLine('2', 'zk2:2888:3888;2181', options);
    assert.equal(a.clientPort, 2181);
    assert.equal(a.clientHost, undefined);
    const b = parseServerLine('2', 'zk2:2888:3888:participant;0.0.0.0:2181', options);
    assert.equal(b.clientHost, '0.0.0.0');
    assert.equal(b.clientPort, 2181);
  });

  test('observer role', () => {
    const s = parseServerLine('3', 'zk3:2888:3888:observer;2181', options);
    assert.equal(s.role, 'observer');
    assert.equal(s.clientPort, 2181);
  });

  test('bracketed IPv6 hosts', () => {
    const s = parseServerLine('4', '[::1]:2888:3888;[::1]:2181', options);
    assert.equal(s.host, '::1');
    assert.equal(s.clientHost, '::1');
    assert.equal(s.clientPort, 2181);
  });

  test('multiple addresses need multiAddress', () => {
    assert.throws(() => parseServerLine('1', 'a:1:2|b:1:2', options), ConfigError);
    const s = parseServerLine('1', 'a:1:2|b:3:4', { ...options, multiAddressEnabled: true });
    assert.equal(s.addresses.length, 2);
    assert.deepEqual(s.addresses[1], { host: 'b', quorumPort: 3, electionPort: 4 });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['1', 'zk1:2888:2888', /server\.1.*zk1:2888:2888.*different ports/],
    ['1', 'zk1:2888', /server\.1.*expected host:quorumPort/],
    ['1', 'zk1', /server\.1/],
    ['1', ':2888:3888', /server\.1/],
    ['1', 'zk1:2888:3888:leader', /role 'participant' or 'observer'/],
    ['1', 'zk1:2888:3888:observer:x', /server\.1/],
    ['1', 'zk1:x:3888', /server\.1: 'x'.*port number/],
    ['1', 'zk1:0:3888', /server\.1: '0'.*port number between 1 and 65535/],
    ['1', 'zk1:2888:70000', /'70000'/],
    ['1', 'zk1:2888:3888;-1', /'-1'.*port number/],
    ['1', 'zk1:2888:3888;abc', /'abc'/],
    ['1', 'zk1:2888:3888;:2181', /server\.1/],
    ['x', 'zk1:2888:3888', /server\.x: 'x'.*server id/],
    ['255', 'zk1:2888:3888', /server\.255: '255'.*between 0 and 254/],
    ['-1', 'zk1:2888:3888', /server\.-1/],
  ];
  for (const [id, value, message] of bad) {
    test(`rejects server.${id}=${value}`, () => {
      assert.throws(() => parseServerLine(id, value, options), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('id 255 is allowed when extended types are off', () => {
    assert.equal(parseServerLine('255', 'h:1:2', { ...options, maxServerId: 255 }).id, 255);
  });
});
