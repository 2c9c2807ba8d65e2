import type { EventPublisher } from '../events/event-publisher.js';
import type { Logger } from '../logger.js';
import type { Orm } from '../store/orm.js';
import { ApiKeyService } from './api-key.service.js';
import { HostUserService } from './host-user.service.js';
import { TenantService } from './tenant.service.js';

export interface TenancyServices {
  tenants: TenantService;
  apiKeys: ApiKeyService;
  hostUsers: HostUserService;
}

/** The tenancy services on one store; the hub (GraphQL) and the CLI use the same ones. */
export function createTenancyServices(deps: { orm: Orm; pubsub: EventPublisher; logger: Logger }): TenancyServices {
  return {
    tenants: new TenantService(deps),
    apiKeys: new ApiKeyService(deps),
    hostUsers: new HostUserService(deps),
  };
}
