// Reading commands: the interactive loop on a terminal (prompt, tab completion of command names
// and znode paths, history kept in a file across runs) and the plain line loop for piped stdin
// (no prompt, like zkCli.sh with JLine off). Both run one command at a time through the Shell.

import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Shell } from './shell.js';
import { shellCommandNames } from './shell.js';

export interface LoopIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
}

const HISTORY_LINES_MAX = 1000;
const COMPLETION_TIMEOUT_MS = 2000;

/** ~/.zkts_history, or $ZKTS_HISTORY. */
export function historyFilePath(): string {
  return process.env['ZKTS_HISTORY'] ?? join(homedir(), '.zkts_history');
}

/** The saved history, oldest first; a missing or unreadable file is an empty history. */
export function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(-HISTORY_LINES_MAX);
  } catch {
    return [];
  }
}

function saveHistory(file: string, newestFirst: readonly string[]): void {
  try {
    writeFileSync(file, `${[...newestFirst].slice(0, HISTORY_LINES_MAX).reverse().join('\n')}\n`);
  } catch {
    // History is a convenience; an unwritable home must not break the shell.
  }
}

/** Reads lines until end of input or quit; no prompt. */
export async function runLineLoop(shell: Shell, io: LoopIo): Promise<void> {
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      await shell.executeLine(line);
      if (shell.quitting) break;
    }
  } finally {
    rl.close();
  }
}

/**
 * Completes the word under the cursor: a command name for the first word, else a znode path
 * (the children of the typed parent that start with the typed rest).
 */
export async function complete(shell: Shell, line: string): Promise<[string[], string]> {
  const words = line.split(/\s+/);
  const last = words.at(-1) ?? '';
  if (words.length <= 1) {
    return [shellCommandNames().filter((name) => name.startsWith(last)).sort(), last];
  }
  const client = shell.client;
  if (!last.startsWith('/') || client === null || !client.state.startsWith('connected')) return [[], last];
  const slash = last.lastIndexOf('/');
  const parent = slash === 0 ? '/' : last.slice(0, slash);
  const prefix = last.slice(slash + 1);
  try {
    const children = await client.getChildren(parent, { signal: AbortSignal.timeout(COMPLETION_TIMEOUT_MS) });
    const base = parent === '/' ? '/' : `${parent}/`;
    return [children.filter((c) => c.startsWith(prefix)).sort().map((c) => base + c), last];
  } catch {
    return [[], last];
  }
}

/** The interactive loop: prompt, completion, persistent history. Ends on quit, EOF or Ctrl-C. */
export async function runInteractive(shell: Shell, io: LoopIo): Promise<void> {
  const file = historyFilePath();
  const rl: Interface = createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: true,
    historySize: HISTORY_LINES_MAX,
    history: loadHistory(file).reverse(),
    removeHistoryDuplicates: false,
    completer: (line: string, callback: (err: Error | null, result: [string[], string]) => void) => {
      complete(shell, line).then((r) => callback(null, r), () => callback(null, [[], line]));
    },
  });
  rl.on('history', (newestFirst: string[]) => saveHistory(file, newestFirst));
  await new Promise<void>((resolve) => {
    // Lines typed while a command runs wait their turn: one command at a time, in order.
    const pending: string[] = [];
    let busy = false;
    let closed = false;
    const drain = async (): Promise<void> => {
      busy = true;
      while (pending.length > 0 && !shell.quitting) await shell.executeLine(pending.shift() ?? '');
      busy = false;
      if (shell.quitting || closed) {
        rl.close();
        resolve();
        return;
      }
      rl.setPrompt(shell.prompt());
      rl.prompt();
    };
    rl.on('close', () => {
      closed = true;
      if (!busy) resolve();
    });
    rl.on('SIGINT', () => rl.close());
    rl.on('line', (line) => {
      pending.push(line);
      if (!busy) void drain();
    });
    rl.setPrompt(shell.prompt());
    rl.prompt();
  });
}
