import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Agenda } from 'agenda';
import type { HubId } from '../domain/ids.js';
import { webhookEndpointDisabled } from '../domain/sync-issue.js';
import { defineJob, type JobDefinition } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import { vaultContext, type TokenVault } from '../security/token-vault.js';
import { WebhookDelivery, WebhookEndpoint } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { SyncIssues } from '../sync/sync-issues.service.js';
import { sendWebhook, type AttemptResult } from './webhook-sender.js';
import type { WebhookUrlPolicy } from './webhook-url-policy.js';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';

/**
 * Waits before the 2nd, 3rd … attempt: exponential (×3) from 30 s, eight retries, about 27 hours
 * in all; each wait is jittered ±10 % so endpoints that failed together are not retried together.
 */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Array.from({ length: 8 }, (_, i) => 30_000 * 3 ** i);
const DEFAULT_TIMEOUT_MS = 15_000;

export interface DeliverJobData {
  deliveryId: HubId<'webhookDelivery'>;
  endpointId: HubId<'webhookEndpoint'>;
}

export const endpointDisabledKey = (endpointId: string) => `webhook-endpoint:${endpointId}:disabled`;

export interface WebhookDeliveriesDeps {
  orm: Orm;
  agenda: Agenda;
  vault: TokenVault;
  urls: WebhookUrlPolicy;
  issues: SyncIssues;
  logger: Logger;
  /** Waits between attempts (tests shorten them); after the last one the delivery FAILED. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}

/**
 * Delivers webhooks, one Agenda job (`webhook.deliver`) per attempt, at least once:
 * - an attempt is claimed by a conditional update of `attempts`, so two jobs for one delivery never
 *   both send it;
 * - a failed attempt is retried after the next wait of the schedule; after the last, the delivery is
 *   FAILED, and when the endpoint accepted nothing since that delivery started, the endpoint is
 *   disabled with a WEBHOOK_ENDPOINT_DISABLED notice (its pending deliveries fail with it);
 * - deliveries with the same ordering key wait for the earlier ones to end (DELIVERED or FAILED),
 *   which then start the next one;
 * - `redeliver` starts a delivery over (same `webhook-id`).
 */
export class WebhookDeliveries {
  readonly job: JobDefinition<DeliverJobData>;
  private readonly retryDelaysMs: readonly number[];

  constructor(private readonly deps: WebhookDeliveriesDeps) {
    this.retryDelaysMs = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    // Few at once: an attempt may wait its whole timeout on a dead endpoint, and jobs share the instance's JOBS_CONCURRENCY with sync.
    this.job = defineJob<DeliverJobData>(WEBHOOK_DELIVER_JOB, (data) => this.attempt(data.deliveryId), { concurrency: 4, removeOnComplete: true });
  }

  /** Records the delivery of one event to one endpoint and sends it; false when it was already recorded (another instance saw the event too). */
  async create(endpoint: WebhookEndpoint, event: { webhookId: string; eventType: string; payload: string; orderingKey: string | null }): Promise<boolean> {
    const delivery = new WebhookDelivery({ tenantId: endpoint.tenantId, endpointId: endpoint.id, ...event });
    try {
      await this.deps.orm.em.fork().persistAndFlush(delivery);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) return false;
      throw err;
    }
    await this.enqueue(delivery, new Date());
    return true;
  }

  /** Starts a delivery over: pending again, the retry schedule from its start, the same `webhook-id`. */
  async redeliver(delivery: WebhookDelivery): Promise<WebhookDelivery> {
    const em = this.deps.orm.em.fork();
    await this.deps.agenda.cancel({ name: WEBHOOK_DELIVER_JOB, data: { deliveryId: delivery.id } });
    const now = new Date();
    await em.nativeUpdate(WebhookDelivery, { id: delivery.id }, { status: 'PENDING', roundAttempts: 0, nextAttemptAt: now, updatedAt: now });
    const fresh = await em.findOneOrFail(WebhookDelivery, { id: delivery.id });
    await this.enqueue(fresh, now);
    return fresh;
  }

  /** An endpoint the host enabled again: its pending deliveries go (in order, each when due). */
  async resume(endpointId: HubId<'webhookEndpoint'>): Promise<void> {
    const pending = await this.deps.orm.em.fork().find(WebhookDelivery, { endpointId, status: 'PENDING' }, { orderBy: { id: 'asc' } });
    for (const delivery of pending) await this.enqueue(delivery, delivery.nextAttemptAt ?? new Date());
  }

  private async enqueue(delivery: WebhookDelivery, at: Date): Promise<void> {
    const data = { deliveryId: delivery.id, endpointId: delivery.endpointId };
    if (at.getTime() <= Date.now()) await this.job.now(this.deps.agenda, data);
    else await this.job.schedule(this.deps.agenda, at, data);
  }

  /** One attempt of a delivery, when it is due and no earlier delivery of its ordering key is pending. */
  async attempt(deliveryId: HubId<'webhookDelivery'>): Promise<void> {
    const em = this.deps.orm.em.fork();
    const delivery = await em.findOne(WebhookDelivery, { id: deliveryId });
    if (!delivery || delivery.status !== 'PENDING') return;
    if (delivery.nextAttemptAt && delivery.nextAttemptAt.getTime() > Date.now() + 50) return;
    const endpoint = await em.findOne(WebhookEndpoint, { id: delivery.endpointId });
    if (!endpoint?.enabled) return;
    if (delivery.orderingKey !== null) {
      const earlier = await em.count(WebhookDelivery, { endpointId: delivery.endpointId, orderingKey: delivery.orderingKey, status: 'PENDING', id: { $lt: delivery.id } });
      if (earlier > 0) return;
    }
    const startedAt = new Date();
    const claimed = await em.nativeUpdate(
      WebhookDelivery,
      { id: delivery.id, status: 'PENDING', attempts: delivery.attempts },
      { attempts: delivery.attempts + 1, roundAttempts: delivery.roundAttempts + 1, lastAttemptAt: startedAt, updatedAt: startedAt },
    );
    if (claimed === 0) return;

    const result = await this.send(endpoint, delivery);
    const round = delivery.roundAttempts + 1;
    if (result.ok) await this.delivered(delivery, endpoint, result);
    else if (round <= this.retryDelaysMs.length) await this.retryLater(delivery, result, this.retryDelaysMs[round - 1]!);
    else await this.gaveUp(delivery, endpoint, result, startedAt);
  }

  /** One signed POST; a failure to sign (a secret sealed with a key no longer configured) is a failed attempt too, so the delivery never sticks. */
  private async send(endpoint: WebhookEndpoint, delivery: WebhookDelivery): Promise<AttemptResult> {
    let secret: string;
    try {
      secret = this.deps.vault.open(endpoint.secret, vaultContext.webhookSecret(endpoint.id));
    } catch (err) {
      this.deps.logger.error({ err, endpointId: endpoint.id }, 'the signing secret of a webhook endpoint cannot be opened');
      return { ok: false, status: null, error: 'the hub cannot open the signing secret (HUB_ENCRYPTION_KEYS changed?)' };
    }
    return sendWebhook({
      url: endpoint.url,
      secret,
      webhookId: delivery.webhookId,
      payload: delivery.payload,
      lookup: this.deps.urls.lookup,
      timeoutMs: this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }

  private async delivered(delivery: WebhookDelivery, endpoint: WebhookEndpoint, result: AttemptResult): Promise<void> {
    const em = this.deps.orm.em.fork();
    const now = new Date();
    await em.nativeUpdate(WebhookDelivery, { id: delivery.id }, { status: 'DELIVERED', deliveredAt: now, nextAttemptAt: null, lastResponseCode: result.status, lastError: null, updatedAt: now });
    await em.nativeUpdate(WebhookEndpoint, { id: endpoint.id }, { lastSuccessAt: now });
    await this.startNext(delivery);
  }

  private async retryLater(delivery: WebhookDelivery, result: AttemptResult, waitMs: number): Promise<void> {
    const next = new Date(Date.now() + Math.round(waitMs * (0.9 + 0.2 * Math.random())));
    await this.deps.orm.em.fork().nativeUpdate(WebhookDelivery, { id: delivery.id }, { nextAttemptAt: next, lastResponseCode: result.status, lastError: result.error, updatedAt: new Date() });
    await this.enqueue(delivery, next);
    this.deps.logger.info({ deliveryId: delivery.id, endpointId: delivery.endpointId, status: result.status, error: result.error, nextAttemptAt: next.toISOString() }, 'webhook delivery failed; retrying later');
  }

  private async gaveUp(delivery: WebhookDelivery, endpoint: WebhookEndpoint, result: AttemptResult, lastAttemptAt: Date): Promise<void> {
    const em = this.deps.orm.em.fork();
    await em.nativeUpdate(WebhookDelivery, { id: delivery.id }, { status: 'FAILED', nextAttemptAt: null, lastResponseCode: result.status, lastError: result.error, updatedAt: new Date() });
    this.deps.logger.warn({ deliveryId: delivery.id, endpointId: endpoint.id, status: result.status, error: result.error }, 'webhook delivery failed for good');
    // The round began before its first wait; an endpoint that accepted nothing since is down, not picky.
    const roundStart = lastAttemptAt.getTime() - this.retryDelaysMs.reduce((a, b) => a + b, 0);
    const fresh = await em.findOne(WebhookEndpoint, { id: endpoint.id });
    if (fresh?.enabled && (fresh.lastSuccessAt === null || fresh.lastSuccessAt.getTime() < roundStart)) await this.disable(fresh, result.error ?? 'no answer');
    else await this.startNext(delivery);
  }

  /** Disables an endpoint that kept failing: its pending deliveries fail with it, and the tenant gets a notice. */
  private async disable(endpoint: WebhookEndpoint, lastError: string): Promise<void> {
    const em = this.deps.orm.em.fork();
    const now = new Date();
    const reason = `Deliveries failed for about a day (last: ${lastError}).`;
    const changed = await em.nativeUpdate(WebhookEndpoint, { id: endpoint.id, enabled: true }, { enabled: false, disabledAt: now, disabledReason: reason, updatedAt: now });
    if (changed === 0) return;
    await em.nativeUpdate(WebhookDelivery, { endpointId: endpoint.id, status: 'PENDING' }, { status: 'FAILED', nextAttemptAt: null, lastError: 'the endpoint was disabled', updatedAt: now });
    await this.deps.agenda.cancel({ name: WEBHOOK_DELIVER_JOB, data: { endpointId: endpoint.id } });
    this.deps.logger.warn({ endpointId: endpoint.id, tenantId: endpoint.tenantId }, 'webhook endpoint disabled after a day of failed deliveries');
    await this.deps.issues.raise(webhookEndpointDisabled({ url: endpoint.url, lastError }), endpointDisabledKey(endpoint.id), {
      tenantId: endpoint.tenantId,
      userId: null,
      connectionId: null,
      details: { endpointId: endpoint.id, url: endpoint.url },
    });
  }

  /** The next pending delivery of the same ordering key may go now. */
  private async startNext(delivery: WebhookDelivery): Promise<void> {
    if (delivery.orderingKey === null) return;
    const next = await this.deps.orm.em
      .fork()
      .findOne(WebhookDelivery, { endpointId: delivery.endpointId, orderingKey: delivery.orderingKey, status: 'PENDING', id: { $gt: delivery.id } }, { orderBy: { id: 'asc' } });
    if (next) await this.enqueue(next, next.nextAttemptAt ?? new Date());
  }
}
