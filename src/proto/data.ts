// The data records shared by requests, txns and snapshots: Id, ACL, Stat, StatPersisted.
// Facts: protocol.md §4.1, storage-and-quorum.md §1.2.

import type { JuteReader } from '../jute/reader.js';
import type { JuteWriter } from '../jute/writer.js';
import { JuteDecodeError } from '../jute/errors.js';
import type { SessionId, Zxid } from '../util/ids.js';

export interface Id {
  readonly scheme: string;
  readonly id: string;
}

export interface Acl {
  readonly perms: number;
  readonly id: Id;
}

/** The client-visible Stat (68 bytes). cversion here is the visible value. */
export interface Stat {
  czxid: Zxid;
  mzxid: Zxid;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: SessionId;
  dataLength: number;
  numChildren: number;
  pzxid: Zxid;
}

/** The stored Stat (snapshot form). cversion here is the stored child-create counter. */
export interface StatPersisted {
  czxid: Zxid;
  mzxid: Zxid;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: Zxid;
}

export const ANYONE_ID: Id = { scheme: 'world', id: 'anyone' };
export const OPEN_ACL_UNSAFE: readonly Acl[] = [{ perms: 31, id: ANYONE_ID }];
export const READ_ACL_UNSAFE: readonly Acl[] = [{ perms: 1, id: ANYONE_ID }];
export const CREATOR_ALL_ACL: readonly Acl[] = [{ perms: 31, id: { scheme: 'auth', id: '' } }];

function str(r: JuteReader): string {
  const s = r.readUString();
  if (s === null) throw new JuteDecodeError('null string in Id');
  return s;
}

export function readId(r: JuteReader): Id {
  const scheme = str(r);
  const id = str(r);
  return { scheme, id };
}

export function writeId(w: JuteWriter, id: Id): void {
  w.writeUString(id.scheme).writeUString(id.id);
}

export function readAcl(r: JuteReader): Acl {
  const perms = r.readInt();
  return { perms, id: readId(r) };
}

export function writeAcl(w: JuteWriter, acl: Acl): void {
  w.writeInt(acl.perms);
  writeId(w, acl.id);
}

export function readAclList(r: JuteReader): Acl[] | null {
  return r.readVector(readAcl);
}

export function writeAclList(w: JuteWriter, acls: readonly Acl[] | null): void {
  w.writeVector(acls, writeAcl);
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.readLong() as Zxid,
    mzxid: r.readLong() as Zxid,
    ctime: r.readLongNumber(),
    mtime: r.readLongNumber(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readLong() as SessionId,
    dataLength: r.readInt(),
    numChildren: r.readInt(),
    pzxid: r.readLong() as Zxid,
  };
}

export function writeStat(w: JuteWriter, s: Stat): void {
  w.writeLong(s.czxid).writeLong(s.mzxid).writeLong(s.ctime).writeLong(s.mtime);
  w.writeInt(s.version).writeInt(s.cversion).writeInt(s.aversion);
  w.writeLong(s.ephemeralOwner).writeInt(s.dataLength).writeInt(s.numChildren).writeLong(s.pzxid);
}

export function readStatPersisted(r: JuteReader): StatPersisted {
  return {
    czxid: r.readLong() as Zxid,
    mzxid: r.readLong() as Zxid,
    ctime: r.readLongNumber(),
    mtime: r.readLongNumber(),
    version: r.readInt(),
    cversion: r.readInt(),
    aversion: r.readInt(),
    ephemeralOwner: r.readLong(),
    pzxid: r.readLong() as Zxid,
  };
}

export function writeStatPersisted(w: JuteWriter, s: StatPersisted): void {
  w.writeLong(s.czxid).writeLong(s.mzxid).writeLong(s.ctime).writeLong(s.mtime);
  w.writeInt(s.version).writeInt(s.cversion).writeInt(s.aversion);
  w.writeLong(s.ephemeralOwner).writeLong(s.pzxid);
}

export function aclEquals(a: Acl, b: Acl): boolean {
  return a.perms === b.perms && a.id.scheme === b.id.scheme && a.id.id === b.id.id;
}

export function aclListEquals(a: readonly Acl[], b: readonly Acl[]): boolean {
  return a.length === b.length && a.every((x, i) => aclEquals(x, b[i]!));
}
