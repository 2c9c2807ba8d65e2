import type { HubId } from '../domain/ids.js';
import { addDrift, emptyDrift, type DriftItem, type SyncDrift } from '../domain/sync-drift.js';
import { parseHubTag } from '../domain/sync/hub-tag.js';
import type { Logger } from '../logger.js';
import { asProviderCalendarId, asProviderEventId, type ExternalEvent } from '../providers/calendar-provider.js';
import { Appointment, Calendar, SyncMapping, type SyncRun } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { loadAppointments } from './appointment-store.js';
import type { Lease } from './link-lease.js';
import type { Pair, PairSync, RunScope } from './pair-sync.js';
import { listedInWindow, syncWindow, type RunWork, type SyncEngine } from './sync-engine.js';
import type { SyncRuns } from './sync-runs.service.js';

const CHUNK = 200;
/** How long a queued verify run waits for the link's lease (another run holding it). */
const LEASE_WAIT_MS = 60_000;
const BUSY_RETRY_MS = 250;

/** Pair states the engine knows are not in step yet (writes pending, failed, held, impossible): not drift. */
const IN_FLIGHT = new Set(['PENDING', 'WAITING', 'ERROR', 'CONFLICT', 'UNSUPPORTED']);

/**
 * `verifySync`: a VERIFY run compares the host with a link's primary calendar over the sync window
 * — reading the calendar afresh (a full listing, never the stored cursor, which it leaves as it is),
 * so what a cursor missed is found — and reports every difference by kind (`SyncRun.drift`). With
 * `repair` it applies to each what the engine would have done had it seen the change, through the
 * same pair logic (src/sync/pair-sync.ts, the decision table): docs/sync.md, "Verify and repair".
 * It runs as a `sync.run` job under the link's lease, with progress on `syncStatus`.
 */
export class VerifyService {
  constructor(private readonly deps: { orm: Orm; engine: SyncEngine; runs: SyncRuns; logger: Logger }) {}

  /** Runs a queued VERIFY run (the scheduler's `sync.run` handler for the trigger). */
  async execute(run: SyncRun): Promise<SyncRun> {
    const deadline = Date.now() + LEASE_WAIT_MS;
    for (;;) {
      const result = await this.deps.engine.run(run.connectionId, async () => run, { work: this.work });
      if (result.status !== 'BUSY') return result.run;
      if (Date.now() >= deadline) {
        await this.deps.runs.abandon(run, { code: 'BUSY', message: 'The link stayed busy with another sync run; start the verification again.' });
        return run;
      }
      await new Promise((r) => setTimeout(r, BUSY_RETRY_MS));
    }
  }

  private readonly work: RunWork = async ({ scope, pairs, lease, run }) => {
    const drift = await new Verification(this.deps.orm, scope, pairs, lease, run.repair, (e) => this.deps.engine.importable(scope, e)).run();
    scope.tracker.run.drift = drift;
  };
}

/** One verification of one link: read both sides, then walk pairs, tagged events, user events and appointments once each. */
class Verification {
  private readonly drift = emptyDrift();
  private readonly accountedEvents = new Set<string>();
  private readonly accountedAppointments = new Set<string>();

  constructor(
    private readonly orm: Orm,
    private readonly scope: RunScope,
    private readonly pairs: PairSync,
    private readonly lease: Lease,
    private readonly repair: boolean,
    /** Whether an inbound run would import the event (SyncEngine.importable). */
    private readonly importable: (e: ExternalEvent) => boolean,
  ) {}

  async run(): Promise<SyncDrift> {
    const { link, provider, tracker } = this.scope;
    const em = this.orm.em.fork();
    const calendar = await em.findOne(Calendar, { connectionId: link.id, role: 'PRIMARY', removedAt: null });
    if (!calendar) return this.drift;
    const window = syncWindow(this.scope.settings, new Date());
    const start = new Date(window.start);
    const end = new Date(window.end);

    // 1. The calendar afresh: a full listing of the window. The stored cursor is neither used nor moved.
    const listed = new Map<string, ExternalEvent>();
    for await (const page of provider.readChanges({ calendarId: asProviderCalendarId(calendar.providerCalendarId), cursor: null, window })) {
      for (const change of page.changes) {
        if (change.type === 'UPSERT') listed.set(change.event.id, change.event);
        else listed.delete(change.eventId);
      }
      await this.lease.keepAlive();
      await tracker.progress();
    }

    // 2. The host: the calendar's live pairs, the owner's appointments in the window, and every appointment a pair or a tag names.
    const live = await em.find(SyncMapping, { calendarId: calendar.id, closedAt: null }, { disableIdentityMap: true });
    // A listing holds no series master whose occurrences are all cancelled (Graph lists instances
    // only): the masters of mirrored series it did not hold are read by id.
    const listedSomething = listed.size > 0;
    const unlistedPairs = live.filter((m) => m.externalEventId !== null && !listed.has(m.externalEventId));
    for (let i = 0; i < unlistedPairs.length; i += CHUNK) {
      const chunk = unlistedPairs.slice(i, i + CHUNK);
      const found = await em.find(Appointment, { id: { $in: chunk.map((m) => m.appointmentId) } }, { fields: ['id', 'recurrence'], disableIdentityMap: true });
      const series = new Set(found.filter((a) => a.recurrence !== null).map((a) => a.id as string));
      for (const m of chunk.filter((x) => series.has(x.appointmentId))) {
        await this.lease.keepAlive();
        const master = await provider.getEvent(asProviderCalendarId(calendar.providerCalendarId), asProviderEventId(m.externalEventId!));
        if (master) listed.set(master.id, master);
      }
    }
    const tagged = new Map<string, ExternalEvent[]>();
    for (const e of listed.values()) {
      const tag = parseHubTag(e.hubTag);
      if (tag && tag.calendarId === calendar.id) tagged.set(tag.appointmentId, [...(tagged.get(tag.appointmentId) ?? []), e]);
    }
    const owned = await em.find(
      Appointment,
      { tenantId: link.tenantId, ownerId: link.userId, deleted: false, startsAt: { $lt: end }, endsAt: { $gt: start } },
      { disableIdentityMap: true },
    );
    const ids = new Set<HubId<'appointment'>>([...live.map((m) => m.appointmentId), ...([...tagged.keys()] as HubId<'appointment'>[])]);
    const appointments = new Map(owned.map((a) => [a.id as string, a]));
    const missingIds = [...ids].filter((id) => !appointments.has(id));
    for (let i = 0; i < missingIds.length; i += CHUNK) {
      for (const a of await loadAppointments(em, link.tenantId, missingIds.slice(i, i + CHUNK))) appointments.set(a.id, a);
    }
    await this.scope.attendees.load([...[...appointments.values()].flatMap((a) => a.attendees), ...[...listed.values()].flatMap((e) => e.data.attendees)].map((a) => a.email));
    const liveByAppointment = new Map(live.map((m) => [m.appointmentId as string, m]));

    // 3. Live pairs whose event is not among the appointment's tagged events (those are step 4's).
    for (const m of live) {
      await this.step();
      const a = appointments.get(m.appointmentId) ?? null;
      this.accountedAppointments.add(m.appointmentId);
      if (m.externalEventId) this.accountedEvents.add(m.externalEventId);
      if (IN_FLIGHT.has(m.state)) continue;
      const event = m.externalEventId ? (listed.get(m.externalEventId) ?? null) : null;
      if (!a || a.deleted || a.ownerId !== calendar.userId) {
        const why = !a ? 'its appointment does not exist' : a.deleted ? 'its appointment is deleted' : 'its appointment moved to another owner';
        // A listing holds only the window: outside it, an unlisted event is not proof of anything.
        const gone = m.externalEventId !== null && event === null && a !== null && listedInWindow(a, start, end) && listedSomething;
        await this.found({ kind: 'ORPHANED_MAPPING', appointmentId: m.appointmentId, externalEventId: m.externalEventId, detail: `the pair is open but ${why}` }, () =>
          a ? this.sync({ calendar, mapping: m, appointment: a, event, providerGone: gone }) : this.close(m),
        );
        continue;
      }
      if ((tagged.get(a.id) ?? []).some((e) => e.id !== m.externalEventId) && !event) continue;
      if (event) {
        // Compared with what each side held when the pair was last synced (the projection between
        // the two is lossy by design: a side "differs" only when it moved since).
        const pair: Pair = { calendar, mapping: m, appointment: a, event, providerGone: false };
        const host = this.pairs.hostSide(pair);
        const other = this.pairs.providerSide(pair);
        if (host === 'CHANGED' || other === 'CHANGED') {
          const which = host === 'CHANGED' && other === 'CHANGED' ? 'both sides changed' : host === 'CHANGED' ? 'the appointment changed' : 'the event changed';
          await this.found({ kind: 'CONTENT_DIFFERS', appointmentId: a.id, externalEventId: event.id, detail: `${which} since the pair was last synced, and no run applied it` }, () => this.sync(pair));
        }
        continue;
      }
      if (m.externalEventId === null) {
        await this.found({ kind: 'MISSING_AT_PROVIDER', appointmentId: a.id, externalEventId: null, detail: 'the pair is marked synced but has no event' }, () =>
          this.sync({ calendar, mapping: m, appointment: a, event: null, providerGone: false }),
        );
        continue;
      }
      if (!listedInWindow(a, start, end)) continue;
      if (!listedSomething) {
        // The engine's rule: a listing that holds nothing proves no deletion.
        await this.found(
          { kind: 'MISSING_AT_PROVIDER', appointmentId: a.id, externalEventId: m.externalEventId, detail: 'its event is not in the calendar, which listed no event at all; not repaired (an empty listing proves no deletion)' },
          null,
        );
        continue;
      }
      await this.found(
        {
          kind: 'MISSING_AT_PROVIDER',
          appointmentId: a.id,
          externalEventId: m.externalEventId,
          detail: `its event is gone from the calendar; ${link.twoWay ? 'applied as deleted there (two-way sync)' : 're-created (two-way sync is off)'}`,
        },
        () => this.sync({ calendar, mapping: m, appointment: a, event: null, providerGone: true }),
      );
    }

    // 4. The hub's own events, by the appointment their tag names.
    for (const [appointmentId, events] of tagged) {
      await this.step();
      const a = appointments.get(appointmentId) ?? null;
      const m = liveByAppointment.get(appointmentId) ?? null;
      for (const e of events) this.accountedEvents.add(e.id);
      this.accountedAppointments.add(appointmentId);
      // The event the pair holds (tagged, or one the user made and the pair imported), if it is listed.
      let keep = m?.externalEventId ? listed.get(m.externalEventId) : undefined;
      if (!keep && a && !a.deleted && a.ownerId === calendar.userId) {
        // The appointment and the hub's event for it exist, no pair joins them (a lost pair, or one pointing at a gone event): adopt one.
        const closed = m ?? (await em.findOne(SyncMapping, { appointmentId: a.id, calendarId: calendar.id }, { disableIdentityMap: true }));
        const chosen = events.find((e) => parseHubTag(e.hubTag)?.generation === (closed?.generation ?? 0)) ?? events[0]!;
        keep = chosen;
        const detail = m?.externalEventId ? `the pair points at event ${m.externalEventId}, which is gone, while this event carries the appointment's tag; paired with it` : "no pair joins the appointment and the hub's event for it; paired again";
        // A live pair pointing at a gone event reads as one without a baseline; a closed one does already.
        if (m) unlink(m);
        await this.found({ kind: 'ORPHANED_MAPPING', appointmentId, externalEventId: chosen.id, detail }, () =>
          this.sync({ calendar, mapping: closed, appointment: a, event: chosen, providerGone: false }),
        );
      } else if (!keep) {
        // The hub's events of an appointment that is deleted, gone or moved away: the engine deletes them.
        const why = !a ? 'its appointment does not exist' : a.deleted ? 'its appointment is deleted' : 'its appointment moved to another owner';
        for (const e of events) {
          await this.found({ kind: 'MISSING_IN_HOST', appointmentId, externalEventId: e.id, detail: `one of the hub's events, but ${why}; deleted` }, () => this.deleteEvent(calendar, e));
        }
        continue;
      }
      for (const e of events) {
        if (e.id === keep.id) continue;
        await this.found({ kind: 'DUPLICATE', appointmentId, externalEventId: e.id, detail: `a second event carries the hub's tag for this appointment (its event is ${keep.id}); deleted` }, () =>
          this.deleteEvent(calendar, e),
        );
      }
    }

    // 5. Events the user made that no pair holds.
    if (link.twoWay) {
      const unpaired = [...listed.values()].filter((e) => !this.accountedEvents.has(e.id) && e.hubTag === null);
      const closedByEvent = new Map<string, SyncMapping>();
      const unpairedIds = unpaired.map((e) => e.id as string);
      for (let i = 0; i < unpairedIds.length; i += CHUNK) {
        for (const m of await em.find(SyncMapping, { calendarId: calendar.id, externalKey: { $in: unpairedIds.slice(i, i + CHUNK) } }, { disableIdentityMap: true })) {
          closedByEvent.set(m.externalEventId!, m);
        }
      }
      for (const e of unpaired) {
        await this.step();
        const closed = closedByEvent.get(e.id) ?? null;
        if (closed) {
          const a = appointments.get(closed.appointmentId) ?? (await loadAppointments(em, link.tenantId, [closed.appointmentId]))[0] ?? null;
          if (!a || a.deleted) {
            await this.found({ kind: 'MISSING_IN_HOST', appointmentId: closed.appointmentId, externalEventId: e.id, detail: 'its appointment was deleted, yet the event is still in the calendar; deleted' }, () =>
              this.deleteEvent(calendar, e),
            );
          } else {
            await this.found({ kind: 'ORPHANED_MAPPING', appointmentId: a.id, externalEventId: e.id, detail: 'the pair of this event and its appointment was closed while both are live' }, () =>
              this.sync({ calendar, mapping: closed, appointment: a, event: e, providerGone: false }),
            );
          }
          continue;
        }
        if (!this.importable(e)) continue;
        await this.found({ kind: 'MISSING_IN_HOST', appointmentId: null, externalEventId: e.id, detail: 'an event of the calendar that the host does not hold; imported' }, () =>
          this.sync({ calendar, mapping: null, appointment: null, event: e, providerGone: false }),
        );
      }
    }

    // 6. The owner's appointments in the window that never got a pair (and should have: they start, or were saved, after the link was activated).
    const activatedAt = link.activatedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const never = owned.filter((a) => !this.accountedAppointments.has(a.id) && listedInWindow(a, start, end) && (a.startsAt.getTime() >= activatedAt || (a.contentChangedAt?.getTime() ?? 0) >= activatedAt));
    const withAnyPair = new Set<string>();
    const neverIds = never.map((a) => a.id);
    for (let i = 0; i < neverIds.length; i += CHUNK) {
      for (const m of await em.find(SyncMapping, { calendarId: calendar.id, appointmentId: { $in: neverIds.slice(i, i + CHUNK) } }, { fields: ['appointmentId'], disableIdentityMap: true })) {
        withAnyPair.add(m.appointmentId);
      }
    }
    // An appointment whose pair was closed (cleanup, revoke) is out of sync on purpose until the host saves it again.
    for (const a of never.filter((x) => !withAnyPair.has(x.id))) {
      await this.step();
      await this.found({ kind: 'MISSING_AT_PROVIDER', appointmentId: a.id, externalEventId: null, detail: 'the appointment was never written to the calendar; written' }, () =>
        this.sync({ calendar, mapping: null, appointment: a, event: null, providerGone: false }),
      );
    }
    await tracker.progress(true);
    return this.drift;
  }

  private async step(): Promise<void> {
    await this.lease.keepAlive();
    await this.scope.tracker.progress();
  }

  /** Records a finding and, in a repair run, applies `fix` (null: never repaired); `fix` says whether it put it right. */
  private async found(item: Omit<DriftItem, 'repaired'>, fix: (() => Promise<boolean>) | null): Promise<void> {
    const kept = addDrift(this.drift, { ...item, repaired: false });
    if (!this.repair || !fix) return;
    const repaired = await fix();
    if (kept) kept.repaired = repaired;
  }

  /** The pair through the engine's own logic (decision table, writes, conflicts); false when it failed or is held. */
  private async sync(pair: Pair): Promise<boolean> {
    const action = await this.pairs.sync(pair, pair.event && !pair.appointment ? 'inbound' : 'outbound');
    return action !== 'NOTHING' && action !== 'HOLD';
  }

  private async close(m: SyncMapping): Promise<boolean> {
    await this.orm.em.fork().nativeUpdate(SyncMapping, { id: m.id }, { closedAt: new Date(), state: 'SYNCED', lastError: null, updatedAt: new Date() });
    return true;
  }

  private async deleteEvent(calendar: Calendar, e: ExternalEvent): Promise<boolean> {
    await this.scope.provider.deleteEvent({ calendarId: asProviderCalendarId(calendar.providerCalendarId), eventId: e.id, ifMatch: null });
    this.scope.tracker.count('outbound', 'deleted');
    return true;
  }
}

/**
 * Makes a pair read as one without a baseline (in memory only; stored once the pair is written):
 * its event is then "found again", and the decision table adopts it as for a lost pair.
 */
function unlink(m: SyncMapping): void {
  m.externalEventId = null;
  m.providerVersion = null;
  m.providerHash = null;
  m.hostVersion = null;
  m.hostHash = null;
  m.closedAt = null;
}
