/**
 * The AsyncIterable handed to one subscriber (a graphql-ws subscription, a test).
 *
 * - Events are buffered up to `capacity` while the consumer is busy. When the buffer is full the
 *   OLDEST event is dropped, so a slow consumer sees the latest state rather than stalling the
 *   publisher or growing memory without bound; `onOverflow` runs once, at the first drop.
 * - `return()` (what graphql-ws calls on unsubscribe, and `for await … break`) and `end()` finish
 *   the iterator: pending `next()` calls resolve `done`, buffered events are discarded, and
 *   `onEnd` runs exactly once so the owner can remove the transport listener.
 */
export class SubscriptionIterator<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private finished = false;
  private droppedCount = 0;

  constructor(
    private readonly options: {
      capacity: number;
      onOverflow?: () => void;
      onEnd?: () => void;
    },
  ) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError('subscription buffer capacity must be a positive integer');
    }
  }

  push(value: T): void {
    if (this.finished) return;
    const resolve = this.waiting.shift();
    if (resolve) {
      resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.options.capacity) {
      this.buffer.shift();
      this.droppedCount += 1;
      if (this.droppedCount === 1) this.options.onOverflow?.();
    }
    this.buffer.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.end();
    return Promise.reject(error);
  }

  /** Ends the iterator from the producer side (pubsub closed). */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.buffer.length = 0;
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
    this.options.onEnd?.();
  }

  get done(): boolean {
    return this.finished;
  }

  /** Events dropped because the consumer fell more than `capacity` events behind. */
  get dropped(): number {
    return this.droppedCount;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
