import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, RetrySchedule, type RetryPolicy } from '../../../src/providers/retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 350, maxTotalWaitMs: 1_000 };

/** A deterministic stand-in for Math.random: the same sequence on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('backoffDelay', () => {
  it('waits anywhere from 0 up to the doubled base, capped by maxDelayMs (full jitter)', () => {
    const random = seeded(7);
    for (let retry = 0; retry < 6; retry++) {
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
      const delays = Array.from({ length: 200 }, () => backoffDelay(policy, retry, random));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...delays)).toBeLessThanOrEqual(cap);
      // Spread over the whole range, not clustered at the cap (as without jitter) or its upper half.
      expect(Math.min(...delays)).toBeLessThan(cap / 4);
      expect(Math.max(...delays)).toBeGreaterThan((cap * 3) / 4);
    }
    expect(backoffDelay(policy, 0, () => 1)).toBe(100);
    expect(backoffDelay(policy, 3, () => 1)).toBe(350);
    expect(backoffDelay(policy, 3, () => 0)).toBe(0);
  });
});

describe('RetrySchedule', () => {
  it('allows maxAttempts attempts in all, then stops', () => {
    const schedule = new RetrySchedule(policy, () => 0.5);
    const decisions = [schedule.next(), schedule.next(), schedule.next(), schedule.next()];
    expect(decisions.map((d) => d.retry)).toEqual([true, true, true, false]);
    expect(schedule.attempt).toBe(4);
  });

  it('honours Retry-After over back-off, even above maxDelayMs', () => {
    const schedule = new RetrySchedule(policy, () => 0.5);
    expect(schedule.next(900)).toEqual({ retry: true, delayMs: 900 });
  });

  it('ends at once, reporting the wait, when a wait would pass the total budget', () => {
    const schedule = new RetrySchedule(policy, () => 1);
    expect(schedule.next(800)).toEqual({ retry: true, delayMs: 800 });
    // 800 waited; back-off before the second retry is 200 (cap 200), which still fits…
    expect(schedule.next()).toEqual({ retry: true, delayMs: 200 });
    // …but another 10 would not: the operation ends and says how long it would have waited.
    expect(schedule.next(10)).toEqual({ retry: false, delayMs: 10 });
    const long = new RetrySchedule(policy);
    expect(long.next(120_000)).toEqual({ retry: false, delayMs: 120_000 });
  });

  it('never lets the waits of one operation add up to more than maxTotalWaitMs', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = seeded(seed);
      const schedule = new RetrySchedule({ maxAttempts: 20, baseDelayMs: 50, maxDelayMs: 400, maxTotalWaitMs: 1_000 }, random);
      let waited = 0;
      for (;;) {
        const asked = random() < 0.3 ? Math.round(random() * 600) : null;
        const next = schedule.next(asked);
        if (!next.retry) break;
        waited += next.delayMs;
      }
      expect(waited).toBeLessThanOrEqual(1_000);
      expect(schedule.attempt).toBeLessThanOrEqual(20);
    }
  });

  it('makes exactly one attempt with maxAttempts 1', () => {
    expect(new RetrySchedule({ ...policy, maxAttempts: 1 }).next(0)).toEqual({ retry: false, delayMs: 0 });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds (also fractional) and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 1.5 ')).toBe(1500);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('Wed, 21 Oct 2026 07:29:00 GMT'))).toBe(0);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter('')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});
