// Always-on assertions. A failed assertion is a broken invariant (a bug), never an operating
// error: malformed input is handled where it arrives, not asserted on.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** `message` may be a function, so hot paths do not build the text unless the check fails. */
export function assert(condition: unknown, message: string | (() => string) = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(typeof message === 'function' ? message() : message);
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}
