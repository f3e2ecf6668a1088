// Four-letter words in quorum modes, against what Apache 3.8 printed on a 3-server loopback
// ensemble (2 participants + 1 observer): the leader's srvr/stat end with "Proposal sizes", mntr
// carries zk_peer_state / zk_quorum_size everywhere and the learner counts on the leader only;
// a peer that is not serving answers NOT_SERVING except for ruok, envi, gtmk, stmk and isro
// ("null"). A runtime with no quorum facts renders standalone output exactly as before.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NOT_SERVING,
  ZKTS_VERSION_LINE,
  renderFourLetterWord,
  type FourLetterRuntime,
  type LeaderFourLetterFacts,
} from '../../../src/server/core/four-letter-words.js';
import { CoreHarness } from './core-harness.js';

const base: FourLetterRuntime = {
  nowMs: 1_000_000,
  monotonicMs: 5_000,
  uptimeMs: 544,
  mode: 'standalone',
  readOnly: false,
  dirSizes: () => ({ dataDirSize: 594, dataLogSize: 594 }),
  conf: () => 'clientPort=2181\n',
  environment: () => [['zookeeper.version', ZKTS_VERSION_LINE]],
  formatDate: () => 'Mon Nov 30 04:21:55 UTC 2026',
  openFileDescriptors: () => 45,
  maxFileDescriptors: 1048576,
};

const leaderFacts: LeaderFourLetterFacts = {
  learners: 2,
  syncedFollowers: 1,
  syncedNonVotingFollowers: 0,
  syncedObservers: 1,
  pendingSyncs: 0,
  leaderUptimeMs: 400,
  proposalSizes: { last: 120, min: 48, max: 512 },
};

const leader: FourLetterRuntime = { ...base, mode: 'leader', serving: true, quorum: { zabPhase: 'broadcast', quorumSize: 2, leader: leaderFacts } };
const follower: FourLetterRuntime = { ...base, mode: 'follower', serving: true, quorum: { zabPhase: 'broadcast', quorumSize: 2 } };
const observer: FourLetterRuntime = { ...base, mode: 'observer', serving: true, quorum: { zabPhase: 'broadcast', quorumSize: 2, observerMasterId: 2 } };

function mntr(core: CoreHarness['core'], runtime: FourLetterRuntime): Map<string, string> {
  const text = renderFourLetterWord('mntr', core, runtime)!;
  assert.ok(text.endsWith('\n'));
  return new Map(text.trimEnd().split('\n').map((line) => line.split('\t') as [string, string]));
}

describe('four-letter words in quorum modes', () => {
  const core = new CoreHarness().core;

  test('standalone output is unchanged by the new optional fields', () => {
    for (const word of ['srvr', 'stat', 'mntr', 'isro', 'conf', 'hash', 'dirs']) {
      assert.equal(renderFourLetterWord(word, core, { ...base, serving: true }), renderFourLetterWord(word, core, base), word);
    }
    const srvr = renderFourLetterWord('srvr', core, base)!;
    assert.match(srvr, /\nMode: standalone\nNode count: \d+\n$/);
    const rows = mntr(core, base);
    assert.equal(rows.get('zk_last_proposal_size'), '-1');
    assert.equal(rows.has('zk_peer_state'), false);
  });

  test('leader: srvr and stat end with Proposal sizes; mntr has the learner counts', () => {
    const srvr = renderFourLetterWord('srvr', core, leader)!;
    assert.match(srvr, /^Zookeeper version: .*\nLatency min\/avg\/max: 0\/0\.0\/0\nReceived: \d+\nSent: \d+\nConnections: 0\nOutstanding: 0\nZxid: 0x[0-9a-f]+\nMode: leader\nNode count: \d+\nProposal sizes last\/min\/max: 120\/48\/512\n$/);
    const stat = renderFourLetterWord('stat', core, leader)!;
    assert.match(stat, /\nClients:\n\nLatency[^]*\nMode: leader\nNode count: \d+\nProposal sizes last\/min\/max: 120\/48\/512\n$/);
    const rows = mntr(core, leader);
    const expected: Record<string, string> = {
      zk_server_state: 'leader',
      zk_peer_state: 'leading - broadcast',
      zk_quorum_size: '2',
      zk_learners: '2',
      zk_synced_followers: '1',
      zk_synced_non_voting_followers: '0',
      zk_synced_observers: '1',
      zk_pending_syncs: '0',
      zk_leader_uptime: '400',
      zk_last_proposal_size: '120',
      zk_min_proposal_size: '48',
      zk_max_proposal_size: '512',
      zk_uptime: '544',
    };
    for (const [key, value] of Object.entries(expected)) assert.equal(rows.get(key), value, key);
    assert.equal(rows.has('zk_observer_master_id'), false);
  });

  test('follower and observer: no proposal sizes or learner counts', () => {
    for (const [runtime, state, mode] of [
      [follower, 'following - broadcast', 'follower'],
      [observer, 'observing - broadcast', 'observer'],
    ] as const) {
      const srvr = renderFourLetterWord('srvr', core, runtime)!;
      assert.match(srvr, new RegExp(`\\nMode: ${mode}\\nNode count: \\d+\\n$`));
      const rows = mntr(core, runtime);
      assert.equal(rows.get('zk_server_state'), mode);
      assert.equal(rows.get('zk_peer_state'), state);
      assert.equal(rows.get('zk_quorum_size'), '2');
      for (const key of ['zk_last_proposal_size', 'zk_learners', 'zk_synced_followers', 'zk_pending_syncs', 'zk_leader_uptime']) {
        assert.equal(rows.has(key), false, `${mode} has no ${key}`);
      }
      assert.equal(rows.get('zk_observer_master_id'), mode === 'observer' ? '2' : undefined);
    }
    const syncing = mntr(core, { ...follower, quorum: { zabPhase: 'synchronization', quorumSize: 3 } });
    assert.equal(syncing.get('zk_peer_state'), 'following - synchronization');
  });

  test('not serving: Apache 3.8 answers', () => {
    const notServing: FourLetterRuntime = { ...follower, serving: false, quorum: { zabPhase: 'election', quorumSize: 2 } };
    for (const word of ['srvr', 'stat', 'mntr', 'conf', 'cons', 'dump', 'dirs', 'wchs', 'wchc', 'wchp', 'crst', 'srst']) {
      assert.equal(renderFourLetterWord(word, core, notServing), NOT_SERVING, word);
    }
    assert.equal(NOT_SERVING, 'This ZooKeeper instance is not currently serving requests\n');
    assert.equal(renderFourLetterWord('hash', core, notServing), 'This ZooKeeper instance is not currently serving requests');
    assert.equal(renderFourLetterWord('isro', core, notServing), 'null');
    assert.equal(renderFourLetterWord('ruok', core, notServing), 'imok');
    assert.equal(renderFourLetterWord('gtmk', core, notServing), '0');
    assert.match(renderFourLetterWord('envi', core, notServing)!, /^Environment:\nzookeeper\.version=/);
    assert.equal(renderFourLetterWord('nope', core, notServing), null);
    assert.equal(renderFourLetterWord('isro', core, { ...notServing, serving: true }), 'rw');
  });
});
