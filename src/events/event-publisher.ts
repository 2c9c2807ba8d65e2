import type { Logger } from '../logger.js';
import type { Topic, TopicPayloads } from './pubsub-topics.js';

/**
 * What services need of the event bus: publishing a typed `TOPICS` event. Services (tenancy,
 * linking, connections, sync) depend on this narrow port, never on `HubPubSub` or the API; only
 * resolvers subscribe. `publishTyped` resolves once the transport accepted the event.
 */
export interface EventPublisher {
  publishTyped<T extends Topic>(topic: T, payload: TopicPayloads[T]): Promise<void>;
}

/**
 * Announces a change that is already committed. Best effort: a failed publish is logged with
 * `context` (the ids needed to find the change) and not thrown, because the change stands.
 */
export async function announce<T extends Topic>(
  deps: { pubsub: EventPublisher; logger: Logger },
  topic: T,
  payload: TopicPayloads[T],
  context: Record<string, unknown>,
): Promise<void> {
  try {
    await deps.pubsub.publishTyped(topic, payload);
  } catch (err) {
    deps.logger.error({ err, ...context }, `publishing ${topic} failed`);
  }
}
