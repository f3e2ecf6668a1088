// Benchmark settings from command-line flags, falling back to BENCH_* environment variables, then
// to defaults. Invariant: every numeric setting is a positive finite number (integers where a
// count is meant); anything else is a usage error thrown before a server is started.
import { parseArgs } from 'node:util';

export const BENCH_OPS = ['create', 'setData', 'getData', 'exists'] as const;
export type BenchOp = (typeof BENCH_OPS)[number];

/** 'mixed' (only with --ensemble): members alternate zkts, apache, zkts, ... (server.N with the highest id, zkts for odd N, leads a fresh ensemble). */
export const BENCH_SERVERS = ['apache', 'zkts', 'mixed'] as const;
export type BenchServer = (typeof BENCH_SERVERS)[number];

export interface BenchOptions {
  /** Concurrent ZooKeeper sessions (connections), split across the load workers. */
  readonly sessions: number;
  /** Requests outstanding per session (pipelining depth). */
  readonly depth: number;
  /** Measured seconds per op per server (ignored when `opsTotal` is set). */
  readonly seconds: number;
  /** Measured requests per op per server, split across sessions; null = duration mode. */
  readonly opsTotal: number | null;
  /** Unmeasured seconds of the same workload before each measurement. */
  readonly warmupSeconds: number;
  /** Payload bytes for create and setData. */
  readonly dataBytes: number;
  /** worker_threads running the load generator. */
  readonly workers: number;
  readonly ops: readonly BenchOp[];
  readonly servers: readonly BenchServer[];
  /** Where to write the JSON result; null = none, '-' = stdout. */
  readonly jsonPath: string | null;
  /** Skip the dist freshness check / build. */
  readonly build: boolean;
  /** When set, the zkts server is CPU-profiled (cpu-profile-hook.mjs) into this directory. */
  readonly zktsCpuProfDir: string | null;
  /** 0: one standalone server per kind; N: an ensemble of N members per kind, sessions spread over them. */
  readonly ensembleSize: number;
}

export const USAGE = `usage: npm run bench -- [flags]
  --sessions N         concurrent sessions (default 8, env BENCH_SESSIONS)
  --depth N            outstanding requests per session (default 32, env BENCH_DEPTH)
  --seconds S          measured seconds per op per server (default 5, env BENCH_SECONDS)
  --ops N              measure a fixed number of requests instead of a duration (env BENCH_OPS)
  --warmup-seconds S   warm-up before each measurement (default 1, env BENCH_WARMUP_SECONDS)
  --data-bytes N       payload size for create/setData (default 100, env BENCH_DATA_BYTES)
  --workers N          load-generator worker threads (default 2, env BENCH_WORKERS)
  --only LIST          ops to run, comma-separated (default create,setData,getData,exists)
  --servers LIST       servers to run, comma-separated: apache, zkts, mixed (default apache,zkts;
                       mixed needs --ensemble: members alternate zkts and apache)
  --json PATH          also write the results as JSON to PATH ('-' = stdout)
  --no-build           do not rebuild dist/ even if it is older than src/
  --zkts-cpu-prof DIR  profile the zkts server (V8 CPU profiler), .cpuprofile written into DIR
  --ensemble N         run each kind as an ensemble of N servers (sessions spread over the members)
                       instead of one standalone server (env BENCH_ENSEMBLE)
  --help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function numberSetting(flag: string | undefined, envName: string, fallback: number, integer: boolean): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`${envName.replace('BENCH_', '').toLowerCase()}: expected a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function listSetting<T extends string>(raw: string | undefined, allowed: readonly T[], what: string): readonly T[] {
  if (raw === undefined || raw === '') return allowed;
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new UsageError(`unknown ${what} ${JSON.stringify(item)} (expected one of ${allowed.join(', ')})`);
    }
  }
  // Keep the canonical order so tables always read the same way.
  return allowed.filter((a) => items.includes(a));
}

/** Parses argv (without node and script). @throws UsageError. Returns null when --help was asked. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        sessions: { type: 'string' },
        depth: { type: 'string' },
        seconds: { type: 'string' },
        ops: { type: 'string' },
        'warmup-seconds': { type: 'string' },
        'data-bytes': { type: 'string' },
        workers: { type: 'string' },
        only: { type: 'string' },
        servers: { type: 'string' },
        json: { type: 'string' },
        'no-build': { type: 'boolean' },
        'zkts-cpu-prof': { type: 'string' },
        ensemble: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) return null;
  const opsRaw = v.ops ?? process.env['BENCH_OPS'];
  const sessions = numberSetting(v.sessions, 'BENCH_SESSIONS', 8, true);
  const workers = Math.min(numberSetting(v.workers, 'BENCH_WORKERS', 2, true), sessions);
  const ensembleRaw = v.ensemble ?? process.env['BENCH_ENSEMBLE'] ?? '';
  const ensembleSize = ensembleRaw === '' ? 0 : numberSetting(ensembleRaw, 'BENCH_ENSEMBLE', 3, true);
  const servers = v.servers === undefined || v.servers === '' ? (['apache', 'zkts'] as const) : listSetting(v.servers, BENCH_SERVERS, 'server');
  if (servers.includes('mixed') && ensembleSize === 0) throw new UsageError('--servers mixed needs --ensemble N');
  return {
    sessions,
    depth: numberSetting(v.depth, 'BENCH_DEPTH', 32, true),
    seconds: numberSetting(v.seconds, 'BENCH_SECONDS', 5, false),
    opsTotal: opsRaw === undefined || opsRaw === '' ? null : numberSetting(opsRaw, 'BENCH_OPS', 1, true),
    warmupSeconds: numberSetting(v['warmup-seconds'], 'BENCH_WARMUP_SECONDS', 1, false),
    dataBytes: numberSetting(v['data-bytes'], 'BENCH_DATA_BYTES', 100, true),
    workers,
    ops: listSetting(v.only, BENCH_OPS, 'op'),
    servers,
    jsonPath: v.json ?? null,
    build: v['no-build'] !== true,
    zktsCpuProfDir: v['zkts-cpu-prof'] ?? null,
    ensembleSize,
  };
}
