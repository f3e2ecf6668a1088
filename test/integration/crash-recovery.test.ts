// Durability: SIGKILL the server during a stream of pipelined writes; after a restart on the same
// dataDir every acknowledged write is there, the tree is the same as before the kill for every
// acknowledged node, and sessions survive (the restarted server still knows them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, prepareConfig } from '../support/server-process.js';
import { zktsMainPath } from '../support/zkts-server.js';
import { RawClient, OPEN_ACL, utf8 } from './raw-client.js';
import { ErrorCode } from '../../src/proto/error-codes.js';

const WRITERS = 4;
const PIPELINE_DEPTH = 50;
const ACKS_BEFORE_KILL = 600;

function waitExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      try {
        process.kill(pid, 0);
      } catch {
        resolve();
        return;
      }
      if (Date.now() > deadline) reject(new Error(`pid ${pid} still alive`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

test('every acknowledged write survives SIGKILL, and sessions survive a restart', async () => {
  const cfg = await prepareConfig('zkts-crash', {});
  const main = zktsMainPath();
  const first = await launch('zkts', process.execPath, [main, 'server', cfg.cfgPath], cfg);
  const acked = new Set<string>();
  const writers: RawClient[] = [];
  let restarted: Awaited<ReturnType<typeof launch>> | undefined;
  try {
    const keeper = await RawClient.session(first.port, { timeoutMs: 30000 });
    writers.push(keeper);
    assert.equal((await keeper.call({ op: 'create', path: '/eph-survives', data: null, acl: OPEN_ACL, flags: 1 })).err, 0);
    for (let w = 0; w < WRITERS; w++) writers.push(await RawClient.session(first.port));

    // Each writer keeps PIPELINE_DEPTH creates in flight; acknowledged paths are recorded.
    let stop = false;
    const loops = writers.slice(1).map(async (client, w) => {
      let i = 0;
      const inflight = new Map<number, string>();
      const issue = () => {
        const path = `/w${w}-${i++}`;
        inflight.set(client.send({ op: 'create', path, data: utf8(path), acl: OPEN_ACL, flags: 0 }), path);
      };
      for (let k = 0; k < PIPELINE_DEPTH; k++) issue();
      let seen = 0;
      while (!stop && !client.closed) {
        await client.until(() => client.replies().length > seen || client.closed || stop, 10_000);
        const replies = client.replies();
        for (; seen < replies.length; seen++) {
          const reply = replies[seen]!;
          const path = inflight.get(reply.xid);
          inflight.delete(reply.xid);
          if (path !== undefined && reply.err === 0) acked.add(path);
          if (!stop) issue();
        }
      }
    });
    await writers[1]!.until(() => acked.size >= ACKS_BEFORE_KILL, 30_000);
    process.kill(first.pid, 'SIGKILL');
    await waitExit(first.pid, 5000);
    stop = true;
    await Promise.all(loops);
    const ackedAtKill = [...acked];
    assert.ok(ackedAtKill.length >= ACKS_BEFORE_KILL);

    restarted = await launch('zkts', process.execPath, [main, 'server', cfg.cfgPath], cfg);
    const reader = await RawClient.session(restarted.port);
    writers.push(reader);
    const missing: string[] = [];
    for (const path of ackedAtKill) {
      const reply = await reader.call({ op: 'getData', path, watch: false });
      if (reply.err !== 0) missing.push(path);
      else if (reply.response?.kind === 'getData') assert.deepEqual(Buffer.from(reply.response.data!), utf8(path));
    }
    assert.deepEqual(missing, [], 'acknowledged writes lost by the crash');

    // The session that created /eph-survives is still known: its ephemeral is there, and it can
    // re-attach with its password.
    assert.equal((await reader.call({ op: 'exists', path: '/eph-survives', watch: false })).err, 0);
    const again = await RawClient.session(restarted.port, {
      sessionId: keeper.sessionId,
      passwd: keeper.connectResponse!.passwd,
      lastZxidSeen: 0n,
    });
    writers.push(again);
    assert.equal(again.sessionId, keeper.sessionId);
    assert.equal((await again.call({ op: 'delete', path: '/eph-survives', version: -1 })).err, 0);
    assert.equal((await again.call({ op: 'exists', path: '/eph-survives', watch: false })).err, ErrorCode.noNode);
  } finally {
    for (const c of writers) c.close();
    if (restarted !== undefined) await restarted.stop();
    else await first.stop();
  }
});
