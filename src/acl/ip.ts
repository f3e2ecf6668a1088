// The `ip` auth scheme: IPv4 dotted-quad ACL expressions with an optional `/bits` mask.
// Facts: protocol.md §6.12 (ip ACL matching), §6.1 (fix-up validity).
// Invariants: only IPv4 matches; an IPv6 client address or ACL expression never matches.
// Both sides are masked to `bits` (default 32) before comparing.

export const IP_SCHEME = 'ip';

const OCTET = /^[0-9]{1,3}$/;
const BITS = /^[0-9]{1,2}$/;

/** Parse a dotted-quad IPv4 address into a 32-bit unsigned number, or null if it is not one. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

interface IpExpression {
  readonly address: number;
  readonly bits: number;
}

/** Parse `a.b.c.d` or `a.b.c.d/bits` (0 ≤ bits ≤ 32); null when invalid. */
function parseExpression(expression: string): IpExpression | null {
  const slash = expression.indexOf('/');
  const addressText = slash < 0 ? expression : expression.slice(0, slash);
  const address = parseIpv4(addressText);
  if (address === null) return null;
  if (slash < 0) return { address, bits: 32 };
  const bitsText = expression.slice(slash + 1);
  if (!BITS.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= 32 ? { address, bits } : null;
}

/** The network mask for a prefix length, as an unsigned 32-bit number. */
function maskFor(bits: number): number {
  // `x << 32` is `x` in JavaScript, so /0 needs its own case.
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Fix-up validity of an ip ACL id: dotted IPv4 with an optional `/bits` in 0..32. */
export function isValidIpExpression(expression: string): boolean {
  return parseExpression(expression) !== null;
}

/**
 * Does the client address `authId` (an ip auth id) fall inside the ACL expression `aclId`?
 * False for anything that is not IPv4 on either side, and for an invalid expression.
 */
export function ipMatches(authId: string, aclId: string): boolean {
  const expression = parseExpression(aclId);
  const client = parseIpv4(authId);
  if (expression === null || client === null) return false;
  const mask = maskFor(expression.bits);
  return ((client & mask) >>> 0) === ((expression.address & mask) >>> 0);
}

/**
 * The text of the `ip:` id a connection holds for its remote address. An IPv4-mapped IPv6
 * address (`::ffff:1.2.3.4`, as Node reports IPv4 peers on dual-stack sockets) becomes the plain
 * IPv4 text, as the JVM reports it; anything else is kept as given.
 */
export function ipIdForAddress(remoteAddress: string): string {
  const mapped = /^::ffff:([0-9.]+)$/i.exec(remoteAddress);
  if (mapped !== null && parseIpv4(mapped[1]!) !== null) return mapped[1]!;
  return remoteAddress;
}
