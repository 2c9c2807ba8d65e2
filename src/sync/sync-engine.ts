import type { FilterQuery } from '@mikro-orm/core';
import { massDeletionHeld } from '../domain/sync-issue.js';
import { parseHubTag } from '../domain/sync/hub-tag.js';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings, type TenantSettings } from '../domain/tenant-settings.js';
import type { ConnectionGuard } from '../connections/connection-guard.js';
import { backoffDelay } from '../providers/retry-policy.js';
import { isConnectionNotActiveError } from '../connections/connections.errors.js';
import type { Logger } from '../logger.js';
import {
  asProviderCalendarId,
  asProviderEventId,
  isProviderError,
  type EventChange,
  type ExternalEvent,
  type ProviderCursor,
  type TimeWindow,
} from '../providers/calendar-provider.js';
import { Appointment, Calendar, Connection, SyncMapping, Tenant, type SyncRun } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { loadAppointment, loadAppointments } from './appointment-store.js';
import type { HubId } from '../domain/ids.js';
import type { ConflictChoice } from '../domain/model.js';
import type { SyncAction } from '../domain/sync/decision.js';
import { AttendeeIndex } from './attendee-index.js';
import type { ChangeFeed } from './change-feed.service.js';
import { LeaseLostError, type Lease, type LinkLeases } from './link-lease.js';
import type { InboundObserver } from './inbound-observer.js';
import { PairSync, type Pair, type PairSyncDeps, type RunScope } from './pair-sync.js';
import { afterActivation, SeriesSync } from './series-sync.js';
import type { SyncIssues } from './sync-issues.service.js';
import { RunTracker, type SyncRuns } from './sync-runs.service.js';

const DAY_MS = 86_400_000;
/** Mappings loaded per query of the outbound loop and per `$in` chunk. */
const CHUNK = 200;
/** The guard holds deletions beyond this share of a link's synced items… */
const MASS_DELETION_SHARE = 0.5;
/** …when they are at least this many. */
const MASS_DELETION_MIN = 20;

export const massDeletionKey = (connectionId: string) => `MASS_DELETION_HELD:${connectionId}`;

/** What a run does: its trigger decides (see `modeOf`). */
export interface RunMode {
  inbound: boolean;
  outbound: boolean;
}

export function modeOf(run: Pick<SyncRun, 'trigger'>): RunMode {
  switch (run.trigger) {
    case 'OUTBOUND':
      return { inbound: false, outbound: true };
    case 'CLEANUP':
      return { inbound: false, outbound: false };
    default:
      return { inbound: true, outbound: true };
  }
}

export interface SyncEngineDeps extends PairSyncDeps {
  /** Wakes the outbound writer of another link (pairs withdrawn from a former primary calendar). */
  requestOutbound?: (connectionId: HubId<'connection'>) => Promise<void>;
  orm: Orm;
  guard: ConnectionGuard;
  leases: LinkLeases;
  runs: SyncRuns;
  changes: ChangeFeed;
  issues: SyncIssues;
  logger: Logger;
  now?: () => Date;
  /** Sees every read of a run (the busy-time cache). */
  observer?: InboundObserver;
}

export type ExecuteResult = { status: 'DONE'; run: SyncRun } | { status: 'BUSY' } | { status: 'THROTTLED'; retryAfterMs: number; run: SyncRun };

/** A run's own work in place of the inbound/backfill/outbound steps (a verify run), under the same lease, guard and run record. */
export type RunWork = (context: { scope: RunScope; pairs: PairSync; lease: Lease; run: SyncRun }) => Promise<void>;

/** The sync window: what inbound and initial reads look at. */
export function syncWindow(settings: TenantSettings, now: Date): TimeWindow {
  return {
    start: new Date(now.getTime() - settings.syncWindow.pastDays * DAY_MS).toISOString(),
    end: new Date(now.getTime() + settings.syncWindow.futureDays * DAY_MS).toISOString(),
  };
}

/**
 * Whether a complete listing of the window must hold the appointment's event: single appointments
 * overlapping it, and series starting in it (a series that began earlier may have no instance in it).
 */
export function listedInWindow(a: Pick<Appointment, 'startsAt' | 'endsAt' | 'recurrence'>, start: Date, end: Date): boolean {
  return a.recurrence === null ? a.startsAt < end && a.endsAt > start : a.startsAt >= start && a.startsAt < end;
}

export async function loadTenantSettings(orm: Orm, tenantId: HubId<'tenant'>): Promise<TenantSettings> {
  const tenant = await orm.em.fork().findOne(Tenant, { id: tenantId }, { fields: ['settings'] });
  return mergeTenantSettings(DEFAULT_TENANT_SETTINGS, tenant?.settings ?? null);
}

/**
 * Runs sync runs for links: under the link's lease and through the connection guard, an inbound
 * read of the link's primary calendar from its stored cursor (two-way links), then the outbound
 * writes of every pending pair of the link. Pairs are decided one by one by `PairSync`; this class
 * finds them, proves deletions, and keeps the cursor.
 */
export class SyncEngine {
  constructor(private readonly deps: SyncEngineDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Runs one sync of a link under its lease; `makeRun` gives the run record once the lease is held
   * (a new one, or one queued ahead). BUSY: another worker holds the lease (the caller tries again
   * shortly; no run was recorded). THROTTLED: the provider asked to wait; pending writes stay pending.
   */
  async run(connectionId: HubId<'connection'>, makeRun: () => Promise<SyncRun>, options: { heartbeat?: () => Promise<void>; work?: RunWork } = {}): Promise<ExecuteResult> {
    const lease = await this.deps.leases.acquire(connectionId, options.heartbeat);
    if (!lease) return { status: 'BUSY' };
    try {
      return await this.executeLeased(await makeRun(), lease, options.work);
    } finally {
      await lease.release().catch((err: unknown) => this.deps.logger.error({ err, connectionId }, 'releasing a link lease failed'));
    }
  }

  /** Runs `work` under the link's lease, waiting up to `waitMs` for it (conflict resolution, verify). */
  async withLease<T>(connectionId: HubId<'connection'>, work: (lease: Lease) => Promise<T>, waitMs = 10_000): Promise<T | null> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const lease = await this.deps.leases.acquire(connectionId);
      if (lease) {
        try {
          return await work(lease);
        } finally {
          await lease.release().catch((err: unknown) => this.deps.logger.error({ err, connectionId }, 'releasing a link lease failed'));
        }
      }
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async executeLeased(run: SyncRun, lease: Lease, work?: RunWork): Promise<ExecuteResult> {
    const { runs, guard, logger } = this.deps;
    const link = await this.deps.orm.em.fork().findOne(Connection, { id: run.connectionId });
    if (!link || link.status !== 'ACTIVE') {
      if (link?.status === 'NEEDS_REAUTH') await this.markWaiting(link.id);
      await runs.abandon(run, { code: 'CONNECTION_NOT_ACTIVE', message: `The link is ${link?.status ?? 'gone'}; nothing was synced.` });
      return { status: 'DONE', run };
    }
    const settings = await loadTenantSettings(this.deps.orm, link.tenantId);
    const tracker = await runs.start(run);
    const mode = modeOf(run);
    try {
      await guard.run(
        link.id,
        'syncing',
        async (provider, current) => {
          const scope: RunScope = { link: current, settings, provider, tracker, attendees: new AttendeeIndex({ orm: this.deps.orm, tenantId: current.tenantId }) };
          const series = new SeriesSync(this.deps, scope);
          const pairs = new PairSync(this.deps, scope, series);
          if (work) return work({ scope, pairs, lease, run });
          if (mode.inbound && current.twoWay) await this.inbound(scope, pairs, series, lease, run);
          if (mode.inbound) await this.backfill(scope);
          if (mode.outbound) await this.outbound(scope, pairs, series, lease);
          if (mode.inbound) {
            await this.deps.observer?.afterRun({ link: current, provider, window: syncWindow(settings, this.now()), keepAlive: () => lease.keepAlive(), primaryRead: current.twoWay });
          }
        },
        { retry: false, meter: tracker.meter },
      );
      await this.deps.orm.em.fork().nativeUpdate(Connection, { id: link.id }, { lastSyncAt: this.now(), updatedAt: this.now() });
      return { status: 'DONE', run: await runs.finish(tracker, null) };
    } catch (e) {
      const known = isProviderError(e) || isConnectionNotActiveError(e);
      const error = known
        ? { code: e.code, message: e.message }
        : e instanceof LeaseLostError
          ? { code: 'LEASE_LOST', message: 'This run was too slow to keep its hold on the link; the next run goes on where it stopped.' }
          : { code: 'INTERNAL', message: 'The run failed unexpectedly; see the server log.' };
      if (!known && !(e instanceof LeaseLostError)) logger.error({ err: e, connectionId: link.id, syncRunId: run.id }, 'sync run failed');
      else logger.warn({ connectionId: link.id, syncRunId: run.id, code: error.code, err: { message: error.message } }, 'sync run stopped');
      if ((isProviderError(e) && e.code === 'AUTH_REVOKED') || isConnectionNotActiveError(e)) await this.markWaiting(link.id);
      const finished = await runs.finish(tracker, error);
      if (isProviderError(e) && (e.code === 'RATE_LIMITED' || e.code === 'TRANSIENT')) {
        // The provider's Retry-After, else exponential back-off on the link's failures in a row (with jitter).
        const failures = (await this.deps.orm.em.fork().findOne(Connection, { id: link.id }, { fields: ['consecutiveFailures'] }))?.consecutiveFailures ?? 1;
        const backoff = backoffDelay({ maxAttempts: 1, baseDelayMs: 2_000, maxDelayMs: 300_000, maxTotalWaitMs: 300_000 }, Math.max(0, failures - 1));
        return { status: 'THROTTLED', retryAfterMs: e.details.retryAfterMs ?? Math.max(1_000, backoff), run: finished };
      }
      return { status: 'DONE', run: finished };
    }
  }

  /** The link cannot write now (NEEDS_REAUTH): its pending pairs wait for the relink, visibly. */
  private async markWaiting(connectionId: HubId<'connection'>): Promise<void> {
    await this.deps.orm.em.fork().nativeUpdate(SyncMapping, { connectionId, closedAt: null, state: { $in: ['PENDING', 'ERROR'] } }, { state: 'WAITING', updatedAt: this.now() });
  }

  // -----------------------------------------------------------------------------------------------
  // Outbound

  /** Whether the link has host changes waiting to be written (an outbound job with nothing to do creates no run). */
  async hasPendingWrites(connectionId: HubId<'connection'>): Promise<boolean> {
    return (await this.deps.orm.em.fork().count(SyncMapping, this.pendingFilter(connectionId))) > 0;
  }

  private pendingFilter(connectionId: HubId<'connection'>): FilterQuery<SyncMapping> {
    return {
      connectionId,
      closedAt: null,
      $or: [{ state: { $in: ['PENDING', 'WAITING'] } }, { state: 'ERROR', nextAttemptAt: { $lte: this.now() } }],
    };
  }

  private async outbound(scope: RunScope, pairs: PairSync, series: SeriesSync, lease: Lease): Promise<void> {
    const em = this.deps.orm.em.fork();
    const calendars = new Map<string, Calendar | null>();
    // A pair is decided at most once per host version in a run; a pair that stays pending after
    // that (its write failed, or it waits for something else) is left for the next run.
    const seen = new Set<string>();
    for (;;) {
      em.clear();
      const batch = (await em.find(SyncMapping, this.pendingFilter(scope.link.id), { orderBy: { updatedAt: 'asc', id: 'asc' }, limit: CHUNK })).filter(
        (m) => !seen.has(`${m.id}:${m.hostVersion ?? 0}:${m.updatedAt.getTime()}`),
      );
      if (batch.length === 0) return;
      await lease.keepAlive();
      const appointments = new Map((await loadAppointments(em, scope.link.tenantId, batch.map((m) => m.appointmentId))).map((a) => [a.id, a]));
      await scope.attendees.load(batch.flatMap((m) => appointments.get(m.appointmentId)?.attendees.map((x) => x.email) ?? []));
      for (const m of series.outboundOrder(batch, appointments)) {
        await lease.keepAlive();
        seen.add(`${m.id}:${m.hostVersion ?? 0}:${m.updatedAt.getTime()}`);
        let calendar = calendars.get(m.calendarId);
        if (calendar === undefined) {
          calendar = await em.findOne(Calendar, { id: m.calendarId });
          calendars.set(m.calendarId, calendar);
        }
        const appointment = appointments.get(m.appointmentId) ?? null;
        if (!calendar || calendar.removedAt !== null || !appointment) {
          // The calendar is gone at the provider, or the appointment never existed: nothing to write to.
          await em.nativeUpdate(SyncMapping, { id: m.id }, { closedAt: this.now(), state: 'SYNCED', updatedAt: this.now() });
          continue;
        }
        if (m.state === 'WAITING') m.state = 'PENDING';
        const pair: Pair = { calendar, mapping: m, appointment, event: null, providerGone: false };
        await pairs.sync(pair, 'outbound');
        await series.afterOutbound(pair);
        seen.add(`${m.id}:${pair.mapping?.hostVersion ?? 0}:${pair.mapping?.updatedAt.getTime() ?? 0}`);
      }
      await scope.tracker.progress();
    }
  }

  /**
   * Once per primary calendar, after its first complete read (which re-adopted the hub's own
   * events already there), the owner's appointments that start after the link was activated and
   * are not in that calendar yet become pending pairs (product-behaviours.md: future appointments
   * are synced, earlier ones only when edited). `backfilledAt` makes this happen once, also across
   * restarts; a new primary calendar gets its own backfill.
   */
  private async backfill(scope: RunScope): Promise<void> {
    const { link } = scope;
    if (link.activatedAt === null) return;
    const em = this.deps.orm.em.fork();
    const calendar = await em.findOne(Calendar, { connectionId: link.id, role: 'PRIMARY', removedAt: null });
    if (!calendar || (link.twoWay && calendar.cursor === null)) return;
    // Once per calendar and activation: a link linked again after a revoke is a new activation.
    if (calendar.backfilledAt !== null && calendar.backfilledAt >= link.activatedAt) return;
    let after = '' as HubId<'appointment'>;
    for (;;) {
      const batch = await em.find(
        Appointment,
        { tenantId: link.tenantId, ownerId: link.userId, deleted: false, startsAt: { $gte: link.activatedAt }, id: { $gt: after } },
        { orderBy: { id: 'asc' }, limit: CHUNK, fields: ['id'], disableIdentityMap: true },
      );
      if (batch.length === 0) break;
      after = batch.at(-1)!.id;
      const ids = batch.map((a) => a.id);
      const existing = new Map((await em.find(SyncMapping, { calendarId: calendar.id, appointmentId: { $in: ids } })).map((m) => [m.appointmentId, m]));
      for (const id of ids) {
        const m = existing.get(id);
        if (!m) {
          em.persist(new SyncMapping({ tenantId: link.tenantId, appointmentId: id, calendarId: calendar.id, connectionId: link.id }));
        } else if (m.closedAt !== null) {
          // Closed by a revoke or a cleanup, and not found again by the full read just done.
          m.reopen('PENDING');
        }
      }
      await em.flush();
      // The same appointments' pairs in the owner's former primary calendar are withdrawn by their
      // own link's next outbound run (one calendar per appointment).
      const elsewhere = await em.find(SyncMapping, { appointmentId: { $in: ids }, calendarId: { $ne: calendar.id }, closedAt: null }, { fields: ['id', 'connectionId'] });
      if (elsewhere.length > 0) {
        await em.nativeUpdate(SyncMapping, { id: { $in: elsewhere.map((m) => m.id) }, state: { $ne: 'CONFLICT' } }, { state: 'PENDING', updatedAt: this.now() });
        for (const connectionId of new Set(elsewhere.map((m) => m.connectionId))) await this.deps.requestOutbound?.(connectionId);
      }
    }
    await em.nativeUpdate(Calendar, { id: calendar.id }, { backfilledAt: this.now(), updatedAt: this.now() });
  }

  // -----------------------------------------------------------------------------------------------
  // Inbound

  private async inbound(scope: RunScope, pairs: PairSync, series: SeriesSync, lease: Lease, run: SyncRun): Promise<void> {
    const { link, provider, tracker } = scope;
    const em = this.deps.orm.em.fork();
    const calendar = await em.findOne(Calendar, { connectionId: link.id, role: 'PRIMARY', removedAt: null });
    if (!calendar) return;
    const window = syncWindow(scope.settings, this.now());

    // 1. Read every page first: deletions are only proven by a complete read, and the guard
    //    against mass deletion needs their number before any is applied.
    const upserts = new Map<string, ExternalEvent>();
    const deletes = new Map<string, Extract<EventChange, { type: 'DELETE' }>>();
    let full = false;
    let nextCursor: ProviderCursor | null = null;
    // Every event type: the ones that cannot be mirrored are skipped below, but they are busy time for the observer.
    for await (const page of provider.readChanges({ calendarId: asProviderCalendarId(calendar.providerCalendarId), cursor: calendar.cursor, window, allEventTypes: true })) {
      full ||= page.full;
      for (const change of page.changes) {
        if (change.type === 'UPSERT') {
          upserts.set(change.event.id, change.event);
          deletes.delete(change.event.id);
        } else {
          deletes.set(change.eventId, change);
          upserts.delete(change.eventId);
        }
      }
      if (page.nextCursor) nextCursor = page.nextCursor;
      await lease.keepAlive();
      await tracker.progress();
    }
    // A listing may hold nothing of a series although its master lives: Graph lists instances only,
    // so a series whose every occurrence is cancelled is never listed. A complete read proves such
    // a master neither deleted nor unchanged: each one is read by id (after a listing that held
    // nothing, only when few pairs are unlisted — as deletions are proven below).
    const listedSomething = upserts.size > 0;
    const unlisted = full ? await this.unlistedMappings(calendar.id, new Set(upserts.keys()), window) : [];
    if (listedSomething || unlisted.length < MASS_DELETION_MIN) {
      for (const m of unlisted.filter((x) => x.series)) {
        await lease.keepAlive();
        const id = m.mapping.externalEventId!;
        const fresh = await provider.getEvent(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(id));
        if (fresh) upserts.set(id, fresh);
        else deletes.set(id, { type: 'DELETE', eventId: asProviderEventId(id), seriesMasterId: null, originalStart: null });
      }
    }
    // Cancelled occurrences, deletions that name no series, and the series they belong to.
    await series.resolveChanges(calendar, upserts, deletes);

    // 2. Find the pairs: by event id, then by the hub's tag (re-adoption).
    const events = [...upserts.values()];
    await scope.attendees.load(events.flatMap((e) => e.data.attendees.map((a) => a.email)));
    const byEventId = await this.mappingsByEventId(calendar.id, [...upserts.keys(), ...deletes.keys()]);
    const tagged = new Map<string, ReturnType<typeof parseHubTag>>();
    for (const e of events) {
      if (byEventId.has(e.id)) continue;
      const tag = parseHubTag(e.hubTag);
      if (tag && tag.calendarId === calendar.id) tagged.set(e.id, tag);
    }
    const adoptionMappings = new Map<string, SyncMapping>();
    const tagAppointmentIds = [...new Set([...tagged.values()].map((t) => t!.appointmentId))];
    for (let i = 0; i < tagAppointmentIds.length; i += CHUNK) {
      for (const m of await em.find(SyncMapping, { calendarId: calendar.id, appointmentId: { $in: tagAppointmentIds.slice(i, i + CHUNK) } })) adoptionMappings.set(m.appointmentId, m);
    }
    const appointmentIds = new Set<HubId<'appointment'>>([...[...byEventId.values()].map((m) => m.appointmentId), ...tagAppointmentIds]);

    // 3. Deletions: tombstones of linked events, and — after a complete full read that listed
    //    something — linked events of the window that the listing no longer holds. A listing that
    //    holds nothing proves nothing by itself (a provider glitch looks the same): then each linked
    //    event of the window is asked for directly, and only an event the provider says is gone
    //    counts — a few at most; more would be a mass deletion, held anyway.
    const gone = new Map<string, SyncMapping>();
    for (const id of deletes.keys()) {
      const m = byEventId.get(id);
      if (m) gone.set(id, m);
    }
    const singles = unlisted.filter((x) => !x.series).map((x) => x.mapping);
    if (full && listedSomething) {
      for (const m of singles) gone.set(m.externalEventId!, m);
    } else if (full) {
      if (unlisted.length < MASS_DELETION_MIN) {
        for (const m of singles) {
          await lease.keepAlive();
          if ((await provider.getEvent(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(m.externalEventId!))) === null) gone.set(m.externalEventId!, m);
        }
      }
    }
    for (const m of gone.values()) appointmentIds.add(m.appointmentId);
    const appointments = new Map((await loadAppointments(em, link.tenantId, [...appointmentIds])).map((a) => [a.id, a]));

    const mapped = gone.size === 0 ? 0 : await em.count(SyncMapping, { connectionId: link.id, closedAt: null, externalEventId: { $ne: null } });
    const held = !run.confirmDeletions && gone.size >= MASS_DELETION_MIN && gone.size > mapped * MASS_DELETION_SHARE;
    if (held) {
      await this.deps.issues.raise(massDeletionHeld({ provider: link.provider, accountEmail: link.accountEmail, count: gone.size, mapped }), massDeletionKey(link.id), {
        tenantId: link.tenantId,
        userId: link.userId,
        connectionId: link.id,
        details: { count: gone.size, mapped },
      });
      await em.nativeUpdate(Connection, { id: link.id }, { deletionsHeld: gone.size, updatedAt: this.now() });
      this.deps.logger.warn({ connectionId: link.id, count: gone.size, mapped }, 'mass deletion held: no deletion of this read was applied');
    }

    // 4. Decide and act, pair by pair: series before their exceptions.
    for (const event of series.ordered(events)) {
      await lease.keepAlive();
      const m = byEventId.get(event.id) ?? null;
      if (event.kind === 'EXCEPTION') {
        await series.syncException(pairs, calendar, event, m);
        continue;
      }
      if (!(await series.admit(event, m))) {
        tracker.count('inbound', 'skipped');
        continue;
      }
      const tag = tagged.get(event.id);
      if (m) {
        await pairs.sync({ calendar, mapping: m, appointment: appointments.get(m.appointmentId) ?? null, event, providerGone: false }, 'inbound');
        continue;
      }
      if (tag) {
        const appointment = appointments.get(tag.appointmentId) ?? null;
        const existing = adoptionMappings.get(tag.appointmentId) ?? null;
        if (appointment) {
          // One of the hub's own events: re-attach it, never import it as a new appointment. A
          // second tagged event for a pair that is linked to another event is left for verifySync.
          if (existing && existing.closedAt === null && existing.externalEventId !== null && existing.externalEventId !== event.id) {
            tracker.count('inbound', 'skipped');
            continue;
          }
          await pairs.sync({ calendar, mapping: existing, appointment, event, providerGone: false }, 'inbound');
          continue;
        }
      }
      if (!this.importable(scope, event)) {
        tracker.count('inbound', 'skipped');
        continue;
      }
      await pairs.sync({ calendar, mapping: null, appointment: null, event, providerGone: false }, 'inbound');
    }
    await series.reportAdmitted(calendar);
    if (!held) {
      for (const m of gone.values()) {
        await lease.keepAlive();
        await pairs.sync({ calendar, mapping: m, appointment: appointments.get(m.appointmentId) ?? null, event: null, providerGone: true }, 'inbound');
      }
      if (run.confirmDeletions || gone.size > 0) {
        await this.deps.issues.resolve(link.tenantId, massDeletionKey(link.id));
        await em.nativeUpdate(Connection, { id: link.id }, { deletionsHeld: null, updatedAt: this.now() });
      }
    }

    // 5. Keep the cursor — not when deletions were held: the next read must see them again.
    const syncedAt = this.now();
    if (!held && nextCursor) {
      await em.nativeUpdate(Calendar, { id: calendar.id }, { cursor: nextCursor, lastSyncedAt: syncedAt, updatedAt: syncedAt });
    }
    await this.deps.observer?.onPrimaryRead({
      link,
      calendar,
      provider,
      window,
      keepAlive: () => lease.keepAlive(),
      changes: [...events.map((event) => ({ type: 'UPSERT' as const, event })), ...deletes.values()],
      full,
    });
    await tracker.progress(true);
  }

  /**
   * Whether a provider event the hub has not seen becomes a host appointment: only with two-way
   * sync, only events that can be mirrored (single events and series), and — like the products the
   * hub replaces — only events starting after the link was activated, unless they were edited
   * after it.
   */
  importable(scope: RunScope, event: ExternalEvent): boolean {
    if (!scope.link.twoWay || event.unsupportedReason !== null) return false;
    if (event.kind !== 'SINGLE' && event.kind !== 'SERIES_MASTER') return false;
    return afterActivation(event, scope.link.activatedAt);
  }

  private async mappingsByEventId(calendarId: HubId<'calendar'>, ids: string[]): Promise<Map<string, SyncMapping>> {
    const out = new Map<string, SyncMapping>();
    const em = this.deps.orm.em.fork();
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const m of await em.find(SyncMapping, { calendarId, externalKey: { $in: ids.slice(i, i + CHUNK) }, closedAt: null })) out.set(m.externalEventId!, m);
    }
    return out;
  }

  /**
   * Linked pairs of a calendar whose event a complete listing did not hold, restricted to what the
   * listing was sure to hold: single appointments overlapping the window, and series starting in
   * it (a series that began before the window may have no instance in it; it stays linked), each
   * marked whether it is a series master (a listing proves nothing of those: see `inbound`).
   */
  private async unlistedMappings(calendarId: HubId<'calendar'>, listed: Set<string>, window: TimeWindow): Promise<{ mapping: SyncMapping; series: boolean }[]> {
    const em = this.deps.orm.em.fork();
    const out: { mapping: SyncMapping; series: boolean }[] = [];
    let after = '' as HubId<'syncMapping'>;
    const start = new Date(window.start);
    const end = new Date(window.end);
    for (;;) {
      const batch = await em.find(SyncMapping, { calendarId, closedAt: null, externalEventId: { $ne: null }, id: { $gt: after } }, { orderBy: { id: 'asc' }, limit: CHUNK });
      if (batch.length === 0) return out;
      after = batch.at(-1)!.id;
      const candidates = batch.filter((m) => !listed.has(m.externalEventId!));
      if (candidates.length === 0) continue;
      const appointments = await em.find(
        Appointment,
        { id: { $in: candidates.map((m) => m.appointmentId) } },
        { fields: ['id', 'startsAt', 'endsAt', 'recurrence'], disableIdentityMap: true },
      );
      const inWindow = new Map(appointments.filter((a) => listedInWindow(a, start, end)).map((a) => [a.id, a.recurrence !== null]));
      for (const m of candidates) if (inWindow.has(m.appointmentId)) out.push({ mapping: m, series: inWindow.get(m.appointmentId)! });
    }
  }

  /**
   * Applies a manual choice to a held pair, under the link's lease: HOST writes the host's current
   * version outside (re-creating or deleting the event as needed), PROVIDER takes the calendar's
   * current version into the host, DELETE removes the appointment on both sides. Returns false when
   * the link's lease could not be had in time (the caller reports a retryable conflict).
   */
  async resolvePair(mapping: SyncMapping, choice: ConflictChoice): Promise<boolean> {
    const done = await this.withLease(mapping.connectionId, async () => {
      const settings = await loadTenantSettings(this.deps.orm, mapping.tenantId);
      await this.deps.guard.run(
        mapping.connectionId,
        'applying a conflict resolution',
        async (provider, link) => {
          const scope: RunScope = { link, settings, provider, tracker: RunTracker.detached(link), attendees: new AttendeeIndex({ orm: this.deps.orm, tenantId: link.tenantId }) };
          const pairs = new PairSync(this.deps, scope, new SeriesSync(this.deps, scope));
          const em = this.deps.orm.em.fork();
          const calendar = await em.findOne(Calendar, { id: mapping.calendarId });
          const appointment = await loadAppointment(em, { id: mapping.appointmentId });
          if (!calendar || !appointment) return;
          const event = mapping.externalEventId ? await provider.getEvent(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(mapping.externalEventId)) : null;
          await scope.attendees.load([...appointment.attendees, ...(event?.data.attendees ?? [])].map((a) => a.email));
          const pair: Pair = { calendar, mapping, appointment, event, providerGone: event === null };
          const gone = event === null;
          const actions: SyncAction[] =
            choice === 'HOST'
              ? [appointment.deleted ? 'DELETE_OUTSIDE' : gone ? 'RECREATE_OUTSIDE' : 'UPDATE_OUTSIDE']
              : choice === 'PROVIDER'
                ? [gone ? 'DELETE_HOST' : 'UPDATE_HOST']
                : ['DELETE_OUTSIDE', 'DELETE_HOST'];
          for (const action of actions) await pairs.force(pair, action);
        },
        { retry: false },
      );
      return true;
    });
    return done ?? false;
  }
}

