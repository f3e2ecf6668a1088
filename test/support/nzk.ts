// A promise wrapper over node-zookeeper-client for tests: connect with a bounded wait, each
// operation as a promise, Stats decoded to plain values (64-bit fields as bigint), errors
// as ZkError carrying the server's error code. close() resolves only once the server has
// closed the connection after closeSession, i.e. after the session's ephemerals are gone.
import { createHash } from 'node:crypto';
import {
  ACL,
  createClient,
  type Client,
  type Event,
  type JuteStat,
  type TransactionResult,
} from 'node-zookeeper-client';

export { ACL, Id, CreateMode, Permission, type Event } from 'node-zookeeper-client';

/** A Stat with every field decoded. */
export interface ZkStat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly pzxid: bigint;
  readonly ctime: bigint;
  readonly mtime: bigint;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** A failed operation: `code` is the ZooKeeper error code (e.g. -101). */
export class ZkError extends Error {
  override readonly name = 'ZkError';
  constructor(
    readonly code: number,
    readonly op: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`${op} ${path}: error ${code}`, options);
  }
}

/** One op of a multi; versions follow the client: 0 is sent as -1 (a client quirk). */
export type MultiOp =
  | { readonly op: 'create'; readonly path: string; readonly data: Buffer | null; readonly mode: number; readonly acls?: ACL[] }
  | { readonly op: 'delete'; readonly path: string; readonly version: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: Buffer | null; readonly version: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

/** Per-op multi result: err 0 with a path/stat on success, or the op's error code. */
export interface MultiOpResult {
  readonly type: number;
  readonly err: number;
  readonly path?: string;
  readonly stat?: ZkStat;
}

export interface MultiResult {
  /** 0, or the first non-zero op error (the Java client's KeeperException code). */
  readonly code: number;
  readonly results: readonly MultiOpResult[];
}

export interface ConnectOptions {
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
}

function long(buf: Buffer): bigint {
  return buf.readBigInt64BE(0);
}

export function decodeStat(s: JuteStat): ZkStat {
  return {
    czxid: long(s.czxid),
    mzxid: long(s.mzxid),
    pzxid: long(s.pzxid),
    ctime: long(s.ctime),
    mtime: long(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: long(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}

function codeOf(error: Error): number {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  throw error; // not a ZooKeeper error (assertion in the client, ...): let it surface
}

/** A connected session. */
export class ZkSession {
  private closed = false;
  constructor(
    readonly client: Client,
    readonly sessionId: bigint,
  ) {}

  private call<T>(op: string, path: string, start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start((error, value) => {
        if (error) {
          try {
            reject(new ZkError(codeOf(error), op, path, { cause: error }));
          } catch (e) {
            reject(e as Error);
          }
        } else resolve(value as T);
      });
    });
  }

  create(path: string, data: Buffer | null, mode = 0, acls: ACL[] = ACL.OPEN_ACL_UNSAFE): Promise<string> {
    return this.call('create', path, (done) => this.client.create(path, data, acls, mode, (e, p) => done(e, p)));
  }

  remove(path: string, version = -1): Promise<void> {
    return this.call('delete', path, (done) => this.client.remove(path, version, (e) => done(e)));
  }

  /** The client cannot send null data on setData; pass an empty Buffer. */
  setData(path: string, data: Buffer, version = -1): Promise<ZkStat> {
    return this.call('setData', path, (done) =>
      this.client.setData(path, data, version, (e, s) => done(e, e ? undefined : decodeStat(s))),
    );
  }

  getData(path: string, watcher?: (event: Event) => void): Promise<{ data: Buffer | null; stat: ZkStat }> {
    return this.call('getData', path, (done) =>
      this.client.getData(path, watcher, (e, d, s) => done(e, e ? undefined : { data: d ?? null, stat: decodeStat(s) })),
    );
  }

  /** Resolves null when the node does not exist. */
  exists(path: string, watcher?: (event: Event) => void): Promise<ZkStat | null> {
    return this.call('exists', path, (done) =>
      this.client.exists(path, watcher, (e, s) => done(e, e ? undefined : s ? decodeStat(s) : null)),
    );
  }

  getChildren(path: string, watcher?: (event: Event) => void): Promise<{ children: string[]; stat: ZkStat }> {
    return this.call('getChildren2', path, (done) =>
      this.client.getChildren(path, watcher, (e, c, s) => done(e, e ? undefined : { children: c, stat: decodeStat(s) })),
    );
  }

  setACL(path: string, acls: ACL[], version = -1): Promise<ZkStat> {
    return this.call('setACL', path, (done) =>
      this.client.setACL(path, acls, version, (e, s) => done(e, e ? undefined : decodeStat(s))),
    );
  }

  getACL(path: string): Promise<{ acls: ACL[]; stat: ZkStat }> {
    return this.call('getACL', path, (done) =>
      this.client.getACL(path, (e, a, s) => done(e, e ? undefined : { acls: a ?? [], stat: decodeStat(s) })),
    );
  }

  /** Runs a multi. A failed multi resolves (code != 0) so callers can compare per-op results. */
  multi(ops: readonly MultiOp[]): Promise<MultiResult> {
    const txn = this.client.transaction();
    for (const o of ops) {
      if (o.op === 'create') txn.create(o.path, o.data, o.acls ?? ACL.OPEN_ACL_UNSAFE, o.mode);
      else if (o.op === 'delete') txn.remove(o.path, o.version);
      else if (o.op === 'setData') txn.setData(o.path, o.data, o.version);
      else txn.check(o.path, o.version);
    }
    return new Promise((resolve, reject) => {
      txn.commit((error, results) => {
        const decoded = (results ?? []).map((r: TransactionResult) => ({
          type: r.type,
          err: r.err ?? 0,
          ...(r.path !== undefined ? { path: r.path } : {}),
          ...(r.stat !== undefined ? { stat: decodeStat(r.stat) } : {}),
        }));
        if (!error) {
          resolve({ code: 0, results: decoded });
          return;
        }
        try {
          resolve({ code: codeOf(error), results: decoded });
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }

  /** Sends auth; the server handles it before any later request of this session (FIFO). */
  addAuth(scheme: string, auth: string): void {
    this.client.addAuthInfo(scheme, Buffer.from(auth, 'utf8'));
  }

  /** closeSession, then waits (bounded) for the server to close the connection. */
  close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.removeListener('disconnected', onDisconnected);
        reject(new Error(`session 0x${this.sessionId.toString(16)} not closed within ${timeoutMs} ms`));
      }, timeoutMs);
      const onDisconnected = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('disconnected', onDisconnected);
      this.client.close();
    });
  }
}

/** Connects a new session; rejects (and stops the client) if not connected within the bound. */
export function connectSession(connectString: string, opts: ConnectOptions = {}): Promise<ZkSession> {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const client = createClient(connectString, { sessionTimeout: opts.sessionTimeoutMs ?? 10_000, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.removeListener('connected', onConnected);
      client.close();
      reject(new Error(`could not connect to ${connectString} within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    const onConnected = (): void => {
      clearTimeout(timer);
      resolve(new ZkSession(client, client.getSessionId().readBigInt64BE(0)));
    };
    client.once('connected', onConnected);
    client.connect();
  });
}

/** The digest ACL id for `user:password`: `user:` + base64(sha1(`user:password`)). */
export function digestId(userPassword: string): string {
  const user = userPassword.split(':')[0] ?? userPassword;
  return `${user}:${createHash('sha1').update(userPassword, 'utf8').digest('base64')}`;
}
