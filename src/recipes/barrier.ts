// Barriers. Barrier: while the node `path` exists, wait() blocks; remove() lets everyone through.
// DoubleBarrier: `memberCount` participants enter (each an ephemeral child of `path`); all are let
// in once the last one arrives (it creates `path/ready`); leave() returns once every participant
// has left (its child deleted). A participant whose session ends counts as having left.
// A round must be fully left before the same path is entered again.
// Connection states: waits keep their watches across reconnects; expiry fails them.

import { randomUUID } from 'node:crypto';
import { NodeExistsError, NoNodeError, type ZkClient } from '../client/index.js';
import { deadlineOf, deleteQuietly, ensurePath, joinPath, oneShotWatch, type WaitOptions } from './util.js';

export class Barrier {
  constructor(readonly client: ZkClient, readonly path: string) {}

  /** Raises the barrier (idempotent). */
  async set(): Promise<void> {
    const parent = this.path.slice(0, this.path.lastIndexOf('/')) || '/';
    await ensurePath(this.client, parent);
    await this.client.create(this.path).catch((err: unknown) => {
      if (!(err instanceof NodeExistsError)) throw err;
    });
  }

  /** Lowers the barrier (idempotent): every waiter proceeds. */
  remove(): Promise<void> {
    return deleteQuietly(this.client, this.path);
  }

  /** Resolves true once the barrier is down, false after timeoutMs. */
  async wait(options: WaitOptions = {}): Promise<boolean> {
    const deadlineMs = deadlineOf(options);
    for (;;) {
      const watch = oneShotWatch();
      const stat = await this.client.exists(this.path, { watch: watch.watcher });
      if (stat === null) return true;
      const outcome = await watch.wait(deadlineMs, options.signal);
      if (outcome === 'timeout') return false;
    }
  }
}

const READY = 'ready';

export class DoubleBarrier {
  private readonly ourPath: string;
  private readonly readyPath: string;

  constructor(readonly client: ZkClient, readonly path: string, readonly memberCount: number, readonly id: string = randomUUID()) {
    if (!Number.isInteger(memberCount) || memberCount < 1) throw new RangeError('memberCount must be a positive integer');
    if (id === READY) throw new RangeError(`id must not be "${READY}"`);
    this.ourPath = joinPath(path, id);
    this.readyPath = joinPath(path, READY);
  }

  /** Resolves true when all members have entered, false after timeoutMs (our entry is withdrawn). */
  async enter(options: WaitOptions = {}): Promise<boolean> {
    const deadlineMs = deadlineOf(options);
    await ensurePath(this.client, this.path);
    await this.client.create(this.ourPath, null, { mode: 'ephemeral' }).catch((err: unknown) => {
      if (!(err instanceof NodeExistsError)) throw err;
    });
    let entered = false;
    try {
      for (;;) {
        const watch = oneShotWatch();
        const ready = await this.client.exists(this.readyPath, { watch: watch.watcher });
        if (ready !== null) return (entered = true);
        const members = (await this.client.getChildren(this.path)).filter((n) => n !== READY);
        if (members.length >= this.memberCount) {
          await this.client.create(this.readyPath).catch((err: unknown) => {
            if (!(err instanceof NodeExistsError)) throw err;
          });
          return (entered = true);
        }
        const outcome = await watch.wait(deadlineMs, options.signal);
        if (outcome === 'timeout') return false;
      }
    } finally {
      if (!entered) await deleteQuietly(this.client, this.ourPath).catch(() => undefined);
    }
  }

  /** Resolves true once every member has left, false after timeoutMs. */
  async leave(options: WaitOptions = {}): Promise<boolean> {
    const deadlineMs = deadlineOf(options);
    await deleteQuietly(this.client, this.ourPath);
    for (;;) {
      const watch = oneShotWatch();
      let members: string[];
      try {
        members = (await this.client.getChildren(this.path, { watch: watch.watcher })).filter((n) => n !== READY);
      } catch (err) {
        if (err instanceof NoNodeError) return true;
        throw err;
      }
      if (members.length === 0) {
        await deleteQuietly(this.client, this.readyPath);
        return true;
      }
      const outcome = await watch.wait(deadlineMs, options.signal);
      if (outcome === 'timeout') return false;
    }
  }
}
