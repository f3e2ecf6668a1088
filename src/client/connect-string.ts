// Connect strings and chroot (protocol.md §6.13): parses "h1:2181,h2:2181/app" into a host list
// and a chroot, shuffles hosts with a seeded PRNG, and maps paths between the caller's view
// (relative to the chroot) and the server's.
// Invariants: a chroot is null or a valid absolute path without a trailing slash; toServerPath
// and toClientPath are inverse for every path at or below the chroot.

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface ParsedConnectString {
  readonly hosts: readonly HostPort[];
  /** null when the connect string names no chroot (or "/"). */
  readonly chroot: string | null;
}

const DEFAULT_PORT = 2181;

/** Parses a connect string. @throws Error for an empty host list, a bad port or a bad chroot. */
export function parseConnectString(connectString: string): ParsedConnectString {
  const slash = connectString.indexOf('/');
  const hostPart = slash < 0 ? connectString : connectString.slice(0, slash);
  let chroot: string | null = slash < 0 ? null : connectString.slice(slash);
  if (chroot !== null) {
    if (chroot === '/') chroot = null;
    else validateChroot(chroot);
  }
  const hosts: HostPort[] = [];
  for (const raw of hostPart.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    hosts.push(parseHostPort(item));
  }
  if (hosts.length === 0) throw new Error(`connect string ${JSON.stringify(connectString)} names no host`);
  return { hosts, chroot };
}

function parseHostPort(item: string): HostPort {
  // [v6addr]:port, host:port or host.
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed !== null) return { host: bracketed[1]!, port: parsePort(bracketed[2], item) };
  const colon = item.lastIndexOf(':');
  if (colon < 0) return { host: item, port: DEFAULT_PORT };
  return { host: item.slice(0, colon), port: parsePort(item.slice(colon + 1), item) };
}

function parsePort(text: string | undefined, item: string): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) throw new Error(`bad port in ${JSON.stringify(item)}`);
  return port;
}

function validateChroot(chroot: string): void {
  if (chroot.endsWith('/') || chroot.includes('//') || /(^|\/)\.\.?(\/|$)/.test(chroot)) {
    throw new Error(`invalid chroot ${JSON.stringify(chroot)}`);
  }
}

/** The server path for a caller's path. */
export function toServerPath(chroot: string | null, path: string): string {
  if (chroot === null) return path;
  return path === '/' ? chroot : chroot + path;
}

/** The caller's path for a server path; paths outside the chroot are returned unchanged. */
export function toClientPath(chroot: string | null, path: string): string {
  if (chroot === null) return path;
  if (path === chroot) return '/';
  if (path.startsWith(chroot) && path.charAt(chroot.length) === '/') return path.slice(chroot.length);
  return path;
}

/** A seeded PRNG (mulberry32) returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates shuffled copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
