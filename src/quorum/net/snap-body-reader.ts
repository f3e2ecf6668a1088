// Reads the SNAP body that follows a SNAP QuorumPacket on the learner stream (storage-and-quorum.md
// §4.7, §10.4): sessions + ACL cache + nodes + "/" end marker, then the ustring "BenWasHere", with
// no outer length. Push chunks; once the trailer is in, the body is decoded (decodeSnapshotWire)
// and handed back with the bytes that followed it.
//
// Invariants:
// - Linear in the body size: a resumable walker finds where the body ends by stepping over length
//   fields (node data is skipped, never re-read), resuming at the item it stopped in, and an item
//   is walked again only once the bytes it was missing have arrived. The body is decoded once.
// - Bounded: a body (or an announced length) reaching past bytesMax fails as soon as that is known.
// - Errors are SnapshotFormatError and sticky; the caller closes the connection.

import { decodeSnapshotWire, SnapshotFormatError, type SnapshotContent } from '../../storage/format/snapshot-format.js';

/** StatPersisted: czxid, mzxid, ctime, mtime (longs), version, cversion, aversion (ints), ephemeralOwner, pzxid (longs). */
const STAT_PERSISTED_BYTES = 6 * 8 + 3 * 4;
const SESSION_BYTES = 12;
/** perms int + two ustring lengths. */
const ACL_BYTES_MIN = 12;
const INITIAL_CAPACITY = 64 * 1024;

type Phase = 'sessions' | 'aclCount' | 'acls' | 'nodes' | 'trailer' | 'done';

/** Thrown by the walker when the item needs bytes not yet buffered; `need` is the length required. */
class Incomplete {
  constructor(readonly need: number) {}
}

export interface SnapBodyResult {
  readonly content: SnapshotContent;
  /** Body bytes including the trailer. */
  readonly bodyBytes: number;
  readonly nodeCount: number;
  /** Bytes after the trailer: the next packets. */
  readonly rest: Buffer;
}

export class SnapBodyReader {
  private buffer: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Start of the first item not yet walked. */
  private offset = 0;
  private phase: Phase = 'sessions';
  private aclsLeft = 0;
  /** Do not walk again before this many bytes are buffered. */
  private needLength = 4;
  private failure: SnapshotFormatError | null = null;

  constructor(readonly bytesMax: number) {}

  get bufferedBytes(): number {
    return this.length;
  }

  /** Adds bytes; returns the body once its trailer is in, else null. @throws SnapshotFormatError, sticky. */
  push(chunk: Uint8Array): SnapBodyResult | null {
    if (this.failure !== null) throw this.failure;
    if (this.phase === 'done') throw new Error('SnapBodyReader used after the body was complete');
    try {
      this.append(chunk);
      if (this.length < this.needLength) return null;
      const end = this.walk();
      if (end === null) {
        if (this.length >= this.bytesMax) throw new SnapshotFormatError(`SNAP body longer than ${this.bytesMax} bytes`);
        return null;
      }
      return this.finish(end);
    } catch (err) {
      this.failure = err instanceof SnapshotFormatError ? err : new SnapshotFormatError(String(err), { cause: err });
      throw this.failure;
    }
  }

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2, INITIAL_CAPACITY));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = needed;
  }

  /** Walks whole items from `offset`; the end of the trailer, or null when more bytes are needed. */
  private walk(): number | null {
    try {
      for (;;) {
        const at = this.offset;
        switch (this.phase) {
          case 'sessions': {
            const count = this.count(at, 'session', SESSION_BYTES);
            this.offset = this.within(at + 4 + count * SESSION_BYTES, at);
            this.phase = 'aclCount';
            break;
          }
          case 'aclCount':
            this.aclsLeft = this.count(at, 'ACL map', 8 + 4);
            this.offset = at + 4;
            this.phase = this.aclsLeft > 0 ? 'acls' : 'nodes';
            break;
          case 'acls':
            this.offset = this.aclEntry(at);
            if (--this.aclsLeft === 0) this.phase = 'nodes';
            break;
          case 'nodes': {
            const pathLength = this.int(at);
            if (pathLength < 0) throw new SnapshotFormatError(`bad node path length ${pathLength} at ${at}`);
            const pathEnd = this.within(at + 4 + pathLength, at);
            if (pathLength === 1 && this.buffer[at + 4] === 0x2f) {
              this.offset = pathEnd;
              this.phase = 'trailer';
              break;
            }
            const dataEnd = this.lengthPrefixed(pathEnd, 'node data');
            this.offset = this.within(dataEnd + 8 + STAT_PERSISTED_BYTES, at);
            break;
          }
          case 'trailer':
            this.offset = this.lengthPrefixed(at, 'trailer');
            this.phase = 'done';
            return this.offset;
          case 'done':
            return this.offset;
        }
      }
    } catch (err) {
      if (!(err instanceof Incomplete)) throw err;
      this.needLength = err.need;
      return null;
    }
  }

  /** Key long + vector<ACL>: int count (-1 = null), then perms int + scheme + id ustrings each. */
  private aclEntry(at: number): number {
    const count = this.int(at + 8);
    if (count < -1 || (count > 0 && at + 12 + count * ACL_BYTES_MIN > this.bytesMax)) {
      throw new SnapshotFormatError(`bad ACL list length ${count} at ${at + 8}`);
    }
    let end = at + 12;
    for (let i = 0; i < count; i++) {
      end = this.lengthPrefixed(end + 4, 'ACL scheme');
      end = this.lengthPrefixed(end, 'ACL id');
    }
    return this.within(end, at);
  }

  /** A count at `at` whose items take at least `itemBytes` each; fails when it cannot fit. */
  private count(at: number, what: string, itemBytes: number): number {
    const count = this.int(at);
    if (count < 0 || at + 4 + count * itemBytes > this.bytesMax) throw new SnapshotFormatError(`bad ${what} count ${count} at ${at}`);
    return count;
  }

  /** An int length (-1 = null) and that many bytes; the end. */
  private lengthPrefixed(at: number, what: string): number {
    const n = this.int(at);
    if (n < -1) throw new SnapshotFormatError(`bad ${what} length ${n} at ${at}`);
    return this.within(at + 4 + Math.max(n, 0), at);
  }

  private int(at: number): number {
    this.within(at + 4, at);
    return this.buffer.readInt32BE(at);
  }

  /** `end` if buffered; Incomplete if it fits in bytesMax; a size error otherwise. */
  private within(end: number, at: number): number {
    if (end > this.bytesMax) throw new SnapshotFormatError(`SNAP body longer than ${this.bytesMax} bytes (item at ${at} ends at ${end})`);
    if (end > this.length) throw new Incomplete(end);
    return end;
  }

  private finish(end: number): SnapBodyResult {
    const body = this.buffer.subarray(0, end);
    const decoded = decodeSnapshotWire(body);
    if (decoded.bytesUsed !== end) throw new SnapshotFormatError(`SNAP body framing disagrees: walked ${end} bytes, decoded ${decoded.bytesUsed}`);
    const rest = Buffer.from(this.buffer.subarray(end, this.length));
    this.buffer = Buffer.alloc(0);
    this.length = 0;
    const content: SnapshotContent = { sessions: decoded.sessions, aclCache: decoded.aclCache, nodes: decoded.nodes };
    return { content, bodyBytes: end, nodeCount: decoded.nodeCount, rest };
  }
}
