import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../../src/domain/appointment.js';
import type { CalendarProvider, ChangePage, EventChange, ExternalEvent, ProviderCalendarId, ProviderCursor, TimeWindow } from '../../../src/providers/calendar-provider.js';
import { createMicrosoftGraphModule, type MicrosoftGraphModule } from '../../../src/providers/microsoft-graph/microsoft-graph.module.js';
import { startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../helpers/microsoft-emulator.js';
import { linkAccount, settingsFor, silentLogger, startGraphWebhook, TEST_TUNING, uniqueEmail } from '../../helpers/microsoft-provider-harness.js';

let env: MicrosoftTestEnv;
let module: MicrosoftGraphModule;
let webhook: Awaited<ReturnType<typeof startGraphWebhook>>;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  webhook = await startGraphWebhook();
  // Small pages, so a round spans several pages.
  module = createMicrosoftGraphModule(settingsFor(env), { logger: silentLogger, tuning: { ...TEST_TUNING, deltaPageSize: 2, pageSize: 2 } });
});
afterEach(() => {
  env.core.faults.clear();
  env.ms.control.updateSettings({ deltaResetWithLocation: false, deltaEmptyFirstPage: false });
});
afterAll(async () => {
  await module?.close();
  await webhook?.close();
  await env?.close();
});

const DAY = 86_400_000;
/** A UTC day `days` from now at `hour`:00, as the emulator's wall-clock value and as an instant. */
function at(days: number, hour: number) {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return { iso: d.toISOString(), wall: d.toISOString().slice(0, 19), date: d.toISOString().slice(0, 10), weekday: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][d.getUTCDay()]! };
}
const window = (): TimeWindow => ({ start: new Date(Date.now() - 7 * DAY).toISOString(), end: new Date(Date.now() + 60 * DAY).toISOString() });

async function linked(prefix: string) {
  const email = uniqueEmail(prefix);
  const info = env.ms.control.createAccount({ email });
  const primary = env.ms.control.listCalendars(email).find((c) => c.isDefaultCalendar)!.id as ProviderCalendarId;
  const link = await linkAccount(env, module, email);
  const counter = (route: string) => env.core.counters.total({ provider: 'microsoft', route, account: info.id });
  return { email, info, primary, counter, ...link };
}

async function readAll(provider: CalendarProvider, calendarId: ProviderCalendarId, cursor: ProviderCursor | null, w: TimeWindow = window()) {
  const pages: ChangePage[] = [];
  for await (const page of provider.readChanges({ calendarId, cursor, window: w })) pages.push(page);
  const changes = pages.flatMap((p) => p.changes);
  return { pages, changes, upserts: changes.filter((c): c is Extract<EventChange, { type: 'UPSERT' }> => c.type === 'UPSERT').map((c) => c.event), deletes: changes.filter((c) => c.type === 'DELETE'), nextCursor: pages.at(-1)!.nextCursor };
}

function data(over: Partial<EventData> = {}): EventData {
  const start = at(3, 9);
  return {
    subject: 'Sync',
    body: null,
    timing: { allDay: false, start: start.iso, end: new Date(Date.parse(start.iso) + 3_600_000).toISOString(), timeZone: 'UTC' },
    location: null,
    attendees: [],
    reminders: [],
    recurrence: null,
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
    ...over,
  };
}

describe('MicrosoftGraphProvider sync reads', () => {
  it('emits a series once as its master and its moved occurrence as an exception, never plain occurrences', async () => {
    const { email, primary, provider, counter } = await linked('series');
    const first = at(2, 10);
    const master = env.ms.control.createEvent(email, primary, {
      subject: 'Standup',
      start: { dateTime: first.wall, timeZone: 'UTC' },
      end: { dateTime: at(2, 11).wall, timeZone: 'UTC' },
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: [first.weekday], firstDayOfWeek: 'monday' }, range: { type: 'numbered', startDate: first.date, numberOfOccurrences: 5 } },
    });
    const occurrences = env.ms.control.listInstances(email, primary, window().start, window().end);
    env.ms.control.updateEvent(email, occurrences[2]!.id as string, { subject: 'Standup (moved)' });
    env.ms.control.createEvent(email, primary, { subject: 'Single', start: { dateTime: at(4, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(4, 10).wall, timeZone: 'UTC' } });

    const read = await readAll(provider, primary, null);
    expect(read.pages.length).toBeGreaterThan(2);
    expect(read.upserts.map((e) => [e.kind, e.data.subject]).sort()).toEqual([
      ['EXCEPTION', 'Standup (moved)'],
      ['SERIES_MASTER', 'Standup'],
      ['SINGLE', 'Single'],
    ]);
    const seriesMaster = read.upserts.find((e) => e.kind === 'SERIES_MASTER')!;
    expect(seriesMaster.id).toBe(master.id);
    expect(seriesMaster.data.recurrence?.rrule).toBe(`FREQ=WEEKLY;COUNT=5;BYDAY=${first.weekday.slice(0, 2).toUpperCase()};WKST=MO`);
    expect(read.upserts.find((e) => e.kind === 'EXCEPTION')).toMatchObject({ seriesMasterId: master.id, originalStart: occurrences[2]!.originalStart ? new Date(String(occurrences[2]!.originalStart)).toISOString() : null });
    // Occurrences spread over several pages, yet the master was read once.
    await expect.poll(() => counter('graph.events.get').batchedRequests).toBe(1);
  });

  it('reports an event moved out of the window as changed, not deleted', async () => {
    const { email, primary, provider } = await linked('moved');
    const ev = env.ms.control.createEvent(email, primary, { subject: 'Moving', start: { dateTime: at(3, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(3, 10).wall, timeZone: 'UTC' } });
    const base = await readAll(provider, primary, null);
    const far = at(300, 9);
    env.ms.control.updateEvent(email, ev.id as string, { start: { dateTime: far.wall, timeZone: 'UTC' }, end: { dateTime: at(300, 10).wall, timeZone: 'UTC' } });
    const next = await readAll(provider, primary, base.nextCursor);
    expect(next.deletes).toEqual([]);
    expect(next.upserts.find((e) => e.id === ev.id)?.data.timing).toMatchObject({ start: far.iso });
  });

  it('keeps its fixed window while it covers the request, and starts a full round when the window grows', async () => {
    const { email, primary, provider } = await linked('window');
    env.ms.control.createEvent(email, primary, { subject: 'Inside', start: { dateTime: at(5, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(5, 10).wall, timeZone: 'UTC' } });
    const base = await readAll(provider, primary, null);
    expect(base.nextCursor).toMatchObject({ kind: 'graph-delta' });
    const cursor = base.nextCursor as Extract<ProviderCursor, { kind: 'graph-delta' }>;
    expect(Date.parse(cursor.windowEnd)).toBeGreaterThanOrEqual(Date.parse(window().end));

    const same = await readAll(provider, primary, cursor);
    expect(same.pages.every((p) => !p.full)).toBe(true);

    const wider = { start: window().start, end: new Date(Date.now() + 200 * DAY).toISOString() };
    const far = env.ms.control.createEvent(email, primary, { subject: 'Far', start: { dateTime: at(150, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(150, 10).wall, timeZone: 'UTC' } });
    const grown = await readAll(provider, primary, cursor, wider);
    expect(grown.pages.every((p) => p.full)).toBe(true);
    expect(grown.upserts.map((e) => e.id)).toContain(far.id);
  });

  it('restarts a full round when Graph resets the sync state with a Location, and keeps following empty pages', async () => {
    const { email, primary, provider } = await linked('reset');
    env.ms.control.createEvent(email, primary, { subject: 'Survivor', start: { dateTime: at(3, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(3, 10).wall, timeZone: 'UTC' } });
    const base = await readAll(provider, primary, null);
    env.ms.control.updateSettings({ deltaResetWithLocation: true, deltaEmptyFirstPage: true });
    env.ms.control.invalidateDeltaTokens(email);
    const after = await readAll(provider, primary, base.nextCursor);
    expect(after.pages[0]!.changes).toEqual([]);
    expect(after.pages.every((p) => p.full)).toBe(true);
    expect(after.upserts.map((e) => e.data.subject)).toContain('Survivor');
  });

  it('fails the read rather than guessing when a removed event cannot be checked', async () => {
    const { email, primary, provider } = await linked('unchecked');
    const ev = env.ms.control.createEvent(email, primary, { subject: 'Doomed', start: { dateTime: at(3, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(3, 10).wall, timeZone: 'UTC' } });
    const base = await readAll(provider, primary, null);
    env.ms.control.deleteEvent(email, ev.id as string);
    env.core.faults.add({ provider: 'microsoft', route: 'graph.events.get', account: email, action: { kind: 'status', status: 503 }, trigger: { mode: 'always' } });
    await expect(readAll(provider, primary, base.nextCursor)).rejects.toMatchObject({ code: 'TRANSIENT' });
    env.core.faults.clear();
    const retried = await readAll(provider, primary, base.nextCursor);
    expect(retried.deletes).toEqual([{ type: 'DELETE', eventId: ev.id, seriesMasterId: null, originalStart: null }]);
  });
});

describe('MicrosoftGraphProvider writes', () => {
  it('round-trips HTML and multi-line text bodies unchanged', async () => {
    const { primary, provider } = await linked('bodies');
    const html = '<p>Open <a href="https://crm.example.com/leads/42">lead 42</a></p>';
    const a = await provider.createEvent({ calendarId: primary, idempotencyKey: 'map_html', data: data({ body: { contentType: 'HTML', content: html } }) });
    const b = await provider.createEvent({ calendarId: primary, idempotencyKey: 'map_text', data: data({ body: { contentType: 'TEXT', content: 'Line 1\nLine <2> & 3' } }) });
    expect((await provider.getEvent(primary, a.id))!.data.body).toEqual({ contentType: 'HTML', content: html });
    expect((await provider.getEvent(primary, b.id))!.data.body).toEqual({ contentType: 'TEXT', content: 'Line 1\nLine <2> & 3' });
  });

  it('cancels the EXDATE occurrences of a series it writes', async () => {
    const { primary, provider } = await linked('exdate');
    const start = at(2, 8);
    const series = await provider.createEvent({
      calendarId: primary,
      idempotencyKey: 'map_exdate',
      data: data({
        timing: { allDay: false, start: start.iso, end: new Date(Date.parse(start.iso) + 1_800_000).toISOString(), timeZone: 'UTC' },
        recurrence: { rrule: 'FREQ=DAILY;COUNT=4', exdates: [new Date(Date.parse(start.iso) + DAY).toISOString()], rdates: [] },
      }),
    });
    const instances = await provider.getSeriesInstances(primary, series.id, window());
    expect(instances.map((i) => i.originalStart)).toEqual([0, 2, 3].map((d) => new Date(Date.parse(start.iso) + d * DAY).toISOString()));
  });

  it('reads events written in Outlook with Windows zones and all-day dates', async () => {
    const { email, primary, provider } = await linked('zones');
    const timed = env.ms.control.createEvent(email, primary, { subject: 'Pacific', start: { dateTime: '2030-01-15T09:00:00', timeZone: 'Pacific Standard Time' }, end: { dateTime: '2030-01-15T10:00:00', timeZone: 'Pacific Standard Time' } });
    const allDay = env.ms.control.createEvent(email, primary, { subject: 'Holiday', isAllDay: true, start: { dateTime: '2030-01-20T00:00:00', timeZone: 'W. Europe Standard Time' }, end: { dateTime: '2030-01-21T00:00:00', timeZone: 'W. Europe Standard Time' } });
    expect((await provider.getEvent(primary, timed.id as never))!.data.timing).toEqual({ allDay: false, start: '2030-01-15T17:00:00.000Z', end: '2030-01-15T18:00:00.000Z', timeZone: 'America/Los_Angeles' });
    expect((await provider.getEvent(primary, allDay.id as never))!.data.timing).toEqual({ allDay: true, startDate: '2030-01-20', endDate: '2030-01-21', timeZone: 'Europe/Berlin' });
  });

  it('finds its own events page by page', async () => {
    const { primary, provider } = await linked('pages');
    const created: ExternalEvent[] = [];
    for (const key of ['map_p1', 'map_p2', 'map_p3']) created.push(await provider.createEvent({ calendarId: primary, idempotencyKey: key, data: data() }));
    const batches: ExternalEvent[][] = [];
    for await (const batch of provider.findHubEvents(primary)) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    expect(batches.flat().map((e) => e.hubTag).sort()).toEqual(['map_p1', 'map_p2', 'map_p3']);
  });
});

describe('MicrosoftGraphProvider push', () => {
  it('subscribes with the secret as clientState, caps the lifetime at 4230 minutes, and receives notifications', async () => {
    const { email, primary, provider } = await linked('push');
    const channel = await provider.push!.subscribe({ calendarId: primary, notificationUrl: webhook.url, secret: 's3cret-state', expiresAt: new Date(Date.now() + 10 * DAY).toISOString() });
    expect(Date.parse(channel.expiresAt)).toBeLessThanOrEqual(Date.now() + 4230 * 60_000);
    expect(env.ms.control.listSubscriptions(email)).toEqual([expect.objectContaining({ id: channel.channelId, resource: `/me/calendars/${primary}/events`, clientState: 's3cret-state' })]);

    env.ms.control.createEvent(email, primary, { subject: 'Ping', start: { dateTime: at(3, 9).wall, timeZone: 'UTC' }, end: { dateTime: at(3, 10).wall, timeZone: 'UTC' } });
    await env.ms.control.notificationsIdle();
    await expect.poll(() => webhook.notifications.some((n) => n.includes('s3cret-state') && n.includes(channel.channelId))).toBe(true);

    await provider.push!.unsubscribe(channel);
    expect(env.ms.control.listSubscriptions(email)).toEqual([]);
    await provider.push!.unsubscribe(channel);
  });

  it('renews by creating a new subscription when Graph already removed the old one', async () => {
    const { email, primary, provider } = await linked('renew');
    const request = { calendarId: primary, notificationUrl: webhook.url, secret: 'renew-state', expiresAt: new Date(Date.now() + DAY).toISOString() };
    const channel = await provider.push!.subscribe(request);
    await env.ms.control.removeSubscription(channel.channelId);
    const renewed = await provider.push!.renew(channel, { ...request, expiresAt: new Date(Date.now() + 2 * DAY).toISOString() });
    expect(renewed.channelId).not.toBe(channel.channelId);
    expect(env.ms.control.listSubscriptions(email).map((s) => s.id)).toEqual([renewed.channelId]);
  });
});

describe('MicrosoftGraphProvider series updates', () => {
  it('keeps the exceptions of a series when an update leaves its times and pattern alone', async () => {
    const { email, primary, provider } = await linked('keep');
    const first = at(2, 10);
    const master = env.ms.control.createEvent(email, primary, {
      subject: 'Review',
      start: { dateTime: first.wall, timeZone: 'UTC' },
      end: { dateTime: at(2, 11).wall, timeZone: 'UTC' },
      recurrence: { pattern: { type: 'weekly', interval: 1, daysOfWeek: [first.weekday], firstDayOfWeek: 'monday' }, range: { type: 'numbered', startDate: first.date, numberOfOccurrences: 3 } },
    });
    const occurrences = env.ms.control.listInstances(email, primary, window().start, window().end);
    env.ms.control.updateEvent(email, occurrences[1]!.id as string, { subject: 'Review (moved)' });
    const current = (await provider.getEvent(primary, master.id as never))!;

    await provider.updateEvent({ calendarId: primary, eventId: current.id, data: { ...current.data, subject: 'Review v2' }, ifMatch: current.version });
    const instances = await provider.getSeriesInstances(primary, current.id, window());
    expect(instances.map((i) => [i.kind, i.data.subject])).toEqual([
      ['OCCURRENCE', 'Review v2'],
      ['EXCEPTION', 'Review (moved)'],
      ['OCCURRENCE', 'Review v2'],
    ]);

    // A real change of the pattern is written (and Exchange drops the exceptions, docs/providers.md#graph-series-updates).
    await provider.updateEvent({ calendarId: primary, eventId: current.id, data: { ...current.data, recurrence: { rrule: `FREQ=WEEKLY;COUNT=2;BYDAY=${first.weekday.slice(0, 2).toUpperCase()}`, exdates: [], rdates: [] } }, ifMatch: null });
    expect((await provider.getSeriesInstances(primary, current.id, window())).map((i) => i.kind)).toEqual(['OCCURRENCE', 'OCCURRENCE']);
  });
});
