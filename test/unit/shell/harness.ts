// Runs the zkts shell as a child process the way test/support/zkcli.ts runs zkCli.sh: one-shot
// (`-server h:p cmd args`) or as a scripted session on piped stdin, split per command with the
// same marker commands (`create /zkts-marker//<i>` on stderr, `printwatches` on stdout), so the
// two shells' transcripts compare step by step. Also the normaliser both transcripts go through.
// Every run is bounded; a timeout kills the child and throws with what it printed so far.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ZkCliRun, ZkCliSession } from '../../support/zkcli.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SHELL_MAIN = fileURLToPath(new URL('./shell-main.ts', import.meta.url));
const TIMEOUT_MS_DEFAULT = 30_000;

/** Spawns the shell with `args` and `stdinText`; resolves with its output and exit code. */
export function runZktsShell(args: readonly string[], stdinText: string | null, timeoutMs = TIMEOUT_MS_DEFAULT, env: NodeJS.ProcessEnv = {}): Promise<ZkCliRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', SHELL_MAIN, ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdinText ?? '');
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`zkts shell ${args.join(' ')} timed out after ${timeoutMs} ms\n--- stdout ---\n${Buffer.concat(out).toString()}\n--- stderr ---\n${Buffer.concat(err).toString()}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code, durationMs: Date.now() - started });
    });
  });
}

const ERR_MARKER_RE = /^Invalid path string "\/zkts-marker\/\/(\d+)".*\n/gm;
const OUT_MARKER_RE = /^printwatches is (?:on|off)\n/gm;
const BANNER_RE = /^[\s\S]*?^JLine support is (?:enabled|disabled)\n/m;
const QUIT_CLOSED_RE = /\n?WATCHER::\n\nWatchedEvent state:Closed type:None path:null\n$/;

/** The stdin text of a marked session: markers between commands, `quit` at the end. */
export function markedScript(commands: readonly string[]): string {
  const lines: string[] = [];
  commands.forEach((command, i) => {
    lines.push(command);
    if (i < commands.length - 1) lines.push(`create /zkts-marker//${i}`, 'printwatches');
  });
  lines.push('quit');
  return `${lines.join('\n')}\n`;
}

/** Splits a marked session's output per command (the same rules as zkcli.ts). */
export function splitSteps(run: ZkCliRun, commands: readonly string[]): ZkCliSession {
  const stdoutParts = run.stdout.replace(BANNER_RE, '').split(OUT_MARKER_RE);
  const stderrSegments = run.stderr.split(ERR_MARKER_RE).filter((_, i) => i % 2 === 0);
  if (stdoutParts.length !== commands.length || stderrSegments.length !== commands.length) {
    throw new Error(`zkts shell transcript has ${stdoutParts.length}/${stderrSegments.length} stdout/stderr segments for ${commands.length} commands\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
  const last = commands.length - 1;
  const steps = commands.map((command, i) => ({
    command,
    stdout: i === last ? (stdoutParts[i] ?? '').replace(QUIT_CLOSED_RE, '') : (stdoutParts[i] ?? ''),
    stderr: stderrSegments[i] ?? '',
  }));
  return { ...run, steps };
}

/** A scripted zkts shell session against `server`, split per command. */
export async function zktsShellSession(server: string, commands: readonly string[], timeoutMs = TIMEOUT_MS_DEFAULT): Promise<ZkCliSession> {
  const run = await runZktsShell(['-waitforconnection', '-server', server], markedScript(commands), timeoutMs);
  return splitSteps(run, commands);
}

/**
 * Text with what legitimately differs between two runs replaced: zxids, times, non-zero session
 * ids (ephemeralOwner), the CLI version line, and the banner lines.
 */
export function normalise(text: string): string {
  return text
    .replace(/^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$/gm, '$1 = <zxid>')
    .replace(/^(ctime|mtime) = .*$/gm, '$1 = <time>')
    .replace(/^ephemeralOwner = 0x(?!0$)[0-9a-f]+$/gm, 'ephemeralOwner = <session>')
    .replace(/^ZooKeeper CLI version: .*$/gm, 'ZooKeeper CLI version: <version>')
    .replace(/^Connecting to .*\n/gm, '')
    .replace(/^Welcome to ZooKeeper!\n/gm, '')
    .replace(/^JLine support is (?:enabled|disabled)\n/gm, '');
}
