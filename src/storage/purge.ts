// Purging old snapshots and logs (storage-and-quorum.md §4.6): keep the newest N snapshots that
// pass the quick validity test, and the log files needed to replay from the oldest kept one.
// Invariant: after a purge, the oldest kept snapshot plus the remaining logs still reproduce
// every later state; nothing newer than the oldest kept snapshot is deleted.

import type { Disk } from '../io/disk.js';
import { joinPath } from '../io/disk.js';
import { assert } from '../util/assert.js';
import { zxid as toZxid } from '../util/ids.js';
import { logFilesFrom } from './format/file-names.js';
import { listLogFiles } from './log-files.js';
import { listSnapshots, passesQuickTest } from './snapshots.js';

export interface PurgeOptions {
  readonly snapDir: string;
  readonly logDir: string;
  /** Apache's snapRetainCount; at least 1 (Apache enforces 3). */
  readonly snapshotsToKeep: number;
}

/** Deletes what the policy does not keep; returns the deleted file names. */
export async function purge(disk: Disk, options: PurgeOptions): Promise<string[]> {
  assert(Number.isInteger(options.snapshotsToKeep) && options.snapshotsToKeep >= 1, 'keep at least one snapshot');
  const kept = [];
  for (const file of await listSnapshots(disk, options.snapDir)) {
    if (kept.length >= options.snapshotsToKeep) break;
    if (await passesQuickTest(disk, options.snapDir, file)) kept.push(file);
  }
  const oldestKept = kept.at(-1);
  if (oldestKept === undefined) return [];
  const deleted: string[] = [];
  for (const file of await listSnapshots(disk, options.snapDir)) {
    if (file.zxid < oldestKept.zxid) {
      await disk.unlink(joinPath(options.snapDir, file.name));
      deleted.push(file.name);
    }
  }
  const logs = await listLogFiles(disk, options.logDir);
  const needed = new Set(logFilesFrom(logs, toZxid(oldestKept.zxid + 1n)).map((f) => f.name));
  for (const file of logs) {
    if (!needed.has(file.name) && file.zxid <= oldestKept.zxid) {
      await disk.unlink(joinPath(options.logDir, file.name));
      deleted.push(file.name);
    }
  }
  if (deleted.length > 0) {
    await disk.syncDir(options.snapDir);
    if (options.logDir !== options.snapDir) await disk.syncDir(options.logDir);
  }
  return deleted;
}
