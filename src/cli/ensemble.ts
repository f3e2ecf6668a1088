// `zkts ensemble --size N [--dir DIR] [--base-port P] [--host H] [--ready-timeout-ms MS]`: runs a
// local ensemble of N zkts server processes for development. Writes DIR/server.N/{zoo.cfg,
// data/myid} (ensemble-plan.ts; existing data is kept), spawns `node <this cli> server <cfg>` per
// member with its output prefixed `[server.N]`, waits until every member answers `srvr` with a
// Mode line, prints the connect string, and on SIGINT/SIGTERM stops the members (SIGTERM, SIGKILL
// after a bound) and exits 0. A second signal SIGKILLs at once.
// Invariants: every wait is bounded; no member outlives a stop(); the children get no stdin.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasExited, waitForExit } from '../io/node/child-exit.js';
import {
  ENSEMBLE_BASE_PORT_DEFAULT,
  ENSEMBLE_DIR_DEFAULT,
  ENSEMBLE_HOST_DEFAULT,
  EnsembleOptionError,
  parseIntegerOption,
  planEnsemble,
  type EnsembleMemberPlan,
  type EnsemblePlan,
} from './ensemble-plan.js';

/** The options as commander hands them over (strings), or numbers from code. */
export interface EnsembleCommandOptions {
  readonly size: string | number;
  readonly dir?: string;
  readonly basePort?: string | number;
  readonly host?: string;
  readonly readyTimeoutMs?: string | number;
}

export interface LocalEnsembleOptions {
  /** How to run one member; default `process.execPath [execArgv] <cli main> server <cfg>`. */
  readonly serverCommand?: (cfgPath: string) => { command: string; args: string[] };
  readonly out?: NodeJS.WritableStream;
  readonly err?: NodeJS.WritableStream;
  /** How long stop() waits after SIGTERM before SIGKILL. Default 10 s. */
  readonly stopGraceMs?: number;
}

export interface LocalEnsemble {
  readonly plan: EnsemblePlan;
  readonly pids: readonly number[];
  /** Resolves every member's Mode once all answer one; rejects on timeout or if a member exits first. */
  waitUntilServing(timeoutMs: number): Promise<ReadonlyMap<number, string>>;
  /** SIGTERM every live member, SIGKILL after the grace; resolves once all have exited. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL every live member now. */
  killAll(): void;
  /** Resolves when every member has exited, for whatever reason. */
  readonly allExited: Promise<void>;
}

const READY_TIMEOUT_MS_DEFAULT = 120_000;
const STOP_GRACE_MS_DEFAULT = 10_000;
const KILL_WAIT_MS = 5_000;
const POLL_MS = 250;
const SRVR_TIMEOUT_MS = 1_000;

/** Creates each member's dirs, (re)writes zoo.cfg, writes myid unless present; refuses a wrong myid. */
export function writeEnsembleFiles(plan: EnsemblePlan): void {
  for (const member of plan.members) {
    mkdirSync(member.dataDir, { recursive: true });
    const myidPath = join(member.dataDir, 'myid');
    if (existsSync(myidPath)) {
      const existing = readFileSync(myidPath, 'utf8').trim();
      if (existing !== String(member.id)) {
        throw new EnsembleOptionError(`${myidPath} says ${JSON.stringify(existing)}, expected ${member.id}: not this ensemble's data`);
      }
    } else {
      writeFileSync(myidPath, `${member.id}\n`);
    }
    writeFileSync(member.cfgPath, member.cfgText);
  }
}

/** The default member command: this CLI's own entry point, under the same node flags (minus inspectors). */
function defaultServerCommand(cfgPath: string): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const main = fileURLToPath(new URL(`./main${extname(here)}`, import.meta.url));
  const flags = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
  return { command: process.execPath, args: [...flags, main, 'server', cfgPath] };
}

/** Sends `srvr` and returns the Mode line's value, or null (no answer, not serving). */
export function srvrMode(host: string, port: number, timeoutMs = SRVR_TIMEOUT_MS): Promise<string | null> {
  return new Promise((resolvePromise) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
    const done = (mode: string | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(mode);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('connect', () => socket.write('srvr'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => done(null));
    socket.on('close', () => done(/^Mode: (\S+)/m.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? null));
  });
}

/** Copies a child's stream to `sink` line by line, each line prefixed. */
function prefixLines(stream: NodeJS.ReadableStream, prefix: string, sink: NodeJS.WritableStream): void {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => sink.write(`${prefix} ${line}\n`));
}

/** Spawns every member of a written plan. */
export function startLocalEnsemble(plan: EnsemblePlan, options: LocalEnsembleOptions = {}): LocalEnsemble {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const serverCommand = options.serverCommand ?? defaultServerCommand;
  const stopGraceMs = options.stopGraceMs ?? STOP_GRACE_MS_DEFAULT;

  const children = plan.members.map((member) => {
    const { command, args } = serverCommand(member.cfgPath);
    // The caller's cwd, not the member dir: a relative loader flag (--import tsx) resolves from it.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = `[server.${member.id}]`;
    child.on('error', (e) => err.write(`${prefix} could not start: ${e.message}\n`));
    child.on('exit', (code, signal) => out.write(`${prefix} exited (${signal ?? `code ${code}`})\n`));
    prefixLines(child.stdout!, prefix, out);
    prefixLines(child.stderr!, prefix, err);
    return { member, child };
  });
  const allExited = Promise.all(
    children.map(({ child }) => new Promise<void>((r) => (hasExited(child) ? r() : child.once('close', () => r())))),
  ).then(() => undefined);

  const killAll = (): void => {
    for (const { child } of children) if (!hasExited(child)) child.kill('SIGKILL');
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const { child } of children) if (!hasExited(child)) child.kill('SIGTERM');
      const graceful = await Promise.all(children.map(({ child }) => waitForExit(child, stopGraceMs)));
      if (graceful.every(Boolean)) return;
      killAll();
      const killed = await Promise.all(children.map(({ child }) => waitForExit(child, KILL_WAIT_MS)));
      const left = children.filter((_, i) => !killed[i]).map(({ member }) => `server.${member.id}`);
      if (left.length > 0) throw new Error(`${left.join(', ')} still running after SIGKILL`);
    })();
    return stopping;
  };

  const waitUntilServing = async (timeoutMs: number): Promise<ReadonlyMap<number, string>> => {
    const deadline = Date.now() + timeoutMs;
    const modes = new Map<number, string>();
    for (;;) {
      const gone = children.find(({ child }) => hasExited(child));
      if (gone !== undefined) throw new Error(`server.${gone.member.id} exited before the ensemble was up`);
      const pending = children.filter(({ member }) => !modes.has(member.id));
      const answers = await Promise.all(pending.map(({ member }) => srvrMode(plan.host, member.clientPort)));
      pending.forEach(({ member }, i) => {
        const mode = answers[i];
        if (mode !== null && mode !== undefined) modes.set(member.id, mode);
      });
      if (modes.size === children.length) {
        // Re-read all at the end: a member that answered early may have changed role since.
        const final = await Promise.all(children.map(({ member }) => srvrMode(plan.host, member.clientPort)));
        if (final.every((m) => m !== null)) return new Map(children.map(({ member }, i) => [member.id, final[i]!]));
        modes.clear();
      }
      if (Date.now() > deadline) {
        const missing = plan.members.filter((m) => !modes.has(m.id)).map((m) => `server.${m.id}`);
        throw new Error(`not serving after ${timeoutMs} ms: ${missing.join(', ')}`);
      }
      await sleep(POLL_MS);
    }
  };

  return {
    plan,
    pids: children.map(({ child }) => child.pid ?? -1),
    waitUntilServing,
    stop,
    killAll,
    allExited,
  };
}

function describeMember(m: EnsembleMemberPlan): string {
  return `server.${m.id}: client ${m.clientPort}, quorum ${m.quorumPort}, election ${m.electionPort}, ${m.cfgPath}`;
}

/** The `zkts ensemble` command. Exits the process: 0 after a clean stop, 1 on failure, 2 on bad options. */
export async function runEnsembleCommand(options: EnsembleCommandOptions): Promise<void> {
  let plan: EnsemblePlan;
  let readyTimeoutMs: number;
  try {
    plan = planEnsemble({
      size: parseIntegerOption('size', options.size, 1, Number.MAX_SAFE_INTEGER),
      dir: resolve(options.dir ?? ENSEMBLE_DIR_DEFAULT),
      basePort: parseIntegerOption('base-port', options.basePort ?? ENSEMBLE_BASE_PORT_DEFAULT, 1, 65535),
      host: options.host ?? ENSEMBLE_HOST_DEFAULT,
    });
    readyTimeoutMs = parseIntegerOption('ready-timeout-ms', options.readyTimeoutMs ?? READY_TIMEOUT_MS_DEFAULT, 1, 24 * 3600_000);
    writeEnsembleFiles(plan);
  } catch (e) {
    if (e instanceof EnsembleOptionError) {
      console.error(`zkts ensemble: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }

  console.log(`zkts ensemble: starting ${plan.members.length} servers`);
  for (const member of plan.members) console.log(`  ${describeMember(member)}`);
  const ensemble = startLocalEnsemble(plan);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      console.log(`zkts ensemble: ${signal} again, killing the servers`);
      ensemble.killAll();
      return;
    }
    console.log(`zkts ensemble: ${signal}, stopping the servers`);
    ensemble.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`zkts ensemble: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const modes = await ensemble.waitUntilServing(readyTimeoutMs);
    if (signals > 0) return; // stopping already
    const roles = [...modes].map(([id, mode]) => `server.${id} ${mode}`).join(', ');
    console.log(`zkts ensemble: all ${modes.size} servers serving (${roles}). Connect string:`);
    console.log(plan.connectString);
    console.log('zkts ensemble: Ctrl-C stops the ensemble');
  } catch (e) {
    if (signals > 0) return;
    console.error(`zkts ensemble: ${(e as Error).message}; stopping`);
    await ensemble.stop().catch((stopError: unknown) => console.error(`zkts ensemble: ${(stopError as Error).message}`));
    process.exit(1);
  }

  await ensemble.allExited;
  if (signals === 0) {
    console.error('zkts ensemble: every server has exited');
    process.exit(1);
  }
}
