import { describe, expect, it } from 'vitest';
import { HubPubSub } from '../../../src/events/hub-pubsub.js';
import { InProcessTransport } from '../../../src/events/in-process.transport.js';
import { SubscriptionIterator } from '../../../src/events/subscription-iterator.js';
import { capturingLogger, take } from '../../helpers/pubsub-helpers.js';

describe('SubscriptionIterator', () => {
  it('hands buffered events out in order, then waits for the next one', async () => {
    const it = new SubscriptionIterator<number>({ capacity: 10 });
    it.push(1);
    it.push(2);
    expect(await take(it, 2)).toEqual([1, 2]);
    const pending = it.next();
    it.push(3);
    expect(await pending).toEqual({ value: 3, done: false });
  });

  it('drops the oldest events when a slow consumer falls behind, reporting the overflow once', async () => {
    let overflows = 0;
    const it = new SubscriptionIterator<number>({ capacity: 3, onOverflow: () => (overflows += 1) });
    for (let n = 1; n <= 7; n++) it.push(n);
    expect(await take(it, 3)).toEqual([5, 6, 7]);
    expect(it.dropped).toBe(4);
    expect(overflows).toBe(1);
  });

  it('resolves pending reads as done and discards the buffer when the consumer returns', async () => {
    let ended = 0;
    const it = new SubscriptionIterator<number>({ capacity: 3, onEnd: () => (ended += 1) });
    const first = it.next();
    const second = it.next();
    await it.return();
    await it.return();
    it.push(1);
    expect(await first).toEqual({ value: undefined, done: true });
    expect(await second).toEqual({ value: undefined, done: true });
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it('rejects throw() with the given error and ends', async () => {
    const it = new SubscriptionIterator<number>({ capacity: 3 });
    await expect(it.throw(new Error('consumer failed'))).rejects.toThrow('consumer failed');
    expect(it.done).toBe(true);
  });

  it('refuses a buffer that cannot hold an event', () => {
    expect(() => new SubscriptionIterator<number>({ capacity: 0 })).toThrow(RangeError);
  });
});

describe('HubPubSub buffering', () => {
  it('logs one warning per slow subscription however many events it loses', async () => {
    const { logger, lines } = capturingLogger('warn');
    const pubsub = new HubPubSub(new InProcessTransport(logger), logger, { bufferSize: 2 });
    const slow = pubsub.subscribe('BURST');
    for (let n = 0; n < 10; n++) await pubsub.transport.publish('BURST', { n });
    expect(await take(slow, 2)).toEqual([{ n: 8 }, { n: 9 }]);
    const warnings = lines.filter((l) => l.msg === 'pubsub subscriber is falling behind; dropping its oldest events');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ topic: 'BURST', bufferSize: 2 });
    await pubsub.close();
  });

  it('logs a publish the transport refuses, naming the topic', async () => {
    const { logger, lines } = capturingLogger('error');
    const transport = new InProcessTransport(logger);
    const pubsub = new HubPubSub(transport, logger);
    await transport.close();
    pubsub.publish('GONE', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([expect.objectContaining({ msg: 'pubsub publish failed', topic: 'GONE' })]);
  });

  it('keeps delivering to other subscribers when one listener throws', async () => {
    const { logger, lines } = capturingLogger('error');
    const pubsub = new HubPubSub(new InProcessTransport(logger), logger);
    pubsub.transport.subscribe('T', () => {
      throw new Error('listener bug');
    });
    const healthy = pubsub.subscribe('T');
    await pubsub.transport.publish('T', { ok: true });
    expect(await take(healthy, 1)).toEqual([{ ok: true }]);
    expect(lines).toEqual([expect.objectContaining({ msg: 'pubsub listener failed', topic: 'T' })]);
    await pubsub.close();
  });
});
