// Public surface of the ACL layer: auth schemes (world, auth, digest, ip, super), the auth
// packet, ACL fix-up, permission checks and whoAmI. Pure throughout.

export { digestOf, digestUser, isValidDigestId, DIGEST_SCHEME } from './digest.js';
export { parseIpv4, ipMatches, isValidIpExpression, ipIdForAddress, IP_SCHEME } from './ip.js';
export { providerFor, WORLD_SCHEME, ANYONE, AUTH_SCHEME, SUPER_SCHEME } from './providers.js';
export type { AclProvider } from './providers.js';
export { authenticate, SUPER_ID } from './authenticate.js';
export type { AuthConfig, AuthResult } from './authenticate.js';
export { checkAcl, maskDigestIds, getAclView, aclRequirement } from './check.js';
export type { CheckOptions, AclRequirement } from './check.js';
export { fixupAcl, removeDuplicateAcls } from './fixup.js';
export { whoAmI } from './who-am-i.js';
export type { ClientInfo } from './who-am-i.js';
