// The whoAmI (opcode 107) answer: one ClientInfo per auth id of the connection.
// Facts: protocol.md §6.12 (whoAmI), §4.1 (ClientInfo).
// Invariants: pure; one entry per id, in the order given (ZooKeeper leaves it unspecified).

import type { Id } from '../proto/data.js';
import { providerFor } from './providers.js';

export interface ClientInfo {
  readonly authScheme: string;
  readonly user: string;
}

/** user = the user name for digest, the address for ip, the id itself otherwise (`""` for super). */
export function whoAmI(authIds: readonly Id[]): ClientInfo[] {
  return authIds.map((id) => ({
    authScheme: id.scheme,
    user: providerFor(id.scheme)?.userName(id.id) ?? id.id,
  }));
}
