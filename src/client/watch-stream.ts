// The async-iterator form of a persistent (or recursive) watch:
// `for await (const event of client.watch(path, { mode, signal }))`.
// Invariants: the local watcher is registered before addWatch is sent, so no event the server
// sends after registering is missed; ending the loop (break, return, abort, session end)
// unregisters the local watcher, and removes the server watch when no other local watcher of
// the path is left; at most `bufferSize` unconsumed events are held, then the stream fails with
// QueueOverflowError rather than drop events silently.

import { AsyncQueue } from './async-queue.js';
import type { WatchRegistry } from './watch-registry.js';
import type { AddWatchModeName, StateEvent, Watcher, WatchEvent } from './types.js';

export interface WatchStreamOptions {
  readonly mode?: AddWatchModeName;
  readonly signal?: AbortSignal;
  /** Unconsumed events held before the stream fails. Default 1024. */
  readonly bufferSize?: number;
}

export interface WatchStreamHost {
  readonly registry: WatchRegistry;
  addServerWatch(path: string, mode: AddWatchModeName, signal: AbortSignal | undefined): Promise<void>;
  removeServerWatch(path: string): void;
  onState(listener: (event: StateEvent) => void): () => void;
}

export function watchStream(host: WatchStreamHost, path: string, options: WatchStreamOptions = {}): AsyncIterableIterator<WatchEvent> {
  const mode = options.mode ?? 'persistent';
  const signal = options.signal;
  const watcher: Watcher = (event) => queue.push(event);
  const onAbort = (): void => queue.fail(signal!.reason);
  let registered = false;
  const cleanup = (): void => {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
    if (!registered) return;
    host.registry.delete(mode, path, watcher);
    if (!host.registry.hasAny(path)) host.removeServerWatch(path);
  };
  const queue = new AsyncQueue<WatchEvent>(options.bufferSize ?? 1024, cleanup);
  const unsubscribe = host.onState((event) => {
    if (event.state === 'closed') queue.end();
    else if (event.state === 'expired' || event.state === 'authFailed') queue.fail(event.error);
  });
  if (signal?.aborted === true) {
    queue.fail(signal.reason);
    return queue;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  host.registry.add(mode, path, watcher);
  registered = true;
  host.addServerWatch(path, mode, signal).catch((err: unknown) => queue.fail(err));
  return queue;
}
