// The election connection's initial message (storage-and-quorum.md §8.1, §12): what an initiator
// sends once, and an incremental parser for the acceptor. Pure: bytes in, a result or an error.
//
// Invariants: a parse never allocates more than ADDRESS_BYTES_MAX for the address; a negative
// version other than V1/V2, or an address length outside 1..ADDRESS_BYTES_MAX, is an error (the
// acceptor closes); a non-negative first long is a pre-3.5 peer that sent only its sid.

export const PROTOCOL_VERSION_V1 = -65536n;
export const PROTOCOL_VERSION_V2 = -65535n;
export const ADDRESS_BYTES_MAX = 2048;
/** Legacy observers announce this sid (Long.MAX_VALUE). */
export const LEGACY_OBSERVER_SID = (1n << 63n) - 1n;

export class HandshakeError extends Error {
  override name = 'HandshakeError';
}

export type HandshakeVersion = 'legacy' | 'v1' | 'v2';

export interface Handshake {
  readonly version: HandshakeVersion;
  readonly sid: bigint;
  /** Advertised election addresses as sent (`host:port`); empty for a legacy peer. */
  readonly addresses: readonly string[];
  /** Bytes of the stream the handshake took; frames follow. */
  readonly bytes: number;
}

/** The V1 initial message: version, sid, then this server's election address as `host:port`. */
export function encodeHandshake(sid: bigint, address: string): Buffer {
  const text = Buffer.from(address, 'utf8');
  if (text.length < 1 || text.length > ADDRESS_BYTES_MAX) throw new RangeError(`address of ${text.length} bytes`);
  const out = Buffer.alloc(20 + text.length);
  out.writeBigInt64BE(PROTOCOL_VERSION_V1, 0);
  out.writeBigInt64BE(sid, 8);
  out.writeInt32BE(text.length, 16);
  text.copy(out, 20);
  return out;
}

/**
 * Parses the initial message at the start of `bytes`: null while incomplete.
 * @throws HandshakeError for a bad version or address length.
 */
export function parseHandshake(bytes: Uint8Array): Handshake | null {
  if (bytes.length < 8) return null;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.readBigInt64BE(0);
  if (first >= 0n) return { version: 'legacy', sid: first, addresses: [], bytes: 8 };
  if (first !== PROTOCOL_VERSION_V1 && first !== PROTOCOL_VERSION_V2) {
    throw new HandshakeError(`unsupported election protocol version ${first}`);
  }
  if (bytes.length < 20) return null;
  const sid = view.readBigInt64BE(8);
  const length = view.readInt32BE(16);
  if (length < 1 || length > ADDRESS_BYTES_MAX) throw new HandshakeError(`address length ${length}`);
  if (bytes.length < 20 + length) return null;
  const text = view.toString('utf8', 20, 20 + length);
  const version: HandshakeVersion = first === PROTOCOL_VERSION_V1 ? 'v1' : 'v2';
  const addresses = version === 'v2' ? text.split('|') : [text];
  return { version, sid, addresses, bytes: 20 + length };
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `host:port` or `[v6]:port` → parts; null when malformed. */
export function parseHostPort(text: string): HostPort | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host.length === 0 || /[\s/]/.test(host)) return null;
  return { host, port };
}

/** `host:port` as a peer advertises it (IPv6 in brackets). */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The first advertised address a dial-back can use: wildcards are dropped (§8.1). */
export function usableAdvertisedAddress(addresses: readonly string[]): HostPort | null {
  for (const text of addresses) {
    const parsed = parseHostPort(text);
    if (parsed === null) continue;
    if (parsed.host === '0.0.0.0' || parsed.host === '::') continue;
    return parsed;
  }
  return null;
}
