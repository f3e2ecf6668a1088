// `zkts log FILE` and `zkts snapshot FILE`: print a transaction log or a snapshot (zkts's or
// Apache ZooKeeper's, plain, .gz or .snappy) for people. Pure rendering over decoded records;
// the command reads the file and writes the text.

import { gunzipSync } from 'node:zlib';
import { decodeTxnEntry } from '../txn/codec.js';
import type { SubTxn, Txn, TxnRecord } from '../txn/types.js';
import { scanLogFile } from '../storage/format/log-record.js';
import { decodeSnapshot, type SnapshotNode } from '../storage/format/snapshot-format.js';
import { decompressSnappyStream } from '../storage/format/snappy.js';
import type { Acl } from '../proto/data.js';
import { hex64 } from '../util/ids.js';

const TXN_NAMES: Record<number, string> = {
  1: 'create', 15: 'create2', 19: 'createContainer', 21: 'createTTL', 2: 'delete', 20: 'deleteContainer',
  5: 'setData', 16: 'reconfig', 7: 'setACL', 13: 'check', 14: 'multi', [-10]: 'createSession',
  [-11]: 'closeSession', [-1]: 'error',
};

function dataText(data: Uint8Array | null): string {
  if (data === null) return 'null';
  const text = Buffer.from(data).toString('utf8');
  // Printable data as a quoted string, anything else as hex.
  return /^[\x20-\x7e]*$/.test(text) ? JSON.stringify(text) : `0x${Buffer.from(data).toString('hex')}`;
}

function aclText(acl: readonly Acl[]): string {
  return '[' + acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`).join(',') + ']';
}

function recordText(record: TxnRecord | SubTxn): string {
  const name = TXN_NAMES[record.type] ?? `type${record.type}`;
  switch (record.type) {
    case 1:
    case 15:
      return `${name} ${record.path} ${dataText(record.data)} ${aclText(record.acl)} ephemeral=${record.ephemeral} parentCVersion=${record.parentCVersion}`;
    case 19:
      return `${name} ${record.path} ${dataText(record.data)} ${aclText(record.acl)} parentCVersion=${record.parentCVersion}`;
    case 21:
      return `${name} ${record.path} ${dataText(record.data)} ${aclText(record.acl)} parentCVersion=${record.parentCVersion} ttl=${record.ttl}`;
    case 2:
    case 20:
      return `${name} ${record.path}`;
    case 5:
    case 16:
      return `${name} ${record.path} ${dataText(record.data)} version=${record.version}`;
    case 7:
      return `${name} ${record.path} ${aclText(record.acl)} version=${record.version}`;
    case 13:
      return `${name} ${record.path} version=${record.version}`;
    case -10:
      return `${name} timeout=${record.timeOut}`;
    case -11:
      return `${name} ${record.paths2Delete === null ? '(no paths)' : `[${record.paths2Delete.join(', ')}]`}`;
    case -1:
      return `${name} ${record.err}`;
    case 14:
      return `${name} [${record.txns.map(recordText).join('; ')}]`;
  }
}

export function renderTxn(txn: Txn): string {
  const h = txn.header;
  const digest = txn.digest === null ? '' : ` digest=${txn.digest.treeDigest}`;
  return `${new Date(h.time).toISOString()} session 0x${hex64(h.clientId)} cxid 0x${(h.cxid >>> 0).toString(16)} zxid 0x${hex64(h.zxid)} ${recordText(txn.record)}${digest}`;
}

/** The text of a whole log file; problems (torn or corrupt tail) are reported at the end. */
export function renderLogFile(bytes: Uint8Array): { text: string; ok: boolean } {
  const scan = scanLogFile(bytes);
  const lines = ['ZooKeeper transaction log (format version 2)'];
  let ok = scan.tail.kind !== 'corrupt';
  for (const record of scan.records) {
    try {
      lines.push(renderTxn(decodeTxnEntry(record.entry)));
    } catch (err) {
      ok = false;
      lines.push(`offset ${record.offset}: undecodable txn: ${(err as Error).message}`);
    }
  }
  lines.push(`${scan.records.length} txns`);
  if (scan.tail.kind !== 'clean') lines.push(`${scan.tail.kind} at offset ${scan.tail.offset}: ${scan.tail.reason}`);
  return { text: lines.join('\n') + '\n', ok };
}

/** Decompresses by file name (as ZooKeeper chooses the decoder by extension). */
export function snapshotStream(name: string, bytes: Uint8Array): Uint8Array {
  if (name.endsWith('.gz')) return gunzipSync(bytes);
  if (name.endsWith('.snappy')) return decompressSnappyStream(bytes);
  return bytes;
}

export function renderSnapshotFile(name: string, bytes: Uint8Array): string {
  const nodes: SnapshotNode[] = [];
  const snapshot = decodeSnapshot(snapshotStream(name, bytes), (node) => nodes.push(node));
  const lines = ['ZooKeeper snapshot (format version 2)', `sessions: ${snapshot.sessions.length}`];
  for (const [id, timeout] of snapshot.sessions) lines.push(`  0x${hex64(id)} timeout=${timeout}`);
  lines.push(`acl cache: ${snapshot.aclCache.length}`);
  for (const [ref, acl] of snapshot.aclCache) lines.push(`  ${ref} ${aclText(acl)}`);
  const all = nodes.length > 0 ? nodes : snapshot.nodes;
  lines.push(`nodes: ${all.length}`);
  for (const n of all) {
    const s = n.stat;
    lines.push(`  ${n.path}`);
    lines.push(`    data=${dataText(n.data)} aclRef=${n.aclRef}`);
    lines.push(`    czxid=0x${hex64(s.czxid)} mzxid=0x${hex64(s.mzxid)} pzxid=0x${hex64(s.pzxid)} ctime=${s.ctime} mtime=${s.mtime}`);
    lines.push(`    version=${s.version} cversion=${s.cversion} aversion=${s.aversion} ephemeralOwner=0x${hex64(s.ephemeralOwner)}`);
  }
  if (snapshot.digest !== null) lines.push(`digest: zxid=0x${hex64(snapshot.digest.zxid)} version=${snapshot.digest.version} value=${snapshot.digest.digest}`);
  if (snapshot.lastProcessedZxid !== null) lines.push(`lastProcessedZxid: 0x${hex64(snapshot.lastProcessedZxid)}`);
  return lines.join('\n') + '\n';
}
