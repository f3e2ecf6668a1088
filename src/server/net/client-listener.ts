// The client port: accepts TCP connections, splits frames, recognises four-letter words on a
// fresh connection, enforces maxClientCnxns per IP, and coalesces each connection's outbound
// frames into one socket write per event-loop turn. It knows no protocol records: frames go to
// the handlers, bytes come back through send().

import net from 'node:net';
import { FrameLengthError, FrameSplitter } from '../../proto/frames.js';
import { listenOn } from '../../io/node/listen.js';

export interface ClientListenerHandlers {
  connected(conn: number, address: string, port: number): void;
  frame(conn: number, payload: Buffer): void;
  disconnected(conn: number): void;
  /** Text for a four-letter word, or null when `word` is not one (then it is a frame length). */
  fourLetterWord(word: string): string | null;
  /** Called once after a batch of frames from one socket read was handed over. */
  afterInput(): void;
  log(level: 'info' | 'warn', message: string): void;
}

export interface ClientListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Connections per client IP; 0 = unlimited. */
  readonly maxClientCnxns: number;
  readonly frameBytesMax: number;
}

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  readonly address: string;
  readonly splitter: FrameSplitter;
  /** null until the first 4 bytes decided between a four-letter word and a session. */
  mode: 'fresh' | 'session' | 'fourLetter';
  outbound: Buffer[];
  closing: boolean;
  /** Reads paused by the core (too many requests queued) or by us (replies not being read). */
  pausedByCore: boolean;
  pausedByOutput: boolean;
}

/** A client that does not read its replies stops being read once this much is unsent. */
const OUTBOUND_BYTES_MAX = 4 * 1024 * 1024;

const FOUR_LETTER_FIRST_BYTES_MAX = 4;

export class ClientListener {
  private readonly server: net.Server;
  private readonly connections = new Map<number, Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly flushQueue = new Set<Connection>();
  private flushScheduled = false;
  private nextId = 1;

  constructor(
    private readonly options: ClientListenerOptions,
    private readonly handlers: ClientListenerHandlers,
  ) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  listen(): Promise<number> {
    return listenOn(this.server, this.options.host, this.options.port);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  send(conn: number, bytes: Buffer): void {
    const c = this.connections.get(conn);
    if (c === undefined || c.socket.destroyed) return;
    c.outbound.push(bytes);
    this.flushQueue.add(c);
    this.scheduleFlush();
  }

  /** Closes after the bytes already sent are written. */
  close(conn: number): void {
    const c = this.connections.get(conn);
    if (c === undefined || c.closing) return;
    c.closing = true;
    this.flushQueue.add(c);
    this.scheduleFlush();
  }

  pauseReads(conn: number, paused: boolean): void {
    const c = this.connections.get(conn);
    if (c === undefined) return;
    c.pausedByCore = paused;
    this.applyPause(c);
  }

  private applyPause(c: Connection): void {
    if (c.pausedByCore || c.pausedByOutput) c.socket.pause();
    else c.socket.resume();
  }

  async stop(): Promise<void> {
    for (const c of this.connections.values()) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the whole chain of promise jobs running now (a quorum member applies a burst of
    // COMMITs one promise job each): one write per connection per burst, not per reply.
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const c of this.flushQueue) {
      if (!c.socket.destroyed && c.outbound.length > 0) {
        const out = c.outbound.length === 1 ? c.outbound[0]! : Buffer.concat(c.outbound);
        c.outbound = [];
        c.socket.write(out);
        if (!c.pausedByOutput && c.socket.writableLength > OUTBOUND_BYTES_MAX) {
          c.pausedByOutput = true;
          this.applyPause(c);
          c.socket.once('drain', () => {
            c.pausedByOutput = false;
            this.applyPause(c);
          });
        }
      }
      if (c.closing) c.socket.end();
    }
    this.flushQueue.clear();
  }

  private accept(socket: net.Socket): void {
    const address = normaliseAddress(socket.remoteAddress ?? '');
    const count = this.perAddress.get(address) ?? 0;
    if (this.options.maxClientCnxns > 0 && count >= this.options.maxClientCnxns) {
      this.handlers.log('warn', `Too many connections from /${address} - max is ${this.options.maxClientCnxns}`);
      socket.destroy();
      return;
    }
    this.perAddress.set(address, count + 1);
    const c: Connection = {
      id: this.nextId++,
      socket,
      address,
      splitter: new FrameSplitter(this.options.frameBytesMax),
      mode: 'fresh',
      outbound: [],
      closing: false,
      pausedByCore: false,
      pausedByOutput: false,
    };
    this.connections.set(c.id, c);
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose(c));
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (c.closing) return;
    c.splitter.push(chunk);
    if (c.mode === 'fresh') {
      const first = c.splitter.firstInt();
      if (first === null) return;
      const word = Buffer.alloc(FOUR_LETTER_FIRST_BYTES_MAX);
      word.writeInt32BE(first, 0);
      const text = this.handlers.fourLetterWord(word.toString('latin1'));
      if (text !== null) {
        c.mode = 'fourLetter';
        c.splitter.drainRaw();
        c.socket.end(text);
        c.closing = true;
        return;
      }
      c.mode = 'session';
      this.handlers.connected(c.id, c.address, c.socket.remotePort ?? 0);
    }
    if (c.mode !== 'session') return;
    try {
      for (let frame = c.splitter.next(); frame !== null; frame = c.closing ? null : c.splitter.next()) {
        this.handlers.frame(c.id, frame);
      }
    } catch (e) {
      if (!(e instanceof FrameLengthError)) throw e;
      this.handlers.log(
        'warn',
        `Len error. A message from /${c.address}:${c.socket.remotePort ?? 0} with advertised length of ${e.length} is either a malformed message or too large to process (length is greater than jute.maxbuffer=${e.frameBytesMax})`,
      );
      c.closing = true;
      c.socket.destroy();
    }
    this.handlers.afterInput();
  }

  private onClose(c: Connection): void {
    if (!this.connections.delete(c.id)) return;
    this.flushQueue.delete(c);
    const count = (this.perAddress.get(c.address) ?? 1) - 1;
    if (count <= 0) this.perAddress.delete(c.address);
    else this.perAddress.set(c.address, count);
    if (c.mode === 'session') this.handlers.disconnected(c.id);
  }
}

/** ::ffff:127.0.0.1 (an IPv4 client on a dual-stack socket) is reported as 127.0.0.1. */
export function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
