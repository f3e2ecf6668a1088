// Znode path rules (protocol.md §6.4, §6.6): the full client-side validation with the Java
// client's exact IllegalArgumentException texts (the zkts shell prints them), the lighter checks
// the server applies per operation, sequential suffixes, and parent/child name splitting.
// Indices in messages count UTF-16 code units, as Java's String.charAt does (so do JS strings).

/** Paths the server refuses to delete (BadArguments). */
export const SPECIAL_PATHS: ReadonlySet<string> = new Set(['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']);

function invalidCharacter(code: number): boolean {
  return (
    (code > 0x0000 && code <= 0x001f) ||
    (code >= 0x007f && code <= 0x009f) ||
    (code >= 0xd800 && code <= 0xf8ff) ||
    (code >= 0xfff0 && code <= 0xffff)
  );
}

/** Why character i of `p` breaks the rules, or null. `p` starts with '/' and has length > 1. */
function reasonAt(p: string, i: number): string | null {
  const c = p.charCodeAt(i);
  const last = p.charCodeAt(i - 1);
  const DOT = 0x2e;
  const SLASH = 0x2f;
  const endsComponent = i + 1 === p.length || p.charCodeAt(i + 1) === SLASH;
  if (c === 0) return `null character not allowed @${i}`;
  if (c === SLASH && last === SLASH) return `empty node name specified @${i}`;
  if (c === DOT && last === DOT) {
    return p.charCodeAt(i - 2) === SLASH && endsComponent ? `relative paths not allowed @${i}` : null;
  }
  if (c === DOT) return last === SLASH && endsComponent ? `relative paths not allowed @${i}` : null;
  if (invalidCharacter(c)) return `invalid character @${i}`;
  return null;
}

/**
 * Full path validation. Returns null when valid, else the Java IllegalArgumentException message.
 * A sequential create is validated as `path + "1"` (so '/a/' passes), and the message quotes
 * that string, as Java does.
 */
export function validatePath(path: string | null, isSequential = false): string | null {
  if (path === null) return 'Path cannot be null';
  const p = isSequential ? `${path}1` : path;
  if (p.length === 0) return 'Path length must be > 0';
  if (p.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (p.length === 1) return null;
  if (p.charCodeAt(p.length - 1) === 0x2f) return 'Path must not end with / character';
  for (let i = 1; i < p.length; i++) {
    const reason = reasonAt(p, i);
    if (reason !== null) return `Invalid path string "${p}" caused by ${reason}`;
  }
  return null;
}

/** Server-side check of create (on the final path), setData, setACL, check: true if valid. */
export function serverPathValid(path: string): boolean {
  return validatePath(path) === null;
}

/** Server-side check of delete/deleteContainer: has a '/', no NUL, not a special node. */
export function serverDeletePathValid(path: string): boolean {
  return path.includes('/') && !path.includes('\0') && !SPECIAL_PATHS.has(path);
}

/** Server-side check of exists: only NUL is refused. */
export function serverExistsPathValid(path: string): boolean {
  return !path.includes('\0');
}

/** Sequential suffix from the parent's stored cversion before the create: Java's "%010d". */
export function sequenceSuffix(parentStoredCversion: number): string {
  const n = parentStoredCversion | 0;
  const digits = Math.abs(n).toString();
  const sign = n < 0 ? '-' : '';
  return sign + digits.padStart(10 - sign.length, '0');
}

/** Parent path of a non-root path: '/' for a top-level node. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Last component of a non-root path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name. */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}
