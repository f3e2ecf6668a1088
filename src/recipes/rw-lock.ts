// A fair distributed read-write lock: readers share, a writer excludes everyone. Both kinds queue
// as ephemeral-sequential nodes in one dir; a writer waits on its immediate predecessor, a reader
// on the nearest writer ahead of it, so each release wakes only the contenders it unblocks.
// The instance holding the write lock may also take the read lock (downgrade: take read, release
// write); the reverse (upgrade) would deadlock and is not supported.

import type { ZkClient } from '../client/index.js';
import { Mutex, type LockDriver } from './lock.js';

const READ = '-read-';
const WRITE = '-write-';
const kindFilter = (name: string): boolean => /-(read|write)-\d{10}$/.test(name);

export class ReadWriteLock {
  readonly readLock: Mutex;
  readonly writeLock: Mutex;

  constructor(readonly client: ZkClient, readonly path: string) {
    const writeDriver: LockDriver = (sorted, i) => (i === 0 ? { acquired: true } : { acquired: false, watch: sorted[i - 1]! });
    const readDriver: LockDriver = (sorted, i) => {
      const ownWrite = this.writeLock.lockPath;
      for (let j = i - 1; j >= 0; j--) {
        const name = sorted[j]!;
        if (!name.includes(WRITE)) continue;
        if (ownWrite !== null && ownWrite.endsWith(`/${name}`)) continue;
        return { acquired: false, watch: name };
      }
      return { acquired: true };
    };
    this.writeLock = new Mutex(client, path, { prefix: WRITE.slice(1), driver: writeDriver, filter: kindFilter });
    this.readLock = new Mutex(client, path, { prefix: READ.slice(1), driver: readDriver, filter: kindFilter });
  }
}
