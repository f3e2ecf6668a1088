// The registry of auth providers that can appear in ACL entries: how each scheme judges an id
// (fix-up validity), matches an auth id against an ACL id, whether its ids count as
// "authenticated" for the `auth` pseudo-scheme, and what whoAmI reports as the user.
// Facts: protocol.md §6.1 (ACL evaluation, fix-up), §6.12.
// `world` and `auth` are handled by the callers (they have no provider, as in ZooKeeper);
// `super` has no provider either: its id is only ever held by a connection, never matched.

import { DIGEST_SCHEME, digestMatches, digestUser, isValidDigestId } from './digest.js';
import { IP_SCHEME, ipMatches, isValidIpExpression } from './ip.js';

export const WORLD_SCHEME = 'world';
export const ANYONE = 'anyone';
export const AUTH_SCHEME = 'auth';
export const SUPER_SCHEME = 'super';

export interface AclProvider {
  readonly scheme: string;
  /** Fix-up validity of an ACL id of this scheme. */
  isValid(id: string): boolean;
  /** Does the connection's auth id match the ACL id? */
  matches(authId: string, aclId: string): boolean;
  /** Whether the `auth` pseudo-scheme expands to this scheme's ids (not for ip). */
  readonly authenticated: boolean;
  /** The user whoAmI reports for an auth id of this scheme. */
  userName(id: string): string;
}

const digestProvider: AclProvider = {
  scheme: DIGEST_SCHEME,
  isValid: isValidDigestId,
  matches: digestMatches,
  authenticated: true,
  userName: digestUser,
};

const ipProvider: AclProvider = {
  scheme: IP_SCHEME,
  isValid: isValidIpExpression,
  matches: ipMatches,
  authenticated: false,
  userName: (id) => id,
};

const PROVIDERS: ReadonlyMap<string, AclProvider> = new Map([
  [DIGEST_SCHEME, digestProvider],
  [IP_SCHEME, ipProvider],
]);

/** The provider for a scheme, or undefined when the scheme has none (unknown, world, auth, super). */
export function providerFor(scheme: string): AclProvider | undefined {
  return PROVIDERS.get(scheme);
}
