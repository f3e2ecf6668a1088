// The main thread's side of the load generator: starts the worker threads, splits the sessions
// (and, in ops mode, the request quota) across them, runs each phase on all workers at once and
// merges their tallies and latencies.
// Invariants: every wait for a worker is bounded; a worker error or exit rejects the wait;
// close() always terminates the threads, even after a failure.
import { Worker } from 'node:worker_threads';
import type { BenchOp } from './options.js';
import type { WorkerCommand, WorkerReply } from './messages.js';

const WORKER_URL = new URL('./worker.ts', import.meta.url);
// Node 20 does not apply the parent's `--import tsx` hooks to a worker's entry module, so the
// worker starts as a tiny script that loads worker.ts through tsx's API.
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => tsx.tsImport(${JSON.stringify(WORKER_URL.href)}, ${JSON.stringify(WORKER_URL.href)}))`;

export interface LoadSettings {
  /** Session i connects to endpoints[i % endpoints.length] (one server, or an ensemble's members). */
  readonly endpoints: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  readonly rootPath: string;
  readonly sessions: number;
  readonly depth: number;
  readonly dataBytes: number;
  readonly workers: number;
  readonly connectTimeoutMs: number;
}

export interface PhaseSettings {
  readonly op: BenchOp;
  readonly warmupMs: number;
  /** Duration mode when non-null; otherwise opsTotal is used. */
  readonly durationMs: number | null;
  readonly opsTotal: number | null;
  readonly timeoutMs: number;
}

/** A phase's merged outcome across workers. */
export interface PhaseOutcome {
  readonly measured: number;
  readonly errors: number;
  readonly firstErrorCode: number;
  /** From the first measured send to the last measured reply, over all workers. */
  readonly elapsedMs: number;
  /** Latencies (ms) of every measured request, sorted ascending. */
  readonly latenciesSorted: Float64Array;
}

/** Splits `total` into `parts` near-equal integers (the first ones get the remainder). */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

class WorkerLink {
  private waiting: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  constructor(readonly worker: Worker, readonly sessionIndexes: readonly number[]) {
    worker.on('message', (reply: WorkerReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.resolve(reply);
    });
    const die = (err: Error): void => {
      this.dead ??= err;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(err);
    };
    worker.on('error', die);
    worker.on('exit', (code) => die(new Error(`load worker exited with code ${code}`)));
  }

  /** Sends `cmd` and resolves with the worker's reply; rejects on error reply, exit or timeout. */
  ask(cmd: WorkerCommand, timeoutMs: number): Promise<WorkerReply> {
    if (this.dead !== null) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new Error(`load worker gave no answer to ${cmd.kind} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        resolve: (r) => {
          clearTimeout(timer);
          if (r.kind === 'error') reject(new Error(r.message));
          else resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.worker.postMessage(cmd);
    });
  }
}

export class LoadPool {
  private constructor(
    private readonly links: readonly WorkerLink[],
    private readonly settings: LoadSettings,
  ) {}

  /** Starts the workers and connects every session (each creates its own node under rootPath). */
  static async open(settings: LoadSettings): Promise<LoadPool> {
    const perWorker = splitEvenly(settings.sessions, settings.workers);
    let next = 0;
    const links = perWorker.map((count) => {
      const indexes = Array.from({ length: count }, () => next++);
      return new WorkerLink(new Worker(WORKER_BOOTSTRAP, { eval: true }), indexes);
    });
    const pool = new LoadPool(links, settings);
    try {
      await Promise.all(
        links.map((link) =>
          link.ask(
            {
              kind: 'connect',
              endpoints: settings.endpoints,
              sessionIndexes: link.sessionIndexes,
              rootPath: settings.rootPath,
              depth: settings.depth,
              dataBytes: settings.dataBytes,
              timeoutMs: settings.connectTimeoutMs,
            },
            settings.connectTimeoutMs * 2,
          ),
        ),
      );
    } catch (err) {
      await pool.terminate();
      throw err;
    }
    return pool;
  }

  /** Runs one phase on every worker at once and merges the results. */
  async runPhase(phase: PhaseSettings): Promise<PhaseOutcome> {
    const quotas = phase.opsTotal === null ? null : splitEvenly(phase.opsTotal, this.settings.sessions);
    const replies = await Promise.all(
      this.links.map((link) =>
        link.ask(
          {
            kind: 'phase',
            op: phase.op,
            warmupMs: phase.warmupMs,
            durationMs: phase.durationMs,
            quotas: quotas === null ? null : link.sessionIndexes.map((i) => quotas[i] ?? 0),
            timeoutMs: phase.timeoutMs,
          },
          phase.timeoutMs + 5_000,
        ),
      ),
    );
    let measured = 0;
    let errors = 0;
    let firstErrorCode = 0;
    let startAbsMs = Infinity;
    let endAbsMs = -Infinity;
    const parts: Float64Array[] = [];
    for (const r of replies) {
      if (r.kind !== 'phaseDone') throw new Error(`unexpected worker reply ${r.kind}`);
      measured += r.tally.measured;
      if (firstErrorCode === 0) firstErrorCode = r.tally.firstErrorCode;
      errors += r.tally.errors;
      startAbsMs = Math.min(startAbsMs, r.tally.firstMeasuredSendAbsMs);
      endAbsMs = Math.max(endAbsMs, r.tally.lastMeasuredReplyAbsMs);
      parts.push(r.latencies);
    }
    const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    all.sort();
    return { measured, errors, firstErrorCode, elapsedMs: measured === 0 ? 0 : endAbsMs - startAbsMs, latenciesSorted: all };
  }

  /** Closes the sessions (bounded), then terminates the threads. */
  async close(timeoutMs: number): Promise<void> {
    try {
      await Promise.all(this.links.map((link) => link.ask({ kind: 'close', timeoutMs }, timeoutMs + 2_000)));
    } finally {
      await this.terminate();
    }
  }

  private async terminate(): Promise<void> {
    await Promise.allSettled(this.links.map((link) => link.worker.terminate()));
  }
}
