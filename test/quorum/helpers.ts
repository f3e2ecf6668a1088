// Shared bits of the quorum transport tests: bounded polling, a recording logger, notifications.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TransportLogger } from '../../src/quorum/net/runtime.js';
import { ServerState, type Notification } from '../../src/zab/messages.js';
import { zxid } from '../../src/util/ids.js';

export { sleep };

/** Polls `condition` every 10 ms (running `between` before each check); throws after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000, between?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (between !== undefined) await between();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}


export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn';
  readonly fields: object;
  readonly message: string;
}

export function recordingLogger(): TransportLogger & { lines: LogLine[]; warnings(): LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    warnings: () => lines.filter((l) => l.level === 'warn'),
  };
}

export function vote(leader: number, electionEpoch: bigint, config = 'version=0'): Notification {
  return {
    kind: 'notification',
    state: ServerState.LOOKING,
    leader: BigInt(leader),
    zxid: zxid(0x100000002n),
    electionEpoch,
    peerEpoch: 1n,
    version: 2,
    config,
  };
}

/** Opens a raw socket, writes `bytes`, resolves once the other side closed it (or `timeoutMs`). */
export function rawExchange(port: number, bytes: Uint8Array, timeoutMs = 2_000): Promise<{ closedByPeer: boolean; received: Buffer }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closedByPeer: false, received: Buffer.concat(chunks) });
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.once('connect', () => socket.write(bytes));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closedByPeer: true, received: Buffer.concat(chunks) });
    });
  });
}

/** A length-prefixed election frame. */
export function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/** `promise`, or `fallback()` after `ms` (the timer is cleared either way, so it never holds the process). */
export async function within<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(fallback());
      } catch (err) {
        reject(err as Error);
      }
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
