import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStandaloneConfig, isQuorumMode, parseZooCfg } from '../../../src/config/zoo-cfg.js';
import { ConfigError } from '../../../src/config/errors.js';
import { ALL_FOUR_LETTER_WORDS } from '../../../src/config/four-letter.js';

const SAMPLE = `tickTime=2000
initLimit=10
syncLimit=5
dataDir=/srv/zookeeper/data
clientPort=2181
4lw.commands.whitelist=srvr,ruok,mntr,stat,conf
admin.serverPort=8080
# quorum form:
# server.1=zk1:2888:3888;2181
# server.2=zk2:2888:3888;2181
# server.3=zk3:2888:3888:observer;2181
`;

/** Assert that parsing throws a ConfigError for `key` whose message mentions `value`. */
function assertConfigError(text: string, key: string, value: string | null, expected?: RegExp): void {
  assert.throws(() => parseZooCfg(text), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.key, key);
    assert.equal(error.value, value);
    assert.ok(error.message.includes(key), error.message);
    if (value !== null) assert.ok(error.message.includes(`'${value}'`), error.message);
    if (expected !== undefined) assert.match(error.message, expected);
    return true;
  });
}

describe('parseZooCfg: the sample config of §9.2', () => {
  const config = parseZooCfg(SAMPLE);

  test('explicit values', () => {
    assert.equal(config.tickTimeMs, 2000);
    assert.equal(config.initLimitTicks, 10);
    assert.equal(config.syncLimitTicks, 5);
    assert.equal(config.dataDir, '/srv/zookeeper/data');
    assert.equal(config.clientPort, 2181);
    assert.deepEqual([...config.fourLetterWords].sort(), ['conf', 'mntr', 'ruok', 'srvr', 'stat']);
    assert.equal(config.admin.serverPort, 8080);
  });

  test('defaults', () => {
    assert.equal(config.dataLogDir, '/srv/zookeeper/data');
    assert.equal(config.minSessionTimeoutMs, 4000);
    assert.equal(config.maxSessionTimeoutMs, 40000);
    assert.equal(config.maxClientCnxns, 60);
    assert.equal(config.maxCnxns, 0);
    assert.equal(config.clientPortAddress, null);
    assert.equal(config.secureClientPort, null);
    assert.equal(config.clientPortListenBacklog, -1);
    assert.equal(config.extendedTypesEnabled, true);
    assert.equal(config.superDigest, null);
    assert.equal(config.skipAcl, false);
    assert.equal(config.juteMaxBufferBytes, 0xfffff);
    assert.equal(config.juteMaxBufferExtraBytes, 0xfffff);
    assert.equal(config.preAllocSizeKb, 65536);
    assert.equal(config.snapCount, 100000);
    assert.equal(config.autopurgeSnapRetainCount, 3);
    assert.equal(config.autopurgePurgeIntervalHours, 0);
    assert.equal(config.digestEnabled, true);
    assert.equal(config.digestAuthEnabled, true);
    assert.equal(config.snapshotCompression, null);
    assert.equal(config.standaloneEnabled, true);
    assert.equal(config.reconfigEnabled, false);
    assert.deepEqual(config.servers, []);
    assert.equal(config.peerType, 'participant');
    assert.equal(config.electionPortBindRetry, 3);
    assert.equal(config.readOnlyModeEnabled, false);
    assert.deepEqual(config.admin, {
      enableServer: true, serverAddress: '0.0.0.0', serverPort: 8080, commandUrl: '/commands', idleTimeoutMs: 30000,
    });
    assert.deepEqual(config.container, { checkIntervalMs: 60000, maxPerMinute: 10000, maxNeverUsedIntervalMs: 0 });
    assert.equal(config.metricsProvider.size, 0);
    assert.equal(config.extra.size, 0);
    assert.deepEqual(config.warnings, []);
    assert.equal(isQuorumMode(config), false);
  });

  test('the quorum form, uncommented', () => {
    const quorum = parseZooCfg(SAMPLE.replace(/^# server/gm, 'server'));
    assert.equal(isQuorumMode(quorum), true);
    assert.deepEqual(
      quorum.servers.map((s) => [s.id, s.host, s.quorumPort, s.electionPort, s.role, s.clientPort]),
      [
        [1, 'zk1', 2888, 3888, 'participant', 2181],
        [2, 'zk2', 2888, 3888, 'participant', 2181],
        [3, 'zk3', 2888, 3888, 'observer', 2181],
      ],
    );
  });
});

describe('parseZooCfg: defaults and derived values', () => {
  test('tickTime defaults to 3000 and drives the session bounds', () => {
    const config = parseZooCfg('dataDir=/d');
    assert.equal(config.tickTimeMs, 3000);
    assert.equal(config.minSessionTimeoutMs, 6000);
    assert.equal(config.maxSessionTimeoutMs, 60000);
    assert.equal(config.clientPort, null);
  });

  test('explicit session bounds override the defaults; -1 means default', () => {
    const config = parseZooCfg('dataDir=/d\ntickTime=1000\nminSessionTimeout=500\nmaxSessionTimeout=-1');
    assert.equal(config.minSessionTimeoutMs, 500);
    assert.equal(config.maxSessionTimeoutMs, 20000);
  });

  test('keys and values are trimmed', () => {
    const config = parseZooCfg('  tickTime =  1500  \ndataDir=  /x/y  \n');
    assert.equal(config.tickTimeMs, 1500);
    assert.equal(config.dataDir, '/x/y');
  });

  test('relative paths resolve against baseDir; absolute ones are kept', () => {
    const config = parseZooCfg('dataDir=data\ndataLogDir=/abs/logs\n', '/etc/zk');
    assert.equal(config.dataDir, '/etc/zk/data');
    assert.equal(config.dataLogDir, '/abs/logs');
    assert.equal(parseZooCfg('dataDir=data').dataDir, 'data');
    assert.equal(parseZooCfg('dataDir=data/', '/b').dataLogDir, '/b/data');
  });

  test('4lw whitelist: unset = srvr only, * = all, srvr always, isro with read-only mode', () => {
    assert.deepEqual([...parseZooCfg('dataDir=/d').fourLetterWords], ['srvr']);
    assert.deepEqual([...parseZooCfg('dataDir=/d\n4lw.commands.whitelist=').fourLetterWords], ['srvr']);
    assert.deepEqual(
      [...parseZooCfg('dataDir=/d\n4lw.commands.whitelist=*').fourLetterWords].sort(),
      [...ALL_FOUR_LETTER_WORDS].sort(),
    );
    assert.deepEqual([...parseZooCfg('dataDir=/d\n4lw.commands.whitelist= ruok , stat ').fourLetterWords], ['ruok', 'stat', 'srvr']);
    const readOnly = parseZooCfg('dataDir=/d\n4lw.commands.whitelist=ruok\nreadonlymode.enabled=true');
    assert.deepEqual([...readOnly.fourLetterWords].sort(), ['isro', 'ruok', 'srvr']);
    assert.equal(readOnly.readOnlyModeEnabled, true);
  });

  test('zkts.existsChecksRead defaults to 3.9 behaviour and can give 3.8.0\'s', () => {
    assert.equal(parseZooCfg('dataDir=/d').existsChecksRead, true);
    assert.equal(parseZooCfg('dataDir=/d\nzkts.existsChecksRead=false').existsChecksRead, false);
    assert.equal(parseZooCfg('dataDir=/d\nzkts.existsChecksRead=false').extra.has('zkts.existsChecksRead'), false);
    assertConfigError('dataDir=/d\nzkts.existsChecksRead=no', 'zkts.existsChecksRead', 'no');
  });

  test('extendedTypesEnabled=false disables TTL', () => {
    assert.equal(parseZooCfg('dataDir=/d\nextendedTypesEnabled=false').extendedTypesEnabled, false);
    assert.equal(parseZooCfg('dataDir=/d\nextendedTypesEnabled=TRUE').extendedTypesEnabled, true);
  });

  test('superDigest: the Apache key and the shorthand', () => {
    const digest = 'super:xQJmxLMiHGwaqBvst5y6rkB6HQs=';
    assert.equal(parseZooCfg(`dataDir=/d\nDigestAuthenticationProvider.superDigest=${digest}`).superDigest, digest);
    assert.equal(parseZooCfg(`dataDir=/d\nsuperDigest=${digest}`).superDigest, digest);
    assert.equal(parseZooCfg(`dataDir=/d\nsuperDigest=${digest}\nDigestAuthenticationProvider.superDigest=${digest}`).superDigest, digest);
  });

  test('skipACL yes/no', () => {
    assert.equal(parseZooCfg('dataDir=/d\nskipACL=yes').skipAcl, true);
    assert.equal(parseZooCfg('dataDir=/d\nskipACL=no').skipAcl, false);
  });

  test('jute.maxbuffer is honoured, decimal or hex; the extra size follows it with a 1024 floor', () => {
    const config = parseZooCfg('dataDir=/d\njute.maxbuffer=0x400000');
    assert.equal(config.juteMaxBufferBytes, 4 * 1024 * 1024);
    assert.equal(config.juteMaxBufferExtraBytes, 4 * 1024 * 1024);
    const small = parseZooCfg('dataDir=/d\njute.maxbuffer=100');
    assert.equal(small.juteMaxBufferBytes, 100);
    assert.equal(small.juteMaxBufferExtraBytes, 1024);
    assert.equal(parseZooCfg('dataDir=/d\njute.maxbuffer.extrasize=5000').juteMaxBufferExtraBytes, 5000);
  });

  test('storage keys', () => {
    const config = parseZooCfg([
      'dataDir=/d', 'preAllocSize=1024', 'snapCount=5000', 'autopurge.snapRetainCount=5',
      'autopurge.purgeInterval=24', 'digest.enabled=false', 'snapshot.compression.method=gz',
    ].join('\n'));
    assert.equal(config.preAllocSizeKb, 1024);
    assert.equal(config.snapCount, 5000);
    assert.equal(config.autopurgeSnapRetainCount, 5);
    assert.equal(config.autopurgePurgeIntervalHours, 24);
    assert.equal(config.digestEnabled, false);
    assert.equal(config.snapshotCompression, 'gz');
    assert.equal(parseZooCfg('dataDir=/d\nsnapshot.compression.method=snappy').snapshotCompression, 'snappy');
  });

  test('values Apache adjusts are adjusted with a warning', () => {
    const config = parseZooCfg('dataDir=/d\nautopurge.snapRetainCount=1\nsnapCount=1\nsnapshot.compression.method=lz4\nautopurge.purgeInterval=-5');
    assert.equal(config.autopurgeSnapRetainCount, 3);
    assert.equal(config.snapCount, 2);
    assert.equal(config.snapshotCompression, null);
    assert.equal(config.autopurgePurgeIntervalHours, 0);
    assert.equal(config.warnings.length, 3);
    assert.ok(config.warnings.some((w) => w.includes('lz4')));
  });

  test('quorum keys', () => {
    const config = parseZooCfg([
      'dataDir=/d', 'initLimit=10', 'syncLimit=5', 'server.1=a:2888:3888', 'server.2=b:2888:3888',
      'peerType=observer', 'electionPortBindRetry=0', 'standaloneEnabled=false', 'reconfigEnabled=true',
      'connectToLearnerMasterLimit=7', 'electionAlg=3', 'quorumListenOnAllIPs=true',
    ].join('\n'));
    assert.equal(config.peerType, 'observer');
    assert.equal(config.electionPortBindRetry, 0);
    assert.equal(config.standaloneEnabled, false);
    assert.equal(config.reconfigEnabled, true);
    assert.equal(config.connectToLearnerMasterLimitTicks, 7);
    assert.equal(config.quorumListenOnAllIps, true);
    assert.equal(config.extra.size, 0);
  });

  test('servers are sorted by id; a single server with standaloneEnabled is standalone', () => {
    const config = parseZooCfg('dataDir=/d\ninitLimit=5\nsyncLimit=2\nserver.3=c:1:2\nserver.1=a:1:2');
    assert.deepEqual(config.servers.map((s) => s.id), [1, 3]);
    const single = parseZooCfg('dataDir=/d\nserver.1=a:1:2');
    assert.equal(isQuorumMode(single), false);
  });

  test('admin, container, metrics keys', () => {
    const config = parseZooCfg([
      'dataDir=/d', 'admin.enableServer=false', 'admin.serverAddress=127.0.0.1', 'admin.serverPort=9090',
      'admin.commandURL=/cmd', 'admin.idleTimeout=1000',
      'znode.container.checkIntervalMs=1000', 'znode.container.maxPerMinute=50', 'znode.container.maxNeverUsedIntervalMs=30000',
      'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
      'metricsProvider.httpPort=7000',
    ].join('\n'));
    assert.deepEqual(config.admin, { enableServer: false, serverAddress: '127.0.0.1', serverPort: 9090, commandUrl: '/cmd', idleTimeoutMs: 1000 });
    assert.deepEqual(config.container, { checkIntervalMs: 1000, maxPerMinute: 50, maxNeverUsedIntervalMs: 30000 });
    assert.deepEqual(Object.fromEntries(config.metricsProvider), {
      className: 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
      httpPort: '7000',
    });
  });

  test('unknown keys are kept in extra', () => {
    const config = parseZooCfg('dataDir=/d\nauthProvider.1=x.Y\nfoo.bar = baz \nenforce.auth.enabled=true');
    assert.deepEqual(Object.fromEntries(config.extra), { 'authProvider.1': 'x.Y', 'foo.bar': 'baz', 'enforce.auth.enabled': 'true' });
  });

  test('client address keys', () => {
    const config = parseZooCfg('dataDir=/d\nclientPort=0\nclientPortAddress=127.0.0.1\nmaxClientCnxns=0\nmaxCnxns=100\nsecureClientPort=2281');
    assert.equal(config.clientPort, 0);
    assert.equal(config.clientPortAddress, '127.0.0.1');
    assert.equal(config.maxClientCnxns, 0);
    assert.equal(config.maxCnxns, 100);
    assert.equal(config.secureClientPort, 2281);
  });
});

describe('parseZooCfg: validation errors name key, value and expectation', () => {
  test('dataDir missing or empty', () => {
    assertConfigError('tickTime=2000', 'dataDir', null, /dataDir is not set/);
    assertConfigError('dataDir=  ', 'dataDir', null);
  });

  test('non-numeric, zero or huge tickTime', () => {
    assertConfigError('dataDir=/d\ntickTime=abc', 'tickTime', 'abc', /integer/);
    assertConfigError('dataDir=/d\ntickTime=0', 'tickTime', '0', />= 1|between 1/);
    assertConfigError('dataDir=/d\ntickTime=2000ms', 'tickTime', '2000ms');
    assertConfigError('dataDir=/d\ntickTime=2147483648', 'tickTime', '2147483648');
    assertConfigError('dataDir=/d\ntickTime=', 'tickTime', '');
    assertConfigError('dataDir=/d\ntickTime=1.5', 'tickTime', '1.5');
  });

  test('ports', () => {
    assertConfigError('dataDir=/d\nclientPort=-1', 'clientPort', '-1', /port number between 0 and 65535/);
    assertConfigError('dataDir=/d\nclientPort=65536', 'clientPort', '65536');
    assertConfigError('dataDir=/d\nsecureClientPort=x', 'secureClientPort', 'x');
    assertConfigError('dataDir=/d\nadmin.serverPort=http', 'admin.serverPort', 'http');
  });

  test('min session timeout larger than max', () => {
    assertConfigError('dataDir=/d\nminSessionTimeout=5000\nmaxSessionTimeout=4000', 'minSessionTimeout', '5000', /maxSessionTimeout \(4000\)/);
    // against the default max (20 × tickTime = 40000)
    assertConfigError('dataDir=/d\ntickTime=2000\nminSessionTimeout=50000', 'minSessionTimeout', '50000');
    assertConfigError('dataDir=/d\nmaxSessionTimeout=-2', 'maxSessionTimeout', '-2');
  });

  test('bad server.N lines and duplicate ids', () => {
    assertConfigError('dataDir=/d\nserver.1=zk1:2888:2888', 'server.1', 'zk1:2888:2888', /different ports/);
    assertConfigError('dataDir=/d\nserver.a=zk1:2888:3888', 'server.a', 'a');
    assertConfigError('dataDir=/d\ninitLimit=1\nsyncLimit=1\nserver.1=a:1:2\nserver.01=b:1:2', 'server.01', 'b:1:2', /not used by another/);
  });

  test('quorum mode needs initLimit and syncLimit', () => {
    assertConfigError('dataDir=/d\nserver.1=a:1:2\nserver.2=b:1:2\nsyncLimit=2', 'initLimit', null, /required in quorum mode/);
    assertConfigError('dataDir=/d\nserver.1=a:1:2\nserver.2=b:1:2\ninitLimit=2', 'syncLimit', null);
    assertConfigError('dataDir=/d\nserver.1=a:1:2\nstandaloneEnabled=false', 'initLimit', null);
    assertConfigError('dataDir=/d\ninitLimit=0', 'initLimit', '0');
  });

  test('booleans must be true or false', () => {
    assertConfigError('dataDir=/d\nstandaloneEnabled=yes', 'standaloneEnabled', 'yes', /'true' or 'false'/);
    assertConfigError('dataDir=/d\nextendedTypesEnabled=1', 'extendedTypesEnabled', '1');
    assertConfigError('dataDir=/d\ndigest.enabled=off', 'digest.enabled', 'off');
    assertConfigError('dataDir=/d\nreadonlymode.enabled=', 'readonlymode.enabled', '');
  });

  test('skipACL must be yes or no', () => {
    assertConfigError('dataDir=/d\nskipACL=true', 'skipACL', 'true', /'yes', 'no'/);
  });

  test('enums', () => {
    assertConfigError('dataDir=/d\npeerType=leader', 'peerType', 'leader', /'participant', 'observer'/);
    assertConfigError('dataDir=/d\nelectionAlg=1', 'electionAlg', '1', /'3'/);
  });

  test('superDigest must be a digest id; the two keys must agree', () => {
    assertConfigError('dataDir=/d\nsuperDigest=nocolon', 'superDigest', 'nocolon', /super:<base64/);
    assertConfigError('dataDir=/d\nDigestAuthenticationProvider.superDigest=a:b:c', 'DigestAuthenticationProvider.superDigest', 'a:b:c');
    assertConfigError('dataDir=/d\nsuperDigest=super:a\nDigestAuthenticationProvider.superDigest=super:b', 'superDigest', 'super:a');
  });

  test('other numeric keys', () => {
    assertConfigError('dataDir=/d\nmaxClientCnxns=-1', 'maxClientCnxns', '-1');
    assertConfigError('dataDir=/d\nmaxCnxns=many', 'maxCnxns', 'many');
    assertConfigError('dataDir=/d\njute.maxbuffer=0', 'jute.maxbuffer', '0');
    assertConfigError('dataDir=/d\njute.maxbuffer=0xZZ', 'jute.maxbuffer', '0xZZ');
    assertConfigError('dataDir=/d\npreAllocSize=0', 'preAllocSize', '0');
    assertConfigError('dataDir=/d\nsnapCount=lots', 'snapCount', 'lots');
    assertConfigError('dataDir=/d\nautopurge.purgeInterval=1h', 'autopurge.purgeInterval', '1h');
    assertConfigError('dataDir=/d\nelectionPortBindRetry=-1', 'electionPortBindRetry', '-1');
    assertConfigError('dataDir=/d\nznode.container.checkIntervalMs=0', 'znode.container.checkIntervalMs', '0');
    assertConfigError('dataDir=/d\nznode.container.maxNeverUsedIntervalMs=-1', 'znode.container.maxNeverUsedIntervalMs', '-1');
    assertConfigError('dataDir=/d\nadmin.idleTimeout=x', 'admin.idleTimeout', 'x');
    assertConfigError('dataDir=/d\nclientPortListenBacklog=-2', 'clientPortListenBacklog', '-2');
    assertConfigError('dataDir=/d\nglobalOutstandingLimit=0', 'globalOutstandingLimit', '0');
  });
});

describe('defaultStandaloneConfig', () => {
  test('sample-config timing with the given directory and port', () => {
    const config = defaultStandaloneConfig({ dataDir: './data', clientPort: 2181, clientPortAddress: '127.0.0.1' });
    assert.equal(config.dataDir, './data');
    assert.equal(config.dataLogDir, './data');
    assert.equal(config.clientPort, 2181);
    assert.equal(config.clientPortAddress, '127.0.0.1');
    assert.equal(config.tickTimeMs, 2000);
    assert.equal(config.minSessionTimeoutMs, 4000);
    assert.equal(config.maxSessionTimeoutMs, 40000);
    assert.equal(config.extendedTypesEnabled, true);
    assert.equal(isQuorumMode(config), false);
    assert.equal(defaultStandaloneConfig({ dataDir: '/d', clientPort: 2181 }).clientPortAddress, null);
  });

  test('rejects a bad port', () => {
    assert.throws(() => defaultStandaloneConfig({ dataDir: '/d', clientPort: -5 }), ConfigError);
  });
});
