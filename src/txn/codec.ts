// Txn entry codec (storage-and-quorum.md §1.2, §1.3, §1.5): TxnHeader + body record + optional
// TxnDigest, with no separators. These bytes are both a log record's body and a PROPOSAL's data.
//
// Decoding rules: a create body too short for parentCVersion is a CreateTxnV0 (parentCVersion
// -1); a closeSession may have no body; a digest is present iff at least 12 bytes remain after the
// body; any other txn type is an UnsupportedTxnError (Apache fails the whole log on it).

import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { JuteDecodeError } from '../jute/errors.js';
import { readAclList, writeAclList, type Acl } from '../proto/data.js';
import type { SessionId, Zxid } from '../util/ids.js';
import type { SubTxn, Txn, TxnDigest, TxnHeader, TxnRecord } from './types.js';

const DIGEST_BYTES = 12;

/** A txn type no ZooKeeper writer produces. */
export class UnsupportedTxnError extends JuteDecodeError {
  override name = 'UnsupportedTxnError';
  constructor(readonly txnType: number, where: string) {
    super(`unsupported txn type ${txnType} ${where}`);
  }
}

// ---- encoding ----------------------------------------------------------------------------------

/**
 * A txn's entry bytes, kept with the (immutable) txn object: an ensemble member encodes each txn
 * for its log and for every learner's PROPOSAL/INFORM, and a learner receives it already encoded —
 * one encoding (or none) instead of one per use.
 */
const entryBytes = new WeakMap<Txn, Buffer>();

export function encodeTxnEntry(txn: Txn): Buffer {
  const known = entryBytes.get(txn);
  if (known !== undefined) return known;
  const w = new JuteWriter();
  writeTxnHeader(w, txn.header);
  writeRecord(w, txn.record);
  if (txn.digest !== null) w.writeInt(txn.digest.version).writeLong(txn.digest.treeDigest);
  const bytes = w.toBuffer();
  entryBytes.set(txn, bytes);
  return bytes;
}

export function writeTxnHeader(w: JuteWriter, h: TxnHeader): void {
  w.writeLong(h.clientId).writeInt(h.cxid).writeLong(h.zxid).writeLong(h.time).writeInt(h.type);
}

function writeRecord(w: JuteWriter, r: TxnRecord): void {
  switch (r.type) {
    case -10:
      w.writeInt(r.timeOut);
      return;
    case -11:
      // An older writer's closeSession has no body at all.
      if (r.paths2Delete !== null) w.writeVector(r.paths2Delete, (x, p) => x.writeUString(p));
      return;
    case 14:
      w.writeVector(r.txns, (x, sub) => {
        x.writeInt(sub.type);
        const body = new JuteWriter();
        writeSubRecord(body, sub);
        x.writeBuffer(body.view());
      });
      return;
    default:
      writeSubRecord(w, r);
  }
}

function writeSubRecord(w: JuteWriter, r: SubTxn): void {
  switch (r.type) {
    case 1:
    case 15:
      writeCreateHead(w, r.path, r.data, r.acl);
      w.writeBool(r.ephemeral).writeInt(r.parentCVersion);
      return;
    case 19:
      writeCreateHead(w, r.path, r.data, r.acl);
      w.writeInt(r.parentCVersion);
      return;
    case 21:
      writeCreateHead(w, r.path, r.data, r.acl);
      w.writeInt(r.parentCVersion).writeLong(r.ttl);
      return;
    case 2:
    case 20:
      w.writeUString(r.path);
      return;
    case 5:
    case 16:
      w.writeUString(r.path).writeBuffer(r.data).writeInt(r.version);
      return;
    case 7:
      w.writeUString(r.path);
      writeAclList(w, r.acl);
      w.writeInt(r.version);
      return;
    case 13:
      w.writeUString(r.path).writeInt(r.version);
      return;
    case -1:
      w.writeInt(r.err);
      return;
  }
}

function writeCreateHead(w: JuteWriter, path: string, data: Uint8Array | null, acl: readonly Acl[]): void {
  w.writeUString(path).writeBuffer(data);
  writeAclList(w, acl);
}

// ---- decoding ----------------------------------------------------------------------------------

/** Decodes one txn entry. Throws JuteDecodeError (or UnsupportedTxnError) on malformed bytes. */
export function decodeTxnEntry(bytes: Uint8Array): Txn {
  const r = new JuteReader(bytes);
  const header = readTxnHeader(r);
  const record = readRecord(r, header.type);
  const digest = r.remaining() >= DIGEST_BYTES ? readDigest(r) : null;
  const txn: Txn = { header, record, digest };
  // Only bytes that re-encode identically (nothing left over) stand in for the encoding.
  if (r.remaining() === 0) entryBytes.set(txn, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return txn;
}

export function readTxnHeader(r: JuteReader): TxnHeader {
  return {
    clientId: r.readLong() as SessionId,
    cxid: r.readInt(),
    zxid: r.readLong() as Zxid,
    time: r.readLongNumber(),
    type: r.readInt(),
  };
}

function readDigest(r: JuteReader): TxnDigest {
  return { version: r.readInt(), treeDigest: r.readLong() };
}

function readRecord(r: JuteReader, type: number): TxnRecord {
  switch (type) {
    case -10:
      return { type, timeOut: r.readInt() };
    case -11:
      return { type, paths2Delete: readCloseSessionBody(r) };
    case 14:
      return { type, txns: readMultiSubs(r) };
    default:
      return readSubRecord(r, type, 'in txn header');
  }
}

function readMultiSubs(r: JuteReader): SubTxn[] {
  const subs = r.readVector((x) => {
    const subType = x.readInt();
    const body = x.readBuffer();
    if (body === null) throw new JuteDecodeError(`multi sub-txn of type ${subType} has a null body`);
    return readSubRecord(new JuteReader(body), subType, 'inside a multi');
  });
  return subs ?? [];
}

function readSubRecord(r: JuteReader, type: number, where: string): SubTxn {
  switch (type) {
    case 1:
    case 15: {
      const path = r.readString();
      const data = r.readBuffer();
      const acl = readAcls(r);
      const ephemeral = r.readBool();
      // CreateTxnV0 has no parentCVersion; apply then uses parent.cversion + 1.
      const parentCVersion = r.remaining() >= 4 ? r.readInt() : -1;
      return { type, path, data, acl, ephemeral, parentCVersion };
    }
    case 19: {
      const path = r.readString();
      const data = r.readBuffer();
      const acl = readAcls(r);
      return { type, path, data, acl, parentCVersion: r.readInt() };
    }
    case 21: {
      const path = r.readString();
      const data = r.readBuffer();
      const acl = readAcls(r);
      const parentCVersion = r.readInt();
      return { type, path, data, acl, parentCVersion, ttl: r.readLongNumber() };
    }
    case 2:
    case 20:
      return { type, path: r.readString() };
    case 5:
    case 16:
      return { type, path: r.readString(), data: r.readBuffer(), version: r.readInt() };
    case 7: {
      const path = r.readString();
      const acl = readAcls(r);
      return { type, path, acl, version: r.readInt() };
    }
    case 13:
      return { type, path: r.readString(), version: r.readInt() };
    case -1:
      return { type, err: r.readInt() };
    default:
      throw new UnsupportedTxnError(type, where);
  }
}

function readAcls(r: JuteReader): Acl[] {
  return readAclList(r) ?? [];
}

/**
 * An older writer's closeSession has no body: nothing left, or exactly a digest. 12 bytes are
 * a body only if they parse as one with non-empty paths; a digest {2, d} could only parse as
 * two empty strings.
 */
function readCloseSessionBody(r: JuteReader): string[] | null {
  if (r.remaining() === 0) return null;
  if (r.remaining() !== DIGEST_BYTES) return readStrings(r);
  const trial = new JuteReader(r.bytes, r.offset, r.end);
  try {
    const paths = readStrings(trial);
    if (trial.remaining() !== 0 || paths.some((p) => p.length === 0)) return null;
    r.offset = trial.offset;
    return paths;
  } catch (e) {
    if (e instanceof JuteDecodeError) return null;
    throw e;
  }
}

function readStrings(r: JuteReader): string[] {
  return r.readVector((x) => x.readString()) ?? [];
}
