import type { Agenda } from 'agenda';
import type { Logger } from '../logger.js';
import { Connection, PushSubscription, SyncRun } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { SyncEngine } from '../sync/sync-engine.js';
import type { SyncScheduler } from '../sync/sync-scheduler.js';

/** How soon a PUSH run that found the link's lease taken tries again (as the scheduler's own runs do). */
const BUSY_RETRY_MS = 250;
/** A queued run older than this is not shared any more (its job may have been lost with a crashed instance). */
const SHARE_QUEUED_FOR_MS = 10 * 60_000;

/**
 * PUSH runs, coalesced. A notification is a hint to read the calendar from its cursor, so a burst
 * needs one read — but one that starts after the last notification of the burst arrived: a run that
 * is already reading may have read past the change the next notification announces. So a
 * notification shares the PUSH run that is queued and has not started reading, and queues a new
 * one otherwise. At most one PUSH run reads and one waits per link.
 *
 * The markers live on the `PushSubscription` rows: `queuedRunId` (set after queueing) and
 * `startedRunId` (set by the run itself, under the link's lease, right before it reads). Either
 * order of the two writes is safe: a run that started before its marker was written has
 * `queuedRunId === startedRunId` and is never shared.
 */
export class PushRuns {
  /** One request at a time per link in this process, so a burst queues one run, not one per notification. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: { orm: Orm; agenda: Agenda; scheduler: SyncScheduler; engine: SyncEngine; logger: Logger }) {
    deps.scheduler.handleTrigger('PUSH', (run) => this.execute(run));
  }

  /** Queues a PUSH run for the subscription's link, or shares the one waiting to start; null when the link is not ACTIVE. */
  request(subscription: Pick<PushSubscription, 'id' | 'connectionId'>): Promise<SyncRun | null> {
    const key = subscription.connectionId;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.requestNow(subscription));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    }).catch(() => undefined);
    return next;
  }

  private async requestNow(subscription: Pick<PushSubscription, 'id' | 'connectionId'>): Promise<SyncRun | null> {
    const em = this.deps.orm.em.fork();
    const link = await em.findOne(Connection, { id: subscription.connectionId });
    if (!link || link.status !== 'ACTIVE') return null;
    const row = await em.findOne(PushSubscription, { id: subscription.id });
    if (row?.queuedRunId && row.queuedRunId !== row.startedRunId) {
      const queued = await em.findOne(SyncRun, { id: row.queuedRunId });
      if (queued?.outcome === 'RUNNING' && Date.now() - queued.createdAt.getTime() < SHARE_QUEUED_FOR_MS) return queued;
    }
    const run = await this.deps.scheduler.requestRun(link, 'PUSH', { share: false });
    await em.nativeUpdate(PushSubscription, { id: subscription.id }, { queuedRunId: run.id, updatedAt: new Date() });
    return run;
  }

  /** Runs a queued PUSH run under the link's lease; marks it started before it reads. */
  private async execute(run: SyncRun): Promise<void> {
    const result = await this.deps.engine.run(run.connectionId, async () => {
      await this.deps.orm.em.fork().nativeUpdate(PushSubscription, { connectionId: run.connectionId }, { startedRunId: run.id, updatedAt: new Date() });
      return run;
    });
    if (result.status === 'BUSY') {
      await this.deps.scheduler.runJob.schedule(this.deps.agenda, new Date(Date.now() + BUSY_RETRY_MS), { connectionId: run.connectionId, runId: run.id });
    }
  }
}
