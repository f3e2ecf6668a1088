// `zkts ensemble --size 3` end to end with real zkts servers: it prints the connect string once
// every member serves, a client writes through it and reads through each member, and SIGINT
// stops every member and exits 0.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../src/client/index.js';
import { REPO_ROOT } from '../support/zkts-server.js';

const dir = mkdtempSync(join(tmpdir(), 'zkts-ensemble-cmd-'));
let child: ChildProcess | null = null;
after(() => {
  if (child?.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A base port whose 9 ports (client, +1000 quorum, +2000 election, ×3) are free now. */
async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const ports = [0, 1, 2].flatMap((i) => [base + i, base + 1000 + i, base + 2000 + i]);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free base port');
}

test('zkts ensemble --size 3 serves, prints the connect string, and stops on SIGINT', async () => {
  const base = await freeBasePort();
  child = spawn(process.execPath, [join(REPO_ROOT, 'dist/cli/main.js'), 'ensemble', '--size', '3', '--dir', dir, '--base-port', String(base)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const expected = [0, 1, 2].map((i) => `127.0.0.1:${base + i}`).join(',');
  const deadline = Date.now() + 60_000;
  while (!out.includes(expected)) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `no connect string:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const client = await connect(expected);
  await client.create('/from-cli', Buffer.from('hello'));
  await client.close();
  for (let i = 0; i < 3; i++) {
    const member = await connect(`127.0.0.1:${base + i}`);
    await member.sync('/');
    assert.equal((await member.getData('/from-cli')).data?.toString(), 'hello');
    await member.close();
  }
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  process.kill(child.pid!, 'SIGINT');
  assert.equal(await exited, 0);
  assert.equal((out.match(/\[server\.\d\] exited \(code 0\)/g) ?? []).length, 3, out);
});
