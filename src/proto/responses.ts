// Server replies (protocol.md §3.1, §4.4–4.7): the typed Response union keyed by `kind`, the
// server-side frame encoders (reply, watch notification) and the client-side decoders.
// Invariants: an error reply (err != 0) is the 16-byte header only, except a failed sasl which
// still carries its (null) token (§3.1) — anything else is a bug and asserts. Encoders write
// straight into one JuteWriter and patch the length prefix; writeReply/writeNotification append
// to a caller's writer so a connection can coalesce several frames into one socket write.

import type { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { JuteDecodeError } from '../jute/errors.js';
import { readAclList, readStat, writeAclList, writeStat, type Acl, type Stat } from './data.js';
import { readMultiResults, writeMultiResults, type MultiResult } from './multi.js';
import { readStringList, writeStringList } from './records.js';
import type { RequestOp } from './requests.js';
import { Xid } from './opcodes.js';
import { assert, unreachable } from '../util/assert.js';
import { ZXID_NONE, type Zxid } from '../util/ids.js';

export interface ClientInfo {
  readonly authScheme: string;
  readonly user: string;
}

/** A reply body. `stat` covers Exists/SetData/SetACL (and a standalone check), `getData` also reconfig. */
export type Response =
  | { readonly kind: 'create'; readonly path: string }
  | { readonly kind: 'create2'; readonly path: string; readonly stat: Stat }
  | { readonly kind: 'stat'; readonly stat: Stat }
  | { readonly kind: 'getData'; readonly data: Uint8Array | null; readonly stat: Stat }
  | { readonly kind: 'getACL'; readonly acl: readonly Acl[]; readonly stat: Stat }
  | { readonly kind: 'getChildren'; readonly children: readonly string[] }
  | { readonly kind: 'getChildren2'; readonly children: readonly string[]; readonly stat: Stat }
  | { readonly kind: 'sync'; readonly path: string }
  | { readonly kind: 'multi'; readonly results: readonly MultiResult[] }
  | { readonly kind: 'getEphemerals'; readonly ephemerals: readonly string[] }
  | { readonly kind: 'getAllChildrenNumber'; readonly totalNumber: number }
  | { readonly kind: 'whoAmI'; readonly clientInfo: readonly ClientInfo[] }
  /** ErrorResponse{int err}: addWatch's success body (err 0). */
  | { readonly kind: 'error'; readonly err: number }
  | { readonly kind: 'sasl'; readonly token: Uint8Array | null };

export type ResponseKind = Response['kind'];
export type ResponseOf<K extends ResponseKind> = Extract<Response, { readonly kind: K }>;

export interface ReplyHeader {
  readonly xid: number;
  readonly zxid: Zxid;
  readonly err: number;
}

/** WatcherEvent; `type` is an EventType, `state` a KeeperState (the server sends only 3). */
export interface WatcherEvent {
  readonly type: number;
  readonly state: number;
  readonly path: string;
}

/** The body kind a successful reply to `op` carries; null for header-only replies. */
export function responseKindForOp(op: RequestOp): ResponseKind | null {
  switch (op) {
    case 'create': return 'create';
    case 'create2':
    case 'createContainer':
    case 'createTTL':
      return 'create2';
    case 'exists':
    case 'setData':
    case 'setACL':
    case 'check':
      return 'stat';
    case 'getData':
    case 'reconfig':
      return 'getData';
    case 'getACL': return 'getACL';
    case 'getChildren': return 'getChildren';
    case 'getChildren2': return 'getChildren2';
    case 'sync': return 'sync';
    case 'multi':
    case 'multiRead':
      return 'multi';
    case 'getEphemerals': return 'getEphemerals';
    case 'getAllChildrenNumber': return 'getAllChildrenNumber';
    case 'whoAmI': return 'whoAmI';
    case 'addWatch': return 'error';
    case 'sasl': return 'sasl';
    case 'delete':
    case 'checkWatches':
    case 'removeWatches':
    case 'deleteContainer':
    case 'auth':
    case 'setWatches':
    case 'setWatches2':
    case 'ping':
    case 'closeSession':
      return null;
    default: return unreachable(op);
  }
}

function writeClientInfo(w: JuteWriter, c: ClientInfo): void {
  w.writeUString(c.authScheme).writeUString(c.user);
}
function readClientInfo(r: JuteReader): ClientInfo {
  const authScheme = r.readString();
  return { authScheme, user: r.readString() };
}

/** Appends the response record (no header) to `w`. */
export function writeResponseBody(w: JuteWriter, response: Response): void {
  switch (response.kind) {
    case 'create':
    case 'sync':
      w.writeUString(response.path);
      break;
    case 'create2': w.writeUString(response.path); writeStat(w, response.stat); break;
    case 'stat': writeStat(w, response.stat); break;
    case 'getData': w.writeBuffer(response.data); writeStat(w, response.stat); break;
    case 'getACL': writeAclList(w, response.acl); writeStat(w, response.stat); break;
    case 'getChildren': writeStringList(w, response.children); break;
    case 'getChildren2': writeStringList(w, response.children); writeStat(w, response.stat); break;
    case 'multi': writeMultiResults(w, response.results); break;
    case 'getEphemerals': writeStringList(w, response.ephemerals); break;
    case 'getAllChildrenNumber': w.writeInt(response.totalNumber); break;
    case 'whoAmI': w.writeVector(response.clientInfo, writeClientInfo); break;
    case 'error': w.writeInt(response.err); break;
    case 'sasl': w.writeBuffer(response.token); break;
    default: unreachable(response);
  }
}

/**
 * Appends a complete reply frame (length + ReplyHeader + body) to `w`. Pass null as `response`
 * for header-only replies (every error, delete, ping, auth, setWatches, ...).
 */
export function writeReply(w: JuteWriter, xid: number, zxid: bigint, err: number, response: Response | null): void {
  // The message is built only on failure: this runs for every reply.
  if (err !== 0 && response !== null && response.kind !== 'sasl') {
    assert(false, `error reply ${err} with a ${response.kind} body`);
  }
  const at = w.reserveInt();
  w.writeInt(xid).writeLong(zxid).writeInt(err);
  if (response !== null) writeResponseBody(w, response);
  w.patchInt(at, w.length - at - 4);
}

// Sized so the common replies never grow the writer: header + Stat + slack, plus any data.
function replyBytesHint(response: Response | null): number {
  if (response === null) return 20;
  if (response.kind === 'getData') return 128 + (response.data?.length ?? 0);
  return 256;
}

/** A complete reply frame. */
export function encodeReply(xid: number, zxid: bigint, err: number, response: Response | null): Buffer {
  const w = new JuteWriter(replyBytesHint(response));
  writeReply(w, xid, zxid, err, response);
  // The writer is private to this call, so its bytes can be handed out without a copy.
  return w.view();
}

/** Appends a watch notification frame: ReplyHeader{-1, -1, 0} + WatcherEvent (§4.7). */
export function writeNotification(w: JuteWriter, event: WatcherEvent): void {
  const at = w.reserveInt();
  w.writeInt(Xid.notification).writeLong(ZXID_NONE).writeInt(0);
  w.writeInt(event.type).writeInt(event.state).writeUString(event.path);
  w.patchInt(at, w.length - at - 4);
}

export function encodeNotification(event: WatcherEvent): Buffer {
  const w = new JuteWriter(32 + event.path.length * 3);
  writeNotification(w, event);
  return w.view();
}

// ---- client side ----

/** The ReplyHeader (16 bytes) at the reader's position. */
export function decodeReplyHeader(r: JuteReader): ReplyHeader {
  const xid = r.readInt();
  const zxid = r.readLong() as Zxid;
  return { xid, zxid, err: r.readInt() };
}

/** The WatcherEvent that follows a ReplyHeader with xid -1. */
export function decodeWatcherEvent(r: JuteReader): WatcherEvent {
  const type = r.readInt();
  const state = r.readInt();
  return { type, state, path: r.readString() };
}

function readAcls(r: JuteReader): Acl[] {
  const acl = readAclList(r);
  if (acl === null) throw new JuteDecodeError('null ACL list in response');
  return acl;
}

function decodeAnyResponse(kind: ResponseKind, r: JuteReader): Response {
  switch (kind) {
    case 'create':
    case 'sync':
      return { kind, path: r.readString() };
    case 'create2': {
      const path = r.readString();
      return { kind, path, stat: readStat(r) };
    }
    case 'stat': return { kind, stat: readStat(r) };
    case 'getData': {
      const data = r.readBuffer();
      return { kind, data, stat: readStat(r) };
    }
    case 'getACL': {
      const acl = readAcls(r);
      return { kind, acl, stat: readStat(r) };
    }
    case 'getChildren': return { kind, children: readStringList(r) };
    case 'getChildren2': {
      const children = readStringList(r);
      return { kind, children, stat: readStat(r) };
    }
    case 'multi': return { kind, results: readMultiResults(r) };
    case 'getEphemerals': return { kind, ephemerals: readStringList(r) };
    case 'getAllChildrenNumber': return { kind, totalNumber: r.readInt() };
    case 'whoAmI': return { kind, clientInfo: r.readVector(readClientInfo) ?? [] };
    case 'error': return { kind, err: r.readInt() };
    case 'sasl': return { kind, token: r.readBuffer() };
    default: return unreachable(kind);
  }
}

/**
 * Decodes a reply body of the given kind (see responseKindForOp); trailing bytes are ignored,
 * as the Java client does (a createContainer reply read as 'create' leaves the Stat unread).
 * @throws JuteDecodeError for a truncated or malformed body.
 */
export function decodeResponse<K extends ResponseKind>(kind: K, r: JuteReader): ResponseOf<K> {
  return decodeAnyResponse(kind, r) as ResponseOf<K>;
}
