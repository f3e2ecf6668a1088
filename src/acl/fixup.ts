// ACL fix-up for create and setACL: validate the requested list and expand `auth` entries.
// Facts: protocol.md §6.1 (ACL fix-up).
// Invariants: pure; returns null exactly when the request must fail with InvalidACL (−114).
// Duplicates are removed from the requested list before expansion (as ZooKeeper does), so an
// expanded `auth` entry may repeat an explicit one; perms 0 is accepted.

import type { Acl, Id } from '../proto/data.js';
import { aclEquals } from '../proto/data.js';
import { ANYONE, AUTH_SCHEME, WORLD_SCHEME, providerFor } from './providers.js';

/** Remove exact duplicates (same perms, scheme and id), keeping the first occurrence. */
export function removeDuplicateAcls(acls: readonly Acl[]): Acl[] {
  const unique: Acl[] = [];
  for (const acl of acls) {
    if (!unique.some((seen) => aclEquals(seen, acl))) unique.push(acl);
  }
  return unique;
}

/**
 * The ACL list to store, or null for InvalidACL: an empty or null list; `world` with an id
 * other than `anyone`; `auth` on a connection without an authenticated id (digest; not ip,
 * not super); any other scheme without a provider or with an id its provider rejects.
 */
export function fixupAcl(acls: readonly Acl[] | null, connectionAuthIds: readonly Id[]): Acl[] | null {
  if (acls === null) return null;
  const unique = removeDuplicateAcls(acls);
  if (unique.length === 0) return null;
  const fixed: Acl[] = [];
  for (const acl of unique) {
    const { scheme, id } = acl.id;
    if (scheme === WORLD_SCHEME) {
      if (id !== ANYONE) return null;
      fixed.push(acl);
    } else if (scheme === AUTH_SCHEME) {
      // The entry's own id is ignored: it stands for every authenticated id of the connection.
      const expanded = connectionAuthIds.filter((authId) => providerFor(authId.scheme)?.authenticated === true);
      if (expanded.length === 0) return null;
      for (const authId of expanded) fixed.push({ perms: acl.perms, id: authId });
    } else {
      const provider = providerFor(scheme);
      if (provider === undefined || !provider.isValid(id)) return null;
      fixed.push(acl);
    }
  }
  return fixed;
}
