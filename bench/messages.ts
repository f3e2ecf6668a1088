// Messages between the benchmark's main thread (load.ts) and its load workers (worker.ts).
// Invariant: a worker answers every command with exactly one reply (the command's `done` kind or
// `error`), so the main thread can wait for each with a bound.
import type { BenchOp } from './options.js';
import type { PhaseTally } from './pipeline.js';

export type WorkerCommand =
  | {
      readonly kind: 'connect';
      /** Session i connects to endpoints[i % endpoints.length]. */
      readonly endpoints: ReadonlyArray<{ readonly host: string; readonly port: number }>;
      /** Global indexes of the sessions this worker owns (they name the sessions' nodes). */
      readonly sessionIndexes: readonly number[];
      readonly rootPath: string;
      readonly depth: number;
      readonly dataBytes: number;
      readonly timeoutMs: number;
    }
  | {
      readonly kind: 'phase';
      readonly op: BenchOp;
      readonly warmupMs: number;
      /** Duration mode; null in ops mode. */
      readonly durationMs: number | null;
      /** Ops mode: measured requests per owned session (same order as sessionIndexes). */
      readonly quotas: readonly number[] | null;
      readonly timeoutMs: number;
    }
  | { readonly kind: 'close'; readonly timeoutMs: number };

export type WorkerReply =
  | { readonly kind: 'connected' }
  | {
      readonly kind: 'phaseDone';
      readonly tally: PhaseTally;
      /** Latencies (ms) of every measured request; transferred, not copied. */
      readonly latencies: Float64Array;
    }
  | { readonly kind: 'closed' }
  | { readonly kind: 'error'; readonly message: string };

/** The node each session reads and writes in setData/getData/exists, and its create prefix. */
export function sessionNodePath(rootPath: string, sessionIndex: number): string {
  return `${rootPath}/n${sessionIndex}`;
}

export function sessionCreatePrefix(rootPath: string, sessionIndex: number): string {
  return `${rootPath}/c${sessionIndex}-`;
}
