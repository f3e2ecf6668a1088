// The `digest` auth scheme: derive `user:base64(sha1(user:password))` and judge digest ACL ids.
// Facts: protocol.md §6.12 (digest), §6.1 (fix-up validity).
// Invariants: pure (sha1 from node:crypto is a pure function of its input); digestOf never
// fails, whatever the input (a missing colon or a wrong password only yields an id that
// matches nothing).

import { createHash } from 'node:crypto';

export const DIGEST_SCHEME = 'digest';

/**
 * The digest id for an auth payload `user:password`: the user (text before the first `:`, or
 * the whole text without one), a colon, then base64 (padded) of SHA-1 over the whole text.
 * `digestOf('root:12345')` is `root:j9h0MUOgtRf8FIMdZlrZpfoup3c=`.
 */
export function digestOf(userPassword: string): string {
  const hash = createHash('sha1').update(userPassword, 'utf8').digest('base64');
  return `${digestUser(userPassword)}:${hash}`;
}

/** The user part of a digest id or of `user:password`: the text before the first colon. */
export function digestUser(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(0, colon);
}

/** A digest ACL id is valid when it holds exactly one colon (`user:base64`). */
export function isValidDigestId(id: string): boolean {
  const first = id.indexOf(':');
  return first >= 0 && id.indexOf(':', first + 1) < 0;
}

/** Digest ids match by exact string equality. */
export function digestMatches(authId: string, aclId: string): boolean {
  return authId === aclId;
}
