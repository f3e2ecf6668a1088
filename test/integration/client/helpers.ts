// Helpers for the client integration tests: a pausable TCP proxy (to cut or freeze a client's
// connection without touching the server), restart of a test server by pid on the same
// dataDir, and bounded waits.
import { createServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import { launch, type PreparedConfig, type Server } from '../../support/server-process.js';
import { APACHE_MAIN_CLASS, apacheClasspath } from '../../support/apache-zk.js';
import { zktsMainPath } from '../../support/zkts-server.js';
import type { ZkClient } from '../../../src/client/index.js';
import type { ClientState } from '../../../src/client/types.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` every 20 ms; rejects after timeoutMs. */
export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function waitState(client: ZkClient, state: ClientState, timeoutMs: number): Promise<void> {
  return waitUntil(() => client.state === state, timeoutMs, `state ${state} (now ${client.state})`);
}

/** Resolves with the first value pushed, or rejects after timeoutMs. */
export function firstOf<T>(timeoutMs = 5000): { push: (v: T) => void; values: T[]; first: Promise<T> } {
  const values: T[] = [];
  let resolve: (v: T) => void = () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const first = new Promise<T>((res, rej) => {
    resolve = res;
    timer = setTimeout(() => rej(new Error(`nothing within ${timeoutMs} ms`)), timeoutMs);
  });
  first.catch(() => undefined);
  return {
    values,
    first,
    push: (v) => {
      values.push(v);
      clearTimeout(timer);
      resolve(v);
    },
  };
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly held: Array<[Socket, Buffer]>;
}

/** A loopback TCP proxy that can freeze (hold bytes both ways) or cut its connections. */
export class TcpProxy {
  private readonly server: NetServer;
  private readonly pairs = new Set<Pair>();
  private paused = false;
  port = 0;
  /** Connections accepted so far. */
  accepted = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {
    this.server = createServer((client) => this.accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no proxy address');
    this.port = address.port;
    return this;
  }

  get connectString(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Holds every byte in both directions (connections stay open) until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const pair of this.pairs) {
      for (const [to, bytes] of pair.held.splice(0)) if (!to.destroyed) to.write(bytes);
    }
  }

  /** Destroys every current connection (the client sees a reset). */
  cutAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    const upstream = netConnect({ host: this.targetHost, port: this.targetPort });
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const forward = (to: Socket) => (bytes: Buffer): void => {
      if (this.paused) pair.held.push([to, bytes]);
      else if (!to.destroyed) to.write(bytes);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
  }
}

/** SIGKILLs the server's process (by pid) and waits until it is gone. */
export async function killServer(server: Server, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitUntil(() => {
    try {
      process.kill(server.pid, 0);
      return false;
    } catch {
      return true;
    }
  }, timeoutMs, `pid ${server.pid} to exit`);
}

/** Starts the same kind of server again on the same zoo.cfg (port and dataDir). */
export function relaunch(server: Server): Promise<Server> {
  const cfg: PreparedConfig = {
    host: server.host, port: server.port, dir: server.dir, dataDir: server.dataDir, cfgPath: server.cfgPath, logPath: server.logPath,
  };
  if (server.kind === 'zkts') return launch('zkts', process.execPath, [zktsMainPath(), 'server', cfg.cfgPath], cfg);
  const args = [
    '-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-Djava.net.preferIPv4Stack=true',
    '-Dzookeeper.extendedTypesEnabled=true', '-Dorg.slf4j.simpleLogger.defaultLogLevel=info',
    '-cp', apacheClasspath(), APACHE_MAIN_CLASS, cfg.cfgPath,
  ];
  return launch('apache', process.env['ZK_JAVA'] ?? 'java', args, cfg);
}
