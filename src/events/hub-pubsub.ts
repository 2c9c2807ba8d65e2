import type { PubSub } from 'type-graphql';
import type { Logger } from '../logger.js';
import type { EventPublisher } from './event-publisher.js';
import type { Topic, TopicPayloads } from './pubsub-topics.js';
import type { PubSubTransport } from './pubsub-transport.js';
import { SubscriptionIterator } from './subscription-iterator.js';

export { TOPICS } from './pubsub-topics.js';
export type * from './pubsub-topics.js';
export type { EventPublisher } from './event-publisher.js';

export interface HubPubSubOptions {
  /** Events buffered per subscriber before the oldest is dropped (default 256). */
  bufferSize?: number;
}

const DEFAULT_BUFFER_SIZE = 256;

/**
 * The hub's pubsub: type-graphql 2's `PubSub` (pass it as `buildSchema({ pubSub })`) on top of a
 * `PubSubTransport`.
 *
 * Routing follows graphql-yoga's `createPubSub`, which type-graphql documents:
 * `publish(topic, payload)` reaches `subscribe(topic)`, and `publish(topic, id, payload)` reaches
 * `subscribe(topic, id)` (the `topicId` option of `@Subscription`), as topic `"<topic>:<id>"`.
 *
 * The typed helpers are what the hub's own code uses: `publishTyped` checks the payload shape of a
 * `TOPICS` topic, and `subscribeTyped` can keep only one tenant's events before they are buffered.
 *
 * Each subscription gets a bounded buffer (`bufferSize`): a subscriber that falls behind loses
 * the oldest events, and that is logged once per subscription (see `SubscriptionIterator`).
 */
export class HubPubSub implements PubSub, EventPublisher {
  private readonly iterators = new Set<SubscriptionIterator<unknown>>();
  private readonly bufferSize: number;
  private closed = false;

  constructor(
    readonly transport: PubSubTransport,
    private readonly logger: Logger,
    options: HubPubSubOptions = {},
  ) {
    this.bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  }

  /**
   * Fire-and-forget, as the `PubSub` interface requires. A transport failure is logged here with
   * the topic; code that must know the outcome uses `publishTyped` and awaits it.
   */
  publish(routingKey: string, ...args: unknown[]): void {
    const scoped = args[1] !== undefined;
    const topic = scoped ? `${routingKey}:${String(args[0])}` : routingKey;
    const payload = scoped ? args[1] : (args[0] ?? null);
    this.send(topic, payload).catch((err: unknown) => {
      this.logger.error({ err, topic }, 'pubsub publish failed');
    });
  }

  subscribe(routingKey: string, dynamicId?: unknown): AsyncIterableIterator<unknown> {
    const topic = dynamicId === undefined ? routingKey : `${routingKey}:${String(dynamicId)}`;
    return this.open(topic, undefined);
  }

  /** Publishes a `TOPICS` event; resolves once the transport has accepted it. */
  publishTyped<T extends Topic>(topic: T, payload: TopicPayloads[T]): Promise<void> {
    return this.send(topic, payload);
  }

  /** Subscribes to a `TOPICS` topic, optionally only to the events of one tenant. */
  subscribeTyped<T extends Topic>(
    topic: T,
    scope: { tenantId?: string } = {},
  ): AsyncIterableIterator<TopicPayloads[T]> {
    const { tenantId } = scope;
    const accept =
      tenantId === undefined
        ? undefined
        : (payload: unknown) => (payload as { tenantId?: unknown } | null)?.tenantId === tenantId;
    return this.open(topic, accept) as AsyncIterableIterator<TopicPayloads[T]>;
  }

  /** Open subscriptions (each is one transport listener until it ends). */
  get subscriptionCount(): number {
    return this.iterators.size;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    await this.transport.ping?.();
  }

  /** Ends every open subscription (consumers see `done`), then closes the transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const iterator of [...this.iterators]) iterator.end();
    await this.transport.close();
  }

  private async send(topic: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('pubsub is closed');
    await this.transport.publish(topic, payload);
  }

  private open(topic: string, accept: ((payload: unknown) => boolean) | undefined): SubscriptionIterator<unknown> {
    const listener: { unsubscribe?: () => void } = {};
    const iterator: SubscriptionIterator<unknown> = new SubscriptionIterator<unknown>({
      capacity: this.bufferSize,
      onOverflow: () =>
        this.logger.warn(
          { topic, bufferSize: this.bufferSize },
          'pubsub subscriber is falling behind; dropping its oldest events',
        ),
      onEnd: () => {
        this.iterators.delete(iterator);
        listener.unsubscribe?.();
      },
    });
    if (this.closed) {
      iterator.end();
      return iterator;
    }
    this.iterators.add(iterator);
    listener.unsubscribe = this.transport.subscribe(topic, (payload) => {
      if (accept && !accept(payload)) return;
      iterator.push(payload);
    });
    return iterator;
  }
}
