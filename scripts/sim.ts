// `npm run sim -- --seeds N [--from S] [--faults net,conn,partition,crash,disk,clock|all|none]
//  [--seed S] [--lying-disk] [--voters N] [--verbose]`: runs simulation seeds (src/sim/runner.ts),
// prints every failure with the command that replays it, and a summary: seeds run, faults
// injected, virtual and real time per seed. Exits 1 if any seed failed.

import { parseArgs } from 'node:util';
import { parseFaultKinds } from '../src/sim/faults.js';
import { reproduceCommand, runSeed } from '../src/sim/runner.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '100' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    faults: { type: 'string', default: 'all' },
    'lying-disk': { type: 'boolean', default: false },
    voters: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const faults = parseFaultKinds(values.faults);
const seeds = values.seed !== undefined ? [Number(values.seed)] : Array.from({ length: Number(values.seeds) }, (_, i) => Number(values.from) + i);
const lyingDisk = values['lying-disk'];
const totals: Record<string, number> = {};
let failed = 0;
let virtualMs = 0;
let events = 0;
let committed = 0;
let clientOps = 0;
const started = performance.now();
for (const seed of seeds) {
  const t0 = performance.now();
  const r = runSeed({ seed, faults, lyingDisk, ...(values.voters !== undefined ? { voters: Number(values.voters) } : {}) });
  for (const [k, v] of Object.entries(r.faults)) totals[k] = (totals[k] ?? 0) + v;
  virtualMs += r.virtualMs;
  events += r.events;
  committed += r.committed;
  clientOps += r.clientOps;
  if (values.verbose || seeds.length === 1) {
    console.log(`seed ${seed}: ${r.ok ? 'ok' : 'FAIL'} voters=${r.voters}+${r.observers} committed=${r.committed} ops=${r.clientOps} events=${r.events} trace=${r.traceHash} ${(performance.now() - t0).toFixed(0)} ms faults=${JSON.stringify(r.faults)}`);
  }
  if (!r.ok) {
    failed++;
    console.log(`FAIL seed ${seed} (${r.phase}): ${r.failure}\n  reproduce: ${reproduceCommand(seed, faults, lyingDisk)}`);
  }
}
const wallMs = performance.now() - started;
console.log(`seeds run: ${seeds.length}, failed: ${failed}`);
console.log(`faults injected: ${JSON.stringify(totals)}`);
console.log(`txns committed: ${committed}, client ops: ${clientOps}, events: ${events}`);
console.log(`time per seed: ${(wallMs / seeds.length).toFixed(1)} ms real, ${(virtualMs / seeds.length / 1000).toFixed(1)} s virtual`);
process.exitCode = failed > 0 ? 1 : 0;
