// The tree digest exactly as Apache ZooKeeper computes it (storage-and-quorum.md §5):
// node digest = CRC-32 (IEEE) of path (root hashed as ''), data, and a 60-byte stat block in the
// order czxid, mzxid, pzxid, ctime, mtime, version, cversion (stored), aversion, ephemeralOwner;
// tree digest = the sum of node digests modulo 2^64 (held signed, as a Java long), nodes under
// '/zookeeper/' excluded.
// Pure functions; the DataTree keeps the sum up to date as nodes change.

import { crc32 } from 'node:zlib';
import type { StatPersisted } from '../proto/data.js';

export const DIGEST_VERSION = 2;

const STAT_BLOCK_BYTES = 60;
const EXCLUDED_PREFIX = '/zookeeper/';

/** Whether a node counts in the tree digest: '/zookeeper' itself does, its subtree does not. */
export function digestIncludes(path: string): boolean {
  return !path.startsWith(EXCLUDED_PREFIX);
}

/** Reused for every node: nodeDigest runs several times per write, so it allocates nothing. */
const statBlock = Buffer.alloc(STAT_BLOCK_BYTES);
const statView = new DataView(statBlock.buffer, statBlock.byteOffset, STAT_BLOCK_BYTES);

function writeLongAt(offset: number, value: bigint | number): void {
  if (typeof value === 'number') {
    const high = Math.floor(value / 0x100000000);
    statView.setInt32(offset, high | 0);
    statView.setUint32(offset + 4, value - high * 0x100000000);
  } else {
    statView.setBigInt64(offset, value); // wraps to 64 bits; much faster than Buffer.writeBigInt64BE
  }
}

/** CRC-32 of one node, an unsigned 32-bit value; 0 for excluded paths. */
export function nodeDigest(path: string, data: Uint8Array | null, stat: StatPersisted): number {
  if (!digestIncludes(path)) return 0;
  writeLongAt(0, stat.czxid);
  writeLongAt(8, stat.mzxid);
  writeLongAt(16, stat.pzxid);
  writeLongAt(24, stat.ctime);
  writeLongAt(32, stat.mtime);
  statView.setInt32(40, stat.version | 0);
  statView.setInt32(44, stat.cversion | 0);
  statView.setInt32(48, stat.aversion | 0);
  writeLongAt(52, stat.ephemeralOwner);
  // zlib.crc32 hashes a string as its UTF-8 bytes: no Buffer for the path.
  let crc = crc32(path === '/' ? '' : path);
  if (data !== null && data.length > 0) crc = crc32(data, crc);
  return crc32(statBlock, crc);
}

/** Adds (sign 1) or removes (sign -1) one node digest, wrapping like a Java long: the result is
 * a signed 64-bit value, as TxnDigest.treeDigest reads from the wire. */
export function digestAdd(treeDigest: bigint, node: number, sign: 1 | -1): bigint {
  return BigInt.asIntN(64, treeDigest + BigInt(sign * node));
}

/** Sums node digests from scratch (tests and audits compare it with the incremental value). */
export function fullDigest(nodes: Iterable<{ path: string; data: Uint8Array | null; stat: StatPersisted }>): bigint {
  let sum = 0n;
  for (const n of nodes) sum = digestAdd(sum, nodeDigest(n.path, n.data, n.stat), 1);
  return sum;
}
