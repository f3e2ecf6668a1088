// Decides which container and TTL nodes to delete (protocol.md §6.5): a container with no
// children that has had a child (or was never used for maxNeverUsedIntervalMs, when set); a TTL
// node with no children whose mtime is older than its TTL. Runs every checkIntervalMs and deletes
// at most maxPerMinute per minute. Pure: the time is passed in.

import type { Database } from './database.js';
import type { ServerCoreConfig } from './types.js';

export class ContainerReaper {
  private nextCheckMs: number;

  constructor(
    private readonly config: Pick<ServerCoreConfig, 'containerCheckIntervalMs' | 'containerMaxPerMinute' | 'containerMaxNeverUsedIntervalMs'>,
    startMs: number,
  ) {
    this.nextCheckMs = startMs + config.containerCheckIntervalMs;
  }

  /** Paths to delete now; empty between checks. */
  due(db: Database, nowMs: number): string[] {
    if (nowMs < this.nextCheckMs) return [];
    this.nextCheckMs = nowMs + this.config.containerCheckIntervalMs;
    const budget = Math.max(1, Math.floor((this.config.containerMaxPerMinute * this.config.containerCheckIntervalMs) / 60000));
    const out: string[] = [];
    for (const node of db.containerCandidates()) {
      if (out.length >= budget) break;
      if (node.childCount > 0) continue;
      if (node.isContainer) {
        const neverUsedLimit = this.config.containerMaxNeverUsedIntervalMs;
        const neverUsedExpired = neverUsedLimit > 0 && nowMs - node.mtime > neverUsedLimit;
        if (node.cversion > 0 || neverUsedExpired) out.push(node.path);
      } else if (nowMs - node.mtime > node.ttlMs) {
        out.push(node.path);
      }
    }
    return out;
  }
}
