/**
 * Finds where to resume reading a capped collection that is read in natural (insertion) order.
 *
 * Why not `{ _id: { $gt: lastId } }`: ObjectIds made by different hub instances are not ordered
 * like their inserts (seconds resolution, per-process counters), so such a filter can skip events.
 * Natural order is the only order every reader agrees on, so a (re)opened tailable cursor reads
 * from the start of the collection and this seeker skips up to and including `target` (the last
 * event already handled, or the newest event when the feed started).
 *
 * - `target` found: everything after it is delivered, nothing before it.
 * - caught up without finding `target`: the collection is capped, so `target` was evicted and
 *   every buffered event is newer than it; they are all delivered and `lost` reports the possible
 *   gap (events evicted before this reader got them).
 * - no `target` (the collection was empty when the feed started): everything is new.
 */
export class TailSeeker<E> {
  private seeking: boolean;
  private readonly buffered: E[] = [];
  private gap = false;

  constructor(
    private readonly target: E | undefined,
    private readonly isTarget: (event: E) => boolean,
    private readonly maxBuffered = 100_000,
  ) {
    this.seeking = target !== undefined;
  }

  /** Whether the reader is still looking for `target` (read with a non-blocking `tryNext`). */
  get isSeeking(): boolean {
    return this.seeking;
  }

  /** True when `target` had been evicted, so events between it and the oldest kept may be lost. */
  get lost(): boolean {
    return this.gap;
  }

  /** Takes the next event in natural order; returns the events now ready for delivery. */
  accept(event: E): E[] {
    if (!this.seeking) return [event];
    if (this.isTarget(event)) {
      this.seeking = false;
      this.buffered.length = 0;
      return [];
    }
    this.buffered.push(event);
    if (this.buffered.length > this.maxBuffered) {
      // Only reachable when `target` was evicted under a sustained flood of inserts.
      this.buffered.shift();
      this.gap = true;
    }
    return [];
  }

  /** The reader saw an empty batch: it has read everything written so far. */
  caughtUp(): E[] {
    if (!this.seeking) return [];
    this.seeking = false;
    if (this.target !== undefined) this.gap = true;
    return this.buffered.splice(0);
  }
}
