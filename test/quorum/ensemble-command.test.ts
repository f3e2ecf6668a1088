// The process side of `zkts ensemble` (src/cli/ensemble.ts) with a stand-in member: a tiny node
// script that reads its zoo.cfg and answers `srvr` with a Mode on its client port. Checks the
// prefixed output, the wait for every Mode, stop (SIGTERM, then SIGKILL past the grace), a member
// dying before the ensemble is up, and that a second run on the same dir keeps the data.
// The real servers are checked end to end in test/ensemble/ensemble-command.test.ts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startLocalEnsemble, writeEnsembleFiles, srvrMode, type LocalEnsemble } from '../../src/cli/ensemble.js';
import { EnsembleOptionError, planEnsemble, type EnsemblePlan } from '../../src/cli/ensemble-plan.js';
import { freePort } from '../support/ports.js';
import { isAlive } from '../support/ensemble.js';

const FAKE_SERVER = `
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
const cfg = readFileSync(process.argv[3], 'utf8');
const value = (key) => new RegExp('^' + key + '=(.*)$', 'm').exec(cfg)[1];
const myid = readFileSync(join(value('dataDir'), 'myid'), 'utf8').trim();
if (process.env.FAKE_DIE === myid) process.exit(3);
if (process.env.FAKE_IGNORE_TERM === '1') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
else process.on('SIGTERM', () => { console.log('stopping on SIGTERM'); process.exit(0); });
const server = createServer((s) => s.on('data', (d) => {
  if (d.toString() === 'srvr') s.end('Zookeeper version: fake\\nMode: ' + (myid === '1' ? 'leader' : 'follower') + '\\n');
  else s.end();
}));
server.listen(Number(value('clientPort')), value('clientPortAddress'), () => {
  console.log('fake member ' + myid + ' listening');
  console.error('a line on stderr');
});
`;

const root = mkdtempSync(join(tmpdir(), 'ensemble-command-'));
const fakePath = join(root, 'fake-server.mjs');
writeFileSync(fakePath, FAKE_SERVER);
const running: LocalEnsemble[] = [];
after(async () => {
  for (const e of running) e.killAll();
  await Promise.all(running.map((e) => e.allExited));
  rmSync(root, { recursive: true, force: true });
});

/** A base port whose next `size` ports are free now (only client ports are bound by the fake). */
async function freeRun(size: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freePort();
    if (base + 2000 + size > 65535) continue;
    const free = await Promise.all(Array.from({ length: size }, (_, i) => canListen(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no run of free ports');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

/** Starts the fakes; they read FAKE_* from process.env, copied at spawn time (inside this call). */
function start(plan: EnsemblePlan, stopGraceMs = 5_000) {
  const out = collect();
  const err = collect();
  const ensemble = startLocalEnsemble(plan, {
    serverCommand: (cfgPath) => ({ command: process.execPath, args: [fakePath, 'server', cfgPath] }),
    out: out.stream,
    err: err.stream,
    stopGraceMs,
  });
  running.push(ensemble);
  return { ensemble, out, err };
}

test('members start, answer with a Mode, log with a prefix and stop on SIGTERM', { timeout: 30_000 }, async () => {
  const dir = join(root, 'ok');
  const plan = planEnsemble({ size: 3, dir, basePort: await freeRun(3), host: '127.0.0.1' });
  writeEnsembleFiles(plan);
  const { ensemble, out, err } = start(plan);
  const modes = await ensemble.waitUntilServing(10_000);
  assert.deepEqual([...modes], [[1, 'leader'], [2, 'follower'], [3, 'follower']]);
  assert.equal(await srvrMode('127.0.0.1', plan.members[1]!.clientPort), 'follower');
  for (const id of [1, 2, 3]) {
    assert.match(out.text(), new RegExp(`^\\[server\\.${id}\\] fake member ${id} listening$`, 'm'));
    assert.match(err.text(), new RegExp(`^\\[server\\.${id}\\] a line on stderr$`, 'm'));
  }
  await ensemble.stop();
  for (const pid of ensemble.pids) assert.equal(isAlive(pid), false);
  assert.match(out.text(), /^\[server\.2\] stopping on SIGTERM$/m);
  assert.match(out.text(), /^\[server\.2\] exited \(code 0\)$/m);

  // A second run on the same dir keeps the data; a dir of another ensemble is refused.
  writeFileSync(join(plan.members[0]!.dataDir, 'keep-me'), 'x');
  writeEnsembleFiles(plan);
  assert.ok(existsSync(join(plan.members[0]!.dataDir, 'keep-me')));
  assert.equal(readFileSync(join(plan.members[2]!.dataDir, 'myid'), 'utf8'), '3\n');
  writeFileSync(join(plan.members[2]!.dataDir, 'myid'), '7\n');
  assert.throws(() => writeEnsembleFiles(plan), (e: unknown) => e instanceof EnsembleOptionError && /says "7", expected 3/.test(e.message));
});

test('a member that ignores SIGTERM is killed after the grace', { timeout: 30_000 }, async () => {
  const plan = planEnsemble({ size: 2, dir: join(root, 'stubborn'), basePort: await freeRun(2), host: '127.0.0.1' });
  writeEnsembleFiles(plan);
  process.env['FAKE_IGNORE_TERM'] = '1';
  const { ensemble, out } = start(plan, 500);
  delete process.env['FAKE_IGNORE_TERM'];
  await ensemble.waitUntilServing(10_000);
  const began = Date.now();
  await ensemble.stop();
  assert.ok(Date.now() - began >= 400, 'waited for the grace first');
  for (const pid of ensemble.pids) assert.equal(isAlive(pid), false);
  assert.match(out.text(), /^\[server\.1\] ignoring SIGTERM$/m);
  assert.match(out.text(), /^\[server\.1\] exited \(SIGKILL\)$/m);
});

test('a member that dies before the ensemble is up fails the wait', { timeout: 30_000 }, async () => {
  const plan = planEnsemble({ size: 3, dir: join(root, 'dies'), basePort: await freeRun(3), host: '127.0.0.1' });
  writeEnsembleFiles(plan);
  process.env['FAKE_DIE'] = '2';
  const { ensemble } = start(plan);
  delete process.env['FAKE_DIE'];
  await assert.rejects(ensemble.waitUntilServing(10_000), /server\.2 exited before the ensemble was up/);
  await ensemble.stop();
  for (const pid of ensemble.pids) assert.equal(isAlive(pid), false);
});

test('the wait is bounded when members never report a Mode', { timeout: 30_000 }, async () => {
  // Nothing listens on these client ports: the fake is never started.
  const plan = planEnsemble({ size: 2, dir: join(root, 'silent'), basePort: await freeRun(2), host: '127.0.0.1' });
  writeEnsembleFiles(plan);
  const ensemble = startLocalEnsemble(plan, {
    serverCommand: () => ({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }),
    out: new PassThrough(),
    err: new PassThrough(),
  });
  running.push(ensemble);
  await assert.rejects(ensemble.waitUntilServing(800), /not serving after 800 ms: server\.1, server\.2/);
  await ensemble.stop();
});
