// test/support/ensemble.ts driving real 3-member Apache ZooKeeper ensembles (Debian package
// `zookeeper`; its absence fails the test): quorum, SIGSTOP, SIGKILL of the leader, a new leader,
// restart on the same dataDir, stop by pid; and a proxied ensemble partitioned and healed.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { waitFor } from '../quorum/helpers.js';

describe('ensemble of Apache members', () => {
  let ensemble: Ensemble | undefined;
  after(async () => {
    await ensemble?.stop();
  });

  test('quorum, pause, leader killed, new leader, restart, stop', { timeout: 90_000 }, async () => {
    ensemble = await startEnsemble({ kinds: ['apache', 'apache', 'apache'], quorumTimeoutMs: 45_000 });
    const e = ensemble;
    assert.equal(e.members.length, 3);
    assert.equal(e.connectString, e.members.map((m) => `127.0.0.1:${m.clientPort}`).join(','));
    const ports = e.members.flatMap((m) => [m.clientPort, m.quorumPort, m.electionPort]);
    assert.equal(new Set(ports).size, 9, 'every port distinct');
    for (const m of e.members) {
      assert.equal(readFileSync(join(m.dataDir, 'myid'), 'utf8').trim(), String(m.id));
      assert.match(readFileSync(m.cfgPath, 'utf8'), new RegExp(`^server\\.${m.id}=127\\.0\\.0\\.1:${m.quorumPort}:${m.electionPort}$`, 'm'));
      assert.equal(m.kind, 'apache');
      assert.equal(m.state, 'running');
    }

    const first = await e.leader();
    assert.ok(first !== null, 'a leader after startEnsemble');
    const modes = await e.modes();
    assert.deepEqual([...modes.values()].sort(), ['follower', 'follower', 'leader']);

    // A paused follower answers nothing; resumed, it serves again.
    const follower = e.members.find((m) => m.id !== first)!.id;
    await e.kill(follower, 'SIGSTOP');
    assert.equal(e.member(follower).state, 'paused');
    assert.equal(await e.mode(follower), null);
    await e.kill(follower, 'SIGCONT');
    assert.equal(await e.waitForQuorum(20_000), first);

    const oldPid = e.member(first).pid;
    await e.kill(first, 'SIGKILL');
    assert.equal(e.member(first).state, 'dead');
    assert.throws(() => process.kill(oldPid, 0), 'the old leader process is gone');
    const second = await e.waitForQuorum(30_000);
    assert.notEqual(second, first, 'the survivors elected a new leader');
    assert.equal(await e.mode(first), null);

    await e.restart(first);
    assert.notEqual(e.member(first).pid, oldPid);
    await e.waitForQuorum(30_000);
    assert.equal(await e.mode(first), 'follower', 'the restarted member follows the new leader');
    assert.match(e.member(first).readLog(), /starting server\.\d as apache[\s\S]*starting server\.\d as apache/);

    const pids = e.members.map((m) => m.pid);
    const dirs = e.members.map((m) => m.dir);
    await e.stop();
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), `pid ${pid} stopped`);
    if (process.env['ZKTS_KEEP_DIRS'] === undefined) for (const dir of dirs) assert.ok(!existsSync(dir), `${dir} removed`);
  });
});

describe('proxied ensemble of Apache members', () => {
  let ensemble: Ensemble | undefined;
  after(async () => {
    await ensemble?.stop();
  });

  test('partitioning the leader: the majority elects another, the old one follows after heal', { timeout: 90_000 }, async () => {
    ensemble = await startEnsemble({ kinds: ['apache', 'apache', 'apache'], proxied: true, quorumTimeoutMs: 45_000 });
    const e = ensemble;
    // Each member's zoo.cfg names its own real ports and a proxy for every peer.
    for (const m of e.members) {
      const cfg = readFileSync(m.cfgPath, 'utf8');
      assert.match(cfg, new RegExp(`^server\\.${m.id}=127\\.0\\.0\\.1:${m.quorumPort}:${m.electionPort}$`, 'm'));
      for (const peer of e.members.filter((p) => p.id !== m.id)) {
        const via = e.proxies(m.id, peer.id);
        assert.equal(via.quorum.targetPort, peer.quorumPort);
        assert.equal(via.election.targetPort, peer.electionPort);
        assert.match(cfg, new RegExp(`^server\\.${peer.id}=127\\.0\\.0\\.1:${via.quorum.port}:${via.election.port}$`, 'm'));
      }
    }
    const first = (await e.leader())!;
    assert.ok(first !== null);
    const rest = e.members.map((m) => m.id).filter((id) => id !== first);
    e.isolate(first);
    assert.equal(e.proxies(first, rest[0]!).quorum.mode, 'drop');
    assert.equal(e.proxies(rest[1]!, first).election.mode, 'drop');
    assert.equal(e.proxies(rest[0]!, rest[1]!).quorum.mode, 'pass');

    const second = await e.waitForQuorum(30_000, rest);
    assert.notEqual(second, first);
    let isolatedMode: string | null = 'leader';
    await waitFor('the isolated leader stops serving', () => isolatedMode === null, 10_000, async () => {
      isolatedMode = await e.mode(first);
    });
    e.heal();
    assert.equal(await e.waitForQuorum(30_000), second, 'the old leader rejoins as a follower');
    assert.equal(await e.mode(first), 'follower');
  });
});

