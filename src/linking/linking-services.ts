import type { ConnectionServices } from '../connections/connection-services.js';
import type { RegisteredJob } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { TokenVault } from '../security/token-vault.js';
import type { Orm } from '../store/orm.js';
import type { SyncServices } from '../sync/sync-services.js';
import { CalendarListService } from './calendar-list.service.js';
import { connectionRefreshJob, startCalendarRefresh } from './calendar-refresh.job.js';
import { CalendarRolesService } from './calendar-roles.service.js';
import { ConnectionService } from './connection.service.js';
import { LinkFlowService, type Clock } from './link-flow.service.js';
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
  /** Jobs to register on the scheduler before it starts. */
  jobDefinitions: RegisteredJob[];
}

export interface LinkingDeps {
  orm: Orm;
  logger: Logger;
  vault: TokenVault;
  providers: ProviderRegistry;
  publicUrl: PublicUrl;
  /** Link health (guard, notices, a link's jobs), from the layer below. */
  connections: ConnectionServices;
  /** Closing mappings and cleaning up a link's events are the sync layer's. */
  sync: SyncServices;
  /** Cadence of `connection.refresh` (CONNECTION_REFRESH_INTERVAL_MS). */
  refreshIntervalMs: number;
  clock?: Clock;
}

export function createLinkingServices(deps: LinkingDeps): LinkingServices {
  const logger = deps.logger.child({ component: 'linking' });
  const { orm, vault, providers } = deps;
  const { guard, jobs, notices } = deps.connections;
  const calendarLists = new CalendarListService({ orm, guard, logger });
  const refreshJob = connectionRefreshJob({ refresh: (connectionId) => calendarLists.refreshFromJob(connectionId) });
  jobs.addStarter(startCalendarRefresh(refreshJob, deps.refreshIntervalMs));
  return {
    linkFlow: new LinkFlowService({
      orm,
      vault,
      providers,
      publicUrl: deps.publicUrl,
      calendars: calendarLists,
      notices,
      jobs,
      mappings: deps.sync.mappings,
      logger,
      ...(deps.clock ? { clock: deps.clock } : {}),
    }),
    connections: new ConnectionService({ orm }),
    calendarLists,
    calendarRoles: new CalendarRolesService({
      orm,
      logger,
      primaryChanged: async (calendar) => void (await deps.sync.scheduler.requestRun({ id: calendar.connectionId, tenantId: calendar.tenantId }, 'INITIAL')),
    }),
    linkRevocation: new LinkRevokeService({ orm, vault, providers, guard, cleanup: deps.sync.cleanup, jobs, notices, logger }),
    jobDefinitions: [refreshJob],
  };
}
