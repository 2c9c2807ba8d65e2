import { randomBytes } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import type { Agenda } from 'agenda';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { newId, parseId } from '../domain/ids.js';
import type { Logger } from '../logger.js';
import { vaultContext, type TokenVault } from '../security/token-vault.js';
import { WebhookDelivery, WebhookEndpoint } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs } from '../store/repositories/paginate.js';
import type { SyncIssues } from '../sync/sync-issues.service.js';
import { resolveTenantId, tenantFilter, type Caller } from '../tenancy/caller.js';
import { endpointDisabledKey, WEBHOOK_DELIVER_JOB, type WebhookDeliveries } from './webhook-deliveries.js';
import { WEBHOOK_EVENT_TYPES } from './webhook-events.js';
import type { WebhookUrlPolicy } from './webhook-url-policy.js';

/** Endpoints a tenant may register. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

export interface CreateWebhookEndpointInput {
  tenantId?: string | null;
  url: string;
  events: string[];
}

export interface UpdateWebhookEndpointInput {
  id: string;
  url?: string | null;
  events?: string[] | null;
  enabled?: boolean | null;
}

export interface CreatedWebhookEndpoint {
  endpoint: WebhookEndpoint;
  /** The signing secret (`whsec_…`, Standard Webhooks). Stored sealed; never shown again. */
  secret: string;
}

/**
 * The webhook endpoints of a tenant and their deliveries, for the API. Every input is checked
 * before anything is written: the URL by the `WebhookUrlPolicy`, event types against the catalogue.
 */
export class WebhookEndpointService {
  constructor(
    private readonly deps: { orm: Orm; agenda: Agenda; vault: TokenVault; urls: WebhookUrlPolicy; deliveries: WebhookDeliveries; issues: SyncIssues; logger: Logger },
  ) {}

  async create(caller: Caller, input: CreateWebhookEndpointInput): Promise<CreatedWebhookEndpoint> {
    const em = this.deps.orm.em.fork();
    const tenantId = await resolveTenantId(em, caller, input.tenantId);
    const url = await this.deps.urls.check('url', input.url);
    const events = eventTypes('events', input.events);
    if ((await em.count(WebhookEndpoint, { tenantId })) >= MAX_ENDPOINTS_PER_TENANT) {
      throw new ConflictError(`A tenant can have at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints.`, 'Delete an endpoint you no longer use, or subscribe an existing endpoint to more event types.');
    }
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const id = newId('webhookEndpoint');
    const endpoint = new WebhookEndpoint({ id, tenantId, url, events, secret: this.deps.vault.seal(secret, vaultContext.webhookSecret(id)) });
    await em.persistAndFlush(endpoint);
    this.deps.logger.info({ tenantId, endpointId: id, events }, 'webhook endpoint created');
    return { endpoint, secret };
  }

  /** Changes the URL, the event types or `enabled`. Enabling an endpoint the hub disabled resolves its notice. */
  async update(caller: Caller, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
    const em = this.deps.orm.em.fork();
    const endpoint = await this.load(em, caller, input.id, 'id');
    const url = input.url === undefined || input.url === null ? null : await this.deps.urls.check('url', input.url);
    const events = input.events === undefined || input.events === null ? null : eventTypes('events', input.events);
    if (url !== null) endpoint.url = url;
    if (events !== null) endpoint.events = events;
    const enabling = input.enabled === true && !endpoint.enabled;
    if (input.enabled === true || input.enabled === false) endpoint.enabled = input.enabled;
    if (enabling) {
      endpoint.disabledAt = null;
      endpoint.disabledReason = null;
    } else if (input.enabled === false && endpoint.disabledAt === null) {
      endpoint.disabledAt = new Date();
    }
    await em.flush();
    if (enabling) {
      await this.deps.issues.resolve(endpoint.tenantId, endpointDisabledKey(endpoint.id));
      await this.deps.deliveries.resume(endpoint.id);
    }
    return endpoint;
  }

  /** Deletes the endpoint and its deliveries; queued attempts are cancelled. Returns the endpoint as it was. */
  async delete(caller: Caller, id: string): Promise<WebhookEndpoint> {
    const em = this.deps.orm.em.fork();
    const endpoint = await this.load(em, caller, id, 'id');
    await this.deps.agenda.cancel({ name: WEBHOOK_DELIVER_JOB, data: { endpointId: endpoint.id } });
    await em.nativeDelete(WebhookDelivery, { endpointId: endpoint.id });
    await em.nativeDelete(WebhookEndpoint, { id: endpoint.id });
    await this.deps.issues.resolve(endpoint.tenantId, endpointDisabledKey(endpoint.id));
    this.deps.logger.info({ tenantId: endpoint.tenantId, endpointId: endpoint.id }, 'webhook endpoint deleted');
    return endpoint;
  }

  async get(caller: Caller, id: string): Promise<WebhookEndpoint> {
    return this.load(this.deps.orm.em.fork(), caller, id, 'id');
  }

  async list(caller: Caller, filter: { tenantId?: string | null }, page: PageArgs): Promise<Page<WebhookEndpoint>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<WebhookEndpoint> = {};
    if (caller.role !== 'ADMIN' || filter.tenantId) where.tenantId = await resolveTenantId(em, caller, filter.tenantId);
    return paginate(em, WebhookEndpoint, where, page);
  }

  /** An endpoint's deliveries, oldest first. */
  async deliveries(caller: Caller, endpointId: string, page: PageArgs): Promise<Page<WebhookDelivery>> {
    const em = this.deps.orm.em.fork();
    const endpoint = await this.load(em, caller, endpointId, 'endpointId');
    return paginate(em, WebhookDelivery, { endpointId: endpoint.id }, page);
  }

  async delivery(caller: Caller, id: string): Promise<WebhookDelivery> {
    const deliveryId = parseId('webhookDelivery', id);
    const delivery = deliveryId ? await this.deps.orm.em.fork().findOne(WebhookDelivery, { id: deliveryId, ...tenantFilter(caller) }) : null;
    if (!delivery) throw new NotFoundError('WebhookDelivery', id);
    return delivery;
  }

  /** Sends a delivery again (same `webhook-id`), whatever its status; the endpoint must be enabled. */
  async redeliver(caller: Caller, deliveryId: string): Promise<WebhookDelivery> {
    const delivery = await this.delivery(caller, deliveryId);
    const endpoint = await this.deps.orm.em.fork().findOneOrFail(WebhookEndpoint, { id: delivery.endpointId });
    if (!endpoint.enabled) {
      throw new ConflictError('The endpoint of this delivery is disabled.', 'Enable it first (updateWebhookEndpoint with enabled: true), then redeliver.');
    }
    return this.deps.deliveries.redeliver(delivery);
  }

  private async load(em: ReturnType<Orm['em']['fork']>, caller: Caller, id: string, field: string): Promise<WebhookEndpoint> {
    if (typeof id !== 'string' || id.trim() === '') throw new ValidationError(field, 'must not be empty');
    const endpointId = parseId('webhookEndpoint', id);
    const endpoint = endpointId ? await em.findOne(WebhookEndpoint, { id: endpointId, ...tenantFilter(caller) }) : null;
    if (!endpoint) throw new NotFoundError('WebhookEndpoint', id);
    return endpoint;
  }
}

/** A non-empty list of known event types, without duplicates. */
function eventTypes(field: string, values: string[] | null | undefined): string[] {
  if (!Array.isArray(values) || values.length === 0) throw new ValidationError(field, `must name at least one event type (${WEBHOOK_EVENT_TYPES.join(', ')})`);
  const unknown = values.filter((v) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(v));
  if (unknown.length > 0) throw new ValidationError(field, `has unknown event types (${unknown.join(', ')}); use ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  return [...new Set(values)];
}
