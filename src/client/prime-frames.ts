// The frames a client sends right after its ConnectRequest, before the reply (protocol.md §2.7
// [client] reconnect order): one auth packet (xid -4) per stored credential, then the watch
// lists in setWatches batches (xid -8) with relativeZxid = lastZxid (§6.8), server paths.
// Pure: bytes out, no I/O.

import { Xid } from '../proto/opcodes.js';
import { encodeRequest } from '../proto/requests.js';
import type { Zxid } from '../util/ids.js';
import { toServerPath } from './connect-string.js';
import { batchWatchLists, type WatchLists } from './watch-registry.js';

export function authFrame(scheme: string, auth: Uint8Array): Buffer {
  return encodeRequest(Xid.auth, { op: 'auth', type: 0, scheme, auth });
}

/**
 * setWatches frames for the caller-path watch lists; setWatches2 only when persistent watches
 * exist, as the Java client does (older servers know only setWatches).
 */
export function setWatchesFrames(lists: WatchLists, chroot: string | null, lastZxid: Zxid): Buffer[] {
  const v2 = lists.persistentWatches.length + lists.persistentRecursiveWatches.length > 0;
  const map = (paths: string[]): string[] => paths.map((p) => toServerPath(chroot, p));
  return batchWatchLists(lists).map((batch) => {
    const base = {
      relativeZxid: lastZxid,
      dataWatches: map(batch.dataWatches),
      existWatches: map(batch.existWatches),
      childWatches: map(batch.childWatches),
    };
    return v2
      ? encodeRequest(Xid.setWatches, {
        op: 'setWatches2',
        ...base,
        persistentWatches: map(batch.persistentWatches),
        persistentRecursiveWatches: map(batch.persistentRecursiveWatches),
      })
      : encodeRequest(Xid.setWatches, { op: 'setWatches', ...base });
  });
}
