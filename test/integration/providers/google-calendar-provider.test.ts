import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../../src/domain/appointment.js';
import {
  asProviderCalendarId,
  asProviderEventId,
  isProviderError,
  type ChangePage,
  type CalendarProvider,
  type ProviderCalendarId,
  type ProviderCursor,
  type ProviderError,
} from '../../../src/providers/calendar-provider.js';
import { createGoogleOAuthClient } from '../../../src/providers/google-calendar/google-calendar.auth.js';
import { createGoogleCalendarModule } from '../../../src/providers/google-calendar/google-calendar.module.js';
import { eventIdForKey } from '../../../src/providers/google-calendar/google-event-id.js';
import { eventData } from './calendar-provider.contract.js';
import { linkAccount, startGoogleProviderEnv, type GoogleProviderEnv, type LinkedGoogleAccount } from '../../helpers/google-provider-harness.js';

const DAY = 86_400_000;
const window = () => ({ start: new Date(Date.now() - 7 * DAY).toISOString(), end: new Date(Date.now() + 120 * DAY).toISOString() });

let p: GoogleProviderEnv;
beforeAll(async () => {
  p = await startGoogleProviderEnv();
});
afterAll(async () => {
  await p?.close();
});

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const e = await promise.then(
    () => null,
    (x: unknown) => x,
  );
  if (!isProviderError(e)) throw new Error(`expected a ProviderError, got ${String(e)}`);
  return e;
}

async function readAll(provider: CalendarProvider, calendarId: ProviderCalendarId, cursor: ProviderCursor | null, options: { allEventTypes?: boolean } = {}): Promise<ChangePage[]> {
  const pages: ChangePage[] = [];
  for await (const page of provider.readChanges({ calendarId, cursor, window: window(), ...options })) pages.push(page);
  return pages;
}

const insertRequests = (linked: LinkedGoogleAccount) => p.env.core.counters.snapshot({ provider: 'google', route: 'google.events.insert', account: linked.account.id })[0]?.statuses ?? {};

/** A Monday at 09:00 UTC at least a week ahead. */
function nextMonday(hourUtc = 9): Date {
  const d = new Date(Date.now() + 7 * DAY);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7));
  d.setUTCHours(hourUtc, 0, 0, 0);
  return d;
}

describe('GoogleCalendarProvider: idempotent creates (409)', () => {
  it('refuses a create whose id is taken by an event the hub did not write, and leaves that event alone', async () => {
    const linked = await linkAccount(p);
    const key = 'map_01PROVIDERTAKEN0000000001';
    const { start, end } = eventData().timing as { start: string; end: string };
    p.env.google.control.createEvent(linked.account.id, 'primary', { id: eventIdForKey(key), summary: 'Mine, not the hub’s', start: { dateTime: start }, end: { dateTime: end } });
    const e = await providerError(linked.provider.createEvent({ calendarId: asProviderCalendarId('primary'), idempotencyKey: key, data: eventData({ subject: 'Hub' }) }));
    expect(e.code).toBe('UNKNOWN');
    expect(e.details).toMatchObject({ status: 409, providerCode: 'duplicate' });
    expect(e.message).toMatch(/did not write/);
    expect(p.env.google.control.getEvent(linked.account.id, 'primary', eventIdForKey(key))).toMatchObject({ summary: 'Mine, not the hub’s' });
  });

  it('restores its own deleted event under the same id when the appointment is created again', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId('primary');
    const key = 'map_01PROVIDERRESTORE00000001';
    const first = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data: eventData({ subject: 'First life' }) });
    await linked.provider.deleteEvent({ calendarId, eventId: first.id, ifMatch: null });
    const again = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data: eventData({ subject: 'Second life' }) });
    expect(again.id).toBe(first.id);
    expect((await linked.provider.getEvent(calendarId, first.id))!.data.subject).toBe('Second life');
    expect(again.hubTag).toBe(key);
  });

  it('falls back to a fresh id when Google refuses to restore the deleted event', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId('primary');
    const key = 'map_01PROVIDERNORESTORE000001';
    const first = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data: eventData() });
    await linked.provider.deleteEvent({ calendarId, eventId: first.id, ifMatch: null });
    p.env.google.control.updateSettings({ allowRestoreOfDeletedEvents: false });
    try {
      const again = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data: eventData({ subject: 'New id' }) });
      expect(again.id).toBe(eventIdForKey(key, 1));
      expect(again.hubTag).toBe(key);
      expect(await linked.provider.getEvent(calendarId, first.id)).toBeNull();
      // A retry of the same create finds the live fallback event instead of making a third one.
      const retried = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data: eventData({ subject: 'New id' }) });
      expect(retried.id).toBe(again.id);
    } finally {
      p.env.google.control.updateSettings({ allowRestoreOfDeletedEvents: true });
    }
  });

  it('makes a deleted series of its own afresh under the next id: a restore would leave the occurrences the user had edited cancelled', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId('primary');
    const key = 'map_01PROVIDERSERIESAGAIN0001';
    const start = nextMonday(12);
    const data = eventData({
      subject: 'Daily',
      timing: { allDay: false, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), timeZone: 'UTC' },
      recurrence: { rrule: 'FREQ=DAILY;COUNT=3', exdates: [], rdates: [] },
    });
    const span = { start: new Date(start.getTime() - DAY).toISOString(), end: new Date(start.getTime() + 4 * DAY).toISOString() };
    const first = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data });
    // The user moves the first occurrence (an exception), then deletes the series, which cancels that exception too.
    const [occurrence] = await linked.provider.getSeriesInstances(calendarId, first.id, span);
    const later = new Date(start.getTime() + 3 * 3_600_000);
    await linked.provider.updateEvent({
      calendarId,
      eventId: occurrence!.id,
      data: { ...occurrence!.data, timing: { allDay: false, start: later.toISOString(), end: new Date(later.getTime() + 3_600_000).toISOString(), timeZone: 'UTC' }, recurrence: null },
      ifMatch: null,
    });
    await linked.provider.deleteEvent({ calendarId, eventId: first.id, ifMatch: null });

    const again = await linked.provider.createEvent({ calendarId, idempotencyKey: key, data });
    expect(again.id).toBe(eventIdForKey(key, 1));
    expect(again.hubTag).toBe(key);
    expect(await linked.provider.getEvent(calendarId, first.id)).toBeNull();
    const instances = await linked.provider.getSeriesInstances(calendarId, again.id, span);
    expect(instances.map((i) => [i.originalStart, i.data.timing.allDay ? null : i.data.timing.start, i.kind])).toEqual(
      [0, 1, 2].map((n) => {
        const at = new Date(start.getTime() + n * DAY).toISOString();
        return [at, at, 'OCCURRENCE'];
      }),
    );
    // A retry of the same create finds the new series.
    expect((await linked.provider.createEvent({ calendarId, idempotencyKey: key, data })).id).toBe(again.id);
  });
});

describe('GoogleCalendarProvider: retries', () => {
  it('retries a POST answered with 403 rateLimitExceeded, which gaxios itself would not retry', async () => {
    const linked = await linkAccount(p);
    p.env.google.control.injectUsageLimit({ status: 403, reason: 'rateLimitExceeded', route: 'google.events.insert', account: linked.account.id, retryAfterSeconds: 0 });
    const created = await linked.provider.createEvent({ calendarId: asProviderCalendarId('primary'), idempotencyKey: 'map_01PROVIDER403POST0000001', data: eventData({ subject: 'After 403' }) });
    expect(created.data.subject).toBe('After 403');
    expect(insertRequests(linked)).toEqual({ '403': 1, '200': 1 });
  });

  it('retries a PUT answered with 429 and a 403 userRateLimitExceeded', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId('primary');
    const created = await linked.provider.createEvent({ calendarId, idempotencyKey: 'map_01PROVIDER429PUT00000001', data: eventData() });
    p.env.google.control.injectUsageLimit({ status: 429, route: 'google.events.update', account: linked.account.id, retryAfterSeconds: 0 });
    p.env.google.control.injectUsageLimit({ status: 403, reason: 'userRateLimitExceeded', route: 'google.events.update', account: linked.account.id, retryAfterSeconds: 0 });
    const updated = await linked.provider.updateEvent({ calendarId, eventId: created.id, data: eventData({ subject: 'Updated' }), ifMatch: created.version });
    expect(updated.data.subject).toBe('Updated');
  });

  it('gives up at once with the asked delay when Retry-After exceeds the wait budget', async () => {
    const linked = await linkAccount(p);
    p.env.google.control.injectUsageLimit({ status: 429, route: 'google.events.insert', account: linked.account.id, retryAfterSeconds: 3600 });
    const e = await providerError(linked.provider.createEvent({ calendarId: asProviderCalendarId('primary'), idempotencyKey: 'map_01PROVIDERLONGWAIT000001', data: eventData() }));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.details.retryAfterMs).toBe(3_600_000);
    expect(insertRequests(linked)).toEqual({ '429': 1 });
  });

  it('stops retrying a failing POST after the configured attempts and reports TRANSIENT', async () => {
    const linked = await linkAccount(p);
    p.env.core.faults.add({ provider: 'google', route: 'google.events.insert', account: linked.account.id, action: { kind: 'status', status: 500 }, trigger: { mode: 'times', count: 10 } });
    const e = await providerError(linked.provider.createEvent({ calendarId: asProviderCalendarId('primary'), idempotencyKey: 'map_01PROVIDER500000000001', data: eventData() }));
    expect(e.code).toBe('TRANSIENT');
    expect(insertRequests(linked)).toEqual({ '500': 3 });
    p.env.core.faults.clear('google');
  });

  it('times out a request that never gets an answer, retries it because it is a read, then reports TRANSIENT', async () => {
    const module = createGoogleCalendarModule({ ...p.settings, requestTimeoutMs: 150 }, { logger: p.logger });
    const linked = await linkAccount({ ...p, module });
    const rule = p.env.core.faults.add({ provider: 'google', route: 'google.events.get', account: linked.account.id, action: { kind: 'hang' }, trigger: { mode: 'always' } });
    const e = await providerError(linked.provider.getEvent(asProviderCalendarId('primary'), asProviderEventId('abcdefghij')));
    p.env.core.faults.remove(rule.id);
    expect(e.code).toBe('TRANSIENT');
    expect(e.message).toMatch(/no answer/);
    expect(rule.fired).toBe(3);
  });

  it('a request with a body aborted before it was sent fails, and the process lives on', async () => {
    // A timeout that expired while the process was busy (gaxios loads its fetch on first use) aborts
    // the request before it starts. With gaxios' fallback, node-fetch 3, that emits an 'error'
    // nothing listens to and kills the process (vitest reports it as an unhandled error); the hub's
    // transport is Node's own fetch. (With a timeout set, gaxios replaces an aborted signal: 0 keeps it.)
    const client = createGoogleOAuthClient(p.settings);
    const request = client.transporter.request({ url: p.settings.tokenUrl, method: 'POST', data: { grant_type: 'refresh_token' }, timeout: 0, signal: AbortSignal.abort() });
    await expect(request).rejects.toThrow(/abort/i);
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});

describe('GoogleCalendarProvider: reading', () => {
  it('marks out-of-office, focus-time and working-location entries unsupported in change reads and counts out-of-office as busy time', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId(linked.account.email);
    const day = new Date(nextMonday().getTime());
    const at = (h: number) => new Date(day.getTime() + (h - 9) * 3_600_000).toISOString();
    const control = p.env.google.control;
    const ooo = control.createEvent(linked.account.id, 'primary', { summary: 'Away', eventType: 'outOfOffice', start: { dateTime: at(9), timeZone: 'UTC' }, end: { dateTime: at(12), timeZone: 'UTC' } });
    control.createEvent(linked.account.id, 'primary', {
      summary: 'Home',
      eventType: 'workingLocation',
      transparency: 'transparent',
      visibility: 'public',
      start: { date: at(9).slice(0, 10) },
      end: { date: new Date(day.getTime() + DAY).toISOString().slice(0, 10) },
      workingLocationProperties: { type: 'homeOffice', homeOffice: {} },
    });
    const meeting = control.createEvent(linked.account.id, 'primary', { summary: 'Meeting', start: { dateTime: at(14), timeZone: 'UTC' }, end: { dateTime: at(15), timeZone: 'UTC' } });

    // Change reads of every event type (the engine's) deliver them marked unsupported: the engine skips them (and counts them as skipped).
    const unsupported = (pages: Awaited<ReturnType<typeof readAll>>) =>
      Object.fromEntries(pages.flatMap((pg) => pg.changes).map((c) => (c.type === 'UPSERT' ? [c.event.data.subject, c.event.unsupportedReason !== null] : [c.eventId, 'deleted'])));
    const first = await readAll(linked.provider, calendarId, null, { allEventTypes: true });
    expect(unsupported(first)).toEqual({ Away: true, Home: true, Meeting: false });
    expect(first.flatMap((pg) => pg.changes).some((c) => c.type === 'UPSERT' && c.event.id === meeting.id)).toBe(true);
    control.createEvent(linked.account.id, 'primary', { summary: 'Focus', eventType: 'focusTime', start: { dateTime: at(16), timeZone: 'UTC' }, end: { dateTime: at(17), timeZone: 'UTC' } });
    expect(unsupported(await readAll(linked.provider, calendarId, first.at(-1)!.nextCursor, { allEventTypes: true }))).toEqual({ Focus: true });

    const byId = await linked.provider.getEvent(calendarId, asProviderEventId(String(ooo.id)));
    expect(byId!.unsupportedReason).toMatch(/out-of-office/);

    const busy = await linked.provider.getBusyBlocks([calendarId], { start: at(0), end: at(24) });
    expect(busy).toEqual([
      { calendarId, start: at(9), end: at(12), showAs: 'OUT_OF_OFFICE' },
      { calendarId, start: at(14), end: at(15), showAs: 'BUSY' },
      { calendarId, start: at(16), end: at(17), showAs: 'BUSY' },
    ]);
  });

  it('lists every event type on request, marked as not mirrorable, and starts over when a cursor was taken with the other choice', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId(linked.account.email);
    const day = new Date(nextMonday().getTime());
    const at = (h: number) => new Date(day.getTime() + (h - 9) * 3_600_000).toISOString();
    const control = p.env.google.control;
    const meeting = control.createEvent(linked.account.id, 'primary', { summary: 'Meeting', start: { dateTime: at(14), timeZone: 'UTC' }, end: { dateTime: at(15), timeZone: 'UTC' } });
    const defaultsOnly = await readAll(linked.provider, calendarId, null);

    const ooo = control.createEvent(linked.account.id, 'primary', { summary: 'Away', eventType: 'outOfOffice', start: { dateTime: at(9), timeZone: 'UTC' }, end: { dateTime: at(12), timeZone: 'UTC' } });
    const all = await readAll(linked.provider, calendarId, defaultsOnly.at(-1)!.nextCursor, { allEventTypes: true });
    // The sync token of the default-only listing would not show the other types: a full read.
    expect(all.every((pg) => pg.full)).toBe(true);
    const events = all.flatMap((pg) => pg.changes).flatMap((c) => (c.type === 'UPSERT' ? [c.event] : []));
    expect(events.map((e) => e.id).sort()).toEqual([meeting.id, ooo.id].sort());
    const away = events.find((e) => e.id === ooo.id)!;
    expect(away.unsupportedReason).toMatch(/out-of-office/);
    expect(away.data.showAs).toBe('OUT_OF_OFFICE');

    const next = await readAll(linked.provider, calendarId, all.at(-1)!.nextCursor, { allEventTypes: true });
    expect(next.some((pg) => pg.full)).toBe(false);
    // And back: a default-only read does not continue the token of a read of every type.
    expect((await readAll(linked.provider, calendarId, next.at(-1)!.nextCursor)).every((pg) => pg.full)).toBe(true);
  });

  it('pages through a full read, then resumes from the sync token, restarting in full after a 410', async () => {
    const module = createGoogleCalendarModule({ ...p.settings, pageSize: 2 }, { logger: p.logger });
    const linked = await linkAccount({ ...p, module });
    const calendarId = asProviderCalendarId(linked.account.email);
    const start = nextMonday();
    for (let i = 0; i < 5; i++) {
      const s = new Date(start.getTime() + i * DAY);
      p.env.google.control.createEvent(linked.account.id, 'primary', { summary: `E${i}`, start: { dateTime: s.toISOString() }, end: { dateTime: new Date(s.getTime() + 3_600_000).toISOString() } });
    }
    const full = await readAll(linked.provider, calendarId, null);
    expect(full.length).toBe(3);
    expect(full.map((pg) => pg.nextCursor === null)).toEqual([true, true, false]);
    expect(full.every((pg) => pg.full)).toBe(true);
    expect(full.flatMap((pg) => pg.changes)).toHaveLength(5);

    p.env.google.control.invalidateSyncTokens({ accountId: linked.account.id });
    const restarted = await readAll(linked.provider, calendarId, full.at(-1)!.nextCursor);
    expect(restarted.every((pg) => pg.full)).toBe(true);
    expect(restarted.flatMap((pg) => pg.changes)).toHaveLength(5);
  });

  it('reads an event written with only an offset in the calendar’s zone', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId(linked.account.email);
    const ev = p.env.google.control.createEvent(linked.account.id, 'primary', { summary: 'Offset only', start: { dateTime: '2030-07-01T10:00:00+02:00' }, end: { dateTime: '2030-07-01T11:00:00+02:00' } });
    const read = await linked.provider.getEvent(calendarId, asProviderEventId(String(ev.id)));
    expect(read!.data.timing).toEqual({ allDay: false, start: '2030-07-01T08:00:00.000Z', end: '2030-07-01T09:00:00.000Z', timeZone: 'Europe/Zurich' });
  });
});

describe('GoogleCalendarProvider: writing', () => {
  it('updates only what it owns: colour, other apps’ properties and its own tag survive the full PUT', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId('primary');
    const created = await linked.provider.createEvent({ calendarId, idempotencyKey: 'map_01PROVIDERMERGE0000000001', data: eventData() });
    p.env.google.control.updateEvent(linked.account.id, 'primary', created.id, {
      colorId: '5',
      guestsCanModify: true,
      extendedProperties: { private: { otherApp: 'keep' }, shared: { crm: 'lead-42' } },
    });
    const updated = await linked.provider.updateEvent({ calendarId, eventId: created.id, data: eventData({ subject: 'Renamed', location: null }), ifMatch: null });
    expect(updated.hubTag).toBe('map_01PROVIDERMERGE0000000001');
    const raw = p.env.google.control.getEvent(linked.account.id, 'primary', created.id);
    expect(raw).toMatchObject({
      summary: 'Renamed',
      colorId: '5',
      guestsCanModify: true,
      extendedProperties: { private: { otherApp: 'keep', syncHubMappingId: 'map_01PROVIDERMERGE0000000001', syncHubOwner: 'calendar-sync-hub' }, shared: { crm: 'lead-42' } },
    });
    expect(raw).not.toHaveProperty('location');
  });

  it('writes a series with an exception date across a DST change and reads its rule, instances and a modified occurrence back', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId(linked.account.email);
    // Weekly on Monday 09:00 Zurich from 16 March 2037; the clocks go forward on 29 March.
    const data: EventData = eventData({
      subject: 'Weekly',
      timing: { allDay: false, start: '2037-03-16T08:00:00.000Z', end: '2037-03-16T08:30:00.000Z', timeZone: 'Europe/Zurich' },
      recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4;BYDAY=MO', exdates: ['2037-03-30T07:00:00.000Z'], rdates: [] },
    });
    const created = await linked.provider.createEvent({ calendarId, idempotencyKey: 'map_01PROVIDERSERIESDST000001', data });
    expect(created.kind).toBe('SERIES_MASTER');
    expect(created.data.recurrence).toEqual(data.recurrence);
    expect(created.data.timing).toEqual(data.timing);

    const span = { start: '2037-03-01T00:00:00.000Z', end: '2037-05-01T00:00:00.000Z' };
    const instances = await linked.provider.getSeriesInstances(calendarId, created.id, span);
    expect(instances.map((i) => i.originalStart)).toEqual(['2037-03-16T08:00:00.000Z', '2037-03-23T08:00:00.000Z', '2037-04-06T07:00:00.000Z']);
    expect(instances.map((i) => i.kind)).toEqual(['OCCURRENCE', 'OCCURRENCE', 'OCCURRENCE']);

    const moved = instances[1]!;
    await linked.provider.updateEvent({ calendarId, eventId: moved.id, data: { ...moved.data, subject: 'Weekly (moved)', recurrence: null }, ifMatch: moved.version });
    const again = await linked.provider.getSeriesInstances(calendarId, created.id, span);
    expect(again.map((i) => i.kind)).toEqual(['OCCURRENCE', 'EXCEPTION', 'OCCURRENCE']);
    expect(again[1]).toMatchObject({ seriesMasterId: created.id, originalStart: '2037-03-23T08:00:00.000Z', data: { subject: 'Weekly (moved)' } });
  });

  it('refuses an appointment Google cannot hold, saying why, without calling Google', async () => {
    const linked = await linkAccount(p);
    const before = p.env.core.counters.total({ provider: 'google', account: linked.account.id }).requests;
    const e = await providerError(
      linked.provider.createEvent({
        calendarId: asProviderCalendarId('primary'),
        idempotencyKey: 'map_01PROVIDERBADRULE00000001',
        data: eventData({ recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=1MO', exdates: [], rdates: [] } }),
      }),
    );
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/BYDAY/);
    expect(p.env.core.counters.total({ provider: 'google', account: linked.account.id }).requests).toBe(before);
  });
});

describe('GoogleCalendarProvider: push', () => {
  it('opens a channel that announces itself with the secret, and stopping it twice is fine', async () => {
    const linked = await linkAccount(p);
    const calendarId = asProviderCalendarId(linked.account.email);
    const channel = await linked.provider.push.subscribe({ calendarId, notificationUrl: p.receiver.url, secret: 'push-secret', expiresAt: new Date(Date.now() + DAY).toISOString() });
    const sync = await p.receiver.waitFor((n) => n.headers['x-goog-channel-id'] === channel.channelId);
    expect(sync.headers['x-goog-resource-state']).toBe('sync');
    expect(sync.headers['x-goog-channel-token']).toBe('push-secret');
    expect(p.env.google.control.listChannels().some((c) => c.id === channel.channelId)).toBe(true);
    await linked.provider.push.unsubscribe(channel);
    await linked.provider.push.unsubscribe(channel);
    expect(p.env.google.control.listChannels().some((c) => c.id === channel.channelId)).toBe(false);
  });
});
