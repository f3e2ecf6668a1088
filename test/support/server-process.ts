// Shared machinery for test servers run as child processes (Apache ZooKeeper and zkts): writes a
// zoo.cfg into a fresh temp dir, launches the process with its output in a log file, waits until
// it answers `ruok` with `imok`, and stops it by pid.
// Invariants: every wait is bounded; a start that fails kills what it launched before throwing
// (with the server's log in the error); stop() returns only after the process has exited; a
// process still alive when the test process exits is SIGKILLed by an exit hook.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForExit } from '../../src/io/node/child-exit.js';
import { freePort } from './ports.js';

export type TargetKind = 'apache' | 'zkts';

/** A running server under test. */
export interface Server {
  readonly kind: TargetKind;
  readonly host: string;
  readonly port: number;
  /** `host:port`, what clients take. */
  readonly connectString: string;
  readonly pid: number;
  readonly dataDir: string;
  /** The temp dir holding zoo.cfg, dataDir and server.log. */
  readonly dir: string;
  readonly cfgPath: string;
  readonly logPath: string;
  /** The server's stdout+stderr so far. */
  readLog(): string;
  /** SIGTERM, then SIGKILL after a bound; resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra zoo.cfg lines (key=value); they override the defaults. */
  extraCfg?: Record<string, string>;
  /** Bound on the wait for `imok`. */
  readyTimeoutMs?: number;
}

export interface PreparedConfig {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly dataDir: string;
  readonly cfgPath: string;
  readonly logPath: string;
}

const READY_TIMEOUT_MS_DEFAULT = 30_000;
const TERM_GRACE_MS = 5_000;
const KILL_WAIT_MS = 5_000;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Writes zoo.cfg (tickTime 2000, loopback clientPort, no AdminServer, all 4lw) in a fresh temp dir. */
export async function prepareConfig(prefix: string, extraCfg: Record<string, string> = {}): Promise<PreparedConfig> {
  const host = '127.0.0.1';
  const port = await freePort(host);
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const cfg: Record<string, string> = {
    tickTime: '2000',
    dataDir,
    clientPort: String(port),
    clientPortAddress: host,
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    ...extraCfg,
  };
  const text = Object.entries(cfg)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const cfgPath = join(dir, 'zoo.cfg');
  writeFileSync(cfgPath, `${text}\n`);
  return { host, port, dir, dataDir, cfgPath, logPath: join(dir, 'server.log') };
}

/** Sends a four-letter word and returns the whole reply (the server closes after writing). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word} to ${host}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

function readLogSafe(logPath: string): string {
  try {
    return readFileSync(logPath, 'utf8');
  } catch {
    return '(no log)';
  }
}

/** Launches `command args` with output to cfg.logPath and waits for `imok`. */
export async function launch(
  kind: TargetKind,
  command: string,
  args: readonly string[],
  cfg: PreparedConfig,
  readyTimeoutMs = READY_TIMEOUT_MS_DEFAULT,
): Promise<Server> {
  const logFd = openSync(cfg.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { stdio: ['ignore', logFd, logFd], cwd: cfg.dir });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  live.add(child);
  let spawnError: Error | undefined;
  child.on('error', (err) => {
    spawnError = err;
  });
  child.on('exit', () => live.delete(child));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, TERM_GRACE_MS))) {
          child.kill('SIGKILL');
          if (!(await waitForExit(child, KILL_WAIT_MS))) {
            throw new Error(`${kind} server pid ${child.pid} did not exit after SIGKILL`);
          }
        }
      }
      live.delete(child);
      if (process.env['ZKTS_KEEP_DIRS'] === undefined) rmSync(cfg.dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const started = Date.now();
  const deadline = started + readyTimeoutMs;
  let lastError = 'no attempt';
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      const why = spawnError?.message ?? `exited with code ${child.exitCode} signal ${child.signalCode}`;
      const log = readLogSafe(cfg.logPath);
      await stop().catch(() => undefined);
      throw new Error(`${kind} server failed to start (${why}): ${command} ${args.join(' ')}\n--- log ---\n${log}`);
    }
    try {
      const reply = await fourLetterWord(cfg.host, cfg.port, 'ruok', 1_000);
      if (reply === 'imok') break;
      lastError = `ruok replied ${JSON.stringify(reply)}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const log = readLogSafe(cfg.logPath);
      await stop().catch(() => undefined);
      throw new Error(
        `${kind} server on ${cfg.host}:${cfg.port} did not answer imok within ${readyTimeoutMs} ms ` +
          `(last: ${lastError})\n--- log ---\n${log}`,
      );
    }
    await sleep(100);
  }

  const pid = child.pid;
  if (pid === undefined) throw new Error('spawned process has no pid');
  return {
    kind,
    host: cfg.host,
    port: cfg.port,
    connectString: `${cfg.host}:${cfg.port}`,
    pid,
    dataDir: cfg.dataDir,
    dir: cfg.dir,
    cfgPath: cfg.cfgPath,
    logPath: cfg.logPath,
    readLog: () => readLogSafe(cfg.logPath),
    stop,
  };
}
