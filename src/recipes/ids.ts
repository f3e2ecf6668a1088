// Globally unique, ordered IDs from sequential nodes: each next() creates an ephemeral-sequential
// node under `path` and deletes it again; the sequence number the server assigned (from the
// parent's child-create counter) is the ID. IDs are unique per path and increase in the order
// the creates were applied. A create whose reply was lost leaves a gap (its ID is never handed
// out); the node itself goes with the session. Sequence numbers are 32-bit: at most 2^31-1 IDs
// per path.

import { NoNodeError, type ZkClient } from '../client/index.js';
import { ensurePath, joinPath, sequenceOf } from './util.js';

export class IdGenerator {
  constructor(readonly client: ZkClient, readonly path: string, readonly prefix = 'id-') {}

  async next(): Promise<number> {
    let created: string;
    try {
      created = await this.client.create(joinPath(this.path, this.prefix), null, { mode: 'ephemeralSequential' });
    } catch (err) {
      if (!(err instanceof NoNodeError)) throw err;
      await ensurePath(this.client, this.path);
      created = await this.client.create(joinPath(this.path, this.prefix), null, { mode: 'ephemeralSequential' });
    }
    // Not waiting for the delete keeps next() one round trip; the node is ephemeral anyway.
    this.client.delete(created).catch(() => undefined);
    return sequenceOf(created);
  }
}
