// A full dump of one server's tree through a client connected to that server alone, after a
// sync: every path with its data and Stat (the /zookeeper subtree left out: /zookeeper/config
// holds each member's own view). Two members agree when their dumps are equal.
import { connect, type ZkClient } from '../../src/client/index.js';

export interface DumpedNode {
  readonly data: string | null;
  readonly stat: string;
}

export type TreeDump = Map<string, DumpedNode>;

async function walk(client: ZkClient, path: string, out: TreeDump): Promise<void> {
  let result;
  try {
    result = await client.getData(path);
  } catch {
    return; // deleted since its parent was listed
  }
  const s = result.stat;
  out.set(path, {
    data: result.data === null ? null : result.data.toString('base64'),
    stat: [s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime, s.version, s.cversion, s.aversion, s.ephemeralOwner, s.dataLength, s.numChildren].join(','),
  });
  let children: string[];
  try {
    children = await client.getChildren(path);
  } catch {
    return;
  }
  for (const child of children.sort()) {
    const childPath = path === '/' ? `/${child}` : `${path}/${child}`;
    if (childPath === '/zookeeper') continue;
    await walk(client, childPath, out);
  }
}

/** Dumps the tree of the server at `connectString` (one host:port). */
export async function dumpTree(connectString: string, timeoutMs = 20_000): Promise<TreeDump> {
  const client = await connect(connectString, { sessionTimeoutMs: 10_000, initialConnectTimeoutMs: timeoutMs });
  try {
    await client.sync('/');
    const out: TreeDump = new Map();
    await walk(client, '/', out);
    return out;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** The first difference between two dumps, or null when they are equal. */
export function firstDifference(a: TreeDump, b: TreeDump): string | null {
  for (const [path, node] of a) {
    const other = b.get(path);
    if (other === undefined) return `${path} missing on the second`;
    if (other.data !== node.data) return `${path}: data differs`;
    if (other.stat !== node.stat) return `${path}: stat ${node.stat} vs ${other.stat}`;
  }
  for (const path of b.keys()) if (!a.has(path)) return `${path} missing on the first`;
  return null;
}
