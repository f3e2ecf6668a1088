// Runs node's test runner over the test folders named on the command line (unit, integration,
// interop, ...). Node 20's --test does not expand globs itself, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function testFiles(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(testFiles(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

// `--targets zkts` limits tests that loop over servers (ZKTS_TARGETS) to zkts, so `npm test` needs
// nothing but Node; `npm run test:interop` runs them against Apache ZooKeeper as well.
const args = process.argv.slice(2);
const targetsAt = args.indexOf('--targets');
const env = { ...process.env };
if (targetsAt >= 0) {
  env.ZKTS_TARGETS = args[targetsAt + 1];
  args.splice(targetsAt, 2);
}
const folders = args;
const files = folders.flatMap((f) => testFiles(join('test', f))).sort();
if (files.length === 0) {
  console.error('no test files found in', folders.join(', '));
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
