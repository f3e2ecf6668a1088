// multi (14) and multiRead (22): the op list of a request and the result list of a response
// (protocol.md §4.6). Each entry is a MultiHeader{int type, boolean done, int err} plus a record;
// the list ends at the first header with done=true (we write the terminator {-1, true, -1}).
// Invariants: decoding consumes at least 9 bytes per entry, so a hostile list ends with the
// frame; an op type with no known record cannot be skipped and raises JuteDecodeError (-5).

import type { JuteReader } from '../jute/reader.js';
import type { JuteWriter } from '../jute/writer.js';
import { JuteDecodeError } from '../jute/errors.js';
import { readStat, writeStat, type Stat } from './data.js';
import { CreateFlag, OpCode } from './opcodes.js';
import {
  readCreate, readCreateTTL, readPathVersion, readPathWatch, readSetData, readStringList,
  writeCreate, writeCreateTTL, writePathVersion, writePathWatch, writeSetData, writeStringList,
  type CreateRecord, type CreateTTLRecord, type PathVersionRecord, type PathWatchRecord,
  type SetDataRecord,
} from './records.js';
import { unreachable } from '../util/assert.js';

/** One sub-op of a multi or multiRead request. */
export type MultiOp =
  | ({ readonly op: 'create' | 'create2' | 'createContainer' } & CreateRecord)
  | ({ readonly op: 'createTTL' } & CreateTTLRecord)
  | ({ readonly op: 'delete' } & PathVersionRecord)
  | ({ readonly op: 'setData' } & SetDataRecord)
  | ({ readonly op: 'check' } & PathVersionRecord)
  | ({ readonly op: 'getData' } & PathWatchRecord)
  | ({ readonly op: 'getChildren' } & PathWatchRecord);

/** One result of a multi or multiRead response. */
export type MultiResult =
  | { readonly op: 'create'; readonly path: string }
  | { readonly op: 'create2'; readonly path: string; readonly stat: Stat }
  | { readonly op: 'delete' }
  | { readonly op: 'check' }
  | { readonly op: 'setData'; readonly stat: Stat }
  | { readonly op: 'getData'; readonly data: Uint8Array | null; readonly stat: Stat }
  | { readonly op: 'getChildren'; readonly children: readonly string[] }
  /** err 0 marks an op before the failing one, -2 an op after it (§4.6). */
  | { readonly op: 'error'; readonly err: number };

export interface DecodedMultiOps {
  readonly ops: MultiOp[];
  /**
   * False when the list holds an op its kind of multi does not allow: a read op in a multi, a
   * write op in a multiRead, or a TTL create flag on a non-TTL create in a multi. ZooKeeper
   * answers -5 for the whole request (a multi still consumes a zxid).
   */
  readonly opsAllowed: boolean;
}

const TERMINATOR_TYPE = -1;

function isTtlFlag(flags: number): boolean {
  return flags === CreateFlag.persistentWithTtl || flags === CreateFlag.persistentSequentialWithTtl;
}

/** Whether `op` may appear in a request of `kind`. */
export function multiOpAllowed(kind: 'multi' | 'multiRead', op: MultiOp): boolean {
  switch (op.op) {
    case 'getData':
    case 'getChildren':
      return kind === 'multiRead';
    case 'create':
    case 'create2':
    case 'createContainer':
      return kind === 'multi' && !isTtlFlag(op.flags);
    case 'createTTL':
    case 'delete':
    case 'setData':
    case 'check':
      return kind === 'multi';
    default:
      return unreachable(op);
  }
}

function readMultiOp(r: JuteReader, type: number): MultiOp {
  switch (type) {
    case OpCode.create: return { op: 'create', ...readCreate(r) };
    case OpCode.create2: return { op: 'create2', ...readCreate(r) };
    case OpCode.createContainer: return { op: 'createContainer', ...readCreate(r) };
    case OpCode.createTTL: return { op: 'createTTL', ...readCreateTTL(r) };
    case OpCode.delete: return { op: 'delete', ...readPathVersion(r) };
    case OpCode.setData: return { op: 'setData', ...readSetData(r) };
    case OpCode.check: return { op: 'check', ...readPathVersion(r) };
    case OpCode.getData: return { op: 'getData', ...readPathWatch(r) };
    case OpCode.getChildren: return { op: 'getChildren', ...readPathWatch(r) };
    default: throw new JuteDecodeError(`invalid op type ${type} in multi`);
  }
}

/** Reads the op list of a multi (kind 'multi') or multiRead request up to its terminator. */
export function readMultiOps(r: JuteReader, kind: 'multi' | 'multiRead'): DecodedMultiOps {
  const ops: MultiOp[] = [];
  let opsAllowed = true;
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err: -1 from every client, meaningless in a request
    if (done) break;
    const op = readMultiOp(r, type);
    if (!multiOpAllowed(kind, op)) opsAllowed = false;
    ops.push(op);
  }
  return { ops, opsAllowed };
}

function multiOpType(op: MultiOp): number {
  return OpCode[op.op];
}

export function writeMultiOps(w: JuteWriter, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    w.writeInt(multiOpType(op)).writeBool(false).writeInt(-1);
    switch (op.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
        writeCreate(w, op);
        break;
      case 'createTTL': writeCreateTTL(w, op); break;
      case 'delete':
      case 'check':
        writePathVersion(w, op);
        break;
      case 'setData': writeSetData(w, op); break;
      case 'getData':
      case 'getChildren':
        writePathWatch(w, op);
        break;
      default: unreachable(op);
    }
  }
  w.writeInt(TERMINATOR_TYPE).writeBool(true).writeInt(-1);
}

function resultType(result: MultiResult): number {
  return result.op === 'error' ? OpCode.error : OpCode[result.op];
}

export function writeMultiResults(w: JuteWriter, results: readonly MultiResult[]): void {
  for (const result of results) {
    w.writeInt(resultType(result)).writeBool(false).writeInt(result.op === 'error' ? result.err : 0);
    switch (result.op) {
      case 'create': w.writeUString(result.path); break;
      case 'create2': w.writeUString(result.path); writeStat(w, result.stat); break;
      case 'delete':
      case 'check':
        break;
      case 'setData': writeStat(w, result.stat); break;
      case 'getData': w.writeBuffer(result.data); writeStat(w, result.stat); break;
      case 'getChildren': writeStringList(w, result.children); break;
      case 'error': w.writeInt(result.err); break;
      default: unreachable(result);
    }
  }
  w.writeInt(TERMINATOR_TYPE).writeBool(true).writeInt(-1);
}

function readMultiResult(r: JuteReader, type: number): MultiResult {
  switch (type) {
    case OpCode.create: return { op: 'create', path: r.readString() };
    case OpCode.create2: {
      const path = r.readString();
      return { op: 'create2', path, stat: readStat(r) };
    }
    case OpCode.delete: return { op: 'delete' };
    case OpCode.check: return { op: 'check' };
    case OpCode.setData: return { op: 'setData', stat: readStat(r) };
    case OpCode.getData: {
      const data = r.readBuffer();
      return { op: 'getData', data, stat: readStat(r) };
    }
    case OpCode.getChildren: return { op: 'getChildren', children: readStringList(r) };
    // The body repeats the header's err; the body is what clients report.
    case OpCode.error: return { op: 'error', err: r.readInt() };
    default: throw new JuteDecodeError(`invalid result type ${type} in multi response`);
  }
}

export function readMultiResults(r: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt();
    if (done) break;
    results.push(readMultiResult(r, type));
  }
  return results;
}
