// Type declarations for the parts of node-zookeeper-client 1.1.x (plain JavaScript, no bundled
// types) that the interop tests use. Jute longs arrive as 8-byte big-endian Buffers.
declare module 'node-zookeeper-client' {
  import { EventEmitter } from 'node:events';

  export interface JuteStat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export class Id {
    constructor(scheme: string, id: string);
    scheme: string;
    id: string;
  }

  export class ACL {
    constructor(permission: number, id: Id);
    permission: number;
    id: Id;
    static OPEN_ACL_UNSAFE: ACL[];
    static CREATOR_ALL_ACL: ACL[];
    static READ_ACL_UNSAFE: ACL[];
  }

  export class Exception extends Error {
    code: number;
    path: string | undefined;
    getCode(): number;
    getName(): string;
    getPath(): string | undefined;
    static OK: 0;
    static NO_NODE: -101;
    static NO_AUTH: -102;
    static BAD_VERSION: -103;
    static NODE_EXISTS: -110;
    static NOT_EMPTY: -111;
    static CONNECTION_LOSS: -4;
  }

  export class Event {
    type: number;
    name: string;
    path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
    static NODE_CREATED: 1;
    static NODE_DELETED: 2;
    static NODE_DATA_CHANGED: 3;
    static NODE_CHILDREN_CHANGED: 4;
  }

  export interface State {
    name: string;
    code: number;
  }

  export interface TransactionResult {
    type: number;
    path?: string;
    stat?: JuteStat;
    err?: number;
  }

  export type Callback<T extends unknown[]> = (error: Error | null | undefined, ...results: T) => void;
  export type Watcher = (event: Event) => void;

  export class Transaction {
    create(path: string, data: Buffer | null, acls: ACL[], mode: number): Transaction;
    check(path: string, version: number): Transaction;
    setData(path: string, data: Buffer | null, version: number): Transaction;
    remove(path: string, version: number): Transaction;
    commit(callback: Callback<[TransactionResult[] | undefined]>): void;
  }

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
  }

  export class Client extends EventEmitter {
    connect(): void;
    close(): void;
    getSessionId(): Buffer;
    getState(): State;
    addAuthInfo(scheme: string, auth: Buffer): void;
    create(path: string, data: Buffer | null, acls: ACL[], mode: number, callback: Callback<[string]>): void;
    remove(path: string, version: number, callback: Callback<[]>): void;
    setData(path: string, data: Buffer, version: number, callback: Callback<[JuteStat]>): void;
    getData(path: string, watcher: Watcher | undefined, callback: Callback<[Buffer | null | undefined, JuteStat]>): void;
    setACL(path: string, acls: ACL[], version: number, callback: Callback<[JuteStat]>): void;
    getACL(path: string, callback: Callback<[ACL[] | undefined, JuteStat]>): void;
    exists(path: string, watcher: Watcher | undefined, callback: Callback<[JuteStat | null]>): void;
    getChildren(path: string, watcher: Watcher | undefined, callback: Callback<[string[], JuteStat]>): void;
    transaction(): Transaction;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  export const CreateMode: {
    PERSISTENT: 0;
    EPHEMERAL: 1;
    PERSISTENT_SEQUENTIAL: 2;
    EPHEMERAL_SEQUENTIAL: 3;
  };

  export const Permission: {
    READ: 1;
    WRITE: 2;
    CREATE: 4;
    DELETE: 8;
    ADMIN: 16;
    ALL: 31;
  };
}
