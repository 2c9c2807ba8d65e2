/**
 * The one retry policy of the hub's provider calls, used at both levels that retry:
 * - each adapter's request pipeline retries single requests (Graph: `graph-transport.ts`, Google:
 *   `google-calendar.retry.ts`); which failures are retryable is the adapter's call, the waiting is this;
 * - the connection guard (src/connections/connection-guard.ts) retries a whole operation once the
 *   adapter gave up on a `RATE_LIMITED` / `TRANSIENT` failure.
 *
 * Rules: a provider's `Retry-After` is honoured as asked (docs/providers.md#throttling-and-retry-after);
 * without one the wait is exponential back-off with full jitter — a uniform random wait between 0 and
 * `min(maxDelayMs, baseDelayMs · 2^retry)` — so clients that failed together do not retry together;
 * an operation makes at most `maxAttempts` attempts, and its waits add up to at most
 * `maxTotalWaitMs`: a wait that would pass the budget (e.g. a long Retry-After) ends the operation
 * at once, with that wait reported, so the caller (the next job run) can come back later.
 */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Cap of the first back-off when the provider gave no Retry-After; doubles per retry. */
  baseDelayMs: number;
  /** Cap of one back-off wait (a Retry-After is not capped: it is what the provider asked for). */
  maxDelayMs: number;
  /** All waits of one operation add up to at most this. */
  maxTotalWaitMs: number;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Full-jitter back-off before retry number `retry` (0 for the first retry). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(random() * cap);
}

/** Whether to try again, and the wait before it (when not retrying: the wait that was not taken). */
export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

/**
 * One operation's budget under a policy. Create one per operation; after each failed attempt the
 * caller has judged retryable, `next` says whether another attempt fits and how long to wait
 * first, and records that wait. Attempts the caller repeats for other reasons (a refreshed access
 * token) do not go through `next` and do not count.
 */
export class RetrySchedule {
  private attemptsMade = 1;
  private waitedMs = 0;

  constructor(
    readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Attempts counted so far (1 while the first attempt runs). */
  get attempt(): number {
    return this.attemptsMade;
  }

  /** `retryAfterMs`: what the provider asked for (wins over back-off); null or undefined when it did not say. */
  next(retryAfterMs?: number | null): RetryDecision {
    const delayMs = retryAfterMs ?? backoffDelay(this.policy, this.attemptsMade - 1, this.random);
    if (this.attemptsMade >= this.policy.maxAttempts || this.waitedMs + delayMs > this.policy.maxTotalWaitMs) return { retry: false, delayMs };
    this.attemptsMade += 1;
    this.waitedMs += delayMs;
    return { retry: true, delayMs };
  }
}
