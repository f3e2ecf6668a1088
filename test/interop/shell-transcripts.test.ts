// The zkts shell against zkCli.sh (the oracle): the same scripts, piped on stdin to both
// shells, against the same server (zkts and Apache ZooKeeper in turn). Per command, stdout
// (WATCHER blocks aside) and stderr must be equal after normalising zxids, times, session ids,
// the version line and the banner; the WatchedEvent lines of the whole run must be equal in
// order; and so must the exit codes. Between the two runs the script's nodes are deleted, so
// both start from the same tree. One-shot runs (`-server h:p cmd`) compare exit codes too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ZkClient } from '../../src/client/index.js';
import { startTarget, targetKinds, type Server } from '../support/target.js';
import { commandOutput, describeSession, watchedEvents, type CliWatchedEvent, withoutWatcherBlocks, zkCliOneShot, zkCliSession, type ZkCliSession } from '../support/zkcli.js';
import { normalise, runZktsShell, zktsShellSession } from '../unit/shell/harness.js';

const ROOT_DIGEST = 'root:j9h0MUOgtRf8FIMdZlrZpfoup3c='; // digest of root:12345

/**
 * The §8.2 example transcript, then every znode command with its error paths. In a marked
 * session every command is followed by two marker lines, so command k is history entry 3k.
 */
const NODES_SCRIPT: string[] = [
  'create /t',
  'create /t data1',
  'create -s /t/seq data',
  'create -s /t/seq data',
  'create -e /t/eph data',
  'create -e -s /t/es data',
  'create /nope/x',
  'create t',
  'create /t/eph/child',
  'set -v 99 /t v3',
  'delete /t',
  'create /t/acl1 x world:anyone:r',
  'set /t/acl1 x',
  'delete /',
  'create /',
  'getAcl /',
  'getAcl -s /t/acl1',
  'get /t',
  'get -s /t/seq0000000000',
  'stat /t/eph',
  'stat /t/nope',
  'set /t/seq0000000000 newdata',
  'set -s /t/seq0000000000 nd2',
  'get /t/seq0000000000',
  'ls /t',
  'ls -s /t',
  'ls /t/nope',
  'ls t',
  'create /t/r',
  'create /t/r/a',
  'create /t/r/c',
  'create /t/r/a/b',
  'create /t/r/a/b/z',
  'create /t/r/c/d',
  'ls -R /t/r',
  'ls -R /t/none',
  'getAllChildrenNumber /t',
  'getAllChildrenNumber /t/none',
  'getEphemerals /t',
  'delete -v 5 /t/seq0000000001',
  'delete -v 0 /t/seq0000000001',
  'delete /t/seq0000000001',
  'delete /t/r/',
  'create -c /t/cont',
  'create -c -s /t/c2',
  'create -t 60000 /t/ttl x',
  'create -s -t 60000 /t/ttls x',
  'create -t abc /t/t2',
  'create -t -5 /t/t2',
  'create -e -t 100 /t/t3',
  'create -c -t 100 /t/t3',
  'create /t/d ""',
  'get /t/d',
  'create /t/sp "a b"',
  'get /t/sp',
  "create /t/sq 'single q'",
  'get /t/sq',
  'create /t/ab ab"cd ef"',
  'deleteall /t/r',
  'deleteall /t/r',
  'ls /t',
  'sync /t',
  'sync',
  'get',
  'get -x /t',
  'set /t',
  'foo',
  'history',
  'redo 999',
  'version',
  'config',
  'config -c',
  'config -s',
  'getEphemerals',
  'redo',
  'get /nope',
];
NODES_SCRIPT.splice(NODES_SCRIPT.indexOf('redo 999'), 0, `redo ${3 * NODES_SCRIPT.indexOf('get -s /t/seq0000000000')}`);

const ACL_SCRIPT = [
  'create /t',
  'create /t/q2 a b',
  'create /t/q3 a world:anyone:rwx',
  'getAcl /t/q3',
  `create /t/q5 a digest:${ROOT_DIGEST}:cdrwa`,
  'getAcl /t/q5',
  'get /t/q5',
  'whoami',
  'addauth digest root:12345',
  'getAcl /t/q5',
  'get /t/q5',
  'whoami',
  'create /t/q6 a auth::cdrwa',
  'getAcl /t/q6',
  'setAcl /t/q3 world:anyone:cdrwa',
  'setAcl -s /t/q3 world:anyone:cdrw',
  'setAcl -v 9 /t/q3 world:anyone:cdrwa',
  'setAcl /t/q3 bogus',
  'setAcl /t/q3 ip:127.0.0.1:cdrwa,world:anyone:r',
  'getAcl -s /t/q3',
  'create /t/r',
  'create /t/r/a',
  'setAcl -R /t/r world:anyone:cdra',
  'getAcl /t/r/a',
  'setAcl /t/nope world:anyone:r',
  'getAcl /t/nope',
  'addauth',
];

const WATCH_SCRIPT = [
  'create /t',
  'ls -w /t',
  'create /t/w1',
  'get -w /t/w1',
  'set /t/w1 x',
  'stat -w /t/nope',
  'create /t/nope',
  'addWatch /t',
  'create /t/w2',
  'addWatch -m PERSISTENT /t/w1',
  'set /t/w1 y',
  'addWatch -m BOGUS /t',
  'removewatches /t/w1',
  'removewatches /t/w1',
  'removewatches /zz -d',
  'get -w /t/w1',
  'removewatches /t/w1 -d',
  'removewatches /t -x',
  'ls -w /t',
  'removewatches /t -c -l',
  'removewatches /t',
  'deleteall /t',
];

/** Run with `-server host:port/t`: paths in and out are relative to the chroot. */
const CHROOT_SCRIPT = [
  'create /x',
  'create -s /x/s',
  'ls /',
  'ls -R /',
  'create -e /e',
  'getEphemerals',
  'getEphemerals /',
  'get -w /x',
  'set /x d',
  'addWatch /x',
  'create /x/y',
  'deleteall /x',
  'ls /',
];

/** printwatches prints what the markers look for, so this runs unmarked. */
const PRINTWATCHES_SCRIPT = [
  'printwatches',
  'printwatches off',
  'printwatches',
  'printwatches bogus',
  'printwatches',
  'printwatches on',
  'printwatches',
];

const SESSION_SCRIPT = [
  'ls /zookeeper',
  'close',
  'ls /',
  'close',
  'connect',
  'ls /zookeeper',
  'whoami',
  // No command right after the failed addauth: zkCli itself answers one with either "Not
  // connected" or "KeeperErrorCode = AuthFailed", depending on whether the AuthFailed event has
  // closed its connection yet (both seen from the same zkCli.sh).
  'addauth foo bar',
];

async function deleteTree(client: ZkClient, path: string): Promise<void> {
  let children: string[];
  try {
    children = await client.getChildren(path);
  } catch {
    return;
  }
  for (const child of children) await deleteTree(client, `${path}/${child}`);
  await client.delete(path).catch(() => undefined);
}

/**
 * zkCli prints the final Closed event from its event thread while the JVM exits, and may lose its
 * WatchedEvent half; every event before it compares exactly.
 */
function withoutFinalClosed(events: CliWatchedEvent[]): CliWatchedEvent[] {
  return events.at(-1)?.state === 'Closed' ? events.slice(0, -1) : events;
}

/** Asserts the two transcripts agree command by command (see the file header). */
function assertSameTranscript(oracle: ZkCliSession, ours: ZkCliSession): void {
  const context = `\n--- zkCli.sh ---\n${describeSession(oracle)}\n--- zkts shell ---\n${describeSession(ours)}`;
  assert.equal(ours.steps.length, oracle.steps.length);
  oracle.steps.forEach((want, i) => {
    const got = ours.steps[i];
    assert.ok(got);
    const where = `step ${i}: ${want.command}${context}`;
    assert.equal(normalise(got.stderr), normalise(want.stderr), `stderr of ${where}`);
    assert.equal(normalise(withoutWatcherBlocks(got.stdout)), normalise(withoutWatcherBlocks(want.stdout)), `stdout of ${where}`);
  });
  assert.deepEqual(withoutFinalClosed(watchedEvents(ours.stdout)), withoutFinalClosed(watchedEvents(oracle.stdout)), `WatchedEvent lines${context}`);
  assert.equal(ours.exitCode, oracle.exitCode, `exit code${context}`);
}

for (const kind of targetKinds()) {
  describe(`zkts shell vs zkCli.sh transcripts [${kind}]`, () => {
    let server: Server | undefined;
    let admin: ZkClient | undefined;
    const cs = (): string => {
      assert.ok(server, 'server not started');
      return server.connectString;
    };
    const cleanup = async (): Promise<void> => {
      assert.ok(admin);
      for (const path of ['/t', '/nope']) await deleteTree(admin, path);
    };
    before(async () => {
      server = await startTarget(kind);
      admin = await connect(server.connectString, { authInfos: [{ scheme: 'digest', auth: 'root:12345' }] });
    });
    after(async () => {
      await admin?.close();
      await server?.stop();
    });

    const scripts: Array<[string, readonly string[]]> = [
      ['§8.2 transcript and the znode commands', NODES_SCRIPT],
      ['ACL commands, addauth and whoami', ACL_SCRIPT],
      ['watch commands and WATCHER:: events', WATCH_SCRIPT],
    ];
    for (const [name, script] of scripts) {
      test(name, async () => {
        await cleanup();
        const oracle = await zkCliSession(cs(), script, { timeoutMs: 60_000 });
        await cleanup();
        const ours = await zktsShellSession(cs(), script, 60_000);
        await cleanup();
        assertSameTranscript(oracle, ours);
      });
    }

    // After `close` zkCli answers every znode command, markers included, with `Not connected`,
    // so this script runs unmarked and compares whole transcripts.
    test('close, connect, and a failed addauth (whole transcript)', async () => {
      const script = [...SESSION_SCRIPT, `connect ${cs()}`, 'ls /zookeeper', 'foo'];
      const oracle = await zkCliSession(cs(), script, { markers: false });
      const ours = await runZktsShell(['-waitforconnection', '-server', cs()], `${script.join('\n')}\nquit\n`);
      const where = `\n--- zkCli.sh ---\n${oracle.stdout}${oracle.stderr}\n--- zkts shell ---\n${ours.stdout}${ours.stderr}`;
      // zkCli prints events from its own thread, so `close`'s Closed event may come before or
      // after the next command's output: the events compare as a sequence of their own.
      assert.equal(normalise(withoutWatcherBlocks(ours.stdout)), normalise(withoutWatcherBlocks(oracle.stdout)), `stdout${where}`);
      assert.deepEqual(withoutFinalClosed(watchedEvents(ours.stdout)), withoutFinalClosed(watchedEvents(oracle.stdout)), `events${where}`);
      assert.equal(ours.stderr, oracle.stderr, `stderr${where}`);
      assert.equal(ours.exitCode, oracle.exitCode, `exit code${where}`);
    });

    test('printwatches (whole transcript)', async () => {
      const oracle = await zkCliSession(cs(), PRINTWATCHES_SCRIPT, { markers: false });
      const ours = await runZktsShell(['-waitforconnection', '-server', cs()], `${PRINTWATCHES_SCRIPT.join('\n')}\nquit\n`);
      assert.equal(normalise(ours.stdout), normalise(oracle.stdout));
      assert.equal(ours.stderr, oracle.stderr);
      assert.equal(ours.exitCode, oracle.exitCode);
    });

    test('a chroot in -server', async () => {
      assert.ok(admin);
      const run = async (shell: (server: string) => Promise<ZkCliSession>): Promise<ZkCliSession> => {
        await cleanup();
        await admin?.create('/t');
        return shell(`${cs()}/t`);
      };
      const oracle = await run((server) => zkCliSession(server, CHROOT_SCRIPT));
      const ours = await run((server) => zktsShellSession(server, CHROOT_SCRIPT));
      await cleanup();
      assertSameTranscript(oracle, ours);
    });

    test('one-shot commands: output and exit codes', async () => {
      await cleanup();
      const commands: string[][] = [['ls', '/zookeeper'], ['get', '/nope'], ['foo'], ['get'], ['create', 'zk'], ['get', '-x', '/'], ['redo', '3'], ['quit'], ['history']];
      for (const command of commands) {
        const want = await zkCliOneShot(cs(), command);
        const got = await runZktsShell(['-server', cs(), ...command], null);
        const where = `${command.join(' ')}\n--- zkCli.sh ---\n${want.stdout}${want.stderr}\n--- zkts shell ---\n${got.stdout}${got.stderr}`;
        assert.equal(got.exitCode, want.exitCode, `exit code of ${where}`);
        assert.equal(normalise(commandOutput(got.stdout)), normalise(commandOutput(want.stdout)), `stdout of ${where}`);
        assert.equal(got.stderr, want.stderr, `stderr of ${where}`);
      }
    });
  });
}
