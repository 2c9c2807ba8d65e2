import type { Agenda } from 'agenda';
import type { HubId } from '../domain/ids.js';
import { defineJob, type JobDefinition } from '../jobs/define-job.js';
import type { LinkJobData } from '../connections/link-jobs.js';
import type { PushChannels } from './push-channels.service.js';
import type { LifecycleJobData } from './push-notifications.service.js';

export const PUSH_CHECK_JOB = 'push.check';
export const PUSH_LIFECYCLE_JOB = 'push.lifecycle';

/**
 * `push.check`: one recurring job per ACTIVE link (PUSH_CHECK_INTERVAL_MS) that opens, renews,
 * re-creates and stops its channels. `push.lifecycle`: at once, what a Graph lifecycle event asks
 * for, or the check of a link that became ACTIVE or whose watched calendar changed. Both carry `connectionId`, so they stop
 * with the link (relink needed, revoke).
 */
export function pushJobs(channels: PushChannels): { check: JobDefinition<LinkJobData>; lifecycle: JobDefinition<LifecycleJobData> } {
  return {
    check: defineJob<LinkJobData>(PUSH_CHECK_JOB, (data) => channels.check(data.connectionId), { concurrency: 4 }),
    lifecycle: defineJob<LifecycleJobData>(
      PUSH_LIFECYCLE_JOB,
      async (data) => {
        switch (data.action) {
          case 'activated':
            return channels.check(data.connectionId, { renewOpen: true });
          case 'check':
            return channels.check(data.connectionId);
          case 'reauthorize':
            return channels.reauthorize(data.connectionId, data.calendarId);
          case 'resubscribe':
            return channels.resubscribe(data.connectionId, data.calendarId);
        }
      },
      { concurrency: 4, priority: 'high', removeOnComplete: true },
    ),
  };
}

/** Schedules a link's `push.check` every `intervalMs`, first one interval from now; an existing schedule is kept. */
export async function schedulePushCheck(agenda: Agenda, connectionId: HubId<'connection'>, intervalMs: number): Promise<void> {
  const job = agenda.create<LinkJobData>(PUSH_CHECK_JOB, { connectionId });
  job.unique({ name: PUSH_CHECK_JOB, 'data.connectionId': connectionId }, { insertOnly: true });
  job.repeatEvery(intervalMs, { skipImmediate: true });
  await job.save();
}
