import type { Client, FormattedExecutionResult } from 'graphql-ws';
import { waitFor, type TestHub } from './hub-harness.js';

export interface LiveSubscription<T> {
  events: AsyncIterator<FormattedExecutionResult<T, unknown>>;
  /** Ends the subscription and waits until the hub has dropped its listener. */
  stop(): Promise<void>;
}

/** Subscribes and resolves once the hub has registered the subscription with its pubsub. */
export async function subscribe<T>(t: TestHub, client: Client, query: string, variables: Record<string, unknown> = {}): Promise<LiveSubscription<T>> {
  const before = t.hub.pubsub.subscriptionCount;
  const iterator = client.iterate<T>({ query, variables });
  const first = iterator.next();
  await waitFor('the subscription to reach the pubsub', () => t.hub.pubsub.subscriptionCount > before);
  let pending: Promise<IteratorResult<FormattedExecutionResult<T, unknown>>> | null = first;
  const events: AsyncIterator<FormattedExecutionResult<T, unknown>> = {
    next: () => {
      const next = pending ?? iterator.next();
      pending = null;
      return next;
    },
  };
  const stop = async () => {
    const open = t.hub.pubsub.subscriptionCount;
    await iterator.return?.();
    await waitFor('the subscription to end on the hub', () => t.hub.pubsub.subscriptionCount < open);
  };
  return { events, stop };
}
