// Rolling migration as real processes on loopback (issue 8; the procedure is docs/migrating.md):
// an all-Apache 3-server ensemble under a write load is replaced one server at a time by zkts on
// the same dataDir and zoo.cfg (followers first, the leader last), then rolled back the same way
// to all-Apache. Between steps, what an operator checks: a quorum again, the new server's `srvr`
// Mode, the leader's `mntr` zk_synced_followers = 2, the leader's `srvr` Zxid not behind. At the end:
// no acknowledged write lost, every member's tree identical (full dump with Stat), and two
// sessions opened before the migration (a zkts client and node-zookeeper-client, each with an
// ephemeral node) are still the same sessions with their ephemerals.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ZkClient } from '../../src/client/index.js';
import { startEnsemble, type Ensemble, type MemberKind } from '../support/ensemble.js';
import {
  assertAcknowledgedIn,
  assertIdenticalTrees,
  assertNoDigestMismatch,
  mntrOf,
  servedZxid,
  startWriteLoad,
  waitUntil,
  type WriteLoad,
} from '../support/ensemble-workload.js';
import { connectSession, type ZkSession } from '../support/nzk.js';

const QUORUM_WAIT_MS = 60_000;
const SESSION_TIMEOUT_MS = 20_000;

/** The next member to replace: a follower of the old kind, else the leader. */
async function nextToReplace(e: Ensemble, from: MemberKind): Promise<number | null> {
  const leader = await e.waitForQuorum(QUORUM_WAIT_MS);
  const old = e.members.filter((m) => m.kind === from).map((m) => m.id);
  if (old.length === 0) return null;
  return old.find((id) => id !== leader) ?? leader;
}

describe('rolling migration Apache → zkts → Apache', () => {
  let ensemble: Ensemble | undefined;
  let load: WriteLoad | undefined;
  let ours: ZkClient | undefined;
  let theirs: ZkSession | undefined;
  after(async () => {
    await load?.stop().catch(() => undefined);
    await ours?.close().catch(() => undefined);
    await theirs?.close().catch(() => undefined);
    await ensemble?.stop();
  });

  test('one server at a time, both ways, under load: sessions survive, nothing acknowledged is lost', { timeout: 300_000 }, async (t) => {
    ensemble = await startEnsemble({
      kinds: ['apache', 'apache', 'apache'],
      tickTimeMs: 400,
      extraCfg: { maxSessionTimeout: String(SESSION_TIMEOUT_MS) },
      quorumTimeoutMs: QUORUM_WAIT_MS,
    });
    const e = ensemble;
    ours = await connect(e.connectString, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    theirs = await connectSession(e.connectString, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
    const oursId = ours.sessionId;
    const theirsId = theirs.sessionId;
    await ours.create('/migration', '');
    await ours.create('/migration/ours', 'zkts client', { mode: 'ephemeral' });
    await theirs.create('/migration/theirs', Buffer.from('node-zookeeper-client'), 1 /* EPHEMERAL */);
    load = await startWriteLoad({
      root: '/load',
      zktsConnectStrings: [e.connectString, e.connectStringOf([3, 2, 1])],
      nzkConnectStrings: [e.connectStringOf([2, 3, 1])],
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });

    const steps: string[] = [];
    for (const [from, to] of [['apache', 'zkts'], ['zkts', 'apache']] as const) {
      for (let id = await nextToReplace(e, from); id !== null; id = await nextToReplace(e, from)) {
        const ackedBefore = load.acknowledged();
        const wasLeader = (await e.mode(id)) === 'leader';
        const zxidBefore = (await servedZxid(e.member((await e.leader())!))) ?? 0n;
        await e.kill(id, 'SIGTERM'); // a clean stop, as an operator would
        if (wasLeader) await e.waitForQuorum(QUORUM_WAIT_MS);
        await e.restart(id, to);
        const leader = await e.waitForQuorum(QUORUM_WAIT_MS);
        steps.push(`server.${id} ${from}→${to}${wasLeader ? ' (was leader)' : ''}, leader now server.${leader} (${e.member(leader).kind})`);

        // The operator's checks between steps.
        const mode = await e.mode(id);
        assert.ok(mode === 'follower' || mode === 'leader', `server.${id} serves as ${mode}`);
        await waitUntil('zk_synced_followers = 2 on the leader', async () => (await mntrOf(e.member(leader))).get('zk_synced_followers') === '2', 20_000);
        const leaderStats = await mntrOf(e.member(leader));
        assert.equal(leaderStats.get('zk_server_state'), 'leader');
        const zxidAfter = await servedZxid(e.member(leader));
        assert.ok(zxidAfter !== null && zxidAfter >= zxidBefore, `srvr Zxid ${zxidAfter} on the leader is not behind ${zxidBefore}`);

        // The sessions opened before the migration are the same, with their ephemerals.
        await waitUntil('the zkts client is connected', () => ours!.state === 'connected', SESSION_TIMEOUT_MS);
        assert.equal(ours.sessionId, oursId);
        assert.equal((await ours.exists('/migration/ours'))?.ephemeralOwner, oursId);
        assert.equal((await theirs.exists('/migration/theirs'))?.ephemeralOwner, theirsId);
        await waitUntil(`the load goes on after replacing server.${id}`, () => load!.acknowledged() > ackedBefore + 5, 30_000);
      }
      assert.deepEqual(e.members.map((m) => m.kind), [to, to, to], `all ${to} now`);
      await load.pause();
      await assertIdenticalTrees(e);
      load.resume();
    }
    t.diagnostic(steps.join('; '));
    assert.equal(steps.length, 6);
    assert.ok(steps.filter((s) => s.includes('was leader')).length >= 2, 'each direction replaced a leader too');

    await load.stop();
    const writers = load.writers;
    load = undefined;
    const dumps = await assertIdenticalTrees(e);
    await assertNoDigestMismatch(e);
    for (const [id, dump] of dumps) {
      assertAcknowledgedIn(dump, writers, `server.${id}`, '/load');
      assert.equal(BigInt(dump.get('/migration/ours')?.ephemeralOwner ?? '0'), BigInt.asUintN(64, oursId), `server.${id}: our ephemeral`);
      assert.equal(BigInt(dump.get('/migration/theirs')?.ephemeralOwner ?? '0'), BigInt.asUintN(64, theirsId), `server.${id}: their ephemeral`);
    }
    t.diagnostic(`writers: ${writers.map((w) => `${w.name} ${w.created.size} acked ${w.failures} unknown`).join(', ')}`);

    // Closing the long-lived sessions removes their ephemerals everywhere.
    await ours.close();
    await theirs.close();
    ours = undefined;
    theirs = undefined;
    const after = await assertIdenticalTrees(e);
    assert.ok(!after.get(1)!.has('/migration/ours') && !after.get(1)!.has('/migration/theirs'));
  });
});
