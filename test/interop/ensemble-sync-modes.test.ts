// Each learner sync mode in both directions, as real processes on loopback (issue 8):
// an Apache leader syncing a zkts follower, and a zkts leader syncing an Apache follower, with
// - TRUNC: the member led, logged a txn no follower got (its followers' quorum paths held by the
//   proxies, then cut), and was SIGKILLed; the other two elected a leader of the other kind; the
//   old leader restarts and must truncate that txn away;
// - SNAP instead of TRUNC: the same, but the new leader commits txns before the old one returns
//   (ZooKeeper truncates only within the epoch of the next committed txn, storage-and-quorum.md
//   §10.3, so both kinds fall back to SNAP);
// - DIFF: the member was killed as a follower and restarted a few txns behind;
// - far behind: restarted more than 500 txns behind (beyond the leader's committed-log window):
//   a zkts leader sends SNAP (the small tree's snapshot is lighter than three times those txns,
//   so they are not kept in memory for DIFF), an Apache leader a DIFF read from its log files
//   (§10.3 case 4, which zkts does from memory; docs/migrating.md);
// - SNAP: restarted with its dataDir wiped (myid kept).
// After each: the learner's log names the mode (zkts: `sync from the leader: X`, Apache:
// "Getting a diff / a snapshot", "Truncating log"), the leader's log names the mode it sent
// (Apache logs a TRUNC only at debug), every member serves the identical tree (full dump with
// Stat, after sync), and at the end no member saw a digest mismatch.
// Why proxies and not SIGSTOPped followers to strand the txn: a stopped process's kernel still
// receives the PROPOSAL, and the follower reads and logs it on SIGCONT, so the txn would survive.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ZkClient } from '../../src/client/index.js';
import { startEnsemble, type Ensemble, type MemberKind } from '../support/ensemble.js';
import {
  assertIdenticalTrees,
  assertNoDigestMismatch,
  currentRunLog,
  leaderSyncModes,
  learnerSyncModes,
  sleep,
  type SyncMode,
} from '../support/ensemble-workload.js';

const QUORUM_WAIT_MS = 60_000;
const SESSION_TIMEOUT_MS = 20_000;
const FAR_BEHIND_TXNS = 600; // > the leader's 500-txn committed-log window

/** Makes a member of `kind` the leader: kill the current leader (restarting it) until one leads. */
async function ensureLeaderKind(e: Ensemble, kind: MemberKind): Promise<number> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const leader = await e.waitForQuorum(QUORUM_WAIT_MS);
    if (e.member(leader).kind === kind) return leader;
    await e.kill(leader, 'SIGKILL');
    await e.waitForQuorum(QUORUM_WAIT_MS);
    await e.restart(leader);
  }
  throw new Error(`no ${kind} leader after 4 leader changes`);
}

async function clientOn(e: Ensemble, id: number): Promise<ZkClient> {
  return connect(e.member(id).connectString, { sessionTimeoutMs: SESSION_TIMEOUT_MS });
}

/** `count` creates under `parent`, 100 in flight at a time, through member `id`. */
async function writeMany(e: Ensemble, id: number, parent: string, count: number): Promise<void> {
  const client = await clientOn(e, id);
  try {
    if ((await client.exists(parent)) === null) await client.create(parent, '');
    for (let i = 0; i < count; i += 100) {
      const batch = Array.from({ length: Math.min(100, count - i) }, (_, k) => client.create(`${parent}/n${i + k}`, `${i + k}`));
      await Promise.all(batch);
    }
  } finally {
    await client.close();
  }
}

function lastMode(modes: readonly SyncMode[]): SyncMode | undefined {
  return modes[modes.length - 1];
}

/** How many times the leader's current run logged a sync of learner `id`. */
function syncsLogged(e: Ensemble, leader: number, id: number): number {
  const m = e.member(leader);
  if (m.kind === 'zkts') return leaderSyncModes(m).length;
  // Apache logs "Sending DIFF"/"Sending snapshot" at info, but a TRUNC only at debug: count the
  // per-learner line it always writes.
  return currentRunLog(m).split(`Synchronizing with Learner sid: ${id} `).length - 1;
}

/** Restarts `id` (as its kind) and checks the sync mode on both ends and the trees. */
async function restartExpecting(e: Ensemble, id: number, leader: number, mode: SyncMode): Promise<void> {
  const syncsBefore = syncsLogged(e, leader, id);
  await e.restart(id);
  assert.equal(await e.waitForQuorum(QUORUM_WAIT_MS), leader, 'the leader is unchanged');
  const member = e.member(id);
  const leaderMember = e.member(leader);
  assert.deepEqual(learnerSyncModes(member), [mode], `server.${id} (${member.kind}) synced by ${mode} from server.${leader} (${leaderMember.kind})`);
  assert.equal(syncsLogged(e, leader, id), syncsBefore + 1, 'the leader logged one sync of the learner');
  if (leaderMember.kind === 'zkts') assert.equal(lastMode(leaderSyncModes(leaderMember)), mode, `the leader sent ${mode}`);
  else if (mode !== 'TRUNC') assert.equal(lastMode(leaderSyncModes(leaderMember)), mode, `the leader sent ${mode}`);
  await assertIdenticalTrees(e);
}

/**
 * The member `old` leads; its followers' quorum paths to it are held, so a create it logs reaches
 * no follower; then it is killed, the held bytes discarded, and the followers elect without it.
 * Resolves the new leader.
 */
async function strandTxnOnLeader(e: Ensemble, old: number, stranded: string): Promise<number> {
  const followers = e.members.map((m) => m.id).filter((id) => id !== old);
  const client = await connect(e.member(old).connectString, { sessionTimeoutMs: SESSION_TIMEOUT_MS, whileDisconnected: 'fail' });
  for (const f of followers) e.proxies(f, old).quorum.setMode('drop');
  client.create(stranded, 'never committed').catch(() => undefined);
  await sleep(400); // logged and fsynced by the leader, held in the proxies
  await e.kill(old, 'SIGKILL');
  for (const f of followers) {
    const path = e.proxies(f, old).quorum;
    path.cutAll(); // the proposal dies with the connection, as if the leader never sent it
    path.setMode('pass');
  }
  await client.close().catch(() => undefined);
  return e.waitForQuorum(QUORUM_WAIT_MS, followers);
}

/** Asserts `path` is on no member (read after sync). */
async function assertNowhere(e: Ensemble, path: string): Promise<void> {
  for (const m of e.members) {
    const c = await clientOn(e, m.id);
    await c.sync('/');
    assert.equal(await c.exists(path), null, `${path} is not on server.${m.id}`);
    await c.close();
  }
}

function syncModesBothWays(kinds: readonly MemberKind[]): void {
  // The member under test is server.3; the other two are of the other kind.
  const subject = 3;
  const subjectKind = kinds[subject - 1]!;
  const leaderKind: MemberKind = subjectKind === 'zkts' ? 'apache' : 'zkts';
  describe(`${leaderKind} leader syncing a ${subjectKind} learner`, () => {
    let ensemble: Ensemble | undefined;
    after(async () => {
      await ensemble?.stop();
    });

    test('TRUNC, SNAP after a new epoch, DIFF, far behind, SNAP (wiped dataDir)', { timeout: 240_000 }, async (t) => {
      ensemble = await startEnsemble({
        kinds,
        proxied: true,
        tickTimeMs: 400,
        extraCfg: { maxSessionTimeout: String(SESSION_TIMEOUT_MS) },
        quorumTimeoutMs: QUORUM_WAIT_MS,
      });
      const e = ensemble;
      assert.equal(await ensureLeaderKind(e, subjectKind), subject, `server.${subject} (${subjectKind}) leads first`);
      await writeMany(e, 1, '/before', 20);

      // TRUNC: the subject leads, logs a txn nobody else gets, dies; the others elect.
      let leader = await strandTxnOnLeader(e, subject, '/stranded');
      assert.equal(e.member(leader).kind, leaderKind);
      t.diagnostic(`TRUNC: server.${leader} (${leaderKind}) leads, restarting server.${subject}`);
      await restartExpecting(e, subject, leader, 'TRUNC');
      await assertNowhere(e, '/stranded');
      await writeMany(e, leader, '/after-trunc', 10);
      await assertIdenticalTrees(e);

      // The same, but the new leader commits before the subject returns: the next committed txn
      // after the common prefix is in another epoch, so no TRUNC can fix the subject: SNAP.
      assert.equal(await ensureLeaderKind(e, subjectKind), subject, `server.${subject} leads again`);
      leader = await strandTxnOnLeader(e, subject, '/stranded-2');
      assert.equal(e.member(leader).kind, leaderKind);
      await writeMany(e, leader, '/new-epoch', 5);
      await restartExpecting(e, subject, leader, 'SNAP');
      if (leaderKind === 'apache') assert.match(currentRunLog(e.member(leader)), /Cannot send TRUNC to peer sid: 3 peer zxid is from different epoch/);
      await assertNowhere(e, '/stranded-2');

      // DIFF: a few txns behind.
      await e.kill(subject, 'SIGKILL');
      await writeMany(e, leader, '/diff', 15);
      await restartExpecting(e, subject, leader, 'DIFF');

      // Beyond the 500-txn committed-log window: zkts sends SNAP; Apache (snapshotSizeFactor
      // 0.33 by default) reads the missing txns from its log files and sends a DIFF of 600.
      await e.kill(subject, 'SIGKILL');
      await writeMany(e, leader, '/far', FAR_BEHIND_TXNS);
      await restartExpecting(e, subject, leader, leaderKind === 'zkts' ? 'SNAP' : 'DIFF');
      if (leaderKind === 'apache') assert.match(currentRunLog(e.member(leader)), /Use txnlog and committedLog for peer sid: 3/);

      // SNAP: an empty dataDir (myid kept).
      await e.kill(subject, 'SIGKILL');
      const dataDir = e.member(subject).dataDir;
      for (const name of readdirSync(dataDir)) if (name !== 'myid') rmSync(join(dataDir, name), { recursive: true, force: true });
      await writeMany(e, leader, '/wiped', 5);
      await restartExpecting(e, subject, leader, 'SNAP');

      // The learner serves new writes made through it.
      await writeMany(e, subject, '/through-learner', 5);
      await assertIdenticalTrees(e);
      await assertNoDigestMismatch(e);
    });
  });
}

syncModesBothWays(['apache', 'apache', 'zkts']);
syncModesBothWays(['zkts', 'zkts', 'apache']);
