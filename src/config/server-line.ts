// One `server.N` line of zoo.cfg:
//   host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]
// Facts: protocol.md §9.1. Hosts may be bracketed IPv6 (`[::1]`). With multiAddress enabled,
// several `host:quorumPort:electionPort` addresses are joined with `|`.
// Invariants: pure; the two ports of every address differ and are in 1..65535; the role is
// participant unless the line says observer.

import { ConfigError } from './errors.js';
import { readInteger, readPort } from './values.js';

export type PeerRole = 'participant' | 'observer';

export interface QuorumAddress {
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
}

export interface QuorumServer {
  readonly id: number;
  /** The first (or only) address. */
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  /** Every address of the line (more than one only with multiAddress). */
  readonly addresses: readonly QuorumAddress[];
  readonly role: PeerRole;
  readonly clientHost?: string;
  readonly clientPort?: number;
}

const FORM = 'host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]';

/**
 * Split `host:rest` where host may be `[ipv6]`. Returns the host (without brackets) and the
 * colon-separated fields after it.
 */
function splitHostFields(text: string): { host: string; fields: string[] } | null {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || (close + 1 < text.length && text[close + 1] !== ':')) return null;
    const rest = text.slice(close + 2);
    return { host: text.slice(1, close), fields: rest === '' ? [] : rest.split(':') };
  }
  const [host, ...fields] = text.split(':');
  return { host: host!, fields };
}

interface ParsedAddress extends QuorumAddress {
  readonly role: PeerRole | null;
}

function parseAddress(key: string, line: string, text: string): ParsedAddress {
  const split = splitHostFields(text.trim());
  if (split === null || split.host === '' || split.fields.length < 2 || split.fields.length > 3) {
    throw new ConfigError(key, line, FORM);
  }
  const [quorumText, electionText, roleText] = split.fields;
  const quorumPort = readPort(key, quorumText!, 1);
  const electionPort = readPort(key, electionText!, 1);
  if (quorumPort === electionPort) {
    throw new ConfigError(key, line, 'two different ports for quorum and election traffic');
  }
  let role: PeerRole | null = null;
  if (roleText !== undefined) {
    if (roleText !== 'participant' && roleText !== 'observer') {
      throw new ConfigError(key, line, `role 'participant' or 'observer' in ${FORM}`);
    }
    role = roleText;
  }
  return { host: split.host, quorumPort, electionPort, role };
}

function parseClientPart(key: string, line: string, text: string): { clientHost?: string; clientPort: number } {
  const trimmed = text.trim();
  // `port` alone, or `host:port` (the last colon separates the port, so bracketed IPv6 works).
  const colon = trimmed.lastIndexOf(':');
  if (colon < 0) return { clientPort: readPort(key, trimmed) };
  let clientHost = trimmed.slice(0, colon);
  if (clientHost.startsWith('[') && clientHost.endsWith(']')) clientHost = clientHost.slice(1, -1);
  if (clientHost === '') throw new ConfigError(key, line, FORM);
  return { clientHost, clientPort: readPort(key, trimmed.slice(colon + 1)) };
}

/**
 * Parse the value of `server.<idText>`. `maxServerId` is 254 when extended types (TTL) are on,
 * since the TTL marker uses the top byte of ephemeralOwner, else 255.
 */
export function parseServerLine(
  idText: string,
  value: string,
  options: { multiAddressEnabled: boolean; maxServerId: number },
): QuorumServer {
  const key = `server.${idText}`;
  const id = readInteger(key, idText, { min: 0, max: options.maxServerId }, 'a server id');
  const semicolon = value.indexOf(';');
  const serverPart = semicolon < 0 ? value : value.slice(0, semicolon);
  const clientPart = semicolon < 0 ? null : value.slice(semicolon + 1);
  const addressTexts = serverPart.split('|');
  if (addressTexts.length > 1 && !options.multiAddressEnabled) {
    throw new ConfigError(key, value, `a single address (multiple '|' addresses need multiAddress.enabled=true)`);
  }
  const parsed = addressTexts.map((text) => parseAddress(key, value, text));
  const roles = new Set(parsed.map((address) => address.role ?? 'participant'));
  if (roles.size > 1) throw new ConfigError(key, value, 'the same role on every address');
  const first = parsed[0]!;
  const addresses = parsed.map(({ host, quorumPort, electionPort }) => ({ host, quorumPort, electionPort }));
  const server: QuorumServer = {
    id,
    host: first.host,
    quorumPort: first.quorumPort,
    electionPort: first.electionPort,
    addresses,
    role: first.role ?? 'participant',
  };
  if (clientPart === null) return server;
  return { ...server, ...parseClientPart(key, value, clientPart) };
}
