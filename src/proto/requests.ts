// Client requests (protocol.md §3.1, §4.4–4.6): the typed Request union keyed by `op`, the
// server-side decoder of a request body, and the client-side encoder of a complete frame.
// Invariants: decodeRequest throws JuteDecodeError for a malformed body (the server answers -5)
// and UnimplementedError for an opcode that is not a client request (the server answers -6 and
// closes); trailing bytes after a record are ignored, as ZooKeeper does. encodeRequest writes
// every field straight into one writer and patches the length prefix.

import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { OpCode } from './opcodes.js';
import { UnimplementedError } from './errors.js';
import { multiOpAllowed, readMultiOps, writeMultiOps, type MultiOp } from './multi.js';
import {
  readAddWatch, readAuth, readCreate, readCreateTTL, readGetEphemerals, readPath,
  readPathVersion, readPathWatch, readReconfig, readSasl, readSetACL, readSetData,
  readSetWatches, readSetWatches2, readWatchType,
  writeAddWatch, writeAuth, writeCreate, writeCreateTTL, writeGetEphemerals, writePath,
  writePathVersion, writePathWatch, writeReconfig, writeSasl, writeSetACL, writeSetData,
  writeSetWatches, writeSetWatches2, writeWatchType,
  type AddWatchRecord, type AuthRecord, type CreateRecord, type CreateTTLRecord,
  type GetEphemeralsRecord, type PathRecord, type PathVersionRecord, type PathWatchRecord,
  type ReconfigRecord, type SaslRecord, type SetACLRecord, type SetDataRecord,
  type SetWatches2Record, type SetWatchesRecord, type WatchTypeRecord,
} from './records.js';
import { unreachable } from '../util/assert.js';

type Op<Name extends string, R = unknown> = { readonly op: Name } & R;

/**
 * multi / multiRead. `opsAllowed` is false when the server must answer -5 (see multi.ts); the
 * encoder ignores it (build client requests with multiRequest).
 */
export interface MultiRecord {
  readonly ops: readonly MultiOp[];
  readonly opsAllowed: boolean;
}

/** One decoded client request; `op` names the opcode (OpCode[op] is the wire code). */
export type Request =
  | Op<'create', CreateRecord>
  | Op<'create2', CreateRecord>
  | Op<'createContainer', CreateRecord>
  | Op<'createTTL', CreateTTLRecord>
  | Op<'delete', PathVersionRecord>
  | Op<'exists', PathWatchRecord>
  | Op<'getData', PathWatchRecord>
  | Op<'setData', SetDataRecord>
  | Op<'getACL', PathRecord>
  | Op<'setACL', SetACLRecord>
  | Op<'getChildren', PathWatchRecord>
  | Op<'getChildren2', PathWatchRecord>
  | Op<'sync', PathRecord>
  | Op<'check', PathVersionRecord>
  | Op<'multi', MultiRecord>
  | Op<'multiRead', MultiRecord>
  | Op<'reconfig', ReconfigRecord>
  | Op<'checkWatches', WatchTypeRecord>
  | Op<'removeWatches', WatchTypeRecord>
  /** The body is the raw UTF-8 path, no length prefix (§4.4). */
  | Op<'deleteContainer', PathRecord>
  | Op<'auth', AuthRecord>
  | Op<'setWatches', SetWatchesRecord>
  | Op<'setWatches2', SetWatches2Record>
  | Op<'sasl', SaslRecord>
  | Op<'getEphemerals', GetEphemeralsRecord>
  | Op<'getAllChildrenNumber', PathRecord>
  | Op<'addWatch', AddWatchRecord>
  | Op<'whoAmI'>
  | Op<'ping'>
  | Op<'closeSession'>;

export type RequestOp = Request['op'];

export interface RequestHeader {
  readonly xid: number;
  readonly type: number;
}

/** The RequestHeader (8 bytes) at the reader's position. */
export function decodeRequestHeader(r: JuteReader): RequestHeader {
  const xid = r.readInt();
  return { xid, type: r.readInt() };
}

const REQUEST_OP_BY_CODE: ReadonlyMap<number, RequestOp> = new Map<number, RequestOp>(
  (
    [
      'create', 'create2', 'createContainer', 'createTTL', 'delete', 'exists', 'getData',
      'setData', 'getACL', 'setACL', 'getChildren', 'getChildren2', 'sync', 'check', 'multi',
      'multiRead', 'reconfig', 'checkWatches', 'removeWatches', 'deleteContainer', 'auth',
      'setWatches', 'setWatches2', 'sasl', 'getEphemerals', 'getAllChildrenNumber', 'addWatch',
      'whoAmI', 'ping', 'closeSession',
    ] as const
  ).map((op) => [OpCode[op], op] as const),
);

/** The request op for a wire opcode, or undefined when it is not a client request (answer -6). */
export function requestOpForCode(opcode: number): RequestOp | undefined {
  return REQUEST_OP_BY_CODE.get(opcode);
}

/** A multi or multiRead request with its opsAllowed flag computed. */
export function multiRequest(kind: 'multi' | 'multiRead', ops: readonly MultiOp[]): Request {
  return { op: kind, ops, opsAllowed: ops.every((op) => multiOpAllowed(kind, op)) };
}

/** The wire opcode of a request. */
export function requestOpCode(request: Request): number {
  return OpCode[request.op];
}

function readRawPath(r: JuteReader): PathRecord {
  const path = Buffer.from(r.bytes.buffer, r.bytes.byteOffset + r.offset, r.remaining()).toString('utf8');
  r.offset = r.end;
  return { path };
}

/**
 * Decodes the record that follows a RequestHeader of type `opcode`.
 * @throws JuteDecodeError for a malformed body; UnimplementedError for a non-request opcode.
 */
export function decodeRequest(opcode: number, body: JuteReader): Request {
  const op = REQUEST_OP_BY_CODE.get(opcode);
  if (op === undefined) throw new UnimplementedError();
  switch (op) {
    case 'create':
    case 'create2':
    case 'createContainer':
      return { op, ...readCreate(body) };
    case 'createTTL': return { op, ...readCreateTTL(body) };
    case 'delete':
    case 'check':
      return { op, ...readPathVersion(body) };
    case 'exists':
    case 'getData':
    case 'getChildren':
    case 'getChildren2':
      return { op, ...readPathWatch(body) };
    case 'setData': return { op, ...readSetData(body) };
    case 'getACL':
    case 'sync':
    case 'getAllChildrenNumber':
      return { op, ...readPath(body) };
    case 'setACL': return { op, ...readSetACL(body) };
    case 'multi':
    case 'multiRead':
      return { op, ...readMultiOps(body, op) };
    case 'reconfig': return { op, ...readReconfig(body) };
    case 'checkWatches':
    case 'removeWatches':
      return { op, ...readWatchType(body) };
    case 'deleteContainer': return { op, ...readRawPath(body) };
    case 'auth': return { op, ...readAuth(body) };
    case 'setWatches': return { op, ...readSetWatches(body) };
    case 'setWatches2': return { op, ...readSetWatches2(body) };
    case 'sasl': return { op, ...readSasl(body) };
    case 'getEphemerals': return { op, ...readGetEphemerals(body) };
    case 'addWatch': return { op, ...readAddWatch(body) };
    case 'whoAmI':
    case 'ping':
    case 'closeSession':
      return { op };
    default: return unreachable(op);
  }
}

/** Appends the request's record (no header) to `w`. */
export function writeRequestBody(w: JuteWriter, request: Request): void {
  switch (request.op) {
    case 'create':
    case 'create2':
    case 'createContainer':
      writeCreate(w, request);
      break;
    case 'createTTL': writeCreateTTL(w, request); break;
    case 'delete':
    case 'check':
      writePathVersion(w, request);
      break;
    case 'exists':
    case 'getData':
    case 'getChildren':
    case 'getChildren2':
      writePathWatch(w, request);
      break;
    case 'setData': writeSetData(w, request); break;
    case 'getACL':
    case 'sync':
    case 'getAllChildrenNumber':
      writePath(w, request);
      break;
    case 'setACL': writeSetACL(w, request); break;
    case 'multi':
    case 'multiRead':
      writeMultiOps(w, request.ops);
      break;
    case 'reconfig': writeReconfig(w, request); break;
    case 'checkWatches':
    case 'removeWatches':
      writeWatchType(w, request);
      break;
    case 'deleteContainer': w.writeRaw(Buffer.from(request.path, 'utf8')); break;
    case 'auth': writeAuth(w, request); break;
    case 'setWatches': writeSetWatches(w, request); break;
    case 'setWatches2': writeSetWatches2(w, request); break;
    case 'sasl': writeSasl(w, request); break;
    case 'getEphemerals': writeGetEphemerals(w, request); break;
    case 'addWatch': writeAddWatch(w, request); break;
    case 'whoAmI':
    case 'ping':
    case 'closeSession':
      break;
    default: unreachable(request);
  }
}

/** Appends a complete frame (length + RequestHeader + record) to `w`. */
export function writeRequest(w: JuteWriter, xid: number, request: Request): void {
  const at = w.reserveInt();
  w.writeInt(xid).writeInt(requestOpCode(request));
  writeRequestBody(w, request);
  w.patchInt(at, w.length - at - 4);
}

/** A complete request frame: 4-byte length + RequestHeader + record. */
export function encodeRequest(xid: number, request: Request): Buffer {
  const w = new JuteWriter();
  writeRequest(w, xid, request);
  // The writer is private to this call, so its bytes can be handed out without a copy.
  return w.view();
}

/** Decodes a whole request frame payload (header + record), as a server or proxy sees it. */
export function decodeRequestFrame(payload: Uint8Array): { header: RequestHeader; request: Request } {
  const r = new JuteReader(payload);
  const header = decodeRequestHeader(r);
  return { header, request: decodeRequest(header.type, r) };
}
