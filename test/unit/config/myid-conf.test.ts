import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readMyId } from '../../../src/config/myid.js';
import { renderConf } from '../../../src/config/render-conf.js';
import { parseZooCfg } from '../../../src/config/zoo-cfg.js';
import { ConfigError } from '../../../src/config/errors.js';
import { notWhitelistedMessage } from '../../../src/config/four-letter.js';

describe('readMyId', () => {
  test('first line parsed as a long', () => {
    assert.equal(readMyId('1'), 1);
    assert.equal(readMyId('3\n'), 3);
    assert.equal(readMyId('42\r\nignored'), 42);
    assert.equal(readMyId('+7'), 7);
    assert.equal(readMyId('0'), 0);
  });

  for (const [text, shown] of [['abc', 'abc'], [' 1', ' 1'], ['1 ', '1 '], ['\n1', ''], ['', 'null'], ['1.0', '1.0'], ['99999999999999999999', '99999999999999999999']]) {
    test(`not a number: ${JSON.stringify(text)}`, () => {
      assert.throws(() => readMyId(text!), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, `serverid ${shown} is not a number`);
        return true;
      });
    });
  }
});

describe('renderConf', () => {
  test('the 3.8.0 standalone layout, exactly', () => {
    const config = parseZooCfg('tickTime=2000\ndataDir=/tmp/zk/data\ndataLogDir=/tmp/zk/log\nclientPort=53181\n');
    const text = renderConf(config, { dataDirSize: 67109337, dataLogSize: 67109337n, serverId: 0 });
    assert.equal(
      text,
      'clientPort=53181\n' +
        'secureClientPort=-1\n' +
        'dataDir=/tmp/zk/data/version-2\n' +
        'dataDirSize=67109337\n' +
        'dataLogDir=/tmp/zk/log/version-2\n' +
        'dataLogSize=67109337\n' +
        'tickTime=2000\n' +
        'maxClientCnxns=60\n' +
        'minSessionTimeout=4000\n' +
        'maxSessionTimeout=40000\n' +
        'clientPortListenBacklog=-1\n' +
        'serverId=0\n',
    );
  });

  test('the bound port overrides the configured one; configured values show through', () => {
    const config = parseZooCfg('dataDir=/d\nclientPort=0\nsecureClientPort=2281\nmaxClientCnxns=10\nclientPortListenBacklog=50');
    const lines = renderConf(config, { dataDirSize: 0, dataLogSize: 0, serverId: 3, clientPort: 40001 }).split('\n');
    assert.equal(lines[0], 'clientPort=40001');
    assert.equal(lines[1], 'secureClientPort=2281');
    assert.equal(lines[2], 'dataDir=/d/version-2');
    assert.equal(lines[7], 'maxClientCnxns=10');
    assert.equal(lines[10], 'clientPortListenBacklog=50');
    assert.equal(lines[11], 'serverId=3');
    assert.equal(lines.length, 13);
  });

  test('no client port configured prints -1', () => {
    const text = renderConf(parseZooCfg('dataDir=/'), { dataDirSize: 1, dataLogSize: 2, serverId: 0 });
    assert.ok(text.startsWith('clientPort=-1\n'));
    assert.ok(text.includes('dataDir=/version-2\n'));
  });
});

test('notWhitelistedMessage', () => {
  assert.equal(notWhitelistedMessage('stat'), 'stat is not executed because it is not in the whitelist.\n');
});
