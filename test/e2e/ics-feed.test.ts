import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubId } from '../../src/domain/ids.js';
import { seriesOccurrences, type Occurrence } from '../../src/domain/recurrence/occurrences.js';
import { icsUid } from '../../src/ics/ics-calendar.js';
import { Appointment } from '../../src/store/entities/index.js';
import type { Caller } from '../../src/tenancy/caller.js';
import {
  CreateApiKeyDocument,
  CreateIcsFeedDocument,
  CreateTenantDocument,
  IcsFeedsDocument,
  RevokeIcsFeedDocument,
  UpdateIcsWindowDocument,
  UpsertHostUserDocument,
} from '../graphql/generated.js';
import { idOf, onlyError, startTestHub, type TestHub } from '../helpers/hub-harness.js';
import { readIcs, type ReadOccurrence } from '../helpers/ics-reader.js';

const DAY_MS = 86_400_000;

describe('ICS feed', () => {
  let t: TestHub;
  let admin: string;
  let tenantId: HubId<'tenant'>;
  let key: string;
  let userId: HubId<'hostUser'>;
  let otherKey: string;
  let caller: Caller;

  beforeAll(async () => {
    t = await startTestHub({ JOBS_ENABLED: 'false' });
    admin = t.adminKey!;
    const tenant = await t.gql(CreateTenantDocument, { input: { name: 'Feeds' } }, admin);
    tenantId = idOf('tenant', tenant.data!.createTenant.id);
    key = (await t.gql(CreateApiKeyDocument, { input: { tenantId, name: 'crm' } }, admin)).data!.createApiKey.key;
    const user = await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'u-1', email: 'ann@example.com', name: 'Ann' } }, key);
    userId = idOf('hostUser', user.data!.upsertHostUser.hostUser.id);
    const other = await t.gql(CreateTenantDocument, { input: { name: 'Other' } }, admin);
    otherKey = (await t.gql(CreateApiKeyDocument, { input: { tenantId: other.data!.createTenant.id, name: 'other' } }, admin)).data!.createApiKey.key;
    caller = { role: 'TENANT', tenantId, apiKeyId: null as never };
  });

  afterAll(() => t?.close());

  /** The feed URL the API returned, on the test's loopback origin (whatever host PUBLIC_URL names). */
  const local = (url: string) => `${t.origin}${new URL(url).pathname}`;

  const upsert = async (input: Parameters<typeof t.hub.services.appointments.upsert>[1]) => (await t.hub.services.appointments.upsert(caller, input)).appointment;

  /** An exception of a series (a moved or edited occurrence) as the host model keeps it. */
  async function addException(master: Appointment, originalStart: string, timing: Appointment['timing'], subject: string, deleted = false): Promise<Appointment> {
    const em = t.hub.orm.em.fork();
    const exception = new Appointment({ tenantId, ownerId: userId, timing });
    exception.seriesMasterId = master.id;
    exception.originalStart = originalStart;
    exception.subject = subject;
    exception.deleted = deleted;
    exception.deletedAt = deleted ? new Date() : null;
    await em.persistAndFlush(exception);
    return exception;
  }

  /** What the hub holds, expanded by its own expander: the occurrences the feed must yield. */
  function hubOccurrences(singles: Appointment[], series: { master: Appointment; exceptions: Appointment[] }[], window: { start: Date; end: Date }): ReadOccurrence[] {
    const win = { start: window.start.getTime(), end: window.end.getTime() };
    const shown = (uid: string, summary: string | null, o: Occurrence | Appointment['timing']): ReadOccurrence =>
      o.allDay ? { uid, summary: summary ?? '', start: o.startDate, end: o.endDate } : { uid, summary: summary ?? '', start: o.start, end: o.end };
    const out: ReadOccurrence[] = singles.map((a) => shown(icsUid(a), a.subject, a.timing));
    for (const { master, exceptions } of series) {
      const replaced = new Set(exceptions.map((e) => Date.parse(e.originalStart!)));
      for (const o of seriesOccurrences(master.timing, master.recurrence!, win)) {
        if (!replaced.has(Date.parse(o.originalStart))) out.push(shown(icsUid(master), master.subject, o));
      }
      for (const e of exceptions.filter((x) => !x.deleted)) out.push(shown(icsUid(master), e.subject, e.timing));
    }
    return out.sort((a, b) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid));
  }

  it('serves single, all-day and recurring appointments with exceptions that an independent parser expands to the hub’s occurrences', async () => {
    // A window that crosses a DST change in Zurich whatever the date (60 days back, 200 ahead).
    const setWindow = await t.gql(UpdateIcsWindowDocument, { icsWindow: { pastDays: 60, futureDays: 200 } }, key);
    expect(setWindow.data?.updateTenantSettings.icsWindow).toEqual({ pastDays: 60, futureDays: 200 });

    const zurich = DateTime.now().setZone('Europe/Zurich').startOf('week').plus({ weeks: 1 }).set({ hour: 9 });
    const single = await upsert({
      hostAppointmentId: 'single',
      userId,
      subject: 'Call with Bob',
      start: zurich.plus({ days: 2, hours: 5 }).toJSDate(),
      end: zurich.plus({ days: 2, hours: 6 }).toJSDate(),
      timeZone: 'America/New_York',
      body: { contentType: 'HTML', content: '<p>Agenda: <b>pricing</b></p>' },
      location: 'Room 4',
    });
    const allDay = await upsert({
      hostAppointmentId: 'offsite',
      userId,
      subject: 'Offsite',
      startDate: zurich.plus({ days: 3 }).toISODate()!,
      endDate: zurich.plus({ days: 5 }).toISODate()!,
    });
    const weekly = await upsert({
      hostAppointmentId: 'weekly',
      userId,
      subject: 'Team meeting',
      start: zurich.toJSDate(),
      end: zurich.plus({ hours: 1 }).toJSDate(),
      timeZone: 'Europe/Zurich',
      recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=26', exdates: [zurich.plus({ weeks: 2 }).toUTC().toISO()!] },
    });
    const moved = await addException(
      weekly,
      zurich.plus({ weeks: 1 }).toUTC().toISO()!,
      { allDay: false, start: zurich.plus({ weeks: 1, days: 1, hours: 2 }).toUTC().toISO()!, end: zurich.plus({ weeks: 1, days: 1, hours: 3 }).toUTC().toISO()!, timeZone: 'Europe/Zurich' },
      'Team meeting (moved)',
    );
    const cancelled = await addException(
      weekly,
      zurich.plus({ weeks: 3 }).toUTC().toISO()!,
      { allDay: false, start: zurich.plus({ weeks: 3 }).toUTC().toISO()!, end: zurich.plus({ weeks: 3, hours: 1 }).toUTC().toISO()!, timeZone: 'Europe/Zurich' },
      'Team meeting',
      true,
    );
    const allDaySeries = await upsert({
      hostAppointmentId: 'gym',
      userId,
      subject: 'Gym day',
      startDate: zurich.plus({ days: 4 }).toISODate()!,
      endDate: zurich.plus({ days: 5 }).toISODate()!,
      recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4', exdates: [zurich.plus({ days: 11 }).toISODate()!] },
    });
    const gone = await upsert({ hostAppointmentId: 'gone', userId, subject: 'Deleted', start: zurich.plus({ days: 1 }).toJSDate(), end: zurich.plus({ days: 1, hours: 1 }).toJSDate(), timeZone: 'UTC' });
    await t.hub.services.appointments.delete(caller, { id: gone.id });
    const later = await upsert({ hostAppointmentId: 'later', userId, subject: 'Next year', start: zurich.plus({ days: 300 }).toJSDate(), end: zurich.plus({ days: 300, hours: 1 }).toJSDate(), timeZone: 'UTC' });

    const created = await t.gql(CreateIcsFeedDocument, { userId }, key);
    expect(created.errors).toBeUndefined();
    const { url, feed } = created.data!.createIcsFeed;
    expect(url.startsWith(`${t.hub.publicUrl()}/ics/`)).toBe(true);
    expect(new URL(url).pathname).toMatch(/^\/ics\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(feed).toMatchObject({ tenantId, userId, user: { hostUserId: 'u-1' }, revokedAt: null, lastFetchedAt: null });

    const response = await fetch(local(url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT30M');
    expect(text).toContain('X-PUBLISHED-TTL:PT30M');

    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const window = { start: new Date(today - 60 * DAY_MS), end: new Date(today + 201 * DAY_MS) };
    const read = readIcs(text, window);
    const fresh = async (a: Appointment) => (await t.hub.services.appointments.get(caller, a.id));
    const expected = hubOccurrences(
      [await fresh(single), await fresh(allDay)],
      [
        { master: await fresh(weekly), exceptions: [moved, cancelled] },
        { master: await fresh(allDaySeries), exceptions: [] },
      ],
      window,
    );
    expect(read.occurrences).toEqual(expected);

    // What a user sees, spelled out.
    const team = read.occurrences.filter((o) => o.uid === icsUid(weekly));
    expect(team).toHaveLength(26 - 2); // one EXDATE, one deleted exception; the moved one stays
    expect(team.map((o) => o.start)).not.toContain(zurich.plus({ weeks: 2 }).toUTC().toISO());
    expect(team.map((o) => o.start)).not.toContain(zurich.plus({ weeks: 3 }).toUTC().toISO());
    expect(team).toContainEqual({ uid: icsUid(weekly), summary: 'Team meeting (moved)', start: moved.timing.allDay ? '' : moved.timing.start, end: moved.timing.allDay ? '' : moved.timing.end });
    // Every occurrence is at 09:00 in Zurich, on both sides of the DST change.
    expect(new Set(team.filter((o) => o.summary === 'Team meeting').map((o) => DateTime.fromISO(o.start).setZone('Europe/Zurich').toFormat('ccc HH:mm')))).toEqual(new Set(['Mon 09:00']));
    expect(new Set(team.map((o) => DateTime.fromISO(o.start).setZone('Europe/Zurich').offset))).toEqual(new Set([60, 120]));
    expect(read.occurrences.filter((o) => o.uid === icsUid(allDay))).toEqual([{ uid: icsUid(allDay), summary: 'Offsite', start: zurich.plus({ days: 3 }).toISODate(), end: zurich.plus({ days: 5 }).toISODate() }]);
    expect(read.occurrences.filter((o) => o.uid === icsUid(allDaySeries)).map((o) => o.start)).toEqual(
      [4, 18, 25].map((d) => zurich.plus({ days: d }).toISODate()),
    );
    const uids = new Set(read.occurrences.map((o) => o.uid));
    expect(uids.has(icsUid(gone))).toBe(false);
    expect(uids.has(icsUid(later))).toBe(false);

    // The file itself: DATE values, a VTIMEZONE for each zone used, stable UID, SEQUENCE, DTSTAMP.
    expect(text).toMatch(/DTSTART;VALUE=DATE:\d{8}\r\n/);
    const zones = read.calendar.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'));
    expect(zones.sort()).toEqual(['America/New_York', 'Europe/Zurich']);
    const vevent = read.calendar.getAllSubcomponents('vevent').find((v) => v.getFirstPropertyValue('uid') === icsUid(single))!;
    expect(vevent.getFirstPropertyValue('sequence')).toBe(single.version);
    expect(vevent.getFirstPropertyValue('dtstamp')).toBeTruthy();
    expect(vevent.getFirstPropertyValue('description')).toBe('Agenda: pricing');
    expect(vevent.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('America/New_York');
  });

  it('answers 304 while the feed is unchanged, and 200 with a new ETag after a change', async () => {
    const { url } = (await t.gql(CreateIcsFeedDocument, { userId }, key)).data!.createIcsFeed;
    const first = await fetch(local(url));
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(new Date(lastModified).toUTCString()).toBe(lastModified);

    const byTag = await fetch(local(url), { headers: { 'if-none-match': etag } });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get('etag')).toBe(etag);
    expect(await byTag.text()).toBe('');
    const byDate = await fetch(local(url), { headers: { 'if-modified-since': lastModified } });
    expect(byDate.status).toBe(304);
    const head = await fetch(local(url), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);

    await upsert({ hostAppointmentId: 'new-one', userId, subject: 'Fresh', start: new Date(Date.now() + 2 * DAY_MS), end: new Date(Date.now() + 2 * DAY_MS + 3_600_000), timeZone: 'UTC' });
    const changed = await fetch(local(url), { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.text()).toContain('SUMMARY:Fresh');
  });

  it('answers 404 with no hint to a replaced, revoked, unknown or malformed token', async () => {
    const first = (await t.gql(CreateIcsFeedDocument, { userId }, key)).data!.createIcsFeed.url;
    const second = (await t.gql(CreateIcsFeedDocument, { userId }, key)).data!.createIcsFeed.url;
    expect((await fetch(local(second))).status).toBe(200);
    const listed = await t.gql(IcsFeedsDocument, {}, key);
    expect(listed.data!.icsFeeds.totalCount).toBe(1);

    const revoked = await t.gql(RevokeIcsFeedDocument, { userId }, key);
    expect(revoked.data!.revokeIcsFeed.revokedAt).not.toBeNull();
    expect((await t.gql(IcsFeedsDocument, {}, key)).data!.icsFeeds.totalCount).toBe(0);

    const unknown = `${t.origin}/ics/${'A'.repeat(43)}.ics`;
    const answers = await Promise.all([first, second].map((u) => fetch(local(u))).concat([fetch(unknown), fetch(`${t.origin}/ics/nope.ics`), fetch(`${t.origin}/ics/${'A'.repeat(43)}`)]));
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(await answer.text()).toBe('Not found');
      expect(answer.headers.get('etag')).toBeNull();
    }
    expect(onlyError(await t.gql(RevokeIcsFeedDocument, { userId }, key)).extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses bad input with typed errors and writes nothing', async () => {
    expect(onlyError(await t.gql(CreateIcsFeedDocument, { userId: 'usr_nope' }, key)).extensions?.code).toBe('NOT_FOUND');
    // Another tenant's user reads as unknown.
    expect(onlyError(await t.gql(CreateIcsFeedDocument, { userId }, otherKey)).extensions?.code).toBe('NOT_FOUND');
    expect(onlyError(await t.gql(CreateIcsFeedDocument, { userId }, admin)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    expect(onlyError(await t.gql(CreateIcsFeedDocument, { userId }, null)).extensions?.code).toBe('UNAUTHENTICATED');
    expect(onlyError(await t.gql(UpdateIcsWindowDocument, { icsWindow: { pastDays: 1000 } }, key)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'icsWindow.pastDays' });
    expect((await t.gql(IcsFeedsDocument, {}, otherKey)).data!.icsFeeds.totalCount).toBe(0);
    // An admin names the tenant.
    const asAdmin = await t.gql(CreateIcsFeedDocument, { userId, tenantId }, admin);
    expect(asAdmin.data?.createIcsFeed.feed.userId).toBe(userId);
  });
});
