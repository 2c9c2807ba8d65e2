import type { Agenda } from 'agenda';
import type { HubConfig } from '../config.js';
import type { PubSubTransport } from '../events/pubsub-transport.js';
import type { RegisteredJob } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import type { TokenVault } from '../security/token-vault.js';
import type { Orm } from '../store/orm.js';
import type { SyncServices } from '../sync/sync-services.js';
import { WebhookDeliveries } from './webhook-deliveries.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookEndpointService } from './webhook-endpoint.service.js';
import { WebhookUrlPolicy, type Resolve } from './webhook-url-policy.js';

/** Webhooks out: endpoints (API), the dispatcher from events to deliveries, the delivery job. */
export interface WebhookServices {
  endpoints: WebhookEndpointService;
  deliveries: WebhookDeliveries;
  dispatcher: WebhookDispatcher;
  jobDefinitions: RegisteredJob[];
}

export interface WebhookOptions {
  /** Waits between attempts (DEFAULT_RETRY_DELAYS_MS: from 30 s, ×3, about a day in all). */
  retryDelaysMs?: readonly number[];
  /** How long an attempt waits for the answer (15 s). */
  timeoutMs?: number;
  /** Host name resolution for the URL check (tests point names at chosen addresses). */
  resolve?: Resolve;
}

export function createWebhookServices(
  deps: {
    config: Pick<HubConfig, 'env'>;
    orm: Orm;
    agenda: Agenda;
    vault: TokenVault;
    feed: Pick<PubSubTransport, 'subscribe'>;
    sync: Pick<SyncServices, 'issues'>;
    logger: Logger;
  } & WebhookOptions,
): WebhookServices {
  const logger = deps.logger.child({ component: 'webhooks' });
  const { orm, agenda, vault } = deps;
  const urls = new WebhookUrlPolicy({ env: deps.config.env, ...(deps.resolve ? { resolve: deps.resolve } : {}) });
  const deliveries = new WebhookDeliveries({
    orm,
    agenda,
    vault,
    urls,
    issues: deps.sync.issues,
    logger,
    ...(deps.retryDelaysMs ? { retryDelaysMs: deps.retryDelaysMs } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  const endpoints = new WebhookEndpointService({ orm, agenda, vault, urls, deliveries, issues: deps.sync.issues, logger });
  const dispatcher = new WebhookDispatcher({ orm, feed: deps.feed, deliveries, logger });
  return { endpoints, deliveries, dispatcher, jobDefinitions: [deliveries.job] };
}
