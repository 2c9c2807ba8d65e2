import type { Agenda } from 'agenda';
import type { HubPubSub } from '../api/pubsub/hub-pubsub.js';
import type { RegisteredJob } from '../jobs/define-job.js';
import type { ConnectionGuard } from '../linking/connection-guard.js';
import type { LinkCleanupService } from '../linking/link-cleanup.service.js';
import type { LinkJobs } from '../linking/link-jobs.js';
import type { Logger } from '../logger.js';
import type { Orm } from '../store/orm.js';
import { AppointmentService } from './appointment.service.js';
import { ChangeFeed } from './change-feed.service.js';
import { LinkLeases } from './link-lease.js';
import { SyncEngine } from './sync-engine.js';
import { SyncIssues } from './sync-issues.service.js';
import { SyncRuns } from './sync-runs.service.js';
import { SyncScheduler } from './sync-scheduler.js';
import { SyncService } from './sync.service.js';

export interface SyncApiServices {
  appointments: AppointmentService;
  sync: SyncService;
}

export interface SyncServices extends SyncApiServices {
  engine: SyncEngine;
  scheduler: SyncScheduler;
  runs: SyncRuns;
  changes: ChangeFeed;
  issues: SyncIssues;
  jobDefinitions: RegisteredJob[];
}

export function createSyncServices(deps: {
  orm: Orm;
  pubsub: Pick<HubPubSub, 'publishTyped'>;
  logger: Logger;
  agenda: Agenda;
  guard: ConnectionGuard;
  linkJobs: LinkJobs;
  cleanup: LinkCleanupService;
  leaseTtlMs?: number;
}): SyncServices {
  const logger = deps.logger.child({ component: 'sync' });
  const { orm, pubsub } = deps;
  const runs = new SyncRuns({ orm, pubsub, logger });
  const changes = new ChangeFeed({ orm });
  const issues = new SyncIssues({ orm, pubsub, logger });
  const leases = new LinkLeases({ orm, ...(deps.leaseTtlMs ? { ttlMs: deps.leaseTtlMs } : {}) });
  const engine = new SyncEngine({ orm, pubsub, logger, guard: deps.guard, leases, runs, changes, issues });
  const scheduler = new SyncScheduler({ orm, agenda: deps.agenda, engine, runs, logger });
  deps.linkJobs.addStarter((agenda, connectionId) => scheduler.startLink(agenda, connectionId));
  const appointments = new AppointmentService({ orm, pubsub, logger, requestOutbound: (connectionId) => scheduler.requestOutbound(connectionId) });
  const sync = new SyncService({ orm, engine, scheduler, runs, changes, cleanup: deps.cleanup, logger });
  return { appointments, sync, engine, scheduler, runs, changes, issues, jobDefinitions: scheduler.jobDefinitions };
}
