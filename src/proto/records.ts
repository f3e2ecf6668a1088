// The request records of the client protocol (protocol.md §4.5) with their jute readers and
// writers. Requests, multi sub-ops and test tools share these, so each record is read and written
// in exactly one place.
// Decoding choices (the server's answers stay those of ZooKeeper):
// - a null path or scheme is a decoding error (JuteDecodeError: the server answers -5), as observed
//   for a create with a null path (§1.3);
// - data and auth buffers keep null distinct from empty (§1.2);
// - a null ACL vector or watch list decodes as empty: the server answers an empty ACL list and a
//   null one alike (-114), and treats a missing watch list as having no watches.

import type { JuteReader } from '../jute/reader.js';
import type { JuteWriter } from '../jute/writer.js';
import { readAcl, writeAcl, type Acl } from './data.js';
import type { Zxid } from '../util/ids.js';

export interface CreateRecord {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly acl: readonly Acl[];
  readonly flags: number;
}
export interface CreateTTLRecord extends CreateRecord {
  /** ms; a long on the wire. Values past 2^53 lose precision but are invalid TTLs anyway (§4.3). */
  readonly ttl: number;
}
/** DeleteRequest and CheckVersionRequest. */
export interface PathVersionRecord {
  readonly path: string;
  readonly version: number;
}
/** ExistsRequest, GetDataRequest, GetChildrenRequest, GetChildren2Request. */
export interface PathWatchRecord {
  readonly path: string;
  readonly watch: boolean;
}
export interface SetDataRecord {
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly version: number;
}
export interface SetACLRecord {
  readonly path: string;
  readonly acl: readonly Acl[];
  readonly version: number;
}
/** GetACLRequest, SyncRequest, GetAllChildrenNumberRequest, deleteContainer. */
export interface PathRecord {
  readonly path: string;
}
export interface GetEphemeralsRecord {
  readonly prefixPath: string;
}
export interface ReconfigRecord {
  readonly joiningServers: string | null;
  readonly leavingServers: string | null;
  readonly newMembers: string | null;
  /** -1 = any. */
  readonly curConfigId: bigint;
}
/** CheckWatchesRequest / RemoveWatchesRequest; `type` is a WatcherType. */
export interface WatchTypeRecord {
  readonly path: string;
  readonly type: number;
}
/** `mode` is an AddWatchMode. */
export interface AddWatchRecord {
  readonly path: string;
  readonly mode: number;
}
export interface AuthRecord {
  /** Always 0 from real clients; ignored by the server. */
  readonly type: number;
  readonly scheme: string;
  readonly auth: Uint8Array | null;
}
export interface SetWatchesRecord {
  readonly relativeZxid: Zxid;
  readonly dataWatches: readonly string[];
  readonly existWatches: readonly string[];
  readonly childWatches: readonly string[];
}
export interface SetWatches2Record extends SetWatchesRecord {
  readonly persistentWatches: readonly string[];
  readonly persistentRecursiveWatches: readonly string[];
}
export interface SaslRecord {
  readonly token: Uint8Array | null;
}

const readStringItem = (r: JuteReader): string => r.readString();
const writeStringItem = (w: JuteWriter, s: string): void => void w.writeUString(s);

export function readStringList(r: JuteReader): string[] {
  return r.readVector(readStringItem) ?? [];
}
export function writeStringList(w: JuteWriter, items: readonly string[]): void {
  w.writeVector(items, writeStringItem);
}
function readAcls(r: JuteReader): Acl[] {
  return r.readVector(readAcl) ?? [];
}

export function readCreate(r: JuteReader): CreateRecord {
  const path = r.readString();
  const data = r.readBuffer();
  const acl = readAcls(r);
  const flags = r.readInt();
  return { path, data, acl, flags };
}
export function writeCreate(w: JuteWriter, c: CreateRecord): void {
  w.writeUString(c.path).writeBuffer(c.data).writeVector(c.acl, writeAcl).writeInt(c.flags);
}

export function readCreateTTL(r: JuteReader): CreateTTLRecord {
  const path = r.readString();
  const data = r.readBuffer();
  const acl = readAcls(r);
  const flags = r.readInt();
  const ttl = r.readLongNumber();
  return { path, data, acl, flags, ttl };
}
export function writeCreateTTL(w: JuteWriter, c: CreateTTLRecord): void {
  writeCreate(w, c);
  w.writeLong(c.ttl);
}

export function readPathVersion(r: JuteReader): PathVersionRecord {
  const path = r.readString();
  return { path, version: r.readInt() };
}
export function writePathVersion(w: JuteWriter, p: PathVersionRecord): void {
  w.writeUString(p.path).writeInt(p.version);
}

export function readPathWatch(r: JuteReader): PathWatchRecord {
  const path = r.readString();
  return { path, watch: r.readBool() };
}
export function writePathWatch(w: JuteWriter, p: PathWatchRecord): void {
  w.writeUString(p.path).writeBool(p.watch);
}

export function readSetData(r: JuteReader): SetDataRecord {
  const path = r.readString();
  const data = r.readBuffer();
  return { path, data, version: r.readInt() };
}
export function writeSetData(w: JuteWriter, s: SetDataRecord): void {
  w.writeUString(s.path).writeBuffer(s.data).writeInt(s.version);
}

export function readSetACL(r: JuteReader): SetACLRecord {
  const path = r.readString();
  const acl = readAcls(r);
  return { path, acl, version: r.readInt() };
}
export function writeSetACL(w: JuteWriter, s: SetACLRecord): void {
  w.writeUString(s.path).writeVector(s.acl, writeAcl).writeInt(s.version);
}

export function readPath(r: JuteReader): PathRecord {
  return { path: r.readString() };
}
export function writePath(w: JuteWriter, p: PathRecord): void {
  w.writeUString(p.path);
}

export function readGetEphemerals(r: JuteReader): GetEphemeralsRecord {
  return { prefixPath: r.readString() };
}
export function writeGetEphemerals(w: JuteWriter, g: GetEphemeralsRecord): void {
  w.writeUString(g.prefixPath);
}

export function readReconfig(r: JuteReader): ReconfigRecord {
  const joiningServers = r.readUString();
  const leavingServers = r.readUString();
  const newMembers = r.readUString();
  return { joiningServers, leavingServers, newMembers, curConfigId: r.readLong() };
}
export function writeReconfig(w: JuteWriter, c: ReconfigRecord): void {
  w.writeUString(c.joiningServers).writeUString(c.leavingServers).writeUString(c.newMembers);
  w.writeLong(c.curConfigId);
}

export function readWatchType(r: JuteReader): WatchTypeRecord {
  const path = r.readString();
  return { path, type: r.readInt() };
}
export function writeWatchType(w: JuteWriter, c: WatchTypeRecord): void {
  w.writeUString(c.path).writeInt(c.type);
}

export function readAddWatch(r: JuteReader): AddWatchRecord {
  const path = r.readString();
  return { path, mode: r.readInt() };
}
export function writeAddWatch(w: JuteWriter, a: AddWatchRecord): void {
  w.writeUString(a.path).writeInt(a.mode);
}

export function readAuth(r: JuteReader): AuthRecord {
  const type = r.readInt();
  const scheme = r.readString();
  return { type, scheme, auth: r.readBuffer() };
}
export function writeAuth(w: JuteWriter, a: AuthRecord): void {
  w.writeInt(a.type).writeUString(a.scheme).writeBuffer(a.auth);
}

export function readSetWatches(r: JuteReader): SetWatchesRecord {
  const relativeZxid = r.readLong() as Zxid;
  const dataWatches = readStringList(r);
  const existWatches = readStringList(r);
  const childWatches = readStringList(r);
  return { relativeZxid, dataWatches, existWatches, childWatches };
}
export function writeSetWatches(w: JuteWriter, s: SetWatchesRecord): void {
  w.writeLong(s.relativeZxid);
  writeStringList(w, s.dataWatches);
  writeStringList(w, s.existWatches);
  writeStringList(w, s.childWatches);
}

export function readSetWatches2(r: JuteReader): SetWatches2Record {
  const base = readSetWatches(r);
  const persistentWatches = readStringList(r);
  const persistentRecursiveWatches = readStringList(r);
  return { ...base, persistentWatches, persistentRecursiveWatches };
}
export function writeSetWatches2(w: JuteWriter, s: SetWatches2Record): void {
  writeSetWatches(w, s);
  writeStringList(w, s.persistentWatches);
  writeStringList(w, s.persistentRecursiveWatches);
}

export function readSasl(r: JuteReader): SaslRecord {
  return { token: r.readBuffer() };
}
export function writeSasl(w: JuteWriter, s: SaslRecord): void {
  w.writeBuffer(s.token);
}
