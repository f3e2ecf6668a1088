// Drives the ZooKeeper C client's shell, cli_mt (Debian package zookeeper-bin), against a server.
// cli_mt issues each command asynchronously and `quit` would abandon outstanding requests, so
// commands are fed one at a time: send a line, wait until its completion line appears (by
// default `rc = <n>`), then a short quiet period so the rest of the callback's output lands.
// All of cli_mt's output goes to stderr; stdout and stderr are merged in arrival order.
// Every wait is bounded; on any failure the process is killed by pid and the error carries the
// whole transcript.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export const CLI_MT_PATH = process.env['CLI_MT'] ?? '/usr/lib/zookeeper/bin/cli_mt';

/** A command line, optionally with its own completion pattern. */
export type CliMtCommand = string | { readonly line: string; readonly until: RegExp };

export interface CliMtStep {
  readonly command: string;
  /** Everything printed from sending this command until the next one was sent. */
  readonly output: string;
}

export interface CliMtResult {
  readonly transcript: string;
  readonly steps: readonly CliMtStep[];
  readonly exitCode: number | null;
}

export interface CliMtOptions {
  /** Bound on each wait: connect, each command's completion, exit. */
  stepTimeoutMs?: number;
  /** Output silence that ends a command's collection after its completion line. */
  settleMs?: number;
}

/** Completion of an async call, a synchronous error, or a client-side rejection. */
const DONE_DEFAULT = /rc = -?\d+|^Error -?\d+ for |Path must start with \/|No data found after path/m;

/** Runs cli_mt against `hostPort` with `commands`, then `quit`. */
export async function runCliMt(
  hostPort: string,
  commands: readonly CliMtCommand[],
  opts: CliMtOptions = {},
): Promise<CliMtResult> {
  const stepTimeoutMs = opts.stepTimeoutMs ?? 10_000;
  const settleMs = opts.settleMs ?? 150;
  const child: ChildProcessWithoutNullStreams = spawn(CLI_MT_PATH, ['-h', hostPort], { stdio: 'pipe' });
  let transcript = '';
  let lastDataAt = Date.now();
  const onData = (chunk: Buffer): void => {
    transcript += chunk.toString('utf8');
    lastDataAt = Date.now();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.stdin.on('error', () => undefined);
  let exited = false;
  let exitCode: number | null = null;
  const exitPromise = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      exited = true;
      exitCode = code;
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.on('error', (e) => {
    spawnError = e;
  });

  const fail = (why: string): Error => {
    if (!exited && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return new Error(`cli_mt -h ${hostPort}: ${why}\n--- transcript ---\n${transcript}`);
  };

  /** Polls until `re` matches the transcript from `from` on. */
  const waitFor = async (re: RegExp, from: number, what: string): Promise<void> => {
    const deadline = Date.now() + stepTimeoutMs;
    while (!re.test(transcript.slice(from))) {
      if (spawnError !== undefined) throw fail(`spawn failed: ${spawnError.message}`);
      if (exited) throw fail(`exited (code ${exitCode}) while waiting for ${what}`);
      if (Date.now() > deadline) throw fail(`timed out after ${stepTimeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  };
  const waitQuiet = async (): Promise<void> => {
    const deadline = Date.now() + stepTimeoutMs;
    while (Date.now() - lastDataAt < settleMs && Date.now() < deadline) await sleep(20);
  };

  await waitFor(/CONNECTED_STATE/, 0, 'the session to connect');
  await waitQuiet();
  const starts: number[] = [];
  const lines: string[] = [];
  for (const command of commands) {
    const line = typeof command === 'string' ? command : command.line;
    const until = typeof command === 'string' ? DONE_DEFAULT : command.until;
    const from = transcript.length;
    starts.push(from);
    lines.push(line);
    child.stdin.write(`${line}\n`);
    await waitFor(until, from, `completion of ${JSON.stringify(line)}`);
    await waitQuiet();
  }
  const quitFrom = transcript.length;
  child.stdin.end('quit\n');
  let exitTimer: NodeJS.Timeout | undefined;
  const exitedInTime = await Promise.race([
    exitPromise.then(() => true),
    new Promise<boolean>((resolve) => {
      exitTimer = setTimeout(() => resolve(false), stepTimeoutMs);
    }),
  ]);
  clearTimeout(exitTimer);
  if (!exitedInTime) throw fail(`did not exit within ${stepTimeoutMs} ms of quit`);

  const steps = lines.map((command, i) => ({
    command,
    output: transcript.slice(starts[i] ?? 0, starts[i + 1] ?? quitFrom),
  }));
  return { transcript, steps, exitCode };
}
