// A bounded single-consumer async queue: producers push synchronously, one consumer pulls with
// for-await. Used for the state-event stream and watch-event streams.
// Invariants: at most `capacity` items are buffered; a push beyond that ends the queue with an
// overflow error (the consumer learns it missed items instead of silently losing them); after
// end() or fail() pending and later pulls finish (after the buffered items are drained).

export class QueueOverflowError extends Error {
  override name = 'QueueOverflowError';
}

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private done = false;
  private error: unknown = undefined;
  private onReturn: (() => void) | null;

  constructor(
    private readonly capacity: number,
    onReturn?: () => void,
  ) {
    this.onReturn = onReturn ?? null;
  }

  push(item: T): void {
    if (this.done) return;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      this.fail(new QueueOverflowError(`event queue overflowed (${this.capacity} events not consumed)`));
      return;
    }
    this.items.push(item);
  }

  /** Ends the stream normally once the buffered items are consumed. */
  end(): void {
    this.finish(undefined);
  }

  /** Ends the stream with an error, thrown after the buffered items are consumed. */
  fail(error: unknown): void {
    this.finish(error);
  }

  private finish(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    const cleanup = this.onReturn;
    this.onReturn = null;
    cleanup?.();
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      if (error === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) {
      if (this.error !== undefined) {
        const e = this.error;
        this.error = undefined; // thrown once; later pulls just end
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish(undefined);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
