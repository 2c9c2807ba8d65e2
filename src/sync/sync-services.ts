import type { ConnectionGuard } from '../connections/connection-guard.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { Logger } from '../logger.js';
import type { Orm } from '../store/orm.js';
import { CleanupService } from './cleanup.service.js';
import { SyncMappingService } from './sync-mapping.service.js';

/** The sync layer: the only writer of mappings, and the cleanup of what the hub wrote (the sync engine extends it). */
export interface SyncServices {
  mappings: SyncMappingService;
  cleanup: CleanupService;
}

export function createSyncServices(deps: { orm: Orm; guard: ConnectionGuard; pubsub: EventPublisher; logger: Logger }): SyncServices {
  const logger = deps.logger.child({ component: 'sync' });
  const mappings = new SyncMappingService({ orm: deps.orm });
  return { mappings, cleanup: new CleanupService({ orm: deps.orm, guard: deps.guard, mappings, pubsub: deps.pubsub, logger }) };
}
