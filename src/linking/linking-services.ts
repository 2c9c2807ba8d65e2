import type { Agenda } from 'agenda';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RegisteredJob } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { TokenVault } from '../security/token-vault.js';
import type { Orm } from '../store/orm.js';
import { CalendarListService } from './calendar-list.service.js';
import { CalendarRolesService } from './calendar-roles.service.js';
import { ConnectionGuard, type GuardRetryPolicy } from './connection-guard.js';
import { ConnectionService } from './connection.service.js';
import { LinkCleanupService } from './link-cleanup.service.js';
import { LinkFlowService, type Clock } from './link-flow.service.js';
import { connectionRefreshJob, LinkJobs } from './link-jobs.js';
import { LinkNotices } from './link-notices.service.js';
import { LinkRevokeService } from './link-revoke.service.js';
import type { PublicUrl } from './public-url.js';

/** The services the GraphQL resolvers (and the OAuth callback) use. */
export interface LinkingApiServices {
  linkFlow: LinkFlowService;
  connections: ConnectionService;
  calendarLists: CalendarListService;
  calendarRoles: CalendarRolesService;
  linkRevocation: LinkRevokeService;
}

export interface LinkingServices extends LinkingApiServices {
  /** Wraps every provider call made for a link; the sync engine uses it too. */
  guard: ConnectionGuard;
  jobs: LinkJobs;
  notices: LinkNotices;
  cleanup: LinkCleanupService;
  /** Jobs to register on the scheduler before it starts. */
  jobDefinitions: RegisteredJob[];
}

export interface LinkingDeps {
  orm: Orm;
  pubsub: EventPublisher;
  logger: Logger;
  vault: TokenVault;
  providers: ProviderRegistry;
  publicUrl: PublicUrl;
  agenda: Agenda;
  refreshIntervalMs: number;
  clock?: Clock;
  guardRetry?: Partial<GuardRetryPolicy>;
}

export function createLinkingServices(deps: LinkingDeps): LinkingServices {
  const logger = deps.logger.child({ component: 'linking' });
  const { orm, vault, providers } = deps;
  const notices = new LinkNotices({ orm, pubsub: deps.pubsub, logger });
  // The refresh job runs the calendar list service, which needs the guard, which stops jobs: the
  // handler refers to `calendarLists` only when a run starts.
  const refreshJob = connectionRefreshJob({ refresh: (connectionId) => calendarLists.refreshFromJob(connectionId) });
  const jobs = new LinkJobs({ agenda: deps.agenda, refreshJob, refreshIntervalMs: deps.refreshIntervalMs, logger });
  const guard = new ConnectionGuard({ orm, vault, providers, notices, jobs, logger, ...(deps.guardRetry ? { retry: deps.guardRetry } : {}) });
  const calendarLists = new CalendarListService({ orm, guard, logger });
  const cleanup = new LinkCleanupService({ orm, guard, pubsub: deps.pubsub, logger });
  return {
    linkFlow: new LinkFlowService({ orm, vault, providers, publicUrl: deps.publicUrl, calendars: calendarLists, notices, jobs, logger, ...(deps.clock ? { clock: deps.clock } : {}) }),
    connections: new ConnectionService({ orm }),
    calendarLists,
    calendarRoles: new CalendarRolesService({ orm, logger }),
    linkRevocation: new LinkRevokeService({ orm, vault, providers, guard, cleanup, jobs, notices, logger }),
    guard,
    jobs,
    notices,
    cleanup,
    jobDefinitions: [refreshJob],
  };
}
