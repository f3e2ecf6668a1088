// Text zkCli.sh prints, rendered from client values (protocol.md §8): the Stat block, ACL lines,
// the WATCHER:: event block, Java's List.toString, and the error text for a failed operation.
// Pure: no I/O. Invariants: every function returns whole lines ending in '\n' (or '' for none),
// so callers write them as they are.

import type { Acl, Stat } from '../proto/data.js';
import { ErrorCode } from '../proto/error-codes.js';
import { ZooKeeperError } from '../proto/errors.js';
import { javaDateString } from '../util/java-date.js';
import type { ClientState, WatchEventType } from '../client/types.js';

/** `0x` + lower-case hex, no padding; negative values as Java's Long.toHexString (two's complement). */
export function hexLong(value: bigint | number): string {
  const v = BigInt.asUintN(64, BigInt(value));
  return `0x${v.toString(16)}`;
}

/** The 11-line Stat block of `stat`, `get -s`, `ls -s`, `set -s`, `getAcl -s`, `config -s`. */
export function statBlock(stat: Stat): string {
  return [
    `cZxid = ${hexLong(stat.czxid)}`,
    `ctime = ${javaDateString(stat.ctime)}`,
    `mZxid = ${hexLong(stat.mzxid)}`,
    `mtime = ${javaDateString(stat.mtime)}`,
    `pZxid = ${hexLong(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = ${hexLong(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ].join('\n') + '\n';
}

/** Perms as letters in zkCli's order c d r w a. */
export function permsString(perms: number): string {
  let out = '';
  if ((perms & 4) !== 0) out += 'c';
  if ((perms & 8) !== 0) out += 'd';
  if ((perms & 1) !== 0) out += 'r';
  if ((perms & 2) !== 0) out += 'w';
  if ((perms & 16) !== 0) out += 'a';
  return out;
}

/** getAcl's two lines per entry: `'scheme,'id` then `: perms`. */
export function aclLines(acl: readonly Acl[]): string {
  return acl.map((a) => `'${a.id.scheme},'${a.id.id}\n: ${permsString(a.perms)}\n`).join('');
}

/** Java's AbstractCollection.toString: `[a, b]`, `[]` when empty. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** Java's KeeperState name for a client state; null for states the Java client does not report. */
export function keeperStateName(state: ClientState): string | null {
  switch (state) {
    case 'connected': return 'SyncConnected';
    case 'connectedReadOnly': return 'ConnectedReadOnly';
    case 'disconnected': return 'Disconnected';
    case 'expired': return 'Expired';
    case 'authFailed': return 'AuthFailed';
    case 'closed': return 'Closed';
    case 'connecting': return null;
  }
}

/** Java's ZooKeeper.States name, as the prompt shows it. */
export function promptStateName(state: ClientState): string {
  switch (state) {
    case 'connected': return 'CONNECTED';
    case 'connectedReadOnly': return 'CONNECTEDREADONLY';
    case 'connecting':
    case 'disconnected': return 'CONNECTING';
    case 'authFailed': return 'AUTH_FAILED';
    case 'expired':
    case 'closed': return 'CLOSED';
  }
}

const EVENT_TYPE_NAMES: Record<WatchEventType, string> = {
  nodeCreated: 'NodeCreated',
  nodeDeleted: 'NodeDeleted',
  nodeDataChanged: 'NodeDataChanged',
  nodeChildrenChanged: 'NodeChildrenChanged',
  dataWatchRemoved: 'DataWatchRemoved',
  childWatchRemoved: 'ChildWatchRemoved',
  persistentWatchRemoved: 'PersistentWatchRemoved',
};

/** The default watcher's block: blank line, `WATCHER::`, blank line, the WatchedEvent line. */
export function watcherBlock(state: string, type: WatchEventType | null, path: string | null): string {
  const typeName = type === null ? 'None' : EVENT_TYPE_NAMES[type];
  return `\nWATCHER::\n\nWatchedEvent state:${state} type:${typeName} path:${path ?? 'null'}\n`;
}

/** What zkCli prints (on stderr) when an operation fails with `err` (§8.1 table). */
export function errorText(err: unknown, fallbackPath?: string): string {
  if (!(err instanceof ZooKeeperError)) return err instanceof Error ? err.message : String(err);
  const path = err.path ?? fallbackPath ?? 'null';
  switch (err.code) {
    case ErrorCode.noNode: return `Node does not exist: ${path}`;
    case ErrorCode.nodeExists: return `Node already exists: ${path}`;
    case ErrorCode.noAuth: return `Insufficient permission : ${path}`;
    case ErrorCode.notEmpty: return `Node not empty: ${path}`;
    case ErrorCode.badVersion: return `version No is not valid : ${path}`;
    case ErrorCode.noChildrenForEphemerals: return `Ephemerals cannot have children: ${path}`;
    case ErrorCode.invalidAcl: return `Acl is not valid : ${path}`;
    case ErrorCode.badArguments: return `Arguments are not valid : ${path}`;
    case ErrorCode.quotaExceeded: return `Quota has exceeded : ${path}`;
    case ErrorCode.notReadOnly: return `Not a read-only call: ${path}`;
    default: return err.message;
  }
}
