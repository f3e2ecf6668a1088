// Test helpers for tree/txn tests: txn builders, a content snapshot of a tree for equality
// checks, and a minimal reader of Apache log files (16-byte header, then records of
// long checksum, int length, bytes, 'B'; a zero length ends the data).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPEN_ACL_UNSAFE, type Acl } from '../../../src/proto/data.js';
import type { DataTree } from '../../../src/tree/data-tree.js';
import { fullDigest } from '../../../src/tree/digest.js';
import { sessionId, zxid, type SessionId } from '../../../src/util/ids.js';
import type { Txn, TxnRecord } from '../../../src/txn/types.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/apache-3.8/', import.meta.url));

export function fixture(name: string): Buffer {
  return readFileSync(FIXTURE_DIR + name);
}

/** Entry bodies of every record of an Apache txn log file. */
export function logEntries(file: Buffer): Buffer[] {
  if (file.toString('latin1', 0, 4) !== 'ZKLG') throw new Error('not a txn log');
  const out: Buffer[] = [];
  let off = 16;
  while (off + 12 <= file.length) {
    const length = file.readInt32BE(off + 8);
    if (length <= 0) break;
    out.push(file.subarray(off + 12, off + 12 + length));
    if (file[off + 12 + length] !== 0x42) throw new Error(`record at ${off} lacks its 'B'`);
    off += 12 + length + 1;
  }
  return out;
}

export const SESSION_A: SessionId = sessionId(0x0100000a080d0000n);

export function txn(z: number, record: TxnRecord, opts: { clientId?: SessionId; time?: number } = {}): Txn {
  return {
    header: { clientId: opts.clientId ?? SESSION_A, cxid: z, zxid: zxid(z), time: opts.time ?? 1_700_000_000_000 + z, type: record.type },
    record,
    digest: null,
  };
}

export function create(path: string, parentCVersion: number, extra: { data?: Uint8Array | null; ephemeral?: boolean; acl?: readonly Acl[]; type?: 1 | 15 } = {}): TxnRecord {
  return {
    type: extra.type ?? 1, path, data: extra.data === undefined ? Buffer.from('d') : extra.data,
    acl: extra.acl ?? OPEN_ACL_UNSAFE, ephemeral: extra.ephemeral ?? false, parentCVersion,
  };
}

/** Everything observable about a tree, in a form deepEqual can compare (ACL refs resolved). */
export function treeContent(tree: DataTree): unknown {
  const nodes: Record<string, unknown> = {};
  for (const n of tree.walkPreOrder()) {
    const path = n.path === '' ? '/' : n.path;
    const node = tree.getNode(path)!;
    nodes[path] = {
      data: n.data === null ? null : Buffer.from(n.data).toString('hex'),
      acl: tree.aclOf(node),
      stat: n.stat,
      children: [...node.children].sort(),
    };
  }
  const ephemerals = tree.sessionsWithEphemerals().map((s) => [s, tree.ephemeralsOf(s).sort()]).sort();
  return {
    nodes,
    digest: tree.digest(),
    sessions: [...tree.sessions].sort(),
    ephemerals,
    containers: tree.containerCandidates().map((c) => c.path).sort(),
    ttls: tree.ttlCandidates().map((c) => c.path).sort(),
    nodeCount: tree.nodeCount(),
    dataSize: tree.approximateDataSize(),
  };
}

/** The digest recomputed from every node. */
export function recomputedDigest(tree: DataTree): bigint {
  return BigInt.asIntN(64, fullDigest([...tree.walkPreOrder()].map((n) => ({ ...n, path: n.path === '' ? '/' : n.path }))));
}
