// Rendering in the zkts shell: the Stat block, ACL lines, WATCHER:: blocks, Java list and hex
// forms, the client form of a dynamic config, and zkCli's error texts (protocol.md §8).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadVersionError, errorForCode, NoNodeError, ZooKeeperError } from '../../../src/proto/errors.js';
import type { Stat } from '../../../src/proto/data.js';
import type { SessionId, Zxid } from '../../../src/util/ids.js';
import { aclLines, errorText, hexLong, javaList, permsString, statBlock, watcherBlock } from '../../../src/shell/format.js';
import { clientConfigString } from '../../../src/shell/commands-admin.js';

const zxid = (n: bigint): Zxid => n as Zxid;

describe('statBlock', () => {
  test('the §8.2 sample, line for line', () => {
    const ms = Date.UTC(2026, 10, 22, 17, 50, 28);
    const stat: Stat = {
      czxid: zxid(0x80n), mzxid: zxid(0x80n), ctime: ms, mtime: ms, version: 0, cversion: 8, aversion: 0,
      ephemeralOwner: 0n as SessionId, dataLength: 0, numChildren: 8, pzxid: zxid(0x8bn),
    };
    assert.equal(statBlock(stat), [
      'cZxid = 0x80',
      'ctime = Sun Nov 22 17:50:28 UTC 2026',
      'mZxid = 0x80',
      'mtime = Sun Nov 22 17:50:28 UTC 2026',
      'pZxid = 0x8b',
      'cversion = 8',
      'dataVersion = 0',
      'aclVersion = 0',
      'ephemeralOwner = 0x0',
      'dataLength = 0',
      'numChildren = 8',
      '',
    ].join('\n'));
  });
  test('session owners are unpadded lower-case hex; time 0 is the epoch', () => {
    const stat: Stat = {
      czxid: zxid(0n), mzxid: zxid(0n), ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: -1,
      ephemeralOwner: 0x10000405efe0013n as SessionId, dataLength: 0, numChildren: 0, pzxid: zxid(0n),
    };
    const block = statBlock(stat);
    assert.match(block, /^ctime = Thu Jan 01 00:00:00 UTC 1970$/m);
    assert.match(block, /^ephemeralOwner = 0x10000405efe0013$/m);
    assert.match(block, /^aclVersion = -1$/m);
  });
});

describe('hexLong', () => {
  test('no padding, two\'s complement for negatives (Long.toHexString)', () => {
    assert.equal(hexLong(0n), '0x0');
    assert.equal(hexLong(255), '0xff');
    assert.equal(hexLong(-1n), '0xffffffffffffffff');
  });
  test('parses back to the same unsigned value', () => {
    fc.assert(fc.property(fc.bigUintN(64), (v) => {
      assert.equal(BigInt(hexLong(v)), v);
    }));
  });
});

describe('ACL text', () => {
  test('perm letters in the order c d r w a', () => {
    assert.equal(permsString(31), 'cdrwa');
    assert.equal(permsString(1 | 16), 'ra');
    assert.equal(permsString(3), 'rw');
    assert.equal(permsString(0), '');
  });
  test('two lines per entry', () => {
    assert.equal(aclLines([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }, { perms: 1, id: { scheme: 'digest', id: 'root:x' } }]),
      "'world,'anyone\n: cdrwa\n'digest,'root:x\n: r\n");
  });
});

describe('watcherBlock and javaList', () => {
  test('a connection event and a node event', () => {
    assert.equal(watcherBlock('SyncConnected', null, null), '\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n');
    assert.equal(watcherBlock('SyncConnected', 'nodeChildrenChanged', '/zk'), '\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeChildrenChanged path:/zk\n');
    assert.equal(watcherBlock('SyncConnected', 'persistentWatchRemoved', '/a'), '\nWATCHER::\n\nWatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/a\n');
  });
  test('Java List.toString', () => {
    assert.equal(javaList([]), '[]');
    assert.equal(javaList(['a', 'b']), '[a, b]');
  });
});

describe('errorText', () => {
  test('the §8.1 table', () => {
    const cases: Array<[number, string]> = [
      [-101, 'Node does not exist: /p'],
      [-110, 'Node already exists: /p'],
      [-102, 'Insufficient permission : /p'],
      [-111, 'Node not empty: /p'],
      [-103, 'version No is not valid : /p'],
      [-108, 'Ephemerals cannot have children: /p'],
      [-114, 'Acl is not valid : /p'],
      [-8, 'Arguments are not valid : /p'],
      [-125, 'Quota has exceeded : /p'],
      [-119, 'Not a read-only call: /p'],
      [-121, 'KeeperErrorCode = No such watcher for /p'],
      [-115, 'KeeperErrorCode = AuthFailed for /p'],
    ];
    for (const [code, text] of cases) assert.equal(errorText(errorForCode(code, '/p')), text, `code ${code}`);
  });
  test('a missing path prints null; other errors print their message', () => {
    assert.equal(errorText(new ZooKeeperError(-114)), 'Acl is not valid : null');
    assert.equal(errorText(new NoNodeError(undefined), '/fallback'), 'Node does not exist: /fallback');
    assert.equal(errorText(new BadVersionError('/v')), 'version No is not valid : /v');
    assert.equal(errorText(new Error('boom')), 'boom');
  });
});

describe('clientConfigString', () => {
  test('standalone (empty config) is a lone space', () => {
    assert.equal(clientConfigString(''), ' ');
  });
  test('version and client addresses', () => {
    const text = 'server.1=zk1:2888:3888:participant;0.0.0.0:2181\nserver.2=zk2:2888:3888;2182\nversion=100000000';
    assert.equal(clientConfigString(text), '100000000 0.0.0.0:2181,zk2:2182');
  });
});
