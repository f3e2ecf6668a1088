// How a zkts leader brings a zkts learner up to date (storage-and-quorum.md §10.3): a follower
// slightly behind gets a DIFF, one far behind (more than the leader's 500 committed txns in
// memory, and txns weighing more than a third of the snapshot) a SNAP, one as far behind on a
// tree whose snapshot is three times heavier than the txns again a DIFF (Apache's
// snapshotSizeFactor rule), and one whose log holds a txn the quorum never committed (and which
// comes back before the new epoch commits anything) a TRUNC — after which
// it serves exactly the leader's tree (the uncommitted txn is gone). Member-to-member paths run
// through proxies so the TRUNC case can keep a proposal from reaching anyone. TRUNC runs first:
// a leader that was itself SNAP-synced keeps no older txns in memory, and would answer with a
// SNAP instead (as ZooKeeper may).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ZkClient } from '../../src/client/index.js';
import { startEnsemble, type Ensemble } from '../support/ensemble.js';
import { assertIdenticalTrees, dumpMember } from '../support/ensemble-workload.js';

let ensemble: Ensemble;
let client: ZkClient;
before(async () => {
  // A small snapCount: members snapshot (and roll their logs) while the tests write.
  ensemble = await startEnsemble({ size: 3, proxied: true, extraCfg: { snapCount: '200' } });
  client = await connect(ensemble.connectString, { sessionTimeoutMs: 8000 });
  await client.create('/sync');
});
after(async () => {
  await client?.close();
  await ensemble?.stop();
});

/** Log lines of `id` written after `mark` (a previous readLog().length). */
function logSince(id: number, mark: number): string {
  return ensemble.member(id).readLog().slice(mark);
}

async function writes(prefix: string, count: number): Promise<void> {
  const batch: Promise<string>[] = [];
  for (let i = 0; i < count; i++) batch.push(client.create(`/sync/${prefix}-${i}`, Buffer.from('x')));
  await Promise.all(batch);
}


async function restartFollowerBehind(txnsBehind: number, prefix: string): Promise<{ follower: number; log: string }> {
  const leader = await ensemble.waitForQuorum();
  const follower = [1, 2, 3].find((id) => id !== leader)!;
  await ensemble.kill(follower, 'SIGTERM');
  await writes(prefix, txnsBehind);
  const mark = ensemble.member(follower).readLog().length;
  await ensemble.restart(follower);
  await ensemble.waitForQuorum(30_000);
  return { follower, log: logSince(follower, mark) };
}

test('a former leader with a txn nobody else logged gets a TRUNC', async () => {
  const leader = await ensemble.waitForQuorum();
  const followers = [1, 2, 3].filter((id) => id !== leader);
  const onLeader = await connect(ensemble.member(leader).connectString, { sessionTimeoutMs: 8000 });
  try {
    await onLeader.sync('/');
    // Cut the leader off (its packets are held, not delivered): it logs (and fsyncs) the create
    // alone, so it is never acknowledged and never committed. (SIGSTOPping the followers would
    // not do: their kernels would still take the proposal in.)
    ensemble.isolate(leader);
    const lost = onLeader.create('/sync/never-committed', null).catch(() => 'failed');
    await new Promise((r) => setTimeout(r, 500));
    await ensemble.kill(leader, 'SIGKILL');
    assert.equal(await lost, 'failed');
    await ensemble.waitForQuorum(30_000, followers);
    // Back before the new epoch commits anything: with a txn of the new epoch in its history the
    // leader could not tell where the learner's log leaves it and would SNAP, as ZooKeeper does.
    ensemble.heal();
    const mark = ensemble.member(leader).readLog().length;
    await ensemble.restart(leader);
    await ensemble.waitForQuorum(30_000);
    assert.match(logSince(leader, mark), /sync from the leader: TRUNC/);
    await writes('after-trunc', 5);
    await assertIdenticalTrees(ensemble, [1, 2, 3]);
    const dump = await dumpMember(ensemble.member(leader));
    assert.equal(dump.has('/sync/never-committed'), false);
  } finally {
    await onLeader.close().catch(() => undefined);
  }
});

test('a follower a few txns behind gets a DIFF', async () => {
  const { log } = await restartFollowerBehind(10, 'diff');
  assert.match(log, /sync from the leader: DIFF/);
  await assertIdenticalTrees(ensemble, [1, 2, 3]);
});

test('a follower more than 500 txns behind, whose txns outweigh a third of the snapshot, gets a SNAP', async () => {
  const { log } = await restartFollowerBehind(700, 'snap');
  assert.match(log, /sync from the leader: SNAP/);
  assert.match(log, /loading the leader's snapshot 0x[0-9a-f]+ \(SNAP\) done/);
  await assertIdenticalTrees(ensemble, [1, 2, 3]);
  // The members took fuzzy snapshots along the way (snapCount 200), next to rolled log segments.
  for (const m of ensemble.members) {
    const files = readdirSync(join(m.dataDir, 'version-2'));
    assert.ok(files.filter((f) => f.startsWith('snapshot.') && f !== 'snapshot.0').length >= 1, `server.${m.id}: ${files.join(' ')}`);
  }
});

test('a follower more than 500 txns behind gets a DIFF while those txns weigh under a third of the snapshot', async () => {
  // Ballast: 20 nodes of 100 KB make a ~2 MB snapshot, so ~0.66 MB of txns may go as a DIFF; the
  // 700 creates below weigh ~70 KB. Members size the budget every peer tick (<= 100 ms).
  for (let i = 0; i < 20; i++) await client.create(`/sync/ballast-${i}`, Buffer.alloc(100_000, i));
  await new Promise((r) => setTimeout(r, 300));
  const { log } = await restartFollowerBehind(700, 'budget');
  assert.match(log, /sync from the leader: DIFF/);
  await assertIdenticalTrees(ensemble, [1, 2, 3]);
});
