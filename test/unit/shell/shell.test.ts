// The Shell's own commands without a server: history numbering, redo, printwatches, the
// unknown-command listing and exit code 127, and `Not connected` before any session exists.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { complete, loadHistory } from '../../../src/shell/repl.js';
import { Shell } from '../../../src/shell/shell.js';
import { fullUsage } from '../../../src/shell/usage.js';

function offlineShell(): { shell: Shell; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const shell = new Shell('localhost:2181', { timeoutMs: 1000, readOnly: false, waitForConnection: false }, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { shell, out, err };
}

describe('Shell without a session', () => {
  test('znode commands print Not connected on stdout and fail', async () => {
    const { shell, out, err } = offlineShell();
    assert.equal(await shell.executeLine('ls /'), 1);
    assert.deepEqual(out, ['Not connected\n']);
    assert.deepEqual(err, []);
  });

  test('an unknown command prints the listing and exits 127', async () => {
    const { shell, out, err } = offlineShell();
    assert.equal(await shell.executeLine('frob /x'), 127);
    assert.deepEqual(err, [fullUsage(), 'Command not found: Command not found frob\n']);
    assert.deepEqual(out, []);
    assert.match(fullUsage(), /^ZooKeeper -server host:port -client-configuration properties-file cmd args\n\taddWatch .*\n\taddauth scheme auth\n/);
  });

  test('history numbers non-blank lines and shows the last eleven', async () => {
    const { shell, out } = offlineShell();
    for (let i = 0; i < 12; i++) await shell.executeLine(`printwatches ${i % 2 === 0 ? 'on' : 'off'}`);
    await shell.executeLine('   ');
    await shell.executeLine('history');
    const lines = out.join('').trimEnd().split('\n');
    assert.equal(lines.length, 11);
    assert.equal(lines[0], '2 - printwatches on');
    assert.equal(lines.at(-1), '12 - history');
    assert.equal(shell.commandCount, 13);
    assert.equal(shell.prompt(), '[zk: localhost:2181(CLOSED) 13] ');
  });

  test('redo reruns an entry and records it under its own number', async () => {
    const { shell, out, err } = offlineShell();
    await shell.executeLine('printwatches off');
    await shell.executeLine('printwatches');
    assert.equal(await shell.executeLine('redo 1'), 0);
    assert.deepEqual(out, ['printwatches is off\n', 'printwatches is off\n']);
    assert.equal(shell.history.get(2), 'printwatches');
    assert.equal(await shell.executeLine('redo 9'), 1);
    assert.equal(await shell.executeLine('redo x'), 1);
    assert.deepEqual(err, ['Command index out of range\n', 'Command index out of range\n']);
  });

  test('printwatches toggles only on on/off', async () => {
    const { shell, out } = offlineShell();
    await shell.executeLine('printwatches off');
    await shell.executeLine('printwatches maybe');
    await shell.executeLine('printwatches');
    await shell.executeLine('printwatches on');
    await shell.executeLine('printwatches');
    assert.deepEqual(out, ['printwatches is off\n', 'printwatches is on\n']);
  });

  test('quit ends the loop with the previous exit code', async () => {
    const { shell } = offlineShell();
    await shell.executeLine('get /x');
    assert.equal(await shell.executeLine('quit'), 1);
    assert.equal(shell.quitting, true);
  });
});

describe('completion and the history file', () => {
  test('the first word completes to command names', async () => {
    const { shell } = offlineShell();
    assert.deepEqual(await complete(shell, 'getE'), [['getEphemerals'], 'getE']);
    assert.deepEqual(await complete(shell, 'get'), [['get', 'getAcl', 'getAllChildrenNumber', 'getEphemerals'], 'get']);
    assert.deepEqual(await complete(shell, 'zz'), [[], 'zz']);
  });
  test('paths complete to nothing without a session', async () => {
    const { shell } = offlineShell();
    assert.deepEqual(await complete(shell, 'ls /zoo'), [[], '/zoo']);
  });
  test('the history file: oldest first, blank lines dropped, missing file empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkts-shell-unit-'));
    try {
      const file = join(dir, 'h');
      assert.deepEqual(loadHistory(file), []);
      writeFileSync(file, 'ls /\n\n  \nget /a\n');
      assert.deepEqual(loadHistory(file), ['ls /', 'get /a']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
