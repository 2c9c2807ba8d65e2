import type { PubSubTransport } from '../events/pubsub-transport.js';
import type { Logger } from '../logger.js';
import { WebhookEndpoint } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { WebhookDeliveries } from './webhook-deliveries.js';
import { WEBHOOK_EVENT_SOURCES, webhookIdOf, type EventPayload, type WebhookEventSource } from './webhook-events.js';

/** Builds an event's `data`: the object its GraphQL subscription field delivers; null when it cannot be built (logged). */
export type WebhookDataBuilder = (source: WebhookEventSource, payload: EventPayload) => Promise<unknown>;

/**
 * Turns the hub's events into webhook deliveries. It listens on the event transport directly (a
 * callback per event, queued here, not a bounded subscriber buffer that drops under a burst) and
 * handles one event at a time, so the deliveries of one appointment are created in the order of
 * its events. For each event: the tenant's enabled endpoints subscribed to its type; none, nothing
 * more is done; otherwise its `data` is built once and one delivery per endpoint is recorded and
 * sent. On MongoDB every instance sees every event; the `webhook-id` derived from the event makes
 * the delivery unique per endpoint, so only one instance records it.
 */
export class WebhookDispatcher {
  private queue: Promise<void> = Promise.resolve();
  private readonly stops: (() => void)[] = [];
  private data: WebhookDataBuilder | null = null;

  constructor(
    private readonly deps: {
      orm: Orm;
      feed: Pick<PubSubTransport, 'subscribe'>;
      deliveries: WebhookDeliveries;
      logger: Logger;
    },
  ) {}

  /** Starts listening; `data` builds each event's `data` (the API layer's GraphQL, see src/api/webhooks/webhook-data.ts). */
  start(data: WebhookDataBuilder): void {
    if (this.stops.length > 0) return;
    this.data = data;
    for (const source of WEBHOOK_EVENT_SOURCES) {
      this.stops.push(
        this.deps.feed.subscribe(source.topic, (payload) => {
          this.queue = this.queue
            .then(() => this.handle(source, payload))
            .catch((err: unknown) => this.deps.logger.error({ err, type: source.type }, 'turning an event into webhook deliveries failed'));
        }),
      );
    }
  }

  /** Stops listening; resolves once the events already received are handled. */
  async stop(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    await this.idle();
  }

  /** Resolves once every event received so far is handled. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  private async handle(source: WebhookEventSource, raw: unknown): Promise<void> {
    const payload = raw as Partial<EventPayload> | null;
    if (typeof payload?.tenantId !== 'string' || typeof payload.at !== 'string') return;
    const event = payload as EventPayload;
    if (source.accepts && !source.accepts(event)) return;
    const endpoints = (await this.deps.orm.em.fork().find(WebhookEndpoint, { tenantId: event.tenantId as WebhookEndpoint['tenantId'], enabled: true }, { orderBy: { id: 'asc' } })).filter(
      (e) => e.events.includes(source.type),
    );
    if (endpoints.length === 0 || !this.data) return;
    const data = await this.data(source, event);
    if (data === null || data === undefined) return;
    const message = {
      webhookId: webhookIdOf(source.type, raw),
      eventType: source.type,
      payload: JSON.stringify({ type: source.type, timestamp: event.at, data }),
      orderingKey: source.orderingKey(event),
    };
    for (const endpoint of endpoints) await this.deps.deliveries.create(endpoint, message);
  }
}
