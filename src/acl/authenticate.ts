// What an auth packet (opcode 100) adds to a connection's id set.
// Facts: protocol.md §6.12 (digest, super, ip, auth failure).
// Invariants: pure; a digest auth always succeeds; a scheme without a provider fails, and the
// caller then answers −115 (AuthFailed) and closes the connection.

import type { Id } from '../proto/data.js';
import { DIGEST_SCHEME, digestOf } from './digest.js';
import { IP_SCHEME } from './ip.js';
import { SUPER_SCHEME } from './providers.js';

export interface AuthConfig {
  /** `super:<base64>`; a digest auth deriving exactly this id also gets `super:""`. */
  readonly superDigest?: string | null | undefined;
  /** `zookeeper.DigestAuthenticationProvider.enabled`; default true. */
  readonly digestEnabled?: boolean | undefined;
}

export type AuthResult = { readonly ok: true; readonly ids: readonly Id[] } | { readonly ok: false };

/** The id that bypasses every ACL check. */
export const SUPER_ID: Id = { scheme: SUPER_SCHEME, id: '' };

const utf8 = new TextDecoder('utf-8');

/**
 * The ids an auth packet adds to the connection (the caller adds them, skipping ones it
 * already holds). `ip` succeeds but adds nothing new: the connection already holds
 * `ip:<remote address>` from the start.
 */
export function authenticate(scheme: string, authBytes: Uint8Array | null, config: AuthConfig): AuthResult {
  if (scheme === DIGEST_SCHEME && config.digestEnabled !== false) {
    // Invalid UTF-8 decodes with replacement characters, like Java's new String(bytes).
    const digestId = digestOf(utf8.decode(authBytes ?? new Uint8Array(0)));
    const ids: Id[] = [{ scheme: DIGEST_SCHEME, id: digestId }];
    const superDigest = config.superDigest;
    if (superDigest !== undefined && superDigest !== null && superDigest === digestId) ids.push(SUPER_ID);
    return { ok: true, ids };
  }
  if (scheme === IP_SCHEME) return { ok: true, ids: [] };
  return { ok: false };
}
