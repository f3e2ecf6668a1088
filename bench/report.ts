// Turns phase outcomes into result rows, zkts/Apache ratios, a text table and a JSON document.
// Pure: no I/O. Invariants: a row with errors or no measured requests is marked invalid, and a
// ratio involving an invalid or missing row is null (printed as "n/a"), never a made-up number.
import type { BenchOp, BenchOptions, BenchServer } from './options.js';

export interface ResultRow {
  readonly op: BenchOp;
  readonly server: BenchServer;
  readonly measured: number;
  readonly errors: number;
  /** The first non-zero reply err seen (a ZooKeeper error code), 0 if none. */
  readonly firstErrorCode: number;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly valid: boolean;
}

export interface RatioRow {
  readonly op: BenchOp;
  /** The server compared with Apache (zkts, or a mixed ensemble). */
  readonly server: BenchServer;
  /** zkts ops/s ÷ Apache ops/s: above 1 means zkts is faster. */
  readonly throughputRatio: number | null;
  /** zkts p50 ÷ Apache p50: above 1 means zkts is slower. */
  readonly p50Ratio: number | null;
  readonly p99Ratio: number | null;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function resultRow(
  op: BenchOp,
  server: BenchServer,
  outcome: { measured: number; errors: number; firstErrorCode: number; elapsedMs: number; latenciesSorted: Float64Array },
): ResultRow {
  const { measured, errors, elapsedMs, latenciesSorted } = outcome;
  return {
    op,
    server,
    measured,
    errors,
    firstErrorCode: outcome.firstErrorCode,
    elapsedMs,
    opsPerSec: elapsedMs > 0 ? (measured * 1000) / elapsedMs : 0,
    p50Ms: percentile(latenciesSorted, 50),
    p99Ms: percentile(latenciesSorted, 99),
    maxMs: latenciesSorted.length === 0 ? NaN : latenciesSorted[latenciesSorted.length - 1]!,
    valid: errors === 0 && measured > 0 && elapsedMs > 0,
  };
}

/** A row that records a phase that could not run (server failed, timeout...). */
export function failedRow(op: BenchOp, server: BenchServer): ResultRow {
  return { op, server, measured: 0, errors: 0, firstErrorCode: 0, elapsedMs: 0, opsPerSec: 0, p50Ms: NaN, p99Ms: NaN, maxMs: NaN, valid: false };
}

function ratio(a: number, b: number): number | null {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : null;
}

/** One row per op and non-Apache server present (zkts always, as before), compared with Apache. */
export function ratioRows(rows: readonly ResultRow[], ops: readonly BenchOp[]): RatioRow[] {
  const others: BenchServer[] = rows.some((r) => r.server === 'mixed') ? ['zkts', 'mixed'] : ['zkts'];
  const compared = others.filter((server) => server === 'zkts' || rows.some((r) => r.server === server));
  return ops.flatMap((op) =>
    compared.map((server) => {
      const z = rows.find((r) => r.op === op && r.server === server);
      const a = rows.find((r) => r.op === op && r.server === 'apache');
      if (z === undefined || a === undefined || !z.valid || !a.valid) {
        return { op, server, throughputRatio: null, p50Ratio: null, p99Ratio: null };
      }
      return { op, server, throughputRatio: ratio(z.opsPerSec, a.opsPerSec), p50Ratio: ratio(z.p50Ms, a.p50Ms), p99Ratio: ratio(z.p99Ms, a.p99Ms) };
    }),
  );
}

function fmt(n: number | null, digits: number): string {
  return n === null || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
}

function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function formatTables(rows: readonly ResultRow[], ratios: readonly RatioRow[]): string {
  const results = table(
    ['op', 'server', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors', 'status'],
    rows.map((r) => [
      r.op,
      r.server,
      fmt(r.opsPerSec, 0),
      fmt(r.p50Ms, 3),
      fmt(r.p99Ms, 3),
      fmt(r.maxMs, 3),
      String(r.measured),
      r.errors === 0 ? '0' : `${r.errors} (err ${r.firstErrorCode})`,
      r.valid ? 'ok' : 'INVALID',
    ]),
  );
  const ratioTable = table(
    ['op', 'vs apache', 'ops/s x', 'p50 x', 'p99 x'],
    ratios.map((r) => [r.op, r.server, fmt(r.throughputRatio, 2), fmt(r.p50Ratio, 2), fmt(r.p99Ratio, 2)]),
  );
  return `${results}\n\nzkts/Apache ratios (ops/s x > 1: zkts faster; latency x > 1: zkts slower)\n${ratioTable}`;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly node: string;
  readonly cpus: number;
  /** os.loadavg() (1, 5, 15 min) before the first and after the last server: above `cpus`, the
   * machine was busy with other work and the figures are noisier. */
  readonly loadAvgBefore: readonly number[];
  readonly loadAvgAfter: readonly number[];
  readonly options: BenchOptions;
  readonly results: readonly ResultRow[];
  readonly ratios: readonly RatioRow[];
  /** True when every phase of every server ran without errors. */
  readonly valid: boolean;
  readonly failures: readonly string[];
}

/** JSON with NaN written as null (JSON has no NaN). */
export function reportJson(report: BenchReport): string {
  return JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2);
}
