// zkCli.sh (Apache's Java CLI) against each target: the ZooKeeper tutorial scenario and the
// error-text transcript of zookeeper-protocol.md §8. One server per target for the whole file;
// many commands per zkCli session because each session costs a JVM start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget, targetKinds, type Server } from '../support/target.js';
import { commandOutput, describeSession, textLines, watchedEvents, withoutWatcherBlocks, zkCliOneShot, zkCliSession, type ZkCliSession } from '../support/zkcli.js';

const ROOT_DIGEST = 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c='; // digest of root:12345 (§6.12)

/**
 * Asserts step `i` printed exactly these stderr lines (and, if given, these stdout lines, not
 * counting WATCHER blocks, which may land in any later step; tests check those on the whole stdout).
 */
function expectStep(s: ZkCliSession, i: number, want: { err?: string[]; out?: string[] }): void {
  const step = s.steps[i];
  assert.ok(step, `no step ${i}\n${describeSession(s)}`);
  const where = `step ${i} (${step.command})\n${describeSession(s)}`;
  if (want.err !== undefined) assert.deepEqual(textLines(step.stderr), want.err, where);
  if (want.out !== undefined) assert.deepEqual(textLines(withoutWatcherBlocks(step.stdout)), want.out, where);
}

/** Step i's stdout lines without WATCHER blocks. */
function stepOut(s: ZkCliSession, i: number): string[] {
  return textLines(withoutWatcherBlocks(s.steps[i]?.stdout ?? ''));
}

const STAT_KEYS = [
  'cZxid', 'ctime', 'mZxid', 'mtime', 'pZxid', 'cversion',
  'dataVersion', 'aclVersion', 'ephemeralOwner', 'dataLength', 'numChildren',
] as const;

/** Parses a Stat block (§8.2 layout: 11 `key = value` lines in a fixed order). */
function parseStatBlock(lines: readonly string[]): Record<string, string> {
  assert.equal(lines.length, STAT_KEYS.length, `stat block: ${lines.join(' | ')}`);
  const stat: Record<string, string> = {};
  lines.forEach((line, i) => {
    const m = /^(\w+) = (.*)$/.exec(line);
    assert.ok(m, `not a stat line: ${line}`);
    assert.equal(m[1], STAT_KEYS[i], `stat line ${i}`);
    stat[m[1] ?? ''] = m[2] ?? '';
  });
  const hex = /^0x[0-9a-f]+$/;
  const date = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}$/;
  for (const k of ['cZxid', 'mZxid', 'pZxid', 'ephemeralOwner']) {
    assert.match(stat[k] ?? '', hex, k);
    assert.ok(!/^0x0[0-9a-f]/.test(stat[k] ?? ''), `${k} is not zero-padded`);
  }
  for (const k of ['ctime', 'mtime']) assert.match(stat[k] ?? '', date, k);
  return stat;
}

for (const kind of targetKinds()) {
  describe(`zkCli.sh tutorial [${kind}]`, () => {
    let server: Server | undefined;
    const cs = (): string => {
      assert.ok(server, 'server not started');
      return server.connectString;
    };
    before(async () => {
      server = await startTarget(kind);
    });
    after(async () => {
      await server?.stop();
    });

    test('create -s on a fresh root counts from 0000000000', async () => {
      const s = await zkCliSession(cs(), ['create -s /path data', 'create -s /path data', 'get /path0000000000']);
      expectStep(s, 0, { err: ['Created /path0000000000'], out: [] });
      expectStep(s, 1, { err: ['Created /path0000000001'] });
      expectStep(s, 2, { err: [] });
      assert.equal(stepOut(s, 2)[0], 'data');
      assert.equal(s.exitCode, 0);
    });

    test('an ephemeral node disappears when its session quits', async () => {
      const a = await zkCliSession(cs(), ['create -e /eph x', 'stat /eph']);
      expectStep(a, 0, { err: ['Created /eph'] });
      const stat = parseStatBlock(stepOut(a, 1).slice(0, STAT_KEYS.length));
      assert.notEqual(stat['ephemeralOwner'], '0x0', 'ephemeral has an owner');
      const b = await zkCliSession(cs(), ['get /eph', 'ls /']);
      expectStep(b, 0, { err: ['Node does not exist: /eph'], out: [] });
      const ls = stepOut(b, 1)[0] ?? '';
      assert.match(ls, /^\[.*\]$/);
      assert.ok(!ls.includes('eph'), ls);
    });

    test('get -s prints the data and every Stat field', async () => {
      const s = await zkCliSession(cs(), [
        'create /statnode hello',
        'set /statnode world',
        'create /statnode/child',
        'get -s /statnode',
        'create /nulldata',
        'get -s /nulldata',
      ]);
      const lines = stepOut(s, 3);
      assert.equal(lines[0], 'world', describeSession(s));
      const stat = parseStatBlock(lines.slice(1));
      assert.equal(stat['cversion'], '1');
      assert.equal(stat['dataVersion'], '1');
      assert.equal(stat['aclVersion'], '0');
      assert.equal(stat['ephemeralOwner'], '0x0');
      assert.equal(stat['dataLength'], '5');
      assert.equal(stat['numChildren'], '1');
      const czxid = BigInt(stat['cZxid'] ?? '');
      const mzxid = BigInt(stat['mZxid'] ?? '');
      const pzxid = BigInt(stat['pZxid'] ?? '');
      assert.ok(mzxid > czxid && pzxid > mzxid, `zxids in order: c=${czxid} m=${mzxid} p=${pzxid}`);
      // A create without data stores null: `get` prints `null`, dataLength 0.
      const nullLines = stepOut(s, 5);
      assert.equal(nullLines[0], 'null', describeSession(s));
      assert.equal(parseStatBlock(nullLines.slice(1))['dataLength'], '0');
    });

    test('digest ACL: other sessions get Insufficient permission until addauth', async () => {
      const owner = await zkCliSession(cs(), [
        'addauth digest root:12345',
        `create /secret s3cret digest:${ROOT_DIGEST}:cdrwa`,
        'get /secret',
        'getAcl /secret',
      ]);
      expectStep(owner, 0, { err: [], out: [] });
      expectStep(owner, 1, { err: ['Created /secret'] });
      expectStep(owner, 2, { out: ['s3cret'], err: [] });
      expectStep(owner, 3, { out: [`'digest,'${ROOT_DIGEST}`, ': cdrwa'], err: [] });
      const other = await zkCliSession(cs(), [
        'get /secret',
        'addauth digest root:wrong',
        'get /secret',
        'addauth digest root:12345',
        'get /secret',
      ]);
      expectStep(other, 0, { err: ['Insufficient permission : /secret'], out: [] });
      expectStep(other, 2, { err: ['Insufficient permission : /secret'], out: [] });
      expectStep(other, 4, { out: ['s3cret'], err: [] });
    });

    test('setAcl / getAcl round-trip, masking and aclVersion', async () => {
      const s = await zkCliSession(cs(), [
        'create /acl2 x',
        'setAcl -v 5 /acl2 world:anyone:cdrwa',
        `setAcl -v 0 /acl2 world:anyone:r,digest:${ROOT_DIGEST}:cdrwa`,
        'getAcl -s /acl2',
        'set /acl2 y',
        'addauth digest root:12345',
        'getAcl /acl2',
        'setAcl /acl2 world:anyone:cdrwa',
        'getAcl /acl2',
        'set /acl2 z',
      ]);
      expectStep(s, 1, { err: ['version No is not valid : /acl2'] });
      expectStep(s, 2, { err: [], out: [] });
      // Without ADMIN the digest id is masked to user:x (§6.1).
      const acl = stepOut(s, 3);
      assert.deepEqual(acl.slice(0, 4), ["'world,'anyone", ': r', "'digest,'root:x", ': cdrwa'], describeSession(s));
      assert.equal(parseStatBlock(acl.slice(4))['aclVersion'], '1');
      expectStep(s, 4, { err: ['Insufficient permission : /acl2'] });
      expectStep(s, 6, { out: ["'world,'anyone", ': r', `'digest,'${ROOT_DIGEST}`, ': cdrwa'] });
      expectStep(s, 7, { err: [], out: [] });
      expectStep(s, 8, { out: ["'world,'anyone", ': cdrwa'] });
      expectStep(s, 9, { err: [], out: [] });
    });

    test('a get -w watch fires NodeDataChanged exactly once', async () => {
      const s = await zkCliSession(cs(), [
        'create /watched v1',
        'get -w /watched',
        'set /watched v2',
        'set /watched v3',
        'get /watched',
      ]);
      expectStep(s, 1, { err: [] });
      expectStep(s, 1, { out: ['v1'] });
      expectStep(s, 4, { out: ['v3'] });
      const fired = watchedEvents(s.stdout).filter((e) => e.path === '/watched');
      assert.deepEqual(fired, [{ state: 'SyncConnected', type: 'NodeDataChanged', path: '/watched' }], s.stdout);
      assert.match(s.stdout, /^WATCHER::$/m); // its other half; the two print separately
    });

    test('§8.2 transcript: results and error texts', async () => {
      const s = await zkCliSession(cs(), [
        'create /zk', // 0
        'create /zk data1',
        'create -s /zk/seq data',
        'create -s /zk/seq data',
        'create -e /zk/eph data',
        'create -e -s /zk/es data', // 5
        'create /nope/x',
        'create zk',
        'create /zk/eph/child',
        'set -v 99 /zk v3',
        'delete /zk', // 10
        'create /zk/acl1 x world:anyone:r',
        'set /zk/acl1 x',
        'delete /',
        'create /',
        'ls -w /zk', // 15
        'create /zk/w1',
        'getAcl /',
        'get /zk',
        'delete /zk/w1',
        'ls /zk', // 20
      ]);
      expectStep(s, 0, { err: ['Created /zk'], out: [] });
      expectStep(s, 1, { err: ['Node already exists: /zk'] });
      expectStep(s, 2, { err: ['Created /zk/seq0000000000'] });
      expectStep(s, 3, { err: ['Created /zk/seq0000000001'] });
      expectStep(s, 4, { err: ['Created /zk/eph'] });
      expectStep(s, 5, { err: ['Created /zk/es0000000003'] });
      expectStep(s, 6, { err: ['Node does not exist: /nope/x'] });
      expectStep(s, 7, { err: ['Path must start with / character'] });
      expectStep(s, 8, { err: ['Ephemerals cannot have children: /zk/eph/child'] });
      expectStep(s, 9, { err: ['version No is not valid : /zk'] });
      expectStep(s, 10, { err: ['Node not empty: /zk'] });
      expectStep(s, 11, { err: ['Created /zk/acl1'] });
      expectStep(s, 12, { err: ['Insufficient permission : /zk/acl1'] });
      expectStep(s, 13, { err: ['Arguments are not valid : /'] });
      expectStep(s, 14, { err: ['Node already exists: /'] });
      expectStep(s, 15, { out: ['[acl1, eph, es0000000003, seq0000000000, seq0000000001]'], err: [] });
      expectStep(s, 16, { err: ['Created /zk/w1'] });
      expectStep(s, 17, { out: ["'world,'anyone", ': cdrwa'], err: [] });
      expectStep(s, 18, { out: ['null'], err: [] });
      expectStep(s, 19, { err: [], out: [] });
      expectStep(s, 20, { out: ['[acl1, eph, es0000000003, seq0000000000, seq0000000001]'], err: [] });
      const childEvents = watchedEvents(s.stdout).filter((e) => e.path === '/zk');
      assert.deepEqual(childEvents, [{ state: 'SyncConnected', type: 'NodeChildrenChanged', path: '/zk' }]);
    });

    test('§8.1/§8.2 error texts: bad ACL, usage, client-side checks, system nodes', async () => {
      const s = await zkCliSession(cs(), [
        'create /q2 a b',
        'frob x',
        'get',
        'create -c -s /c1',
        'create -t 100 -e /t1',
        'stat /nope',
        'getAcl /nope',
        'delete /zookeeper',
        'sync /',
        'create /ttl1 x',
        'create -c /cont',
        'stat /cont',
      ]);
      expectStep(s, 0, {
        err: ['b does not have the form scheme:id:perm', 'KeeperErrorCode = InvalidACL', 'Acl is not valid : null'],
        out: [],
      });
      const usage = textLines(s.steps[1]?.stderr ?? '');
      assert.equal(usage.at(-1), 'Command not found: Command not found frob');
      assert.ok(usage.includes('\tget [-s] [-w] path'), usage.join('\n'));
      expectStep(s, 2, { err: ['get [-s] [-w] path'] });
      expectStep(s, 3, { err: ['-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.'] });
      expectStep(s, 4, { err: ['TTLs cannot be used with Ephemeral znodes'] });
      expectStep(s, 5, { err: ['Node does not exist: /nope'], out: [] });
      expectStep(s, 6, { err: ['Node does not exist: /nope'], out: [] });
      expectStep(s, 7, { err: ['Arguments are not valid : /zookeeper'] });
      expectStep(s, 8, { out: ['Sync is OK'], err: [] });
      expectStep(s, 10, { err: ['Created /cont'] });
      const cont = parseStatBlock(stepOut(s, 11));
      assert.equal(cont['ephemeralOwner'], '0x0', 'containers show no owner');
    });

    test('one-shot commands: output and exit codes 0, 1, 127', async () => {
      const ok = await zkCliOneShot(cs(), ['get', '/path0000000000']);
      assert.equal(ok.exitCode, 0, ok.stderr);
      assert.deepEqual(textLines(commandOutput(ok.stdout)), ['data'], ok.stdout);
      const missing = await zkCliOneShot(cs(), ['get', '/missing']);
      assert.equal(missing.exitCode, 1);
      assert.deepEqual(textLines(missing.stderr), ['Node does not exist: /missing']);
      assert.deepEqual(textLines(commandOutput(missing.stdout)), [], missing.stdout);
      const unknown = await zkCliOneShot(cs(), ['frobnicate']);
      assert.equal(unknown.exitCode, 127);
      assert.equal(textLines(unknown.stderr).at(-1), 'Command not found: Command not found frobnicate');
    });
  });
}
