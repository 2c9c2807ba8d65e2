import type { Agenda } from 'agenda';
import type { ConnectionServices } from '../connections/connection-services.js';
import type { ProviderSlug } from '../domain/model.js';
import type { RegisteredJob } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';
import { Connection, type Calendar } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { SyncServices } from '../sync/sync-services.js';
import { PushChannels } from './push-channels.service.js';
import { PushNotifications } from './push-notifications.service.js';
import { PushRuns } from './push-runs.js';
import { pushJobs, schedulePushCheck } from './push.jobs.js';

/** Push notifications in: channels, notification verification, coalesced PUSH runs, their jobs. */
export interface PushServices {
  channels: PushChannels;
  notifications: PushNotifications;
  runs: PushRuns;
  jobDefinitions: RegisteredJob[];
}

export function createPushServices(deps: {
  orm: Orm;
  agenda: Agenda;
  logger: Logger;
  connections: Pick<ConnectionServices, 'guard' | 'jobs'>;
  sync: Pick<SyncServices, 'scheduler' | 'engine' | 'sync'>;
  /** Where a user's primary calendar moves (linking's calendar roles, wired by the hub). */
  primaryMoves: { onPrimaryChanged(listener: (calendar: Calendar, previous: Calendar | null) => Promise<void>): void };
  publicUrl: () => string;
  enabledFor: (provider: ProviderSlug) => boolean;
  checkIntervalMs: number;
  /** See PushChannelsDeps.settleMs. */
  settleMs?: number;
}): PushServices {
  const logger = deps.logger.child({ component: 'push' });
  const { orm, agenda } = deps;
  const runs = new PushRuns({ orm, agenda, scheduler: deps.sync.scheduler, engine: deps.sync.engine, logger });
  const channels = new PushChannels({ orm, guard: deps.connections.guard, runs, publicUrl: deps.publicUrl, enabledFor: deps.enabledFor, checkIntervalMs: deps.checkIntervalMs, logger, ...(deps.settleMs !== undefined ? { settleMs: deps.settleMs } : {}) });
  const jobs = pushJobs(channels);
  const notifications = new PushNotifications({ orm, runs, logger, lifecycle: async (data) => void (await jobs.lifecycle.now(agenda, data)) });

  const pushes = async (connectionId: Connection['id']) => {
    const link = await orm.em.fork().findOne(Connection, { id: connectionId }, { fields: ['provider'] });
    return link !== null && deps.enabledFor(link.provider);
  };
  // A link that became ACTIVE gets its push.check and its channel at once; at start (reconcile) a lost push.check is scheduled again.
  deps.connections.jobs.addStarter(async (scheduler, connectionId, { reconcile }) => {
    if (!(await pushes(connectionId))) return;
    await schedulePushCheck(scheduler, connectionId, deps.checkIntervalMs);
    if (!reconcile) await jobs.lifecycle.now(scheduler, { connectionId, action: 'activated' });
  });
  // The watched calendar changed: the links concerned are checked at once rather than at their next push.check.
  const recheck = async (connectionId: Connection['id']) => {
    if (await pushes(connectionId)) await jobs.lifecycle.now(agenda, { connectionId, action: 'check' });
  };
  deps.primaryMoves.onPrimaryChanged(async (calendar, previous) => {
    for (const connectionId of new Set([calendar.connectionId, ...(previous ? [previous.connectionId] : [])])) await recheck(connectionId);
  });
  deps.sync.sync.onTwoWayChanged((link) => recheck(link.id));

  return {
    channels,
    notifications,
    runs,
    jobDefinitions: [jobs.check, jobs.lifecycle],
  };
}
