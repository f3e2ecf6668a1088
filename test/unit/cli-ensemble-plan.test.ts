// `zkts ensemble` layout: ports, dirs and zoo.cfg per member (a pure plan), and that every
// generated zoo.cfg is one our own parser accepts as the same quorum.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isQuorumMode, parseZooCfg } from '../../src/config/index.js';
import { EnsembleOptionError, parseIntegerOption, planEnsemble } from '../../src/cli/ensemble-plan.js';

test('three members from base port 2181', () => {
  const plan = planEnsemble({ size: 3, dir: '/var/tmp/ens', basePort: 2181, host: '127.0.0.1' });
  assert.equal(plan.connectString, '127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183');
  assert.deepEqual(
    plan.members.map((m) => [m.id, m.clientPort, m.quorumPort, m.electionPort]),
    [
      [1, 2181, 3181, 4181],
      [2, 2182, 3182, 4182],
      [3, 2183, 3183, 4183],
    ],
  );
  const second = plan.members[1]!;
  assert.equal(second.dir, '/var/tmp/ens/server.2');
  assert.equal(second.dataDir, '/var/tmp/ens/server.2/data');
  assert.equal(second.cfgPath, '/var/tmp/ens/server.2/zoo.cfg');
  const lines = second.cfgText.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.deepEqual(lines, [
    'tickTime=2000',
    'initLimit=10',
    'syncLimit=5',
    'dataDir=/var/tmp/ens/server.2/data',
    'clientPort=2182',
    'clientPortAddress=127.0.0.1',
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    'server.1=127.0.0.1:3181:4181',
    'server.2=127.0.0.1:3182:4182',
    'server.3=127.0.0.1:3183:4183',
  ]);
});

test('every generated zoo.cfg parses to the same quorum with its own client port', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1024, max: 60_000 }), (size, basePort) => {
      const plan = planEnsemble({ size, dir: '/d', basePort, host: '127.0.0.1' });
      const ports = plan.members.flatMap((m) => [m.clientPort, m.quorumPort, m.electionPort]);
      assert.equal(new Set(ports).size, ports.length, 'all ports distinct');
      for (const member of plan.members) {
        const config = parseZooCfg(member.cfgText, member.dir);
        assert.equal(config.clientPort, member.clientPort);
        assert.equal(config.dataDir, member.dataDir);
        assert.equal(config.fourLetterWords.size > 0, true);
        assert.equal(isQuorumMode(config), size > 1);
        assert.deepEqual(
          config.servers.map((s) => [s.id, s.host, s.quorumPort, s.electionPort, s.role]),
          plan.members.map((m) => [m.id, '127.0.0.1', m.quorumPort, m.electionPort, 'participant']),
        );
      }
    }),
    { numRuns: 50 },
  );
});

test('an IPv6 host is bracketed in server lines and the connect string', () => {
  const plan = planEnsemble({ size: 2, dir: '/d', basePort: 5000, host: '::1' });
  assert.equal(plan.connectString, '[::1]:5000,[::1]:5001');
  assert.match(plan.members[0]!.cfgText, /^server\.2=\[::1\]:6001:7001$/m);
  assert.match(plan.members[0]!.cfgText, /^clientPortAddress=::1$/m);
  const config = parseZooCfg(plan.members[0]!.cfgText, '/d');
  assert.equal(config.servers[1]!.host, '::1');
});

test('bad sizes, ports and hosts are refused with the option name', () => {
  const base = { size: 3, dir: '/d', basePort: 2181, host: '127.0.0.1' };
  assert.throws(() => planEnsemble({ ...base, size: 0 }), /--size/);
  assert.throws(() => planEnsemble({ ...base, size: 255 }), /--size/);
  assert.throws(() => planEnsemble({ ...base, basePort: 63_535 }), /--base-port 63535 with --size 3 needs ports up to 65537/);
  assert.throws(() => planEnsemble({ ...base, host: '' }), EnsembleOptionError);
  assert.throws(() => planEnsemble({ ...base, host: 'a,b' }), /--host/);
  assert.equal(planEnsemble({ ...base, basePort: 63_533 }).members[2]!.electionPort, 65_535);
});

test('integer options from commander strings', () => {
  assert.equal(parseIntegerOption('size', '5', 1, 10), 5);
  assert.equal(parseIntegerOption('size', 7, 1, 10), 7);
  for (const bad of ['', 'x', '3.5', '-1', '0x10', '11', '0']) {
    assert.throws(() => parseIntegerOption('size', bad, 1, 10), /--size must be an integer in 1\.\.10/, bad);
  }
});
