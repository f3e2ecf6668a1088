// Starts the zkts server the way an operator would replace Apache ZooKeeper: the same zoo.cfg,
// run as `node <repo>/dist/cli/main.js server <zoo.cfg>`. `npm test` builds dist first; when
// running test files directly, run `npm run build` (or point ZKTS_MAIN at another entry point).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, prepareConfig, type Server, type StartOptions } from './server-process.js';

export type { Server, StartOptions } from './server-process.js';

/** The repository root (this file is test/support/zkts-server.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The CLI entry point that serves a zoo.cfg. */
export function zktsMainPath(): string {
  return process.env['ZKTS_MAIN'] ?? fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
}

/** Starts zkts on a free loopback port; resolves once it answers imok. */
export async function startZkts(opts: StartOptions = {}): Promise<Server> {
  const main = zktsMainPath();
  if (!existsSync(main)) {
    throw new Error(`zkts entry point ${main} not found: run \`npm run build\` first (npm test does it)`);
  }
  const cfg = await prepareConfig('zkts', opts.extraCfg);
  return launch('zkts', process.execPath, [main, 'server', cfg.cfgPath], cfg, opts.readyTimeoutMs);
}
