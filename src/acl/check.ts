// Permission checks against a node's ACL, the getACL view, and which permission each op needs
// on which node. Facts: protocol.md §6.1 (table, ACL evaluation), §4.1 (Perm bits).
// Invariants: pure. Evaluation order: skipAcl → empty ACL → super id → entries. A perm mask
// with several bits (getACL's READ|ADMIN) is satisfied by an entry granting any one of them.

import type { Acl, Id } from '../proto/data.js';
import { OpCode, Perm } from '../proto/opcodes.js';
import { DIGEST_SCHEME } from './digest.js';
import { ANYONE, SUPER_SCHEME, WORLD_SCHEME, providerFor } from './providers.js';

export interface CheckOptions {
  /** zoo.cfg `skipACL=yes`: every check passes. */
  readonly skipAcl?: boolean | undefined;
}

/**
 * True when a connection holding `authIds` may do an op needing `perm` on a node with
 * `nodeAcl`. False means the caller answers NoAuth (−102).
 */
export function checkAcl(
  nodeAcl: readonly Acl[] | null,
  perm: number,
  authIds: readonly Id[],
  options: CheckOptions = {},
): boolean {
  if (options.skipAcl === true) return true;
  if (nodeAcl === null || nodeAcl.length === 0) return true;
  if (authIds.some((id) => id.scheme === SUPER_SCHEME)) return true;
  for (const entry of nodeAcl) {
    if ((entry.perms & perm) === 0) continue;
    const { scheme, id } = entry.id;
    if (scheme === WORLD_SCHEME && id === ANYONE) return true;
    const provider = providerFor(scheme);
    if (provider === undefined) continue;
    for (const authId of authIds) {
      if (authId.scheme === scheme && provider.matches(authId.id, id)) return true;
    }
  }
  return false;
}

/**
 * The ACL list without secrets, for getACL by a caller lacking ADMIN: every digest id
 * `user:hash` is shown as `user:x`.
 */
export function maskDigestIds(acls: readonly Acl[]): Acl[] {
  return acls.map((acl) => {
    if (acl.id.scheme !== DIGEST_SCHEME) return acl;
    // Everything from a colon to the end of the line becomes `:x` (a regex replace, as in
    // ZooKeeper: an id without a colon is shown unchanged).
    return { perms: acl.perms, id: { scheme: DIGEST_SCHEME, id: acl.id.id.replace(/:.*/g, ':x') } };
  });
}

/**
 * What getACL returns: null when the caller has neither READ nor ADMIN (NoAuth), the full list
 * with ADMIN, otherwise the list with digest ids masked.
 */
export function getAclView(
  nodeAcl: readonly Acl[],
  authIds: readonly Id[],
  options: CheckOptions = {},
): readonly Acl[] | null {
  if (!checkAcl(nodeAcl, Perm.read | Perm.admin, authIds, options)) return null;
  if (checkAcl(nodeAcl, Perm.admin, authIds, options)) return nodeAcl;
  return maskDigestIds(nodeAcl);
}

/** Which node's ACL an op is checked against, and for which permission bits. */
export type AclRequirement =
  | { readonly target: 'parent' | 'node'; readonly perm: number }
  | { readonly target: 'none' };

const NONE: AclRequirement = { target: 'none' };

/**
 * The ACL check an op needs (§6.1). multi/multiRead are checked per sub-op; reconfig needs
 * WRITE on `/zookeeper/config`. Ops without a check (exists, sync, watches, whoAmI, ping, …)
 * give `none`.
 */
export function aclRequirement(op: number): AclRequirement {
  switch (op) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      return { target: 'parent', perm: Perm.create };
    case OpCode.delete:
      return { target: 'parent', perm: Perm.delete };
    case OpCode.setData:
    case OpCode.reconfig:
      return { target: 'node', perm: Perm.write };
    case OpCode.setACL:
      return { target: 'node', perm: Perm.admin };
    case OpCode.check:
    case OpCode.getData:
    case OpCode.getChildren:
    case OpCode.getChildren2:
    case OpCode.getAllChildrenNumber:
      return { target: 'node', perm: Perm.read };
    case OpCode.getACL:
      return { target: 'node', perm: Perm.read | Perm.admin };
    default:
      return NONE;
  }
}
