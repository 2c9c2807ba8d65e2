import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventData } from '../../../src/domain/appointment.js';
import {
  isProviderError,
  type CalendarProvider,
  type ChangePage,
  type EventChange,
  type ExternalEvent,
  type ProviderCalendarId,
  type ProviderCursor,
  type ProviderEventId,
  type TimeWindow,
} from '../../../src/providers/calendar-provider.js';

/**
 * One contract for every `CalendarProvider` adapter, run against each provider's emulator through
 * the real SDKs (the way Agenda runs one suite against every backend). A harness links the adapter
 * to a fresh emulator account and lets the test play "the other side" (a person editing their
 * calendar) and inject faults.
 */

export interface SimpleEvent {
  subject: string;
  /** ISO instant (UTC). */
  start: string;
  end: string;
  timeZone: string;
}

/** A person changing the calendar directly at the provider (through the emulator's control API). */
export interface OtherSide {
  createEvent(calendarId: ProviderCalendarId, event: SimpleEvent): Promise<ProviderEventId>;
  /** A weekly series on the start's weekday with `count` occurrences. */
  createWeeklySeries(calendarId: ProviderCalendarId, event: SimpleEvent & { count: number }): Promise<ProviderEventId>;
  renameEvent(calendarId: ProviderCalendarId, eventId: ProviderEventId, subject: string): Promise<void>;
  deleteEvent(calendarId: ProviderCalendarId, eventId: ProviderEventId): Promise<void>;
  /** Cancels one occurrence (by its original start instant) of a series. */
  cancelOccurrence(calendarId: ProviderCalendarId, seriesMasterId: ProviderEventId, originalStart: string): Promise<void>;
  /** Ids of the live (not cancelled) singles and series masters in a calendar. */
  listEventIds(calendarId: ProviderCalendarId): Promise<string[]>;
}

export interface ContractFaults {
  /** The next event create is committed at the provider but its answer is lost. */
  dropNextCreateResponse(): void;
  /** The next `times` event requests answer the provider's rate-limit error with Retry-After. */
  rateLimitEventRequests(opts: { retryAfterSeconds: number; times: number }): void;
  /** The next `times` event requests answer a 503/500 server error. */
  failEventRequests(opts: { times: number }): void;
  /** The stored cursor of a calendar is no longer accepted (Google 410, Graph 410 SyncStateNotFound). */
  invalidateCursors(): void;
  /** The user (or an admin) revoked the grant at the provider. */
  revokeGrant(): void;
}

export interface ContractHarness {
  provider: CalendarProvider;
  /** The account's default calendar. */
  primary: ProviderCalendarId;
  /** Another writable calendar of the account. */
  secondary: ProviderCalendarId;
  /** A calendar the account can only read (Graph Birthdays, Google holidays); null if none. */
  readOnly: ProviderCalendarId | null;
  other: OtherSide;
  faults: ContractFaults;
  /** HTTP requests this account made to the provider so far (emulator counters). */
  providerRequests(): number;
  /** Everything the emulator counted for this account so far: wire requests, batch parts, bytes in and out. */
  providerTraffic(): { requests: number; batchedRequests: number; bytesIn: number; bytesOut: number };
  /** A real local webhook endpoint that answers provider validation handshakes (for push). */
  webhookUrl: string;
  close(): Promise<void>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A day at least two days ahead, at 09:00 UTC, so events are inside every sync window. */
function slot(dayOffset: number, hour = 9, hours = 1): { start: string; end: string } {
  const base = new Date(Date.now() + (dayOffset + 2) * DAY);
  base.setUTCHours(hour, 0, 0, 0);
  return { start: base.toISOString(), end: new Date(base.getTime() + hours * HOUR).toISOString() };
}

function window(): TimeWindow {
  return { start: new Date(Date.now() - 7 * DAY).toISOString(), end: new Date(Date.now() + 120 * DAY).toISOString() };
}

export function eventData(over: Partial<EventData> = {}): EventData {
  const { start, end } = slot(1);
  return {
    subject: 'Contract meeting',
    body: { contentType: 'TEXT', content: 'Agenda: numbers' },
    timing: { allDay: false, start, end, timeZone: 'Europe/Zurich' },
    location: 'Room 4.12',
    attendees: [],
    reminders: [{ minutesBefore: 15, method: 'POPUP' }],
    recurrence: null,
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
    ...over,
  };
}

async function readAll(provider: CalendarProvider, calendarId: ProviderCalendarId, cursor: ProviderCursor | null) {
  const pages: ChangePage[] = [];
  for await (const page of provider.readChanges({ calendarId, cursor, window: window() })) pages.push(page);
  const last = pages[pages.length - 1];
  return {
    pages,
    changes: pages.flatMap((p) => p.changes),
    full: pages.every((p) => p.full),
    nextCursor: last?.nextCursor ?? null,
  };
}

const upserts = (changes: EventChange[]) => changes.filter((c): c is Extract<EventChange, { type: 'UPSERT' }> => c.type === 'UPSERT').map((c) => c.event);
const deletes = (changes: EventChange[]) => changes.filter((c): c is Extract<EventChange, { type: 'DELETE' }> => c.type === 'DELETE');

async function collectHubEvents(provider: CalendarProvider, calendarId: ProviderCalendarId): Promise<ExternalEvent[]> {
  const out: ExternalEvent[] = [];
  for await (const batch of provider.findHubEvents(calendarId)) out.push(...batch);
  return out;
}

async function expectProviderError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isProviderError(error), `expected ProviderError ${code}, got ${String(error)}`).toBe(true);
  if (isProviderError(error)) expect(error.code).toBe(code);
  return error;
}

export function describeCalendarProviderContract(name: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`CalendarProvider contract: ${name}`, () => {
    let h: ContractHarness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.close();
    });

    it('lists the calendars with the default first-class and read-only ones marked', async () => {
      const calendars = await h.provider.listCalendars();
      const primary = calendars.find((c) => c.id === h.primary);
      expect(primary).toMatchObject({ isDefault: true, canEdit: true });
      expect(calendars.find((c) => c.id === h.secondary)).toMatchObject({ isDefault: false, canEdit: true });
      expect(calendars.filter((c) => c.isDefault)).toHaveLength(1);
      if (h.readOnly) expect(calendars.find((c) => c.id === h.readOnly)).toMatchObject({ canEdit: false });
      for (const c of calendars) expect(c.name.length).toBeGreaterThan(0);
    });

    it('creates an event that reads back with the same fields and the hub tag', async () => {
      const data = eventData({ attendees: [{ email: 'guest@example.com', name: 'Guest', optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: null }] });
      const created = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTCREATE000000001', data });
      expect(created.hubTag).toBe('map_01CONTRACTCREATE000000001');
      expect(created.version).toBeTruthy();
      const read = await h.provider.getEvent(h.primary, created.id);
      expect(read).not.toBeNull();
      expect(read!.kind).toBe('SINGLE');
      expect(read!.hubTag).toBe('map_01CONTRACTCREATE000000001');
      expect(read!.data.subject).toBe(data.subject);
      expect(read!.data.location).toBe(data.location);
      expect(read!.data.timing).toEqual(data.timing);
      expect(read!.data.body?.content).toContain('Agenda: numbers');
      expect(read!.data.reminders).toEqual([{ minutesBefore: 15, method: 'POPUP' }]);
      expect(read!.data.attendees).toEqual([expect.objectContaining({ email: 'guest@example.com', optional: true })]);
      expect(read!.data.showAs).toBe('BUSY');
    });

    it('keeps an all-day event on its dates', async () => {
      const created = await h.provider.createEvent({
        calendarId: h.primary,
        idempotencyKey: 'map_01CONTRACTALLDAY0000000001',
        data: eventData({ timing: { allDay: true, startDate: slot(3).start.slice(0, 10), endDate: slot(4).start.slice(0, 10), timeZone: 'Europe/Zurich' } }),
      });
      const read = await h.provider.getEvent(h.primary, created.id);
      expect(read!.data.timing).toMatchObject({ allDay: true, startDate: slot(3).start.slice(0, 10), endDate: slot(4).start.slice(0, 10) });
    });

    it('does not duplicate an event when a create is retried after its answer was lost', async () => {
      const before = await h.other.listEventIds(h.primary);
      h.faults.dropNextCreateResponse();
      const request = { calendarId: h.primary, idempotencyKey: 'map_01CONTRACTRETRY00000000001', data: eventData({ subject: 'Only once' }) };
      await expectProviderError(h.provider.createEvent(request), 'TRANSIENT');
      const retried = await h.provider.createEvent(request);
      expect(retried.data.subject).toBe('Only once');
      const after = await h.other.listEventIds(h.primary);
      expect(after.length - before.length).toBe(1);
      expect(after).toContain(retried.id);
      const tagged = (await collectHubEvents(h.provider, h.primary)).filter((e) => e.hubTag === request.idempotencyKey);
      expect(tagged.map((e) => e.id)).toEqual([retried.id]);
    });

    it('updates with the current version and refuses a stale one', async () => {
      const created = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTUPDATE0000000001', data: eventData() });
      const updated = await h.provider.updateEvent({
        calendarId: h.primary,
        eventId: created.id,
        data: eventData({ subject: 'Renamed', location: null }),
        ifMatch: created.version,
      });
      expect(updated.version).not.toBe(created.version);
      expect(updated.data.subject).toBe('Renamed');
      expect(updated.data.location).toBeNull();
      expect(updated.hubTag).toBe('map_01CONTRACTUPDATE0000000001');

      await h.other.renameEvent(h.primary, created.id, 'Changed in the calendar');
      await expectProviderError(
        h.provider.updateEvent({ calendarId: h.primary, eventId: created.id, data: eventData({ subject: 'Hub wins?' }), ifMatch: updated.version }),
        'PRECONDITION_FAILED',
      );
      expect((await h.provider.getEvent(h.primary, created.id))!.data.subject).toBe('Changed in the calendar');
    });

    it('deletes an event, and deleting it again counts as done', async () => {
      const created = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTDELETE0000000001', data: eventData() });
      await h.provider.deleteEvent({ calendarId: h.primary, eventId: created.id, ifMatch: null });
      expect(await h.provider.getEvent(h.primary, created.id)).toBeNull();
      await h.provider.deleteEvent({ calendarId: h.primary, eventId: created.id, ifMatch: null });
      await expectProviderError(h.provider.updateEvent({ calendarId: h.primary, eventId: created.id, data: eventData(), ifMatch: null }), 'NOT_FOUND');
    });

    it('reads everything first, then only what changed, including deletions and its own writes tagged', async () => {
      const keep = await h.other.createEvent(h.primary, { subject: 'Keep', ...slot(2), timeZone: 'UTC' });
      const gone = await h.other.createEvent(h.primary, { subject: 'Gone', ...slot(3), timeZone: 'UTC' });
      const first = await readAll(h.provider, h.primary, null);
      expect(first.full).toBe(true);
      expect(first.nextCursor).not.toBeNull();
      expect(first.pages.slice(0, -1).every((p) => p.nextCursor === null)).toBe(true);
      expect(upserts(first.changes).map((e) => e.data.subject)).toEqual(expect.arrayContaining(['Keep', 'Gone']));

      await h.other.renameEvent(h.primary, keep, 'Kept and renamed');
      await h.other.deleteEvent(h.primary, gone);
      const added = await h.other.createEvent(h.primary, { subject: 'Added', ...slot(4), timeZone: 'UTC' });
      const mine = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTECHO000000000001', data: eventData({ subject: 'Written by the hub' }) });

      const second = await readAll(h.provider, h.primary, first.nextCursor);
      expect(second.full).toBe(false);
      const changed = upserts(second.changes);
      expect(changed.find((e) => e.id === keep)?.data.subject).toBe('Kept and renamed');
      expect(changed.find((e) => e.id === added)?.data.subject).toBe('Added');
      expect(changed.find((e) => e.id === mine.id)?.hubTag).toBe('map_01CONTRACTECHO000000000001');
      expect(changed.find((e) => e.id === keep)?.hubTag).toBeNull();
      expect(deletes(second.changes).map((d) => d.eventId)).toContain(gone);

      const third = await readAll(h.provider, h.primary, second.nextCursor);
      expect(third.full).toBe(false);
      expect(upserts(third.changes).filter((e) => [keep, added, mine.id].includes(e.id))).toEqual([]);
    });

    it('restarts with a full read when its cursor is rejected, and the new cursor works', async () => {
      await h.other.createEvent(h.primary, { subject: 'Before reset', ...slot(2), timeZone: 'UTC' });
      const first = await readAll(h.provider, h.primary, null);
      h.faults.invalidateCursors();
      const after = await readAll(h.provider, h.primary, first.nextCursor);
      expect(after.full).toBe(true);
      expect(upserts(after.changes).map((e) => e.data.subject)).toContain('Before reset');
      expect(after.nextCursor).not.toBeNull();
      const later = await h.other.createEvent(h.primary, { subject: 'After reset', ...slot(5), timeZone: 'UTC' });
      const next = await readAll(h.provider, h.primary, after.nextCursor);
      expect(next.full).toBe(false);
      expect(upserts(next.changes).map((e) => e.id)).toContain(later);
    });

    it('writes a weekly series and reads its master and instances, and sees a cancelled occurrence', async () => {
      const first = slot(1, 9);
      const created = await h.provider.createEvent({
        calendarId: h.primary,
        idempotencyKey: 'map_01CONTRACTSERIES00000000001',
        data: eventData({ subject: 'Weekly', timing: { allDay: false, ...first, timeZone: 'UTC' }, recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4', exdates: [], rdates: [] } }),
      });
      expect(created.kind).toBe('SERIES_MASTER');
      const master = await h.provider.getEvent(h.primary, created.id);
      expect(master!.data.recurrence?.rrule).toMatch(/FREQ=WEEKLY/);
      expect(master!.data.recurrence?.rrule).toMatch(/COUNT=4/);
      const instances = await h.provider.getSeriesInstances(h.primary, created.id, window());
      expect(instances).toHaveLength(4);
      expect(instances.map((i) => i.seriesMasterId)).toEqual([created.id, created.id, created.id, created.id]);
      expect(instances.map((i) => i.originalStart)).toEqual([0, 1, 2, 3].map((w) => new Date(Date.parse(first.start) + w * 7 * DAY).toISOString()));

      const base = await readAll(h.provider, h.primary, null);
      await h.other.cancelOccurrence(h.primary, created.id, instances[1]!.originalStart!);
      expect(await h.provider.getSeriesInstances(h.primary, created.id, window())).toHaveLength(3);
      const next = await readAll(h.provider, h.primary, base.nextCursor);
      const cancelled = deletes(next.changes).find((d) => d.eventId === instances[1]!.id || d.originalStart === instances[1]!.originalStart);
      const masterAgain = upserts(next.changes).find((e) => e.id === created.id);
      // Google reports a cancelled exception; Graph an @removed occurrence. Either way the hub learns of it.
      expect(cancelled !== undefined || (masterAgain?.data.recurrence?.exdates.length ?? 0) > 0).toBe(true);
    });

    it('finds only the events the hub wrote', async () => {
      await h.other.createEvent(h.primary, { subject: 'Personal', ...slot(2), timeZone: 'UTC' });
      const a = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTFINDA00000000001', data: eventData({ subject: 'A' }) });
      const b = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTFINDB00000000001', data: eventData({ subject: 'B' }) });
      const found = await collectHubEvents(h.provider, h.primary);
      expect(found.map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
      expect(found.map((e) => e.hubTag).sort()).toEqual(['map_01CONTRACTFINDA00000000001', 'map_01CONTRACTFINDB00000000001']);
    });

    it('deletes the hub\'s events in bulk, in fewer requests than events, an event already gone counting as deleted', async () => {
      if (!h.provider.deleteEvents) throw new Error('every adapter offers bulk deletes (cleanup)');
      const created = [];
      for (let i = 0; i < 5; i++) {
        created.push(await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: `map_01CONTRACTBULK${String(i).padStart(11, '0')}`, data: eventData({ subject: `Bulk ${i}` }) }));
      }
      await h.provider.deleteEvent({ calendarId: h.primary, eventId: created[0]!.id, ifMatch: null });
      const before = h.providerRequests();
      const results = await h.provider.deleteEvents(h.primary, created.map((e) => e.id));
      expect(h.providerRequests() - before).toBeLessThan(created.length);
      expect(results.map((r) => [r.eventId, r.error])).toEqual(created.map((e) => [e.id, null]));
      for (const e of created) expect(await h.provider.getEvent(h.primary, e.id)).toBeNull();
    });

    it('reports busy blocks of conflict-check calendars inside the window only', async () => {
      const busy = slot(2, 13, 2);
      await h.other.createEvent(h.secondary, { subject: 'Dentist', ...busy, timeZone: 'UTC' });
      await h.other.createEvent(h.secondary, { subject: 'Far away', start: new Date(Date.now() + 400 * DAY).toISOString(), end: new Date(Date.now() + 400 * DAY + HOUR).toISOString(), timeZone: 'UTC' });
      const blocks = await h.provider.getBusyBlocks([h.secondary], window());
      expect(blocks).toEqual([expect.objectContaining({ calendarId: h.secondary, start: busy.start, end: busy.end })]);
    });

    it('waits out a rate limit and succeeds', async () => {
      h.faults.rateLimitEventRequests({ retryAfterSeconds: 1, times: 1 });
      const created = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACTTHROTTLE000000001', data: eventData({ subject: 'After the wait' }) });
      expect(created.data.subject).toBe('After the wait');
      expect((await h.other.listEventIds(h.primary)).filter((id) => id === created.id)).toHaveLength(1);
    });

    it('gives up on a persistent rate limit with RATE_LIMITED and the delay asked for', async () => {
      h.faults.rateLimitEventRequests({ retryAfterSeconds: 1, times: 50 });
      const error = await expectProviderError(h.provider.getEvent(h.primary, 'AAMkAGI2TAAA=' as ProviderEventId), 'RATE_LIMITED');
      if (isProviderError(error)) expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(1000);
    });

    it('retries server errors, then reports them as TRANSIENT', async () => {
      h.faults.failEventRequests({ times: 1 });
      const created = await h.provider.createEvent({ calendarId: h.primary, idempotencyKey: 'map_01CONTRACT5XX0000000000001', data: eventData() });
      expect((await h.other.listEventIds(h.primary)).filter((id) => id === created.id)).toHaveLength(1);
      h.faults.failEventRequests({ times: 50 });
      await expectProviderError(h.provider.getEvent(h.primary, created.id), 'TRANSIENT');
    });

    it('reports a revoked grant as AUTH_REVOKED', async () => {
      h.faults.revokeGrant();
      await expectProviderError(h.provider.listCalendars(), 'AUTH_REVOKED');
    });

    it('refuses to write into a read-only calendar without touching it', async () => {
      if (!h.readOnly) return;
      const before = await h.other.listEventIds(h.readOnly);
      await expectProviderError(h.provider.createEvent({ calendarId: h.readOnly, idempotencyKey: 'map_01CONTRACTREADONLY000000001', data: eventData() }), 'UNSUPPORTED');
      expect(await h.other.listEventIds(h.readOnly)).toEqual(before);
    });

    it('subscribes to, renews and stops push notifications when it can', async () => {
      if (!h.provider.push) return;
      const request = { calendarId: h.primary, notificationUrl: h.webhookUrl, secret: 'contract-secret', expiresAt: new Date(Date.now() + 2 * DAY).toISOString() };
      const channel = await h.provider.push.subscribe(request);
      expect(channel.secret).toBe('contract-secret');
      expect(Date.parse(channel.expiresAt)).toBeGreaterThan(Date.now());
      const renewed = await h.provider.push.renew(channel, { ...request, expiresAt: new Date(Date.now() + 2.5 * DAY).toISOString() });
      expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now());
      await h.provider.push.unsubscribe(renewed);
    });

    it('answers a poll with nothing new in a single provider request', async () => {
      const first = await readAll(h.provider, h.primary, null);
      const before = h.providerRequests();
      const again = await readAll(h.provider, h.primary, first.nextCursor);
      expect(again.changes).toEqual([]);
      expect(h.providerRequests() - before).toBe(1);
    });
  });
}
