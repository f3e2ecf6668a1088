// Snapshot stream format (storage-and-quorum.md §4.1-§4.4), on uncompressed bytes:
//   FileHeader ZKSN/2/-1 | int n, n x (long sessionId, int timeoutMs) | int m, m x (long aclRef,
//   vector<ACL>) | nodes (ustring path, buffer data, long aclRef, StatPersisted)... | ustring "/" |
//   seal | [digest: long zxid, int version, long digest (or ustring hex when version < 2) | seal]
//   | [3.9: long lastProcessedZxid | seal]
// A seal is `long adler32 | ustring "/"`, the Adler-32 of every byte before it from offset 0.
// The root's path is "" on disk (because "/" ends the node list); this API calls it "/".
// Pure: the encoder is a generator of chunks so the caller can await I/O between them.

import { JuteReader } from '../../jute/reader.js';
import { JuteWriter } from '../../jute/writer.js';
import { JuteDecodeError } from '../../jute/errors.js';
import { readAclList, readStatPersisted, writeAclList, writeStatPersisted } from '../../proto/data.js';
import type { Acl, StatPersisted } from '../../proto/data.js';
import { zxid as toZxid, type Zxid } from '../../util/ids.js';
import { Adler32 } from './adler32.js';
import {
  FILE_HEADER_BYTES,
  FORMAT_VERSION,
  SNAPSHOT_HEADER,
  SNAPSHOT_MAGIC,
  decodeFileHeader,
  encodeFileHeader,
} from './file-header.js';

export const DIGEST_VERSION = 2;
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1 << 20;
const SESSION_BYTES = 12;
const END_OF_NODES = '/';
const WIRE_TRAILER = 'BenWasHere';
/** `00000001 2f`: every plain snapshot ends with a seal's "/" (the quick validity test). */
const SEAL_TAIL = Uint8Array.of(0, 0, 0, 1, 0x2f);
const GZIP_MAGIC = Uint8Array.of(0x1f, 0x8b);
export const SNAPPY_MAGIC = Uint8Array.of(0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00);

export interface SnapshotNode {
  /** "/" for the root. */
  readonly path: string;
  readonly data: Uint8Array | null;
  readonly aclRef: bigint;
  readonly stat: StatPersisted;
}

export interface SnapshotDigest {
  readonly zxid: Zxid;
  readonly version: number;
  readonly digest: bigint;
}

export interface SnapshotContent {
  readonly sessions: Iterable<readonly [sessionId: bigint, timeoutMs: number]>;
  /** Only references in use, never -1 (§4.3). */
  readonly aclCache: Iterable<readonly [ref: bigint, acls: readonly Acl[]]>;
  /** Pre-order from the root: every node's parent comes before it. */
  readonly nodes: Iterable<SnapshotNode>;
  /**
   * Nodes already encoded with writeSnapshotNode, in pre-order, written after `nodes` (a fuzzy
   * snapshot encodes the live tree as it walks it instead of holding an object per node).
   */
  readonly encodedNodes?: readonly Uint8Array[];
  readonly digest?: SnapshotDigest;
  /** 3.9's optional third section; 3.8 readers ignore it. */
  readonly lastProcessedZxid?: Zxid;
}

export interface DecodedSnapshot {
  readonly sessions: Array<[sessionId: bigint, timeoutMs: number]>;
  readonly aclCache: Array<[ref: bigint, acls: Acl[]]>;
  /** Empty when the caller streamed nodes through `onNode`. */
  readonly nodes: SnapshotNode[];
  readonly nodeCount: number;
  readonly digest: SnapshotDigest | null;
  readonly lastProcessedZxid: Zxid | null;
}

export class SnapshotFormatError extends Error {
  override name = 'SnapshotFormatError';
}

/**
 * 'file': a snapshot file (header, seals, digest). 'wire': the SNAP body of the learner protocol
 * (§4.7, §10.4): no header, seal or digest, followed by the ustring "BenWasHere".
 */
export type SnapshotFraming = 'file' | 'wire';

/** One node record (§4.4); the root is "/" here and "" on disk. */
export function writeSnapshotNode(w: JuteWriter, path: string, data: Uint8Array | null, aclRef: bigint | number, stat: StatPersisted): void {
  w.writeUString(path === '/' ? '' : path);
  w.writeBuffer(data);
  w.writeLong(aclRef);
  writeStatPersisted(w, stat);
}

/** Encodes a snapshot as a sequence of chunks of about `chunkBytes` (uncompressed). */
export function* encodeSnapshot(
  content: SnapshotContent,
  chunkBytes = DEFAULT_SNAPSHOT_CHUNK_BYTES,
  framing: SnapshotFraming = 'file',
): Generator<Uint8Array, void, void> {
  const adler = new Adler32();
  let w = new JuteWriter(Math.min(chunkBytes, 1 << 16) + 1024);
  let counted = 0; // bytes of `w` already fed to `adler`
  const take = (): Uint8Array => {
    adler.update(w.view(), counted, w.length);
    const chunk = w.toBuffer();
    w = new JuteWriter(Math.min(chunkBytes, 1 << 16) + 1024);
    counted = 0;
    return chunk;
  };
  const seal = (): void => {
    adler.update(w.view(), counted, w.length);
    counted = w.length;
    w.writeLong(adler.value()).writeUString(END_OF_NODES);
  };

  if (framing === 'file') w.writeRaw(encodeFileHeader(SNAPSHOT_HEADER));
  const sessions = [...content.sessions];
  w.writeInt(sessions.length);
  for (const [id, timeoutMs] of sessions) w.writeLong(id).writeInt(timeoutMs);
  const aclCache = [...content.aclCache];
  w.writeInt(aclCache.length);
  for (const [ref, acls] of aclCache) {
    w.writeLong(ref);
    writeAclList(w, acls);
  }
  for (const node of content.nodes) {
    writeSnapshotNode(w, node.path, node.data, node.aclRef, node.stat);
    if (w.length >= chunkBytes) yield take();
  }
  for (const encoded of content.encodedNodes ?? []) {
    if (w.length > 0) yield take();
    adler.update(encoded);
    yield encoded;
  }
  w.writeUString(END_OF_NODES);
  if (framing === 'wire') {
    w.writeUString(WIRE_TRAILER);
    yield take();
    return;
  }
  seal();
  if (content.digest !== undefined) {
    const d = content.digest;
    if (d.version < 2) throw new SnapshotFormatError(`cannot write digest version ${d.version}`);
    w.writeLong(d.zxid).writeInt(d.version).writeLong(d.digest);
    seal();
    if (content.lastProcessedZxid !== undefined) {
      w.writeLong(content.lastProcessedZxid);
      seal();
    }
  }
  yield take();
}

/** Quick validity test (§4.1): does this file look like a finished snapshot? */
export function looksLikeSnapshot(
  compression: 'none' | 'gz' | 'snappy',
  head: Uint8Array,
  tail: Uint8Array,
  sizeBytes: number,
): boolean {
  const startsWith = (bytes: Uint8Array, magic: Uint8Array): boolean =>
    bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  switch (compression) {
    case 'gz':
      return startsWith(head, GZIP_MAGIC);
    case 'snappy':
      return startsWith(head, SNAPPY_MAGIC);
    case 'none':
      return sizeBytes >= 10 && tail.length >= 5 && startsWith(tail.subarray(tail.length - 5), SEAL_TAIL);
  }
}

/**
 * Decodes and verifies a whole uncompressed snapshot. With `onNode`, nodes are handed over one
 * by one (in file order) instead of being collected. Throws SnapshotFormatError on anything
 * malformed, including a seal that does not verify.
 */
export function decodeSnapshot(bytes: Uint8Array, onNode?: (node: SnapshotNode) => void): DecodedSnapshot {
  try {
    return decode(bytes, onNode);
  } catch (err) {
    if (err instanceof JuteDecodeError) throw new SnapshotFormatError(`malformed snapshot: ${err.message}`, { cause: err });
    throw err;
  }
}

interface Body {
  sessions: Array<[bigint, number]>;
  aclCache: Array<[bigint, Acl[]]>;
  nodes: SnapshotNode[];
  nodeCount: number;
}

/** sessions, ACL map, nodes and the "/" end marker: common to files and the SNAP body. */
function decodeBody(r: JuteReader, onNode?: (node: SnapshotNode) => void): Body {
  const sessionCount = r.readInt();
  if (sessionCount < 0 || sessionCount * SESSION_BYTES > r.remaining()) {
    throw new SnapshotFormatError(`bad session count ${sessionCount}`);
  }
  const sessions: Array<[bigint, number]> = [];
  for (let i = 0; i < sessionCount; i++) sessions.push([r.readLong(), r.readInt()]);

  const aclCount = r.readInt();
  if (aclCount < 0 || aclCount > r.remaining()) throw new SnapshotFormatError(`bad ACL map count ${aclCount}`);
  const aclCache: Array<[bigint, Acl[]]> = [];
  for (let i = 0; i < aclCount; i++) {
    const ref = r.readLong();
    aclCache.push([ref, readAclList(r) ?? []]);
  }

  const nodes: SnapshotNode[] = [];
  let nodeCount = 0;
  for (;;) {
    const path = r.readUString();
    if (path === null) throw new SnapshotFormatError('null node path');
    if (path === END_OF_NODES) break;
    const data = r.readBuffer();
    const aclRef = r.readLong();
    const stat = readStatPersisted(r);
    // Copy (not Buffer#slice, which is a view) so a kept node does not pin the snapshot buffer.
    const node: SnapshotNode = { path: path === '' ? '/' : path, data: data === null ? null : new Uint8Array(data), aclRef, stat };
    nodeCount++;
    if (onNode !== undefined) onNode(node);
    else nodes.push(node);
  }
  return { sessions, aclCache, nodes, nodeCount };
}

function decode(bytes: Uint8Array, onNode?: (node: SnapshotNode) => void): DecodedSnapshot {
  const header = decodeFileHeader(bytes);
  if (header === null || header.magic !== SNAPSHOT_MAGIC || header.version !== FORMAT_VERSION) {
    throw new SnapshotFormatError('not a version-2 snapshot (bad file header)');
  }
  const r = new JuteReader(bytes, FILE_HEADER_BYTES);
  const adler = new Adler32();
  let checked = 0;
  const verifySeal = (which: string): void => {
    adler.update(bytes, checked, r.offset);
    checked = r.offset;
    const expected = adler.value();
    const stored = r.readLong();
    const marker = r.readUString();
    if (BigInt(expected) !== stored || marker !== END_OF_NODES) {
      throw new SnapshotFormatError(`${which} does not verify at offset ${checked}`);
    }
  };

  const body = decodeBody(r, onNode);
  verifySeal('seal #1');

  let digest: SnapshotDigest | null = null;
  let lastProcessedZxid: Zxid | null = null;
  // The digest and 3.9 sections are optional: EOF after a seal is a complete file (§4.1).
  if (r.remaining() > 0) {
    const zxid = toZxid(r.readLong());
    const version = r.readInt();
    const digestValue = version >= DIGEST_VERSION ? r.readLong() : parseHexDigest(r.readUString());
    digest = { zxid, version, digest: digestValue };
    verifySeal('seal #2');
  }
  if (r.remaining() > 0) {
    lastProcessedZxid = toZxid(r.readLong());
    verifySeal('seal #3');
  }
  // Later sections (a future format) are ignored, as a 3.8 reader ignores 3.9's third section.
  return { ...body, digest, lastProcessedZxid };
}

/**
 * Decodes a SNAP body (§10.4) at the start of `bytes`, through its "BenWasHere" trailer.
 * Returns the content and the bytes used; throws SnapshotFormatError if it is malformed or
 * incomplete (a caller reading a socket can retry with more bytes).
 */
export function decodeSnapshotWire(
  bytes: Uint8Array,
  onNode?: (node: SnapshotNode) => void,
): Body & { readonly bytesUsed: number } {
  try {
    const r = new JuteReader(bytes);
    const body = decodeBody(r, onNode);
    const trailer = r.readUString();
    if (trailer !== WIRE_TRAILER) throw new SnapshotFormatError(`missing BenWasHere after the SNAP body (got ${JSON.stringify(trailer)})`);
    return { ...body, bytesUsed: r.offset };
  } catch (err) {
    if (err instanceof JuteDecodeError) throw new SnapshotFormatError(`malformed SNAP body: ${err.message}`, { cause: err });
    throw err;
  }
}

function parseHexDigest(text: string | null): bigint {
  if (text === null || !/^[0-9a-fA-F]{1,16}$/.test(text)) throw new SnapshotFormatError(`bad digest text ${String(text)}`);
  return BigInt.asIntN(64, BigInt(`0x${text}`));
}
