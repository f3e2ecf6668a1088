// What the simulation watches while it runs, for the checkers: every txn applied through a
// commit (one txn per zxid across all servers), the leader of each epoch, digest mismatches,
// and the first safety violation (thrown as SimFailure to stop the run at the offending step).

import type { Txn } from '../txn/types.js';
import { hex64, type ServerId, type Zxid } from '../util/ids.js';

export class SimFailure extends Error {
  override readonly name = 'SimFailure';
}

export class Observations {
  /** zxid → the txn some server applied there through a commit. */
  readonly committedAt = new Map<Zxid, Txn>();
  /** epoch → the server that served as its leader. */
  readonly leaders = new Map<number, ServerId>();
  digestMismatches = 0;
  commitsApplied = 0;

  fail(message: string): never {
    throw new SimFailure(message);
  }

  leaderServes(epoch: number, id: ServerId): void {
    const other = this.leaders.get(epoch);
    if (other !== undefined && other !== id) this.fail(`two leaders in epoch ${epoch}: ${other} and ${id}`);
    this.leaders.set(epoch, id);
  }

  committed(server: ServerId, txn: Txn): void {
    this.commitsApplied++;
    const z = txn.header.zxid;
    const seen = this.committedAt.get(z);
    if (seen === undefined) this.committedAt.set(z, txn);
    else if (seen !== txn && !sameTxn(seen, txn)) this.fail(`server ${server} committed a different txn at ${hex64(z)}`);
  }
}

/** Txns are passed by reference in the simulation; equal content counts as the same txn too. */
export function sameTxn(a: Txn, b: Txn): boolean {
  return (
    a === b ||
    (a.header.zxid === b.header.zxid && a.header.clientId === b.header.clientId && a.header.cxid === b.header.cxid && a.header.type === b.header.type && a.digest?.treeDigest === b.digest?.treeDigest)
  );
}
