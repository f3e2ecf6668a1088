// Client-side errors that have no wire code of their own. Each extends the ZooKeeperError class
// whose code describes the outcome, so `instanceof` and `code` checks written for the server's
// errors keep working.

import { SessionExpiredError, ThrottledOpError } from '../proto/errors.js';

/** The client's own bound was hit (see maxOutstandingRequests); code -127 like a throttled op. */
export class ClientQueueFullError extends ThrottledOpError {
  override name = 'ClientQueueFullError';
}

/** Every request after close(); a SessionExpiredError (code -112), as the Java client reports. */
export class ClientClosedError extends SessionExpiredError {
  override name = 'ClientClosedError';
}
