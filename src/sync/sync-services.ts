import type { Agenda } from 'agenda';
import type { HubConfig } from '../config.js';
import type { ConnectionServices } from '../connections/connection-services.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RegisteredJob } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import type { Orm } from '../store/orm.js';
import { AppointmentService } from './appointment.service.js';
import { ChangeFeed } from './change-feed.service.js';
import { CleanupService } from './cleanup.service.js';
import { LinkLeases } from './link-lease.js';
import type { InboundObserver } from './inbound-observer.js';
import { SyncEngine } from './sync-engine.js';
import type { SyncIssues } from './sync-issues.service.js';
import { SyncMappingService } from './sync-mapping.service.js';
import { SyncRuns } from './sync-runs.service.js';
import { SYNC_RUN_JOB, SyncScheduler } from './sync-scheduler.js';
import { SyncService } from './sync.service.js';
import { VerifyService } from './verify.service.js';

/** What the GraphQL resolvers use of the sync layer. */
export interface SyncApiServices {
  appointments: AppointmentService;
  sync: SyncService;
}

/** The sync layer: the engine, its scheduler, and the only writer of mappings. */
export interface SyncServices extends SyncApiServices {
  mappings: SyncMappingService;
  cleanup: CleanupService;
  engine: SyncEngine;
  scheduler: SyncScheduler;
  runs: SyncRuns;
  changes: ChangeFeed;
  issues: SyncIssues;
  verify: VerifyService;
  /** Jobs to register on the scheduler before it starts. */
  jobDefinitions: RegisteredJob[];
}

export function createSyncServices(deps: {
  orm: Orm;
  pubsub: EventPublisher;
  logger: Logger;
  agenda: Agenda;
  connections: Pick<ConnectionServices, 'guard' | 'jobs' | 'issues'>;
  config: HubConfig['sync'];
  /** Sees every read of a run (the busy-time cache of src/availability). */
  observer?: InboundObserver;
}): SyncServices {
  const logger = deps.logger.child({ component: 'sync' });
  const { orm, pubsub } = deps;
  const { guard } = deps.connections;
  const mappings = new SyncMappingService({ orm });
  const cleanup = new CleanupService({ orm, guard, mappings, pubsub, logger });
  const runs = new SyncRuns({ orm, pubsub, logger });
  const changes = new ChangeFeed({ orm });
  const { issues } = deps.connections;
  const leases = new LinkLeases({ orm, ttlMs: deps.config.leaseMs });
  const engine: SyncEngine = new SyncEngine({
    orm,
    pubsub,
    logger,
    guard,
    leases,
    runs,
    changes,
    issues,
    requestOutbound: (connectionId): Promise<void> => scheduler.requestOutbound(connectionId),
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
  const scheduler: SyncScheduler = new SyncScheduler({ orm, agenda: deps.agenda, engine, runs, logger, pollIntervalMs: deps.config.pollIntervalMs, retentionDays: deps.config.runRetentionDays });
  deps.connections.jobs.addStarter((agenda, connectionId, options) => scheduler.startLink(agenda, connectionId, options));
  // A queued run ends itself when its link is not ACTIVE (CONNECTION_NOT_ACTIVE), or runs after a relink.
  deps.connections.jobs.keepOnStop(SYNC_RUN_JOB);
  const appointments = new AppointmentService({ orm, pubsub, logger, requestOutbound: (connectionId) => scheduler.requestOutbound(connectionId) });
  const verify = new VerifyService({ orm, engine, runs, logger });
  const sync = new SyncService({ orm, engine, scheduler, runs, changes, cleanup, verify, logger });
  return { mappings, cleanup, appointments, sync, engine, scheduler, runs, changes, issues, verify, jobDefinitions: scheduler.jobDefinitions };
}
