// Makes sure dist/ (what the zkts server runs) is built from the current src/: rebuilds with tsc
// when dist/cli/main.js is missing or older than any file under src/.
// Invariants: the build is bounded in time; tsc still emits JavaScript when it reports type errors
// (noEmitOnError is off), so type errors elsewhere in a tree under construction are a warning, but
// a missing entry point after the build is fatal.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const BUILD_TIMEOUT_MS = 300_000;

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtimeMs(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Why dist needs a build, or null when it is fresh. */
export function distStaleness(repoRoot: string): string | null {
  const main = join(repoRoot, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) return 'dist/cli/main.js is missing';
  const srcMs = newestMtimeMs(join(repoRoot, 'src'));
  return srcMs > statSync(main).mtimeMs ? 'src/ is newer than dist/' : null;
}

/** Builds dist if stale; logs to stderr. @throws when the build leaves no entry point. */
export function ensureBuilt(repoRoot: string, log: (line: string) => void): void {
  const why = distStaleness(repoRoot);
  if (why === null) return;
  log(`building zkts (${why}): tsc -p tsconfig.json`);
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  if (result.error !== undefined) throw new Error(`build failed: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout}${result.stderr}`.trim().split('\n');
    log(`warning: tsc exited with ${result.status}; using the JavaScript it emitted. First errors:`);
    for (const line of output.slice(0, 10)) log(`  ${line}`);
  }
  if (!existsSync(join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('build produced no dist/cli/main.js');
}
