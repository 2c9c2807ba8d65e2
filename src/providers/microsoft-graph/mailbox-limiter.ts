/**
 * A FIFO weighted semaphore: at most `capacity` units in use. Outlook answers 429
 * "MailboxConcurrency" when more than 4 requests run against one mailbox at a time, `$batch` parts
 * included (docs/providers.md#graph-throttling-and-batching), so every Graph request of a mailbox takes one unit and a
 * `$batch` takes as many as it has parts (up to the capacity). Waiters are served in order, so a
 * large request is not starved by a stream of small ones.
 */
export class MailboxLimiter {
  private inUse = 0;
  private readonly waiters: { weight: number; resolve: () => void }[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  /** Units currently held (for tests and diagnostics). */
  get active(): number {
    return this.inUse;
  }

  async run<T>(weight: number, fn: () => Promise<T>): Promise<T> {
    const w = Math.min(Math.max(1, Math.ceil(weight)), this.capacity);
    await this.acquire(w);
    try {
      return await fn();
    } finally {
      this.release(w);
    }
  }

  private acquire(weight: number): Promise<void> {
    if (this.waiters.length === 0 && this.inUse + weight <= this.capacity) {
      this.inUse += weight;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ weight, resolve }));
  }

  private release(weight: number): void {
    this.inUse -= weight;
    while (this.waiters.length > 0 && this.inUse + this.waiters[0]!.weight <= this.capacity) {
      const next = this.waiters.shift()!;
      this.inUse += next.weight;
      next.resolve();
    }
  }
}
