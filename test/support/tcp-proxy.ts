// A fault-injecting TCP proxy on loopback for partition tests: listens on a free port and
// forwards every accepted connection to 127.0.0.1:targetPort. Modes:
//   'pass'   bytes flow both ways; a close on one side is passed on to the other.
//   'drop'   a partition: existing connections stay open but nothing passes either way; new
//            connections are accepted but get nothing (their upstream is not even dialed yet).
//            Bytes and closes are held, not discarded, as TCP would retransmit them: on the way
//            back to 'pass' the held bytes are delivered in order, connections accepted during the
//            partition are dialed, and closes made during the partition reach the other side.
//            (Holding, not discarding, keeps framed streams intact: a real partition never cuts
//            bytes out of the middle of a TCP stream.)
//   'reject' existing connections are closed (both sides) and new ones closed as soon as accepted.
// Optionally the first bytes a client sends are rewritten (rewriteHead), so an ensemble can make
// a member's advertised election address point back through the right proxy.
// Invariants: a side that is not flowing is paused (so the kernel buffers, not this process, hold
// the backlog and a sender sees backpressure); every socket is destroyed by close(); no timer.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'drop' | 'reject';

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  readonly targetPort: number;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  /** Closes every current connection (both sides); the mode is unchanged. */
  cutAll(): void;
  /** Connections currently open through the proxy. */
  connectionCount(): number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * Rewrites the first bytes a client sends (e.g. an address it advertises) before they go upstream:
 * null = need more bytes; otherwise the first `consumed` bytes are replaced by `replacement`.
 * A throw, or more than HEAD_BYTES_MAX bytes without an answer, passes the bytes on unchanged.
 */
export type HeadRewriter = (head: Buffer) => { consumed: number; replacement: Buffer } | null;

export interface ProxyOptions {
  readonly host?: string;
  readonly mode?: ProxyMode;
  readonly rewriteHead?: HeadRewriter;
}

const HEAD_BYTES_MAX = 4096;

/** One accepted connection: `client` is the accepted socket, `upstream` the dialed one. */
class Link {
  upstream: Socket | null = null;
  /** Chunks read while not flowing (only what arrives before pause() takes effect). */
  private readonly held: { toUpstream: Buffer[]; toClient: Buffer[] } = { toUpstream: [], toClient: [] };
  private clientEnded = false;
  private upstreamEnded = false;
  private dead = false;
  /** Client bytes kept until rewriteHead has answered; null once it has (or without one). */
  private head: Buffer | null;

  constructor(
    readonly client: Socket,
    private readonly host: string,
    private readonly targetPort: number,
    private readonly isFlowing: () => boolean,
    private readonly onDead: (link: Link) => void,
    private readonly rewriteHead: HeadRewriter | undefined,
  ) {
    this.head = rewriteHead === undefined ? null : Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('end', () => {
      this.clientEnded = true;
      if (this.isFlowing()) this.upstream?.end();
    });
    client.on('error', () => undefined); // 'close' follows
    client.on('close', () => this.sideClosed());
  }

  /** Dials the target (only while flowing); the client side stays paused until it connects. */
  dial(): void {
    if (this.upstream !== null || this.dead) return;
    this.client.pause();
    const upstream = connect({ host: this.host, port: this.targetPort, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.on('connect', () => this.resume());
    upstream.on('data', (chunk: Buffer) => this.forward(chunk, 'toClient'));
    upstream.on('end', () => {
      this.upstreamEnded = true;
      if (this.isFlowing()) this.client.end();
    });
    upstream.on('error', () => undefined); // refused or reset: 'close' follows
    upstream.on('close', () => this.sideClosed());
  }

  private fromClient(chunk: Buffer): void {
    if (this.head === null || this.rewriteHead === undefined) {
      this.forward(chunk, 'toUpstream');
      return;
    }
    const head = Buffer.concat([this.head, chunk]);
    let out: Buffer | null = head;
    try {
      const rewritten = this.rewriteHead(head);
      if (rewritten === null && head.length < HEAD_BYTES_MAX) out = null;
      else if (rewritten !== null) out = Buffer.concat([rewritten.replacement, head.subarray(rewritten.consumed)]);
    } catch {
      // not ours to judge: pass the bytes on as they came
    }
    if (out === null) {
      this.head = head;
      return;
    }
    this.head = null;
    if (out.length > 0) this.forward(out, 'toUpstream');
  }

  private forward(chunk: Buffer, direction: 'toUpstream' | 'toClient'): void {
    const source = direction === 'toUpstream' ? this.client : this.upstream;
    const sink = direction === 'toUpstream' ? this.upstream : this.client;
    if (!this.isFlowing() || sink === null || sink.connecting) {
      this.held[direction].push(chunk);
      source?.pause();
      return;
    }
    if (!sink.write(chunk)) {
      source?.pause();
      sink.once('drain', () => {
        if (this.isFlowing()) source?.resume();
      });
    }
  }

  /** Stop both directions (partition). */
  pause(): void {
    this.client.pause();
    this.upstream?.pause();
  }

  /** Back to flowing: dial if needed, deliver held bytes and ends, then read again. */
  resume(): void {
    if (this.dead) return;
    if (this.upstream === null) {
      if (this.client.destroyed) {
        this.markDead();
        return;
      }
      this.dial();
      return; // dial() calls resume() again on connect
    }
    if (this.upstream.connecting) return;
    const { client, upstream } = this;
    for (const chunk of this.held.toUpstream.splice(0)) if (!upstream.destroyed) upstream.write(chunk);
    for (const chunk of this.held.toClient.splice(0)) if (!client.destroyed) client.write(chunk);
    if (this.clientEnded) upstream.end();
    if (this.upstreamEnded) client.end();
    if (client.destroyed) this.closeAfterFlush(upstream);
    else if (upstream.destroyed) this.closeAfterFlush(client);
    if (!client.destroyed) client.resume();
    if (!upstream.destroyed) upstream.resume();
  }

  private sideClosed(): void {
    const { client, upstream } = this;
    const bothClosed = client.destroyed && (upstream === null || upstream.destroyed);
    if (bothClosed) {
      this.markDead();
      return;
    }
    // A close during a partition is held until the partition heals (see resume()).
    if (!this.isFlowing()) return;
    if (client.destroyed && upstream !== null) this.closeAfterFlush(upstream);
    else if (upstream !== null && upstream.destroyed) this.closeAfterFlush(client);
    else if (upstream === null) this.markDead(); // client gone before we dialed
  }

  private closeAfterFlush(socket: Socket): void {
    if (socket.destroyed) return;
    socket.end(() => socket.destroy());
  }

  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.markDead();
  }

  private markDead(): void {
    if (this.dead) return;
    this.dead = true;
    this.onDead(this);
  }
}

/** Starts a proxy on a free loopback port forwarding to host:targetPort. */
export async function startProxy(targetPort: number, options: ProxyOptions = {}): Promise<TcpProxy> {
  const host = options.host ?? '127.0.0.1';
  let mode: ProxyMode = options.mode ?? 'pass';
  const links = new Set<Link>();
  const flowing = (): boolean => mode === 'pass';

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    if (mode === 'reject') {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    const link = new Link(client, host, targetPort, flowing, (l) => links.delete(l), options.rewriteHead);
    links.add(link);
    if (mode === 'pass') link.dial();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected proxy address ${String(address)}`);

  return {
    port: address.port,
    targetPort,
    get mode() {
      return mode;
    },
    setMode(next: ProxyMode): void {
      if (next === mode) return;
      mode = next;
      for (const link of [...links]) {
        if (next === 'reject') link.destroy();
        else if (next === 'drop') link.pause();
        else link.resume();
      }
    },
    cutAll(): void {
      for (const link of [...links]) link.destroy();
    },
    connectionCount: () => links.size,
    close(): Promise<void> {
      for (const link of [...links]) link.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
