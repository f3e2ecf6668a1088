// Byte codec for server-to-server messages (storage-and-quorum.md §1.2, §9.1, §10.1–§10.5, §11).
// Pure: bytes in, typed messages out, and back. No framing of the election channel (its
// `int length` prefix belongs to the connection layer); the quorum stream has no outer length,
// so `quorumPacketBytes` tells a reader where one record ends.
//
// Invariants: encode(decode(b)) == b for every layout current servers send (Notification v2,
// every QuorumPacket type listed in messages.ts). Malformed input throws JuteDecodeError and
// never asserts: it comes from the network.

import { JuteDecodeError } from '../jute/errors.js';
import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { readId, writeId, type Id } from '../proto/data.js';
import { decodeTxnEntry, encodeTxnEntry } from '../txn/codec.js';
import { zxid, type SessionId, type Zxid } from '../util/ids.js';
import {
  PacketType,
  type LearnerInfo,
  type Notification,
  type PacketTypeName,
  type QuorumPacket,
  type ServerState,
  type SessionTouch,
} from './messages.js';

const LEGACY_NOTIFICATION_BYTES = 28;
const V1_NOTIFICATION_BYTES = 40;
const V2_HEADER_BYTES = 44;
const TOUCH_ENTRY_BYTES = 12;

export class UnsupportedPacketError extends JuteDecodeError {
  override name = 'UnsupportedPacketError';
  constructor(readonly packetType: number) {
    super(`unsupported quorum packet type ${packetType}`);
  }
}

// ---- Notification (§9.1) ------------------------------------------------------------------------

/** The notification body (without the election channel's frame length). */
export function encodeNotification(n: Notification): Buffer {
  const w = new JuteWriter(V2_HEADER_BYTES + (n.config?.length ?? 0));
  w.writeInt(n.state).writeLong(n.leader).writeLong(n.zxid).writeLong(n.electionEpoch).writeLong(n.peerEpoch);
  if (n.version < 2) return w.writeInt(0).toBuffer(); // the 40-byte layout: trailing int ignored
  const config = Buffer.from(n.config ?? '', 'utf8');
  w.writeInt(n.version).writeInt(config.length).writeRaw(config);
  return w.toBuffer();
}

export function decodeNotification(bytes: Uint8Array): Notification {
  const size = bytes.length;
  if (size < LEGACY_NOTIFICATION_BYTES || (size > LEGACY_NOTIFICATION_BYTES && size < V1_NOTIFICATION_BYTES)) {
    throw new JuteDecodeError(`notification of ${size} bytes`);
  }
  const r = new JuteReader(bytes);
  const state = r.readInt();
  if (state < 0 || state > 3) throw new JuteDecodeError(`bad notification state ${state}`);
  const leader = r.readLong();
  const z = zxid(r.readLong());
  const electionEpoch = r.readLong();
  // The 3.3-era layout has no peerEpoch: it is the epoch of the proposed zxid.
  const peerEpoch = size === LEGACY_NOTIFICATION_BYTES ? BigInt.asUintN(64, z) >> 32n : r.readLong();
  let version = 0;
  let config: string | null = null;
  if (size >= V2_HEADER_BYTES) {
    version = r.readInt();
    if (version > 1) {
      const length = r.readInt();
      if (length < 0 || length > r.remaining()) throw new JuteDecodeError(`bad config length ${length}`);
      config = Buffer.from(bytes.buffer, bytes.byteOffset + r.offset, length).toString('utf8');
    }
  }
  return { kind: 'notification', state: state as ServerState, leader, zxid: z, electionEpoch, peerEpoch, version, config };
}

// ---- QuorumPacket (§10.1, §10.2) ----------------------------------------------------------------

const TYPE_NAMES = new Map<number, PacketTypeName>(
  Object.entries(PacketType).map(([name, code]) => [code, name as PacketTypeName]),
);

export function encodeQuorumPacket(p: QuorumPacket): Buffer {
  const w = new JuteWriter();
  writeQuorumPacket(w, p);
  return w.toBuffer();
}

/**
 * Appends one packet to `w`. The packets of the broadcast phase (PROPOSAL, COMMIT, ACK, REQUEST)
 * are written in place: a leader sends one per txn per learner, so no buffer per packet.
 */
export function writeQuorumPacket(w: JuteWriter, p: QuorumPacket): void {
  w.writeInt(PacketType[p.type]).writeLong(p.zxid);
  if (p.type === 'REQUEST') {
    const { sessionId, cxid, opType, body, authinfo } = p.request;
    w.writeInt(16 + body.length).writeLong(sessionId).writeInt(cxid).writeInt(opType).writeRaw(body);
    w.writeVector(authinfo, writeId);
    return;
  }
  w.writeBuffer(packetData(p));
  w.writeInt(-1); // no authinfo
}

function packetData(p: QuorumPacket): Uint8Array | null {
  switch (p.type) {
    case 'ACK':
    case 'COMMIT':
    case 'SYNC':
    case 'UPTODATE':
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
      return null;
    case 'PROPOSAL':
    case 'INFORM':
      return encodeTxnEntry(p.txn);
    case 'REQUEST':
      throw new Error('REQUEST is written in place by writeQuorumPacket');
    case 'PING': {
      if (p.touches === null) return null;
      const w = new JuteWriter(TOUCH_ENTRY_BYTES * p.touches.length + 1);
      for (const t of p.touches) w.writeLong(t.sessionId).writeInt(t.timeoutMs);
      return w.toBuffer();
    }
    case 'REVALIDATE': {
      const w = new JuteWriter(TOUCH_ENTRY_BYTES).writeLong(p.sessionId);
      return p.direction === 'request' ? w.writeInt(p.timeoutMs).toBuffer() : w.writeBool(p.valid).toBuffer();
    }
    case 'NEWLEADER':
      return p.config === null ? null : Buffer.from(p.config, 'utf8');
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return p.info === null ? null : encodeLearnerInfo(p.info);
    case 'LEADERINFO':
      return new JuteWriter(4).writeInt(p.protocolVersion).toBuffer();
    case 'ACKEPOCH':
      return new JuteWriter(4).writeInt(p.currentEpoch).toBuffer();
  }
}

export function encodeLearnerInfo(info: LearnerInfo): Buffer {
  return new JuteWriter(20).writeLong(info.serverId).writeInt(info.protocolVersion).writeLong(info.configVersion).toBuffer();
}

/** LearnerInfo as the leader reads it: protocol version only from ≥ 12 bytes, config version from ≥ 20. */
export function decodeLearnerInfo(data: Uint8Array): LearnerInfo {
  const r = new JuteReader(data);
  const serverId = r.readLong();
  const protocolVersion = r.remaining() >= 4 ? r.readInt() : 0;
  const configVersion = r.remaining() >= 8 ? r.readLong() : -1n;
  return { serverId, protocolVersion, configVersion };
}

/** Decodes exactly one packet from `bytes` (trailing bytes are an error). */
export function decodeQuorumPacket(bytes: Uint8Array): QuorumPacket {
  const r = new JuteReader(bytes);
  const p = readQuorumPacket(r);
  if (r.remaining() !== 0) throw new JuteDecodeError(`${r.remaining()} bytes after a quorum packet`);
  return p;
}

export function readQuorumPacket(r: JuteReader): QuorumPacket {
  const code = r.readInt();
  const z = zxid(r.readLong());
  const data = r.readBuffer();
  const authinfo = r.readVector(readId);
  const type = TYPE_NAMES.get(code);
  if (type === undefined) throw new UnsupportedPacketError(code);
  return typedPacket(type, z, data, authinfo);
}

function typedPacket(type: PacketTypeName, zxid: Zxid, data: Uint8Array | null, authinfo: Id[] | null): QuorumPacket {
  // Object literals rather than spreads of a shared base: this runs once per packet received.
  const kind = 'packet';
  switch (type) {
    case 'ACK':
    case 'COMMIT':
    case 'SYNC':
    case 'UPTODATE':
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
      return { kind, type, zxid };
    case 'PROPOSAL':
    case 'INFORM':
      return { kind, type, zxid, txn: decodeTxnEntry(need(data, type)) };
    case 'REQUEST': {
      const r = new JuteReader(need(data, type));
      const sessionId = r.readLong() as SessionId;
      const cxid = r.readInt();
      const opType = r.readInt();
      const body = r.bytes.slice(r.offset, r.end); // a copy: the request outlives the read buffer
      return { kind, type, zxid, request: { sessionId, cxid, opType, body, authinfo } };
    }
    case 'PING':
      return { kind, type, zxid, touches: data === null ? null : decodeTouches(data) };
    case 'REVALIDATE': {
      const r = new JuteReader(need(data, type));
      const sessionId = r.readLong() as SessionId;
      if (r.remaining() === 1) return { kind, type, zxid, direction: 'reply', sessionId, valid: r.readBool() };
      const timeoutMs = r.readInt();
      return { kind, type, zxid, direction: 'request', sessionId, timeoutMs };
    }
    case 'NEWLEADER':
      return { kind, type, zxid, config: data === null ? null : Buffer.from(data).toString('utf8') };
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return { kind, type, zxid, info: data === null ? null : decodeLearnerInfo(data) };
    case 'LEADERINFO':
      return { kind, type, zxid, protocolVersion: new JuteReader(need(data, type)).readInt() };
    case 'ACKEPOCH':
      return { kind, type, zxid, currentEpoch: new JuteReader(need(data, type)).readInt() };
  }
}

function need(data: Uint8Array | null, type: PacketTypeName): Uint8Array {
  if (data === null) throw new JuteDecodeError(`${type} without data`);
  return data;
}

function decodeTouches(data: Uint8Array): SessionTouch[] {
  if (data.length % TOUCH_ENTRY_BYTES !== 0) throw new JuteDecodeError(`touch table of ${data.length} bytes`);
  const r = new JuteReader(data);
  const out: SessionTouch[] = [];
  while (r.remaining() > 0) out.push({ sessionId: r.readLong() as SessionId, timeoutMs: r.readInt() });
  return out;
}

/**
 * Byte length of the quorum packet starting at `offset`, or null when more bytes are needed.
 * The quorum stream has no outer length prefix (§10.1), so a reader splits records with this.
 */
export function quorumPacketBytes(bytes: Uint8Array, offset = 0): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = offset + 12; // type + zxid
  const readLength = (): number | null => {
    if (at + 4 > bytes.length) return null;
    const n = view.getInt32(at);
    at += 4;
    if (n < -1) throw new JuteDecodeError(`bad length ${n}`);
    return n;
  };
  const dataLength = readLength();
  if (dataLength === null) return null;
  at += Math.max(dataLength, 0);
  const count = readLength();
  if (count === null) return null;
  for (let i = 0; i < count * 2; i++) {
    const n = readLength(); // scheme, then id
    if (n === null) return null;
    at += Math.max(n, 0);
  }
  return at <= bytes.length ? at - offset : null;
}
