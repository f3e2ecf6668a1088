// The session handshake (protocol.md §2.1–2.3): ConnectRequest, the first client frame, and
// ConnectResponse, the first server frame. Neither has a header.
// Invariant: the trailing readOnly boolean is optional on the wire. `readOnly: null` means the
// byte is absent (an "old" client such as node-zookeeper-client); the server's response then omits
// it too (36 instead of 37 payload bytes), because the C client reads a fixed-size primer and
// old clients may not expect the extra byte.

import type { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import type { SessionId, Zxid } from '../util/ids.js';

export interface ConnectRequest {
  /** 0 from every client; the server ignores it. */
  readonly protocolVersion: number;
  readonly lastZxidSeen: Zxid;
  /** The requested session timeout. */
  readonly timeoutMs: number;
  /** 0 = new session. */
  readonly sessionId: SessionId;
  /** 16 zero bytes for a new session. A null buffer decodes as empty (never a valid password). */
  readonly passwd: Uint8Array;
  /** "I accept a read-only server"; null when the client did not send the byte. */
  readonly readOnly: boolean | null;
}

export interface ConnectResponse {
  readonly protocolVersion: number;
  /** The negotiated timeout; 0 = session invalid or expired. */
  readonly timeoutMs: number;
  readonly sessionId: SessionId;
  readonly passwd: Uint8Array;
  /** Whether the server is read-only; null to omit the byte (the request had none). */
  readonly readOnly: boolean | null;
}

const EMPTY = new Uint8Array(0);

/** Decodes the payload of the first client frame (after its length prefix). */
export function decodeConnectRequest(r: JuteReader): ConnectRequest {
  const protocolVersion = r.readInt();
  const lastZxidSeen = r.readLong() as Zxid;
  const timeoutMs = r.readInt();
  const sessionId = r.readLong() as SessionId;
  const passwd = r.readBuffer() ?? EMPTY;
  const readOnly = r.remaining() > 0 ? r.readBool() : null;
  return { protocolVersion, lastZxidSeen, timeoutMs, sessionId, passwd, readOnly };
}

/** Appends a complete ConnectRequest frame (length + record) to `w`. */
export function writeConnectRequest(w: JuteWriter, c: ConnectRequest): void {
  const at = w.reserveInt();
  w.writeInt(c.protocolVersion).writeLong(c.lastZxidSeen).writeInt(c.timeoutMs);
  w.writeLong(c.sessionId).writeBuffer(c.passwd);
  if (c.readOnly !== null) w.writeBool(c.readOnly);
  w.patchInt(at, w.length - at - 4);
}

export function encodeConnectRequest(c: ConnectRequest): Buffer {
  const w = new JuteWriter(64);
  writeConnectRequest(w, c);
  return w.view();
}

/** Appends a complete ConnectResponse frame (length + record) to `w`. */
export function writeConnectResponse(w: JuteWriter, c: ConnectResponse): void {
  const at = w.reserveInt();
  w.writeInt(c.protocolVersion).writeInt(c.timeoutMs).writeLong(c.sessionId).writeBuffer(c.passwd);
  if (c.readOnly !== null) w.writeBool(c.readOnly);
  w.patchInt(at, w.length - at - 4);
}

export function encodeConnectResponse(c: ConnectResponse): Buffer {
  const w = new JuteWriter(64);
  writeConnectResponse(w, c);
  return w.view();
}

/** Decodes the payload of the first server frame (after its length prefix). */
export function decodeConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.readInt();
  const timeoutMs = r.readInt();
  const sessionId = r.readLong() as SessionId;
  const passwd = r.readBuffer() ?? EMPTY;
  const readOnly = r.remaining() > 0 ? r.readBool() : null;
  return { protocolVersion, timeoutMs, sessionId, passwd, readOnly };
}
