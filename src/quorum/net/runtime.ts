// What the quorum transports take from their host instead of reaching for globals: timers and a
// logger. Production passes `nodeTimers` and the server's pino logger (its `warn(obj, msg)` shape
// fits `TransportLogger`); tests pass fakes or short real timers so every wait is bounded.

/** An opaque timer handle, whatever the host's setTimeout returns. */
export type TimerHandle = unknown;

export interface TransportTimers {
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TransportLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const nodeTimers: TransportTimers = {
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const silentLogger: TransportLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
};

/** Network input is logged with at most this many bytes of reason text. */
export function describeError(err: unknown): string {
  return (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 200);
}
