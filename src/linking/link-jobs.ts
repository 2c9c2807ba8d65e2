import type { Agenda } from 'agenda';
import { defineJob, type JobDefinition } from '../jobs/define-job.js';
import type { Logger } from '../logger.js';

/** Data of every job that belongs to one link: `connectionId` is how a link's jobs are found and cancelled. */
export interface LinkJobData {
  connectionId: string;
}

export const CONNECTION_REFRESH_JOB = 'connection.refresh';

/**
 * `connection.refresh`: a recurring job per ACTIVE link that refreshes the calendar list through
 * the connection guard. Doing so uses the grant, which keeps it alive (Google drops refresh tokens
 * unused for six months, Microsoft after 90 days of inactivity) and refreshes the access token
 * ahead of the sync engine's needs. The handler forks nothing itself: `refresh` does its own I/O
 * with its own EntityManagers.
 */
export const connectionRefreshJob = (deps: { refresh: (connectionId: string) => Promise<void> }): JobDefinition<LinkJobData> =>
  defineJob<LinkJobData>(CONNECTION_REFRESH_JOB, (data) => deps.refresh(data.connectionId), { concurrency: 4 });

/** Starts a link's jobs after it became ACTIVE (another feature's per-link jobs register a starter). */
export type LinkJobStarter = (agenda: Agenda, connectionId: string) => Promise<void>;

/**
 * The jobs of a link. `start` schedules them when a link becomes ACTIVE (link, relink); `stop`
 * cancels every queued job whose data names the connection — whatever feature defined it — when
 * the link needs re-authorisation or is revoked.
 */
export class LinkJobs {
  private readonly starters: LinkJobStarter[] = [];

  constructor(
    private readonly deps: {
      agenda: Agenda;
      refreshJob: JobDefinition<LinkJobData>;
      /** Cadence of `connection.refresh` (CONNECTION_REFRESH_INTERVAL_MS). */
      refreshIntervalMs: number;
      logger: Logger;
    },
  ) {}

  /** Registers another per-link job to start whenever a link becomes ACTIVE. */
  addStarter(starter: LinkJobStarter): void {
    this.starters.push(starter);
  }

  async start(connectionId: string): Promise<void> {
    const { agenda, refreshJob, refreshIntervalMs } = this.deps;
    await refreshJob.every(agenda, refreshIntervalMs, { connectionId }, { key: { 'data.connectionId': connectionId }, skipImmediate: true });
    for (const starter of this.starters) await starter(agenda, connectionId);
  }

  /** Cancels the link's queued jobs; a run in progress finishes (its next run is gone). */
  async stop(connectionId: string): Promise<number> {
    const cancelled = await this.deps.agenda.cancel({ data: { connectionId } });
    this.deps.logger.info({ connectionId, cancelled }, "cancelled the link's jobs");
    return cancelled;
  }
}
