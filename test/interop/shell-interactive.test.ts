// The interactive zkts shell on a real terminal: the shell runs inside tmux (a pty), the test
// types keys and reads the screen. Covers the prompt with the connection state and command
// number, Tab completion of a znode path and of a command name, up-arrow history, and history
// kept across runs in $ZKTS_HISTORY. Needs `tmux` on PATH. Every wait is bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTarget, targetKinds, type Server } from '../support/target.js';
import { REPO_ROOT, SHELL_MAIN } from '../unit/shell/harness.js';

const SOCKET = `zkts-shell-test-${process.pid}`;
const SESSION = 'shell';
const WAIT_MS = 15_000;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', SESSION).replace(/\n+$/, '\n');
}

/** Polls the screen until `pattern` matches; fails with the screen after WAIT_MS. */
async function waitForScreen(pattern: RegExp): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  let last = '';
  while (Date.now() < deadline) {
    last = screen();
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`screen never matched ${pattern}:\n${last}`);
}

function keys(...k: string[]): void {
  tmux('send-keys', '-t', SESSION, ...k);
}

function startShell(server: string, historyFile: string): void {
  const command = [process.execPath, '--import', 'tsx', SHELL_MAIN, '-waitforconnection', '-server', server]
    .map((a) => `'${a}'`)
    .join(' ');
  // The pane outlives the shell (sleep), so the screen after `quit` can still be read; otherwise
  // tmux exits with its last pane and capture-pane races it.
  tmux('new-session', '-d', '-s', SESSION, '-x', '160', '-y', '50', '-c', REPO_ROOT, `env ZKTS_HISTORY='${historyFile}' ${command}; sleep 60`);
}

/** The prompt line `[zk: host:port(CONNECTED) n] ` followed by `typed`, as the last line. */
function promptLine(server: string, n: number, typed = ''): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // capture-pane drops trailing blanks, so the prompt's own trailing space is not on screen.
  return new RegExp(`(?:^|\\n)${escape(`[zk: ${server}(CONNECTED) ${n}] ${typed}`.trimEnd())}\\n$`);
}

describe('zkts shell on a terminal (tmux)', () => {
  let server: Server | undefined;
  let dir = '';
  before(async () => {
    server = await startTarget(targetKinds().includes('zkts') ? 'zkts' : 'apache');
    dir = mkdtempSync(join(tmpdir(), 'zkts-shell-'));
  });
  after(async () => {
    try {
      tmux('kill-server');
    } catch {
      // no session left
    }
    await server?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('prompt, Tab completion, up-arrow history, history across runs', async () => {
    assert.ok(server);
    const cs = server.connectString;
    const historyFile = join(dir, 'history');
    writeFileSync(historyFile, 'ls /zookeeper\n');

    startShell(cs, historyFile);
    await waitForScreen(/JLine support is enabled\n/);
    await waitForScreen(promptLine(cs, 0));

    // A line from the previous run's history file.
    keys('Up');
    await waitForScreen(promptLine(cs, 0, 'ls /zookeeper'));
    keys('Enter');
    await waitForScreen(/^\[config, quota\]$/m);
    await waitForScreen(promptLine(cs, 1));

    keys('create /tab-alpha-node x', 'Enter');
    await waitForScreen(/^Created \/tab-alpha-node$/m);
    await waitForScreen(promptLine(cs, 2));

    // Path completion: the one child of / starting with tab-al.
    keys('get /tab-al', 'Tab');
    await waitForScreen(promptLine(cs, 2, 'get /tab-alpha-node'));
    keys('Enter');
    await waitForScreen(promptLine(cs, 3));
    assert.match(screen(), /get \/tab-alpha-node\nx\n/);

    // Up-arrow recalls the last command; running it again counts as command 3.
    keys('Up');
    await waitForScreen(promptLine(cs, 3, 'get /tab-alpha-node'));
    keys('Enter');
    await waitForScreen(promptLine(cs, 4));

    // Command completion.
    keys('getE', 'Tab');
    await waitForScreen(promptLine(cs, 4, 'getEphemerals'));
    keys('C-u', 'quit', 'Enter');
    await waitForScreen(/state:Closed type:None path:null/);

    // Oldest first; a line equal to the one before it is kept once (readline's rule).
    const saved = readFileSync(historyFile, 'utf8').trim().split('\n');
    assert.deepEqual(saved, ['ls /zookeeper', 'create /tab-alpha-node x', 'get /tab-alpha-node', 'quit']);

    // A second run starts with that history.
    await new Promise((r) => setTimeout(r, 300));
    try {
      tmux('kill-session', '-t', SESSION);
    } catch {
      // the session ended with the shell
    }
    startShell(cs, historyFile);
    await waitForScreen(promptLine(cs, 0));
    keys('Up', 'Up');
    await waitForScreen(promptLine(cs, 0, 'get /tab-alpha-node'));
    keys('Enter');
    await waitForScreen(promptLine(cs, 1));
    assert.match(screen(), /get \/tab-alpha-node\nx\n/);
    keys('quit', 'Enter');
  });
});
