import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/api/limits/rate-limiter.js';

describe('RateLimiter', () => {
  it("spends a key's points, refills them over the minute, and says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(600, () => now); // 10 points a second
    expect(limiter.take('a', 500)).toBe(0);
    expect(limiter.take('a', 200)).toBe(10_000); // 100 left, 100 more take 10 s
    expect(limiter.take('b', 600)).toBe(0); // each key has its own points
    now = 10_000;
    expect(limiter.take('a', 200)).toBe(0);
    now = 10_000_000;
    expect(limiter.take('a', 600)).toBe(0); // never more than a minute's worth saved up
    expect(limiter.take('a', 1)).toBeGreaterThan(0);
  });

  it('never lets a key spend more than its per-minute points plus what refilled, whatever the pattern of requests', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ waitMs: fc.integer({ min: 0, max: 20_000 }), cost: fc.integer({ min: 1, max: 1_000 }) }), { maxLength: 60 }), (requests) => {
        let now = 0;
        const limiter = new RateLimiter(1_000, () => now);
        let spent = 0;
        for (const { waitMs, cost } of requests) {
          now += waitMs;
          if (limiter.take('k', cost) === 0) spent += cost;
        }
        expect(spent).toBeLessThanOrEqual(1_000 + (now * 1_000) / 60_000 + 1e-9);
      }),
    );
  });
});
