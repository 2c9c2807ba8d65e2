import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS, type SyncRunPhase } from '../events/pubsub-topics.js';
import type { HubId } from '../domain/ids.js';
import type { SyncDirection, SyncRunOutcome, SyncTrigger } from '../domain/model.js';
import type { Logger } from '../logger.js';
import { SyncRun, type Connection } from '../store/entities/index.js';
import type { ActionCounts } from '../domain/sync-run-counts.js';
import type { Orm } from '../store/orm.js';

/** Progress is published at most this often per run (every page of a big read would flood subscribers). */
const PROGRESS_EVERY_MS = 250;

/**
 * A run in progress: its counts, its provider requests, and the moments it is published on
 * `SYNC_RUN_CHANGED` (STARTED, PROGRESS with the counts so far, FINISHED or FAILED).
 */
export class RunTracker {
  /** When the run was last published: STARTED, when the tracker is made. */
  private lastProgress = Date.now();
  /** The counts the run was last published with: a PROGRESS that would repeat them is left out. */
  private publishedCounts: string;

  constructor(
    readonly run: SyncRun,
    private readonly runs: SyncRuns | null,
  ) {
    this.publishedCounts = JSON.stringify(run.counts);
  }

  /** Counts for work that is not a run of its own (a manual conflict resolution): never stored. */
  static detached(link: Pick<Connection, 'id' | 'tenantId'>): RunTracker {
    return new RunTracker(new SyncRun({ tenantId: link.tenantId, connectionId: link.id, trigger: 'MANUAL', direction: 'BOTH' }), null);
  }

  count(direction: 'outbound' | 'inbound', what: keyof ActionCounts, n = 1): void {
    this.run.counts[direction][what] += n;
  }

  /** The provider request meter of this run (ConnectionContext.meter). */
  readonly meter = {
    request: (parts = 0) => {
      this.run.providerCalls += 1;
      this.run.providerBatchParts += parts;
    },
  };

  get hasErrors(): boolean {
    return this.run.counts.outbound.errors + this.run.counts.inbound.errors > 0;
  }

  /**
   * Publishes PROGRESS with the counts so far: at most every 250 ms unless `force`, and never when
   * the counts are those last published (an idle poll is STARTED and FINISHED, nothing between:
   * each PROGRESS is a write of the run row and an event).
   */
  async progress(force = false): Promise<void> {
    if (!this.runs) return;
    const now = Date.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    const counts = JSON.stringify(this.run.counts);
    if (counts === this.publishedCounts) return;
    this.lastProgress = now;
    this.publishedCounts = counts;
    await this.runs.save(this.run, 'PROGRESS');
  }
}

export class SyncRuns {
  constructor(private readonly deps: { orm: Orm; pubsub: EventPublisher; logger: Logger }) {}

  /** A new run row (RUNNING, not started yet: a queued manual run is visible at once). */
  async create(link: Pick<Connection, 'id' | 'tenantId'>, trigger: SyncTrigger, direction: SyncDirection, options: { confirmDeletions?: boolean; repair?: boolean } = {}): Promise<SyncRun> {
    const em = this.deps.orm.em.fork();
    const run = new SyncRun({ tenantId: link.tenantId, connectionId: link.id, trigger, direction });
    run.confirmDeletions = options.confirmDeletions ?? false;
    run.repair = options.repair ?? false;
    await em.persist(run).flush();
    return run;
  }

  async start(run: SyncRun): Promise<RunTracker> {
    run.startedAt = new Date();
    await this.save(run, 'STARTED');
    return new RunTracker(run, this);
  }

  async finish(tracker: RunTracker, error: { code: string; message: string } | null): Promise<SyncRun> {
    const { run } = tracker;
    const outcome: SyncRunOutcome = error ? 'FAILED' : tracker.hasErrors ? 'PARTIAL' : 'SUCCEEDED';
    run.outcome = outcome;
    run.finishedAt = new Date();
    run.durationMs = run.finishedAt.getTime() - run.startedAt.getTime();
    run.error = error ? { ...error, at: run.finishedAt.toISOString() } : null;
    await this.save(run, error ? 'FAILED' : 'FINISHED');
    return run;
  }

  /** Closes a run that never started (its link went away before the job ran). */
  async abandon(run: SyncRun, reason: { code: string; message: string }): Promise<void> {
    run.outcome = 'FAILED';
    run.finishedAt = new Date();
    run.durationMs = 0;
    run.error = { ...reason, at: run.finishedAt.toISOString() };
    await this.save(run, 'FAILED');
  }

  async save(run: SyncRun, phase: SyncRunPhase): Promise<void> {
    const em = this.deps.orm.em.fork();
    await em.upsert(SyncRun, {
      id: run.id,
      tenantId: run.tenantId,
      connectionId: run.connectionId,
      trigger: run.trigger,
      direction: run.direction,
      outcome: run.outcome,
      counts: run.counts,
      providerCalls: run.providerCalls,
      providerBatchParts: run.providerBatchParts,
      confirmDeletions: run.confirmDeletions,
      repair: run.repair,
      drift: run.drift,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      durationMs: run.durationMs,
      error: run.error,
      createdAt: run.createdAt,
      updatedAt: new Date(),
    });
    await announce(this.deps, TOPICS.SYNC_RUN_CHANGED, {
        tenantId: run.tenantId as HubId<'tenant'>,
        syncRunId: run.id as HubId<'syncRun'>,
        connectionId: run.connectionId as HubId<'connection'>,
        trigger: run.trigger,
        outcome: run.outcome,
        phase,
        at: new Date().toISOString(),
      }, { syncRunId: run.id });
  }
}
