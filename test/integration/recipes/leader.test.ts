// Leader election against each target: LeaderLatch order and hand-over, the active/standby
// scenario with the active in another process killed with SIGKILL (the standby takes over after
// the active's session expires, within the session timeout plus the server's expiry tick, and
// never while that session lives), leadership lost on session expiry, and LeaderSelector turns.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderLatch, LeaderSelector, ReconnectingClient, sleep } from '../../../src/recipes/index.js';
import { targetKinds } from '../../support/target.js';
import { Env, waitUntil } from './helpers.js';

const SESSION_MS = 2000;
const TICK_MS = 500;

for (const kind of targetKinds()) {
  describe(`recipes: leader election [${kind}]`, { timeout: 120_000 }, () => {
    const env = new Env(kind);
    before(() => env.start());
    after(() => env.stop());

    test('leader latch: first in line leads, the next takes over on close, await() with timeout', async () => {
      const a = new LeaderLatch(await env.client(), '/leader/latch', 'a');
      const b = new LeaderLatch(await env.client(), '/leader/latch', 'b');
      const bEvents: boolean[] = [];
      b.onChange((v) => bEvents.push(v));
      await a.start();
      assert.equal(await a.await({ timeoutMs: 5000 }), true);
      await b.start();
      assert.equal(await b.await({ timeoutMs: 300 }), false);
      assert.deepEqual(await a.participants(), ['a', 'b']);
      await a.close();
      assert.equal(await b.await({ timeoutMs: 5000 }), true);
      assert.equal(a.hasLeadership, false);
      assert.deepEqual(bEvents, [true]);
      assert.deepEqual(await b.participants(), ['b']);
      await b.close();
    });

    test('active/standby in separate processes: the standby takes over only after the killed active session expires', async () => {
      const observer = await env.client();
      const active = env.spawn(['latch', env.connectString, '/leader/ha', 'active', String(SESSION_MS)]);
      await active.waitLine(/^LEADER$/, 15_000);
      const activeNode = (await active.waitLine(/^JOINED /, 5000)).line.slice('JOINED '.length);
      const standby = env.spawn(['latch', env.connectString, '/leader/ha', 'standby', String(SESSION_MS)]);
      await standby.waitLine(/^JOINED /, 15_000);
      // Well past a session timeout with the active alive: the standby must not lead.
      await sleep(2 * SESSION_MS);
      assert.equal(standby.has(/^LEADER$/), false, 'no split brain while the active lives');
      let deletedAtMs = 0;
      await observer.exists(activeNode, { watch: (e) => { if (e.type === 'nodeDeleted') deletedAtMs = Date.now(); } });
      const killedAtMs = await active.killNow();
      const took = await standby.waitLine(/^LEADER$/, SESSION_MS + 4 * TICK_MS + 5000);
      const afterKillMs = took.atMs - killedAtMs;
      assert.ok(afterKillMs <= SESSION_MS + 2 * TICK_MS + 1000, `took over ${afterKillMs} ms after the kill`);
      // The session cannot expire before 2/3 of its timeout passed without a ping.
      assert.ok(afterKillMs >= (SESSION_MS * 2) / 3 - 100, `took over too early: ${afterKillMs} ms`);
      await waitUntil(() => deletedAtMs > 0, 5000, 'the active node deletion seen by the observer');
      assert.equal(await observer.exists(activeNode), null);
      assert.equal((await observer.getChildren('/leader/ha')).length, 1);
    });

    test('leader latch: leadership is lost on session expiry and regained on the new session', async () => {
      const proxy = await env.proxy();
      const rc = await ReconnectingClient.connect(proxy.connectString, { sessionTimeoutMs: 4000, initialConnectTimeoutMs: 10_000 });
      env.closers.push(() => rc.close());
      const latch = new LeaderLatch(rc, '/leader/exp', 'x');
      const events: boolean[] = [];
      latch.onChange((v) => events.push(v));
      await latch.start();
      assert.equal(await latch.await({ timeoutMs: 5000 }), true);
      const first = rc.client;
      const other = new LeaderLatch(await env.client(), '/leader/exp', 'y');
      await other.start();
      await env.expire(first, proxy);
      assert.equal(latch.hasLeadership, false);
      assert.equal(await other.await({ timeoutMs: 10_000 }), true, 'the other participant leads after the expiry');
      await waitUntil(() => rc.client !== first && latch.nodePath !== null, 10_000, 'rejoined on a new session');
      await other.close();
      assert.equal(await latch.await({ timeoutMs: 10_000 }), true, 'leads again on the new session');
      assert.deepEqual(events, [true, false, true]);
      await latch.close();
    });

    test('leader selector: participants take turns; a disconnect interrupts the leader', async () => {
      const runs: string[] = [];
      let active = 0;
      let maxActive = 0;
      const task = (id: string) => async (signal: AbortSignal): Promise<void> => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push(id);
        await sleep(100, signal).catch(() => undefined);
        active--;
      };
      const selectors = await Promise.all(['s1', 's2', 's3'].map(async (id) => new LeaderSelector(await env.client(), '/leader/sel', task(id), { id })));
      for (const s of selectors) s.start();
      await waitUntil(() => runs.length >= 9, 20_000, 'nine leaderships');
      for (const s of selectors) await s.close();
      assert.equal(maxActive, 1, 'one leader at a time');
      assert.deepEqual(new Set(runs), new Set(['s1', 's2', 's3']), 'every participant led');
      const { client, proxy } = await env.proxiedClient({ sessionTimeoutMs: 4000 });
      let interrupted = false;
      const sel = new LeaderSelector(client, '/leader/sel2', async (signal) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        interrupted = true;
      }, { autoRequeue: false });
      sel.start();
      await waitUntil(() => sel.hasLeadership, 5000, 'leadership');
      proxy.cutAll();
      await waitUntil(() => interrupted, 5000, 'the task interrupted by the disconnect');
      await sel.close();
    });
  });
}
