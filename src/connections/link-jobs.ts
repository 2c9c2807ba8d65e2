import type { Agenda } from 'agenda';
import type { HubId } from '../domain/ids.js';
import type { Logger } from '../logger.js';
import { Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

/** Data of every job that belongs to one link: `connectionId` is how a link's jobs are found and cancelled. */
export interface LinkJobData {
  connectionId: HubId<'connection'>;
}

/**
 * How a starter is called: `start` when a link becomes ACTIVE (schedules from now, may queue a
 * first run); `reconcile` at every start of the hub (creates what is missing, keeps existing
 * schedules as they are, queues no run).
 */
export interface LinkJobStartOptions {
  reconcile: boolean;
}

/** Schedules one feature's per-link jobs once a link is ACTIVE (its data must carry `connectionId`). */
export type LinkJobStarter = (agenda: Agenda, connectionId: HubId<'connection'>, options: LinkJobStartOptions) => Promise<void>;

/**
 * The jobs of a link. Features register a starter for their per-link jobs (linking: the calendar
 * refresh; the sync engine: its polling cycle). `start` runs every starter when a link becomes
 * ACTIVE (link, relink); `stop` cancels every queued job whose data names the connection —
 * whatever feature defined it — when the link needs re-authorisation or is revoked; `reconcile`
 * gives every ACTIVE link the jobs it should have at start (a job lost with a crashed instance, a
 * link activated while its jobs were being cancelled).
 */
export class LinkJobs {
  private readonly starters: LinkJobStarter[] = [];
  private readonly keptOnStop = new Set<string>();

  constructor(private readonly deps: { orm: Orm; agenda: Agenda; logger: Logger }) {}

  /** Registers a feature's per-link jobs to start whenever a link becomes ACTIVE (in registration order). */
  addStarter(starter: LinkJobStarter): void {
    this.starters.push(starter);
  }

  /**
   * A job `stop` leaves queued: one that carries a row a caller already holds (a queued sync run,
   * RUNNING until its job ends it) and whose handler ends it itself when the link is not ACTIVE — or
   * simply runs, after a relink. Cancelled, that row would stay RUNNING, and a caller sharing it
   * (`syncNow` after the relink) would wait for it in vain.
   */
  keepOnStop(jobName: string): void {
    this.keptOnStop.add(jobName);
  }

  async start(connectionId: HubId<'connection'>): Promise<void> {
    for (const starter of this.starters) await starter(this.deps.agenda, connectionId, { reconcile: false });
  }

  /** Every ACTIVE link's jobs, created where missing; existing schedules are kept and no run is queued. */
  async reconcile(): Promise<number> {
    const links = await this.deps.orm.em.fork().find(Connection, { status: 'ACTIVE' }, { fields: ['id'] });
    for (const link of links) {
      for (const starter of this.starters) await starter(this.deps.agenda, link.id, { reconcile: true });
    }
    this.deps.logger.info({ links: links.length }, "reconciled the active links' jobs");
    return links.length;
  }

  /**
   * Cancels the link's queued jobs (but those kept on stop, unless `all`: a revoked link keeps
   * nothing); a run in progress finishes (its next run is gone).
   */
  async stop(connectionId: HubId<'connection'>, options: { all?: boolean } = {}): Promise<number> {
    const keep = options.all ? [] : [...this.keptOnStop];
    const cancelled = await this.deps.agenda.cancel({ data: { connectionId }, ...(keep.length > 0 ? { notNames: keep } : {}) });
    this.deps.logger.info({ connectionId, cancelled }, "cancelled the link's jobs");
    return cancelled;
  }
}
