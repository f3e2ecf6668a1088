// The zkts client library's public surface.

export { ZkClient, connect, createClient } from './client.js';
export { Transaction } from './transaction.js';
export { ClientClosedError, ClientQueueFullError } from './errors.js';
export { QueueOverflowError } from './async-queue.js';
export { multiErrorResults } from './ops.js';
export { parseConnectString, type HostPort, type ParsedConnectString } from './connect-string.js';
export type { WatchStreamOptions } from './watch-stream.js';
export type * from './types.js';
export * from '../proto/errors.js';
export { OPEN_ACL_UNSAFE, READ_ACL_UNSAFE, CREATOR_ALL_ACL, ANYONE_ID } from '../proto/data.js';
export { Perm } from '../proto/opcodes.js';
