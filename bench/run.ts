// `npm run bench`: measures create, setData, getData and exists against Apache ZooKeeper 3.8 and
// zkts in the same run, one server after the other (never both at once: the machine is small),
// each on a free loopback port with a fresh temp dataDir and the same zoo.cfg, and prints ops/s,
// p50/p99 latency and the zkts/Apache ratios. See bench/README.md for flags and method.
// Invariants: every wait is bounded; a server that fails to start has its log printed and the run
// exits non-zero; each server is stopped by pid before the next starts; a run with any error reply
// or failed phase is reported INVALID and exits 1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApacheZk } from '../test/support/apache-zk.js';
import { REPO_ROOT, startZkts } from '../test/support/zkts-server.js';
import type { Server } from '../test/support/server-process.js';
import { startEnsemble } from '../test/support/ensemble.js';
import { OPEN_ACL_UNSAFE } from '../src/proto/index.js';
import { ensureBuilt } from './build.js';
import { LoadPool } from './load.js';
import { parseBenchOptions, USAGE, UsageError, type BenchOptions, type BenchServer } from './options.js';
import { RawSession } from './raw-session.js';
import { failedRow, formatTables, ratioRows, reportJson, resultRow, type ResultRow } from './report.js';

const ROOT_PATH = '/zkts-bench';
const READY_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;
const DRAIN_TIMEOUT_MS = 30_000;
const OPS_MODE_TIMEOUT_MS = 600_000;

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** What the load runs against: one standalone server, or an ensemble's members. */
interface BenchTarget {
  readonly endpoints: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly description: string;
  readLog(): string;
  stop(): Promise<void>;
}

function standaloneTarget(server: Server): BenchTarget {
  return {
    endpoints: [{ host: server.host, port: server.port }],
    description: `pid ${server.pid} on ${server.connectString}, dataDir ${server.dataDir}`,
    readLog: () => server.readLog(),
    stop: () => server.stop(),
  };
}

async function startTarget(kind: BenchServer, opts: BenchOptions): Promise<BenchTarget> {
  if (kind === 'mixed' && opts.ensembleSize === 0) throw new Error('--servers mixed needs --ensemble N');
  if (opts.ensembleSize === 0) return standaloneTarget(await startServer(kind === 'mixed' ? 'zkts' : kind, opts));
  const kinds = Array.from({ length: opts.ensembleSize }, (_, i) => (kind === 'mixed' ? (i % 2 === 0 ? 'zkts' : 'apache') : kind));
  const ensemble = await withCpuProfiler(opts, () => startEnsemble({ size: opts.ensembleSize, kinds, tickTimeMs: 2000, initLimit: 10, syncLimit: 5 }));
  return {
    endpoints: ensemble.members.map((m) => ({ host: m.host, port: m.clientPort })),
    description: `ensemble of ${kinds.join(', ')} (pids ${ensemble.members.map((m) => m.pid).join(', ')}) on ${ensemble.connectString}`,
    readLog: () => ensemble.members.map((m) => `--- server.${m.id} ---\n${m.readLog().split('\n').slice(-15).join('\n')}`).join('\n'),
    stop: () => ensemble.stop(),
  };
}

async function startServer(kind: 'apache' | 'zkts', opts: BenchOptions): Promise<Server> {
  if (kind === 'apache') return startApacheZk({ readyTimeoutMs: READY_TIMEOUT_MS });
  return withCpuProfiler(opts, () => startZkts({ readyTimeoutMs: READY_TIMEOUT_MS }));
}

/**
 * Runs `start` so that the zkts processes it spawns run the CPU profiler when --zkts-cpu-prof is
 * given: the launchers take no node flags and node refuses --cpu-prof in NODE_OPTIONS, so each
 * child preloads a hook that runs the profiler (children inherit this environment at spawn time;
 * Apache's JVMs ignore it).
 */
async function withCpuProfiler<T>(opts: BenchOptions, start: () => Promise<T>): Promise<T> {
  if (opts.zktsCpuProfDir === null) return start();
  const dir = resolve(opts.zktsCpuProfDir);
  mkdirSync(dir, { recursive: true });
  const hook = fileURLToPath(new URL('./cpu-profile-hook.mjs', import.meta.url));
  const saved = process.env['NODE_OPTIONS'];
  process.env['NODE_OPTIONS'] = `${saved ?? ''} --import ${hook}`.trim();
  process.env['ZKTS_BENCH_CPU_PROF_DIR'] = dir;
  try {
    return await start();
  } finally {
    if (saved === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = saved;
    delete process.env['ZKTS_BENCH_CPU_PROF_DIR'];
  }
}

/**
 * Connects a throwaway session, retrying for a bound: Apache answers `ruok` before its database
 * is loaded and closes sessions until then ("ZooKeeperServer not running").
 */
async function connectWhenServing(server: BenchTarget): Promise<RawSession> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const { host, port } = server.endpoints[0]!;
  for (;;) {
    try {
      return await RawSession.connect(host, port, CONNECT_TIMEOUT_MS);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Creates the parent of every benchmark node with a throwaway session. */
async function createRoot(server: BenchTarget): Promise<void> {
  const session = await connectWhenServing(server);
  try {
    const header = await session.call({ op: 'create', path: ROOT_PATH, data: null, acl: OPEN_ACL_UNSAFE, flags: 0 }, CONNECT_TIMEOUT_MS);
    if (header.err !== 0) throw new Error(`creating ${ROOT_PATH} failed with err ${header.err}`);
  } finally {
    await session.close(CLOSE_TIMEOUT_MS);
  }
}

function logTail(server: BenchTarget, lines: number): string {
  return server.readLog().split('\n').slice(-lines).join('\n');
}

/** Runs every op against one running server; failures become invalid rows plus a message. */
async function benchServer(kind: BenchServer, server: BenchTarget, opts: BenchOptions, failures: string[]): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  await createRoot(server);
  const pool = await LoadPool.open({
    endpoints: server.endpoints,
    rootPath: ROOT_PATH,
    sessions: opts.sessions,
    depth: opts.depth,
    dataBytes: opts.dataBytes,
    workers: opts.workers,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
  try {
    for (const [i, op] of opts.ops.entries()) {
      const warmupMs = opts.warmupSeconds * 1000;
      const durationMs = opts.opsTotal === null ? opts.seconds * 1000 : null;
      try {
        const outcome = await pool.runPhase({
          op,
          warmupMs,
          durationMs,
          opsTotal: opts.opsTotal,
          timeoutMs: warmupMs + (durationMs === null ? OPS_MODE_TIMEOUT_MS : durationMs + DRAIN_TIMEOUT_MS),
        });
        const row = resultRow(op, kind, outcome);
        rows.push(row);
        log(`${kind} ${op}: ${row.opsPerSec.toFixed(0)} ops/s, p50 ${row.p50Ms.toFixed(3)} ms, p99 ${row.p99Ms.toFixed(3)} ms, ${row.errors} errors`);
      } catch (err) {
        failures.push(`${kind} ${op}: ${(err as Error).message}`);
        log(`${kind} ${op} FAILED: ${(err as Error).message}\n--- ${kind} log (tail) ---\n${logTail(server, 40)}`);
        // The sessions are in an unknown state after a failed phase: skip this server's other ops.
        for (const rest of opts.ops.slice(i)) rows.push(failedRow(rest, kind));
        break;
      }
    }
  } finally {
    await pool.close(CLOSE_TIMEOUT_MS).catch((err: Error) => log(`closing sessions on ${kind}: ${err.message}`));
  }
  return rows;
}

async function main(): Promise<number> {
  let opts: BenchOptions | null;
  try {
    opts = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts === null) {
    console.log(USAGE);
    return 0;
  }
  if ((opts.servers.includes('zkts') || opts.servers.includes('mixed')) && opts.build) ensureBuilt(REPO_ROOT, log);
  const mode = opts.opsTotal === null ? `${opts.seconds} s per op` : `${opts.opsTotal} requests per op`;
  log(`${opts.sessions} sessions x depth ${opts.depth}, ${opts.workers} load workers, ${mode}, ${opts.warmupSeconds} s warm-up, ${opts.dataBytes}-byte data`);

  const startedAt = new Date().toISOString();
  const loadAvgBefore = loadavg();
  const cpuCount = cpus().length;
  if (loadAvgBefore[0]! > cpuCount) {
    log(`warning: load average ${loadAvgBefore[0]!.toFixed(1)} on ${cpuCount} CPUs: other work competes with the servers; figures will be noisy`);
  }
  const rows: ResultRow[] = [];
  const failures: string[] = [];
  for (const kind of opts.servers) {
    let server: BenchTarget;
    try {
      server = await startTarget(kind, opts);
    } catch (err) {
      // The launcher's message carries the server's log.
      console.error(`${kind} server failed to start:\n${(err as Error).message}`);
      return 1;
    }
    log(`${kind} started: ${server.description}`);
    try {
      rows.push(...(await benchServer(kind, server, opts, failures)));
    } catch (err) {
      failures.push(`${kind}: ${(err as Error).message}`);
      log(`${kind} FAILED: ${(err as Error).message}\n--- ${kind} log (tail) ---\n${logTail(server, 40)}`);
      for (const op of opts.ops) if (!rows.some((r) => r.op === op && r.server === kind)) rows.push(failedRow(op, kind));
    } finally {
      await server.stop();
      log(`${kind} stopped`);
    }
  }

  rows.sort((a, b) => opts.ops.indexOf(a.op) - opts.ops.indexOf(b.op) || opts.servers.indexOf(a.server) - opts.servers.indexOf(b.server));
  const ratios = ratioRows(rows, opts.ops);
  const valid = failures.length === 0 && rows.every((r) => r.valid);
  console.log(formatTables(rows, ratios));
  if (!valid) console.log(`\nINVALID RUN:\n${failures.map((f) => `  ${f}`).join('\n') || '  error replies (see the errors column)'}`);
  const loadAvgAfter = loadavg();
  console.log(`load average (1/5/15 min) before ${loadAvgBefore.map((l) => l.toFixed(1)).join('/')}, after ${loadAvgAfter.map((l) => l.toFixed(1)).join('/')} on ${cpuCount} CPUs`);
  const json = reportJson({
    startedAt, node: process.version, cpus: cpuCount, loadAvgBefore, loadAvgAfter, options: opts, results: rows, ratios, valid, failures,
  });
  if (opts.jsonPath === '-') console.log(json);
  else if (opts.jsonPath !== null) {
    writeFileSync(opts.jsonPath, `${json}\n`);
    log(`JSON written to ${opts.jsonPath}`);
  }
  return valid ? 0 : 1;
}

// Ctrl-C: exit through process.exit so the launcher's exit hook kills any running server.
process.on('SIGINT', () => process.exit(130));
// Exit explicitly so a stray handle cannot keep a finished run alive.
process.exit(await main());
