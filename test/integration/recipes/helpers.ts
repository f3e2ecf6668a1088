// Shared machinery of the recipe integration tests: one server per target per file (tickTime
// 500 so sessions can be short), clients that are closed afterwards, forced session expiry
// through a pausable proxy, child worker processes driven over stdout lines, and a client proxy
// that counts calls (to check that a lock release wakes exactly one waiter).
// Every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type ClientOptions, type ZkClient } from '../../../src/client/index.js';
import { startTarget, type Server, type TargetKind } from '../../support/target.js';
import { TcpProxy, sleep, waitState, waitUntil } from '../client/helpers.js';

export { sleep, waitState, waitUntil, TcpProxy };

export const TICK_CFG = { extraCfg: { tickTime: '500' } };

export class Env {
  server: Server | undefined;
  private readonly clients: ZkClient[] = [];
  private readonly proxies: TcpProxy[] = [];
  private readonly workers: Worker[] = [];
  readonly closers: Array<() => Promise<void>> = [];

  constructor(readonly kind: TargetKind) {}

  async start(): Promise<void> {
    this.server = await startTarget(this.kind, TICK_CFG);
  }

  get connectString(): string {
    if (this.server === undefined) throw new Error('server not started');
    return this.server.connectString;
  }

  async client(options: ClientOptions = {}, connectString = this.connectString): Promise<ZkClient> {
    const c = await connect(connectString, { sessionTimeoutMs: 4000, initialConnectTimeoutMs: 10_000, ...options });
    this.clients.push(c);
    return c;
  }

  /** A client behind its own proxy, so its session can be expired with expire(). */
  async proxiedClient(options: ClientOptions = {}): Promise<{ client: ZkClient; proxy: TcpProxy }> {
    const proxy = await this.proxy();
    return { client: await this.client(options, proxy.connectString), proxy };
  }

  async proxy(): Promise<TcpProxy> {
    const server = this.server!;
    const proxy = await new TcpProxy(server.port, server.host).start();
    this.proxies.push(proxy);
    return proxy;
  }

  /**
   * Expires `victim`'s session deterministically: with its proxy frozen, a second client attaches
   * to the same session (the server drops the victim's connection) and closes it; when the proxy
   * thaws the victim reconnects and is told its session expired.
   */
  async expire(victim: ZkClient, proxy: TcpProxy): Promise<void> {
    proxy.pause();
    const killer = await connect(this.connectString, {
      sessionId: victim.sessionId, sessionPassword: victim.sessionPassword, sessionTimeoutMs: 4000, initialConnectTimeoutMs: 10_000,
    });
    await killer.close();
    proxy.resume();
    proxy.cutAll();
    await waitState(victim, 'expired', 15_000);
  }

  spawn(args: string[]): Worker {
    const w = new Worker(args);
    this.workers.push(w);
    return w;
  }

  async stop(): Promise<void> {
    for (const w of this.workers) w.kill();
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => undefined);
    for (const c of this.clients) await c.close().catch(() => undefined);
    for (const p of this.proxies) await p.stop().catch(() => undefined);
    await this.server?.stop();
  }
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** A recipe worker in a child process (worker.ts); talks in stdout lines. */
export class Worker {
  readonly child: ChildProcess;
  readonly lines: Array<{ line: string; atMs: number }> = [];
  private buffer = '';
  private stderr = '';
  exited = false;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push({ line: this.buffer.slice(0, nl), atMs: Date.now() });
        this.buffer = this.buffer.slice(nl + 1);
      }
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.child.on('exit', () => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The first line matching `re` (already seen or to come), with its arrival time. */
  async waitLine(re: RegExp, timeoutMs: number): Promise<{ line: string; atMs: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l.line));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline || this.exited) {
        throw new Error(`worker ${this.pid}: no line ${re} within ${timeoutMs} ms; stdout=${JSON.stringify(this.lines.map((l) => l.line))} stderr=${this.stderr.slice(-2000)}`);
      }
      await sleep(20);
    }
  }

  has(re: RegExp): boolean {
    return this.lines.some((l) => re.test(l.line));
  }

  /** SIGKILL by pid and wait (bounded) for the exit. */
  async killNow(): Promise<number> {
    const atMs = Date.now();
    this.kill();
    await waitUntil(() => this.exited, 10_000, `worker ${this.pid} to exit`);
    return atMs;
  }

  kill(): void {
    if (this.exited) return;
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Wraps a client so calls of the named methods are counted (and watchers firing, too). */
export function countingClient(client: ZkClient): { client: ZkClient; calls: Map<string, number>; watchesFired: { n: number } } {
  const calls = new Map<string, number>();
  const watchesFired = { n: 0 };
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const name = String(prop);
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        const opts = args[1] as { watch?: (e: unknown) => void } | undefined;
        if ((name === 'exists' || name === 'getData' || name === 'getChildren') && opts?.watch !== undefined) {
          const inner = opts.watch;
          args[1] = { ...opts, watch: (e: unknown) => { watchesFired.n++; inner(e); } };
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: proxy, calls, watchesFired };
}
