// Runs Apache's zkCli.sh against a server, one-shot (`zkCli.sh -server h:p cmd args`, exit code
// 0/1/127) or as a scripted session (commands on stdin, one JVM for many commands).
// In a session, zkCli writes results to stdout and errors plus `Created <path>` to stderr, with
// no prompt; to attribute output to commands we interleave two marker commands that have no
// server side effect: `create /zkts-marker//<i>` (client-side path error on stderr) and
// `printwatches` (`printwatches is on|off` on stdout). Watch events print asynchronously and
// may land in a later step's stdout. Every run is bounded; a timeout kills the process group
// (zkCli.sh is a shell script whose java child would otherwise outlive it) and throws.
import { spawn } from 'node:child_process';

export const ZKCLI_PATH = process.env['ZKCLI'] ?? '/usr/share/zookeeper/bin/zkCli.sh';

const TIMEOUT_MS_DEFAULT = 30_000;
// Faster JVM start for a short-lived client.
const CLIENT_JVMFLAGS = '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto';

export interface ZkCliRun {
  readonly stdout: string;
  /** stderr without the SLF4J "no binding" noise. */
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly durationMs: number;
}

export interface ZkCliStep {
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ZkCliSession extends ZkCliRun {
  /** Per input command (the appended `quit` belongs to the last step); empty without markers. */
  readonly steps: readonly ZkCliStep[];
}

export interface ZkCliOptions {
  timeoutMs?: number;
}

export interface ZkCliSessionOptions extends ZkCliOptions {
  /** Interleave marker commands to split output per command (default true). */
  markers?: boolean;
}

/** A parsed `WatchedEvent state:<s> type:<t> path:<p>` line. */
export interface CliWatchedEvent {
  readonly state: string;
  readonly type: string;
  readonly path: string;
}

const ERR_MARKER_RE = /^Invalid path string "\/zkts-marker\/\/(\d+)".*\n/gm;
const OUT_MARKER_RE = /^printwatches is (?:on|off)\n/gm;
const BANNER_RE = /^[\s\S]*?^JLine support is (?:enabled|disabled)\n/m;
// The event the closing `quit` prints at the very end of the transcript.
const QUIT_CLOSED_RE = /\n?WATCHER::\n\nWatchedEvent state:Closed type:None path:null\n$/;

function run(args: readonly string[], stdinText: string | null, timeoutMs: number): Promise<ZkCliRun> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(ZKCLI_PATH, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout can kill the java child too
      env: { ...process.env, CLIENT_JVMFLAGS },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.on('error', () => undefined); // EPIPE if the CLI exits early
    child.stdin.end(stdinText ?? '');
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      reject(
        new Error(
          `zkCli.sh ${args.join(' ')} timed out after ${timeoutMs} ms\n--- stdin ---\n${stdinText ?? ''}` +
            `\n--- stdout ---\n${Buffer.concat(out).toString()}\n--- stderr ---\n${Buffer.concat(err).toString()}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: stripSlf4j(Buffer.concat(err).toString('utf8')),
        exitCode: code,
        durationMs: Date.now() - started,
      });
    });
  });
}

function stripSlf4j(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('SLF4J:'))
    .join('\n');
}

/** `zkCli.sh -server <server> <command...>`: one JVM, one command, its exit code. */
export function zkCliOneShot(server: string, command: readonly string[], opts: ZkCliOptions = {}): Promise<ZkCliRun> {
  return run(['-server', server, ...command], null, opts.timeoutMs ?? TIMEOUT_MS_DEFAULT);
}

/**
 * Feeds `commands` to one zkCli.sh session (a `quit` is appended unless last) and returns the
 * transcript, split per command. The exit code is that of the last command before `quit`.
 */
export async function zkCliSession(
  server: string,
  commands: readonly string[],
  opts: ZkCliSessionOptions = {},
): Promise<ZkCliSession> {
  const markers = opts.markers ?? true;
  const userCommands = commands.at(-1)?.trim() === 'quit' ? commands.slice(0, -1) : [...commands];
  const lines: string[] = [];
  userCommands.forEach((command, i) => {
    if (command.includes('\n')) throw new Error(`a command must be one line: ${JSON.stringify(command)}`);
    lines.push(command);
    // No marker after the last command, so the exit code stays that command's.
    if (markers && i < userCommands.length - 1) lines.push(`create /zkts-marker//${i}`, 'printwatches');
  });
  lines.push('quit');
  const result = await run(
    ['-waitforconnection', '-server', server],
    `${lines.join('\n')}\n`,
    opts.timeoutMs ?? TIMEOUT_MS_DEFAULT,
  );
  if (!markers) return { ...result, steps: [] };

  const stdoutParts = result.stdout.replace(BANNER_RE, '').split(OUT_MARKER_RE);
  const stderrParts = result.stderr.split(ERR_MARKER_RE);
  // split() with a capture group interleaves the captured indices; drop them.
  const stderrSegments = stderrParts.filter((_, i) => i % 2 === 0);
  if (stdoutParts.length !== userCommands.length || stderrSegments.length !== userCommands.length) {
    throw new Error(
      `zkCli transcript has ${stdoutParts.length}/${stderrSegments.length} stdout/stderr segments for ` +
        `${userCommands.length} commands\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
  const last = stdoutParts.length - 1;
  const steps = userCommands.map((command, i) => ({
    command,
    stdout: i === last ? (stdoutParts[i] ?? '').replace(QUIT_CLOSED_RE, '') : (stdoutParts[i] ?? ''),
    stderr: stderrSegments[i] ?? '',
  }));
  return { ...result, steps };
}

/** All `WatchedEvent` lines of a transcript, in order. */
export function watchedEvents(stdout: string): CliWatchedEvent[] {
  const events: CliWatchedEvent[] = [];
  for (const m of stdout.matchAll(/^WatchedEvent state:(\S+) type:(\S+) path:(.*)$/gm)) {
    events.push({ state: m[1] ?? '', type: m[2] ?? '', path: m[3] ?? '' });
  }
  return events;
}

/**
 * stdout without the connection banner and the session-state (type:None) WATCHER blocks, which
 * a one-shot run prints asynchronously, before or after the command's own output.
 */
export function commandOutput(stdout: string): string {
  return stdout
    .replace(/^Connecting to .*\n/m, '')
    .replace(/^Welcome to ZooKeeper!\n/m, '')
    .replace(/^JLine support is (?:enabled|disabled)\n/m, '')
    .replace(/\n?WATCHER::\n/g, '') // the two halves of a block may be split (see withoutWatcherBlocks)
    .replace(/\n?WatchedEvent state:\S+ type:None path:null\n/g, '');
}

/**
 * Text without any WATCHER blocks (events print asynchronously, so steps compare without them).
 * zkCli prints a block as two separate printlns from its event thread, so the main thread's
 * output (or a step marker) can land between `WATCHER::` and its `WatchedEvent` line: each half
 * is removed on its own, with the blank line that precedes it.
 */
export function withoutWatcherBlocks(text: string): string {
  return text.replace(/\n?WATCHER::\n/g, '').replace(/\n?WatchedEvent [^\n]*\n/g, '');
}

/** Non-empty lines of a text, without trailing newline handling surprises. */
export function textLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** Renders a session for assertion messages. */
export function describeSession(session: ZkCliSession): string {
  if (session.steps.length === 0) return `--- stdout ---\n${session.stdout}\n--- stderr ---\n${session.stderr}`;
  return session.steps
    .map((s) => `> ${s.command}\n${textLines(s.stdout).map((l) => `OUT ${l}`).concat(textLines(s.stderr).map((l) => `ERR ${l}`)).join('\n')}`)
    .join('\n');
}
