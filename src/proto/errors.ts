// One error class per ZooKeeper error code (protocol.md §5.1), all extending ZooKeeperError.
// Invariants: `code` is the wire code (never 0); the message is the Java client's text
// `KeeperErrorCode = <msg>` plus ` for <path>` when a path is known, so logs and CLI output match
// what ZooKeeper users expect. errorForCode maps any wire code back to its class.

import { ErrorCode, errorMessage } from './error-codes.js';

export interface ZooKeeperErrorOptions {
  readonly cause?: unknown;
}

/** Base of every ZooKeeper error; also used as-is for codes this version does not know. */
export class ZooKeeperError extends Error {
  override name = 'ZooKeeperError';
  readonly code: number;
  readonly path: string | undefined;
  declare readonly cause: unknown;

  constructor(code: number, path?: string, options?: ZooKeeperErrorOptions) {
    super(`KeeperErrorCode = ${errorMessage(code)}${path === undefined ? '' : ` for ${path}`}`);
    this.code = code;
    this.path = path;
    // Defined explicitly (not via the Error options) so `cause` is always an own property.
    Object.defineProperty(this, 'cause', { value: options?.cause, enumerable: false, writable: false });
  }
}

export class SystemError extends ZooKeeperError {
  override name = 'SystemError';
  static readonly code = ErrorCode.systemError;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.systemError, path, options); }
}
export class RuntimeInconsistencyError extends ZooKeeperError {
  override name = 'RuntimeInconsistencyError';
  static readonly code = ErrorCode.runtimeInconsistency;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.runtimeInconsistency, path, options); }
}
export class DataInconsistencyError extends ZooKeeperError {
  override name = 'DataInconsistencyError';
  static readonly code = ErrorCode.dataInconsistency;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.dataInconsistency, path, options); }
}
export class ConnectionLossError extends ZooKeeperError {
  override name = 'ConnectionLossError';
  static readonly code = ErrorCode.connectionLoss;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.connectionLoss, path, options); }
}
export class MarshallingError extends ZooKeeperError {
  override name = 'MarshallingError';
  static readonly code = ErrorCode.marshallingError;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.marshallingError, path, options); }
}
export class UnimplementedError extends ZooKeeperError {
  override name = 'UnimplementedError';
  static readonly code = ErrorCode.unimplemented;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.unimplemented, path, options); }
}
export class OperationTimeoutError extends ZooKeeperError {
  override name = 'OperationTimeoutError';
  static readonly code = ErrorCode.operationTimeout;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.operationTimeout, path, options); }
}
export class BadArgumentsError extends ZooKeeperError {
  override name = 'BadArgumentsError';
  static readonly code = ErrorCode.badArguments;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.badArguments, path, options); }
}
export class UnknownSessionError extends ZooKeeperError {
  override name = 'UnknownSessionError';
  static readonly code = ErrorCode.unknownSession;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.unknownSession, path, options); }
}
export class NewConfigNoQuorumError extends ZooKeeperError {
  override name = 'NewConfigNoQuorumError';
  static readonly code = ErrorCode.newConfigNoQuorum;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.newConfigNoQuorum, path, options); }
}
export class ReconfigInProgressError extends ZooKeeperError {
  override name = 'ReconfigInProgressError';
  static readonly code = ErrorCode.reconfigInProgress;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.reconfigInProgress, path, options); }
}
export class ApiError extends ZooKeeperError {
  override name = 'ApiError';
  static readonly code = ErrorCode.apiError;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.apiError, path, options); }
}
export class NoNodeError extends ZooKeeperError {
  override name = 'NoNodeError';
  static readonly code = ErrorCode.noNode;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.noNode, path, options); }
}
export class NoAuthError extends ZooKeeperError {
  override name = 'NoAuthError';
  static readonly code = ErrorCode.noAuth;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.noAuth, path, options); }
}
export class BadVersionError extends ZooKeeperError {
  override name = 'BadVersionError';
  static readonly code = ErrorCode.badVersion;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.badVersion, path, options); }
}
export class NoChildrenForEphemeralsError extends ZooKeeperError {
  override name = 'NoChildrenForEphemeralsError';
  static readonly code = ErrorCode.noChildrenForEphemerals;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.noChildrenForEphemerals, path, options); }
}
export class NodeExistsError extends ZooKeeperError {
  override name = 'NodeExistsError';
  static readonly code = ErrorCode.nodeExists;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.nodeExists, path, options); }
}
export class NotEmptyError extends ZooKeeperError {
  override name = 'NotEmptyError';
  static readonly code = ErrorCode.notEmpty;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.notEmpty, path, options); }
}
export class SessionExpiredError extends ZooKeeperError {
  override name = 'SessionExpiredError';
  static readonly code = ErrorCode.sessionExpired;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.sessionExpired, path, options); }
}
export class InvalidCallbackError extends ZooKeeperError {
  override name = 'InvalidCallbackError';
  static readonly code = ErrorCode.invalidCallback;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.invalidCallback, path, options); }
}
export class InvalidAclError extends ZooKeeperError {
  override name = 'InvalidAclError';
  static readonly code = ErrorCode.invalidAcl;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.invalidAcl, path, options); }
}
export class AuthFailedError extends ZooKeeperError {
  override name = 'AuthFailedError';
  static readonly code = ErrorCode.authFailed;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.authFailed, path, options); }
}
export class SessionMovedError extends ZooKeeperError {
  override name = 'SessionMovedError';
  static readonly code = ErrorCode.sessionMoved;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.sessionMoved, path, options); }
}
export class NotReadOnlyError extends ZooKeeperError {
  override name = 'NotReadOnlyError';
  static readonly code = ErrorCode.notReadOnly;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.notReadOnly, path, options); }
}
export class EphemeralOnLocalSessionError extends ZooKeeperError {
  override name = 'EphemeralOnLocalSessionError';
  static readonly code = ErrorCode.ephemeralOnLocalSession;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.ephemeralOnLocalSession, path, options); }
}
export class NoWatcherError extends ZooKeeperError {
  override name = 'NoWatcherError';
  static readonly code = ErrorCode.noWatcher;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.noWatcher, path, options); }
}
export class RequestTimeoutError extends ZooKeeperError {
  override name = 'RequestTimeoutError';
  static readonly code = ErrorCode.requestTimeout;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.requestTimeout, path, options); }
}
export class ReconfigDisabledError extends ZooKeeperError {
  override name = 'ReconfigDisabledError';
  static readonly code = ErrorCode.reconfigDisabled;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.reconfigDisabled, path, options); }
}
export class SessionClosedRequireSaslAuthError extends ZooKeeperError {
  override name = 'SessionClosedRequireSaslAuthError';
  static readonly code = ErrorCode.sessionClosedRequireSaslAuth;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.sessionClosedRequireSaslAuth, path, options); }
}
export class QuotaExceededError extends ZooKeeperError {
  override name = 'QuotaExceededError';
  static readonly code = ErrorCode.quotaExceeded;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.quotaExceeded, path, options); }
}
export class ThrottledOpError extends ZooKeeperError {
  override name = 'ThrottledOpError';
  static readonly code = ErrorCode.throttledOp;
  constructor(path?: string, options?: ZooKeeperErrorOptions) { super(ErrorCode.throttledOp, path, options); }
}

type ErrorClass = new (path?: string, options?: ZooKeeperErrorOptions) => ZooKeeperError;

/** Every class by its wire code (every code of §5.1 except ok). */
export const ERROR_CLASSES: ReadonlyMap<number, ErrorClass> = new Map<number, ErrorClass>(
  [
    SystemError, RuntimeInconsistencyError, DataInconsistencyError, ConnectionLossError,
    MarshallingError, UnimplementedError, OperationTimeoutError, BadArgumentsError,
    UnknownSessionError, NewConfigNoQuorumError, ReconfigInProgressError, ApiError, NoNodeError,
    NoAuthError, BadVersionError, NoChildrenForEphemeralsError, NodeExistsError, NotEmptyError,
    SessionExpiredError, InvalidCallbackError, InvalidAclError, AuthFailedError, SessionMovedError,
    NotReadOnlyError, EphemeralOnLocalSessionError, NoWatcherError, RequestTimeoutError,
    ReconfigDisabledError, SessionClosedRequireSaslAuthError, QuotaExceededError, ThrottledOpError,
  ].map((cls) => [cls.code, cls] as const),
);

/**
 * The error for a wire code. Codes without a class (unknown to 3.8, or 0, which is not an error
 * but may arrive from a confused peer) give a plain ZooKeeperError carrying that code.
 */
export function errorForCode(code: number, path?: string, options?: ZooKeeperErrorOptions): ZooKeeperError {
  const cls = ERROR_CLASSES.get(code);
  return cls === undefined ? new ZooKeeperError(code, path, options) : new cls(path, options);
}
