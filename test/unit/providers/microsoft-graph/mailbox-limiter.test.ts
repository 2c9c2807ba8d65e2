import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MailboxLimiter } from '../../../../src/providers/microsoft-graph/mailbox-limiter.js';

describe('MailboxLimiter', () => {
  it('never runs more than its capacity at once and finishes every task', async () => {
    const limiter = new MailboxLimiter(4);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limiter.run(1, async () => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(5);
          running -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(peak).toBe(4);
    expect(limiter.active).toBe(0);
  });

  it('gives a weighted task (a $batch) the units it needs, in arrival order', async () => {
    const limiter = new MailboxLimiter(4);
    const order: string[] = [];
    let held = 0;
    let peak = 0;
    const task = (name: string, weight: number) =>
      limiter.run(weight, async () => {
        held += Math.min(weight, 4);
        peak = Math.max(peak, held);
        order.push(name);
        await sleep(5);
        held -= Math.min(weight, 4);
      });
    await Promise.all([task('a', 1), task('batch', 20), task('b', 1)]);
    expect(order).toEqual(['a', 'batch', 'b']);
    expect(peak).toBe(4);
  });

  it('releases its units when a task fails', async () => {
    const limiter = new MailboxLimiter(1);
    await expect(limiter.run(1, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(1, async () => 'next')).toBe('next');
  });
});
