import { UnauthenticatedError } from '../domain/errors.js';
import type { LinkingApiServices } from '../linking/linking-services.js';
import type { SyncApiServices } from '../sync/sync-services.js';
import type { IcsApiServices } from '../ics/ics-feed.service.js';
import type { AvailabilityApiServices } from '../availability/availability.service.js';
import type { Logger } from '../logger.js';
import type { Caller } from '../tenancy/caller.js';
import type { TenancyServices } from '../tenancy/tenancy-services.js';
import type { HubPubSub } from '../events/hub-pubsub.js';
import type { WebhookEndpointService } from '../webhooks/webhook-endpoint.service.js';

/** The services resolvers delegate to. Later features add theirs here (and in hub.ts). */
export type ApiServices = TenancyServices & LinkingApiServices & SyncApiServices & IcsApiServices & AvailabilityApiServices & { webhooks: WebhookEndpointService };

/** Per operation (one HTTP request, or one graphql-ws subscribe message). */
export interface HubContext {
  requestId: string;
  /** `null` when no key was sent; an invalid key never gets this far. */
  caller: Caller | null;
  logger: Logger;
  services: ApiServices;
  pubsub: HubPubSub;
}

/** The authenticated caller, or UNAUTHENTICATED. Every resolver except introspection starts here. */
export function requireCaller(ctx: HubContext): Caller {
  if (ctx.caller === null) throw new UnauthenticatedError();
  return ctx.caller;
}
