// Chooses which servers the interop tests run against. ZKTS_TARGETS (comma list of `apache`,
// `zkts`; default both) drives the per-target loops; DIFF_PAIR (two kinds, default
// `apache,zkts`) names the reference and candidate servers of the differential test.
import { startApacheZk } from './apache-zk.js';
import type { Server, StartOptions, TargetKind } from './server-process.js';
import { startZkts } from './zkts-server.js';

export type { Server, StartOptions, TargetKind } from './server-process.js';

const KINDS: readonly TargetKind[] = ['apache', 'zkts'];

function parseKinds(envName: string, raw: string): TargetKind[] {
  const kinds = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const k of kinds) {
    if (!(KINDS as readonly string[]).includes(k)) {
      throw new Error(`${envName}: unknown target ${JSON.stringify(k)} (expected ${KINDS.join(' or ')})`);
    }
  }
  return kinds as TargetKind[];
}

/** Targets from ZKTS_TARGETS, default ['apache', 'zkts']. */
export function targetKinds(): TargetKind[] {
  const kinds = parseKinds('ZKTS_TARGETS', process.env['ZKTS_TARGETS'] ?? 'apache,zkts');
  if (kinds.length === 0) throw new Error('ZKTS_TARGETS names no target');
  return kinds;
}

/** [reference, candidate] from DIFF_PAIR, default apache,zkts. apache,apache checks the harness. */
export function diffPair(): [TargetKind, TargetKind] {
  const kinds = parseKinds('DIFF_PAIR', process.env['DIFF_PAIR'] ?? 'apache,zkts');
  const [a, b] = kinds;
  if (kinds.length !== 2 || a === undefined || b === undefined) {
    throw new Error(`DIFF_PAIR must name exactly two targets, got ${JSON.stringify(process.env['DIFF_PAIR'])}`);
  }
  return [a, b];
}

/** Starts a server of the given kind. */
export function startTarget(kind: TargetKind, opts: StartOptions = {}): Promise<Server> {
  return kind === 'apache' ? startApacheZk(opts) : startZkts(opts);
}
