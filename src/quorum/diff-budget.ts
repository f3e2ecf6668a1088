// How many bytes of applied txns a member keeps in memory for DIFF beyond commitLogCount (500):
// Apache's leader sends a DIFF from its txn log while the txns to send add up to less than
// snapshotSizeFactor (0.33) of its newest snapshot, and a SNAP otherwise. zkts keeps those txns
// in memory instead of reading its log back, so the same rule applies up to a cap.

import type { DataTree } from '../tree/data-tree.js';

export const SNAPSHOT_SIZE_FACTOR = 0.33;
export const DIFF_BUDGET_CAP_BYTES = 64 * 1024 * 1024;
/** Snapshot bytes of a node besides its path and data: two length prefixes, the ACL ref and StatPersisted (§4.4). */
const SNAPSHOT_BYTES_PER_NODE = 4 + 4 + 8 + 68;

/** The DIFF budget for a tree this size: a share of its snapshot's size, capped. */
export function diffBudgetBytes(tree: Pick<DataTree, 'approximateDataSize' | 'nodeCount'>): number {
  const snapshotBytes = tree.approximateDataSize() + SNAPSHOT_BYTES_PER_NODE * tree.nodeCount();
  return Math.min(DIFF_BUDGET_CAP_BYTES, Math.floor(SNAPSHOT_SIZE_FACTOR * snapshotBytes));
}
