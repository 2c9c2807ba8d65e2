/**
 * Per-key token buckets: each key may spend `perMinute` points a minute, refilled continuously,
 * with at most one minute's worth saved up. In memory, so per instance: behind a load balancer a
 * key may spend up to N times as much on N instances.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { points: number; at: number }>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes `cost` points from `key`'s bucket: 0 when taken, else how many ms until there would be enough (nothing is taken). */
  take(key: string, cost: number): number {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const available = bucket ? Math.min(this.perMinute, bucket.points + (now - bucket.at) * this.perMs) : this.perMinute;
    // An operation may never cost more than a full bucket (the configuration keeps the per-operation limit below it).
    const needed = Math.min(cost, this.perMinute);
    if (available < needed) {
      this.buckets.set(key, { points: available, at: now });
      return Math.ceil((needed - available) / this.perMs);
    }
    this.buckets.set(key, { points: available - needed, at: now });
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return 0;
  }

  /** Buckets that have refilled completely hold nothing worth keeping. */
  private forgetFull(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.points + (now - bucket.at) * this.perMs >= this.perMinute) this.buckets.delete(key);
    }
  }
}
