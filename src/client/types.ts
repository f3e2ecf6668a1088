// Public types of the zkts client: options, create modes, watch events, connection states and
// operation results. Paths in everything here are the caller's paths (relative to the chroot).

import type { Acl, Stat } from '../proto/data.js';
import type { ClientInfo } from '../proto/responses.js';
import type { ZooKeeperError } from '../proto/errors.js';

export type { Acl, Id, Stat } from '../proto/data.js';
export type { ClientInfo } from '../proto/responses.js';

export interface AuthInfo {
  readonly scheme: string;
  /** Bytes, or a string sent as UTF-8 (digest: "user:password"). */
  readonly auth: Uint8Array | string;
}

export interface ClientOptions {
  /** Requested session timeout; the server negotiates it (protocol.md §2.4). Default 30000. */
  readonly sessionTimeoutMs?: number;
  /** Bound on one connection attempt (TCP connect + handshake). Default: requested timeout / hosts, at least 1000. */
  readonly connectTimeoutMs?: number;
  /** Bound on the first connect() before it rejects with ConnectionLossError. Default: sessionTimeoutMs. */
  readonly initialConnectTimeoutMs?: number;
  /** Credentials sent on every connection, in order. */
  readonly authInfos?: readonly AuthInfo[];
  /** Accept a read-only server (state 'connectedReadOnly'). Default false. */
  readonly canBeReadOnly?: boolean;
  /**
   * What a request issued while disconnected does: 'wait' (default) queues it until the session
   * is re-established (bounded by maxOutstandingRequests; use a signal to bound the wait), 'fail'
   * rejects it at once with ConnectionLossError.
   */
  readonly whileDisconnected?: 'wait' | 'fail';
  /**
   * Bound on requests queued or awaiting a reply. At the bound a new request rejects at once with
   * ClientQueueFullError (a ThrottledOpError, code -127). Default 10000.
   */
  readonly maxOutstandingRequests?: number;
  /** Largest reply frame accepted; a larger one drops the connection. Default 2 MiB. */
  readonly frameBytesMax?: number;
  /** Seed for the host shuffle (tests); default random. */
  readonly shuffleSeed?: number;
  /** Abort the first connect(). */
  readonly signal?: AbortSignal;
  /**
   * Attach to an existing session (with `sessionPassword`) instead of creating one, like the Java
   * client's ZooKeeper(connectString, timeout, watcher, sessionId, passwd). Closing such a client
   * closes that session: tests use it to force another client's session to expire.
   */
  readonly sessionId?: bigint;
  readonly sessionPassword?: Uint8Array;
}

export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistentSequential'
  | 'ephemeralSequential'
  | 'container'
  | 'persistentWithTtl'
  | 'persistentSequentialWithTtl';

export type Data = Uint8Array | string | null;

export interface OpOptions {
  /** Stop waiting: the promise rejects with the signal's reason. A request already sent still runs on the server. */
  readonly signal?: AbortSignal;
}

export interface CreateOptions extends OpOptions {
  readonly mode?: CreateMode;
  /** Default OPEN_ACL_UNSAFE. */
  readonly acl?: readonly Acl[];
  /** Required for the TTL modes. */
  readonly ttlMs?: number;
}

export interface VersionOptions extends OpOptions {
  /** -1 (default) matches any version. */
  readonly version?: number;
}

export interface WatchOptions extends OpOptions {
  /** A one-shot watcher, set only when the call succeeds (exists: also on NoNode). */
  readonly watch?: Watcher;
}

export type WatchEventType =
  | 'nodeCreated'
  | 'nodeDeleted'
  | 'nodeDataChanged'
  | 'nodeChildrenChanged'
  | 'dataWatchRemoved'
  | 'childWatchRemoved'
  | 'persistentWatchRemoved';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly path: string;
}

export type Watcher = (event: WatchEvent) => void;

export type AddWatchModeName = 'persistent' | 'persistentRecursive';
export type WatcherTypeName = 'data' | 'children' | 'any';

export type ClientState =
  | 'connecting'
  | 'connected'
  | 'connectedReadOnly'
  | 'disconnected'
  | 'expired'
  | 'authFailed'
  | 'closed';

export interface StateEvent {
  readonly state: ClientState;
  /** The server, for connected states. */
  readonly server?: string;
  /** Why, for disconnected and the terminal states. */
  readonly error?: Error;
}

export interface CreateResult {
  readonly path: string;
  readonly stat: Stat;
}

export interface DataResult {
  readonly data: Buffer | null;
  readonly stat: Stat;
}

export interface ChildrenResult {
  readonly children: string[];
  readonly stat: Stat;
}

export interface AclResult {
  readonly acl: Acl[];
  readonly stat: Stat;
}

/** One result of a successful multi, in op order. */
export type OpResult =
  | { readonly op: 'create'; readonly path: string; readonly stat?: Stat }
  | { readonly op: 'delete' }
  | { readonly op: 'setData'; readonly stat: Stat }
  | { readonly op: 'check' };

/** One result of a multiRead: reads fail one by one. */
export type ReadResult =
  | { readonly op: 'getData'; readonly data: Buffer | null; readonly stat: Stat }
  | { readonly op: 'getChildren'; readonly children: string[] }
  | { readonly op: 'error'; readonly error: ZooKeeperError };

/** Ops of a multi, in the caller's paths. */
export type TransactionOp =
  | { readonly op: 'create'; readonly path: string; readonly data?: Data; readonly options?: Omit<CreateOptions, 'signal'> }
  | { readonly op: 'delete'; readonly path: string; readonly version?: number }
  | { readonly op: 'setData'; readonly path: string; readonly data: Data; readonly version?: number }
  | { readonly op: 'check'; readonly path: string; readonly version: number };

export type ReadOp =
  | { readonly op: 'getData'; readonly path: string }
  | { readonly op: 'getChildren'; readonly path: string };

export type WhoAmIResult = ClientInfo[];
