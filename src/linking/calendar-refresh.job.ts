import { defineJob, type JobDefinition } from '../jobs/define-job.js';
import type { LinkJobData, LinkJobStarter } from '../connections/link-jobs.js';

export const CONNECTION_REFRESH_JOB = 'connection.refresh';

/**
 * `connection.refresh`: a recurring job per ACTIVE link that refreshes the calendar list through
 * the connection guard. Doing so uses the grant, which keeps it alive (Google drops refresh tokens
 * unused for six months, Microsoft after 90 days of inactivity; docs/providers.md#refresh-token-lifetime)
 * and refreshes the access token ahead of the sync engine's needs. The handler forks nothing
 * itself: `refresh` does its own I/O with its own EntityManagers.
 */
export const connectionRefreshJob = (deps: { refresh: (connectionId: LinkJobData['connectionId']) => Promise<void> }): JobDefinition<LinkJobData> =>
  defineJob<LinkJobData>(CONNECTION_REFRESH_JOB, (data) => deps.refresh(data.connectionId), { concurrency: 4 });

/**
 * Schedules `connection.refresh` for a link every `intervalMs` (CONNECTION_REFRESH_INTERVAL_MS),
 * first run after one interval; when reconciling, an existing schedule is kept.
 */
export const startCalendarRefresh =
  (job: JobDefinition<LinkJobData>, intervalMs: number): LinkJobStarter =>
  async (agenda, connectionId, { reconcile }) => {
    await job.every(agenda, intervalMs, { connectionId }, { key: { 'data.connectionId': connectionId }, skipImmediate: true, keepSchedule: reconcile });
  };
