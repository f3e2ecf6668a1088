// Mixed ensembles as real processes on loopback (issue 8, "Ensemble protocol, both ways"):
// voters {zkts, zkts, apache} with an Apache observer, and {apache, apache, zkts} with a zkts
// observer, under a write load from zkts clients and node-zookeeper-client, with the leader
// SIGKILLed round after round (and restarted once the survivors have a new leader) until each
// kind has led the other. Checked:
// - the leader's kind each round (with every member up): both kinds lead at least once, and the
//   observer (of the minority kind) observes leaders of both kinds;
// - a session whose server is killed moves to a member of the other kind: same session id, its
//   ephemeral node still there and owned by it, the session still writes;
// - at the end every acknowledged write is on every member (observer included) and every
//   member's tree is identical (paths, data, every Stat field), read through a client connected
//   to that member alone after sync; the moved sessions' ephemerals are on every member; no
//   member counted or logged a digest mismatch.
// Apache comes from Debian's `zookeeper` package; `npx tsc -p tsconfig.json` builds dist first.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ZkClient } from '../../src/client/index.js';
import { startEnsemble, type Ensemble, type MemberKind } from '../support/ensemble.js';
import {
  assertAcknowledgedIn,
  assertIdenticalTrees,
  assertNoDigestMismatch,
  connectPreferring,
  startWriteLoad,
  waitUntil,
  type WriteLoad,
} from '../support/ensemble-workload.js';

const ROUNDS_MIN = 4;
const ROUNDS_MAX = 5;
const QUORUM_WAIT_MS = 60_000;
const SESSION_TIMEOUT_MS = 20_000;
const OBSERVER = 4;

interface Mover {
  readonly client: ZkClient;
  readonly sessionId: bigint;
  readonly ephemeral: string;
}

/** `voters` are server.1..3; server.4 is an observer of the minority kind. */
function mixedEnsembleTest(voters: readonly MemberKind[], observerKind: MemberKind): void {
  const kinds = [...voters, observerKind];
  describe(`mixed ensemble {${voters.join(', ')}} + ${observerKind} observer`, () => {
    let ensemble: Ensemble | undefined;
    let load: WriteLoad | undefined;
    const movers: Mover[] = [];
    after(async () => {
      await load?.stop().catch(() => undefined);
      for (const m of movers) await m.client.close().catch(() => undefined);
      await ensemble?.stop();
    });

    test('leaders of both kinds in turn under load: no acknowledged write lost, identical trees, sessions move between kinds', { timeout: 300_000 }, async (t) => {
      ensemble = await startEnsemble({
        kinds,
        observers: [OBSERVER],
        tickTimeMs: 400,
        // Sessions must outlive a leader change plus a JVM restart on two busy cores.
        extraCfg: { maxSessionTimeout: String(SESSION_TIMEOUT_MS) },
        quorumTimeoutMs: QUORUM_WAIT_MS,
      });
      const e = ensemble;
      load = await startWriteLoad({
        root: '/load',
        zktsConnectStrings: [e.connectStringOf([1, 2, 3]), e.connectStringOf([2, 3, 1])],
        nzkConnectStrings: [e.connectStringOf([3, 1, 2])],
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      });
      {
        const admin = await connectPreferring(e, 1, 2);
        await admin.create('/movers', '');
        await admin.close();
      }

      const leaderKinds: MemberKind[] = [];
      for (let round = 0; round < ROUNDS_MAX; round++) {
        const both = leaderKinds.includes('zkts') && leaderKinds.includes('apache');
        if (round >= ROUNDS_MIN && both) break;
        const leader = await e.waitForQuorum(QUORUM_WAIT_MS);
        const leaderKind = e.member(leader).kind;
        leaderKinds.push(leaderKind);
        const other = e.members.find((m) => m.kind !== leaderKind && m.id !== OBSERVER)!.id;
        assert.equal(await e.mode(OBSERVER), 'observer', `round ${round}: server.${OBSERVER} (${observerKind}) observes a ${leaderKind} leader`);
        t.diagnostic(`round ${round}: leader server.${leader} (${leaderKind}), ${load.acknowledged()} writes acknowledged`);

        // A session on the leader, with an ephemeral, that can only move to the other kind.
        const client = await connectPreferring(e, leader, other, SESSION_TIMEOUT_MS);
        const mover: Mover = { client, sessionId: client.sessionId, ephemeral: `/movers/r${round}` };
        movers.push(mover);
        await client.create(mover.ephemeral, `owner ${client.sessionId}`, { mode: 'ephemeral' });

        const ackedBefore = load.acknowledged();
        await e.kill(leader, 'SIGKILL');
        const next = await e.waitForQuorum(QUORUM_WAIT_MS);
        assert.notEqual(next, leader, `round ${round}: a new leader after server.${leader} (${leaderKind}) was killed`);

        await waitUntil(`round ${round}: the session moves to server.${other}`, () => client.state === 'connected', SESSION_TIMEOUT_MS);
        assert.equal(client.server, e.member(other).connectString, `round ${round}: the session is on the other kind now`);
        assert.equal(client.sessionId, mover.sessionId, `round ${round}: same session id after the move`);
        const stat = await client.exists(mover.ephemeral);
        assert.ok(stat !== null, `round ${round}: the moved session's ephemeral survived`);
        assert.equal(stat.ephemeralOwner, mover.sessionId);
        await client.create(`${mover.ephemeral}-after-move`, e.member(other).kind);

        await e.restart(leader);
        await e.waitForQuorum(QUORUM_WAIT_MS);
        await waitUntil(`round ${round}: the load goes on`, () => load!.acknowledged() > ackedBefore + 5, 30_000);
      }
      assert.ok(leaderKinds.includes('zkts'), `a zkts member led the others (leaders: ${leaderKinds.join(', ')})`);
      assert.ok(leaderKinds.includes('apache'), `an Apache member led the others (leaders: ${leaderKinds.join(', ')})`);

      await load.stop();
      const writers = load.writers;
      load = undefined;
      for (const w of writers) assert.ok(w.created.size > 0, `writer ${w.name} got writes acknowledged`);

      await e.waitForQuorum(QUORUM_WAIT_MS);
      const dumps = await assertIdenticalTrees(e);
      await assertNoDigestMismatch(e);
      t.diagnostic(`leaders: ${leaderKinds.join(', ')}; ${dumps.get(1)!.size} nodes; writers: ${writers.map((w) => `${w.name} ${w.created.size} acked ${w.failures} unknown`).join(', ')}`);
      assert.equal(dumps.size, 4);
      for (const [id, d] of dumps) assertAcknowledgedIn(d, writers, `server.${id} (${e.member(id).kind})`, '/load');
      const dump = dumps.get(1)!;
      for (const mover of movers) {
        const node = dump.get(mover.ephemeral);
        assert.ok(node !== undefined, `${mover.ephemeral} still on every member`);
        assert.equal(BigInt(node.ephemeralOwner), BigInt.asUintN(64, mover.sessionId));
        assert.ok(dump.has(`${mover.ephemeral}-after-move`));
      }
    });
  });
}

mixedEnsembleTest(['zkts', 'zkts', 'apache'], 'apache');
mixedEnsembleTest(['apache', 'apache', 'zkts'], 'zkts');
