import { HOLIDAYS_CALENDAR_ID } from '@calendar-sync-hub/emulators';
import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountByEmail, apiError, authorize, calendarClient, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

let env: GoogleTestEnv;
let cal: calendar_v3.Calendar;
let aliceId: string;

beforeAll(async () => {
  env = await startGoogleTestEmulator();
  const { client } = await authorize(env, { email: 'alice@example.com', scopes: [SCOPES.calendar] });
  cal = calendarClient(env, client);
  aliceId = accountByEmail(env, 'alice@example.com').id;
});
afterAll(async () => {
  await env.close();
});

const hour = (h: number, day = 10) => ({ dateTime: `2030-06-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00+02:00` });
let n = 0;
/** A fresh valid client-side id (base32hex). */
const newId = () => `hub${Date.now().toString(32)}${(n++).toString(32)}`.replace(/[w-z]/g, 'a');

describe('Google Calendar: calendarList', () => {
  it('lists the primary calendar, a second calendar and a read-only holidays calendar', async () => {
    const { data } = await cal.calendarList.list();
    expect(data.kind).toBe('calendar#calendarList');
    const primary = data.items?.find((c) => c.primary);
    expect(primary).toMatchObject({ id: 'alice@example.com', accessRole: 'owner', timeZone: 'Europe/Berlin' });
    expect(data.items?.filter((c) => c.accessRole === 'owner')).toHaveLength(2);
    expect(data.items?.find((c) => c.id === HOLIDAYS_CALENDAR_ID)).toMatchObject({ accessRole: 'reader' });
    expect(data.nextSyncToken).toBeTruthy();
  });

  it('pages with maxResults, filters by minAccessRole and gives nextSyncToken only on the last page', async () => {
    const first = await cal.calendarList.list({ maxResults: 2 });
    expect(first.data.items).toHaveLength(2);
    expect(first.data.nextPageToken).toBeTruthy();
    expect(first.data.nextSyncToken).toBeUndefined();
    const second = await cal.calendarList.list({ maxResults: 2, pageToken: first.data.nextPageToken ?? '' });
    expect(second.data.items).toHaveLength(1);
    expect(second.data.nextSyncToken).toBeTruthy();
    const writers = await cal.calendarList.list({ minAccessRole: 'writer' });
    expect(writers.data.items?.map((c) => c.accessRole)).toEqual(['owner', 'owner']);
  });

  it('reports only changed entries with a syncToken, and refuses minAccessRole with it', async () => {
    const { data } = await cal.calendarList.list();
    const created = env.google.control.createCalendar(aliceId, { summary: 'Side project' });
    const delta = await cal.calendarList.list({ syncToken: data.nextSyncToken ?? '' });
    expect(delta.data.items?.map((c) => c.id)).toEqual([created.id]);
    env.google.control.removeCalendar(aliceId, String(created.id));
    const gone = await cal.calendarList.list({ syncToken: delta.data.nextSyncToken ?? '' });
    expect(gone.data.items).toEqual([expect.objectContaining({ id: created.id, deleted: true })]);
    expect((await apiError(cal.calendarList.list({ syncToken: data.nextSyncToken ?? '', minAccessRole: 'owner' }))).status).toBe(400);
  });

  it('refuses calendarList.list to a token holding only calendar.events, which can still list events', async () => {
    const { client } = await authorize(env, { email: 'alice@example.com', scopes: [SCOPES.events] });
    const narrow = calendarClient(env, client);
    expect(await apiError(narrow.calendarList.list())).toMatchObject({ status: 403, reason: 'insufficientPermissions' });
    const events = await narrow.events.list({ calendarId: 'primary' });
    expect(events.status).toBe(200);
  });

  it('answers 401 authError without a valid token', async () => {
    const res = await fetch(`${env.google.origin}/calendar/v3/users/me/calendarList`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 401, errors: [{ reason: 'authError', domain: 'global' }] } });
  });
});

describe('Google Calendar: events CRUD', () => {
  it('inserts with a client-supplied id and answers 200, refusing ids outside base32hex', async () => {
    const id = newId();
    const res = await cal.events.insert({ calendarId: 'primary', requestBody: { id, summary: 'Hub event', start: hour(9), end: hour(10) } });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ kind: 'calendar#event', id, status: 'confirmed', summary: 'Hub event', iCalUID: `${id}@google.com`, sequence: 0 });
    expect(res.data.etag).toMatch(/^"\d+"$/);
    expect(res.data.start).toEqual({ dateTime: '2030-06-10T09:00:00+02:00' });
    for (const bad of ['UPPERCASE1', 'abcd', 'has-hyphen-123', 'wxyz12345']) {
      expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { id: bad, start: hour(9), end: hour(10) } }))).toMatchObject({
        status: 400,
        reason: 'invalid',
        message: 'Invalid resource id value.',
      });
    }
  });

  it('keeps deleted ids: 409 on re-insert, 410 on a second delete, and GET shows the event cancelled', async () => {
    const id = newId();
    await cal.events.insert({ calendarId: 'primary', requestBody: { id, summary: 'Short-lived', start: hour(11), end: hour(12) } });
    expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { id, start: hour(11), end: hour(12) } }))).toMatchObject({ status: 409, reason: 'duplicate' });
    const del = await cal.events.delete({ calendarId: 'primary', eventId: id });
    expect(del.status).toBe(204);
    expect((await cal.events.get({ calendarId: 'primary', eventId: id })).data.status).toBe('cancelled');
    expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { id, start: hour(11), end: hour(12) } }))).toMatchObject({ status: 409, reason: 'duplicate' });
    expect(await apiError(cal.events.delete({ calendarId: 'primary', eventId: id }, { retry: false }))).toMatchObject({ status: 410, reason: 'deleted' });
    expect(await apiError(cal.events.get({ calendarId: 'primary', eventId: 'unknown12345' }, { retry: false }))).toMatchObject({ status: 404, reason: 'notFound' });
    // Restoring a cancelled id is an update with status confirmed.
    const restored = await cal.events.update({ calendarId: 'primary', eventId: id, requestBody: { status: 'confirmed', summary: 'Back', start: hour(11), end: hour(12) } });
    expect(restored.data.status).toBe('confirmed');
  });

  it('replaces the whole event on update but merges on patch', async () => {
    const { data: ev } = await cal.events.insert({
      calendarId: 'primary',
      requestBody: {
        summary: 'Planning',
        description: 'Notes',
        location: 'Room 1',
        start: hour(13),
        end: hour(14),
        attendees: [{ email: 'x@example.com' }, { email: 'y@example.com' }],
        extendedProperties: { private: { hubId: 'a1', keep: 'yes' } },
      },
    });
    const patched = await cal.events.patch({
      calendarId: 'primary',
      eventId: ev.id ?? '',
      requestBody: { summary: 'Planning v2', attendees: [{ email: 'z@example.com' }], extendedProperties: { private: { hubId: null as unknown as string } } },
    });
    expect(patched.data).toMatchObject({ summary: 'Planning v2', description: 'Notes', location: 'Room 1' });
    expect(patched.data.attendees?.map((a) => a.email)).toEqual(['z@example.com']);
    expect(patched.data.extendedProperties?.private).toEqual({ keep: 'yes' });

    const updated = await cal.events.update({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { summary: 'Planning v3', start: hour(13), end: hour(15) } });
    expect(updated.data.summary).toBe('Planning v3');
    expect(updated.data.description).toBeUndefined();
    expect(updated.data.location).toBeUndefined();
    expect(updated.data.attendees).toBeUndefined();
    expect(updated.data.extendedProperties).toBeUndefined();
    expect(updated.data.sequence).toBe(1);
    expect(await apiError(cal.events.update({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { summary: 'no times' } }, { retry: false }))).toMatchObject({
      status: 400,
      reason: 'required',
    });
  });

  it('finds an event by its private extended property', async () => {
    const tag = `tag${Date.now()}`;
    const { data: tagged } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Tagged', start: hour(8, 12), end: hour(9, 12), extendedProperties: { private: { hub: tag, kind: 'appt' } } } });
    await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Half tagged', start: hour(8, 12), end: hour(9, 12), extendedProperties: { private: { hub: 'other', kind: 'appt' } } } });
    const one = await cal.events.list({ calendarId: 'primary', privateExtendedProperty: [`hub=${tag}`] });
    expect(one.data.items?.map((e) => e.id)).toEqual([tagged.id]);
    const both = await cal.events.list({ calendarId: 'primary', privateExtendedProperty: [`hub=${tag}`, 'kind=appt'] });
    expect(both.data.items?.map((e) => e.id)).toEqual([tagged.id]);
    env.google.control.updateSettings({ extendedPropertyMatch: 'any' });
    const any = await cal.events.list({ calendarId: 'primary', privateExtendedProperty: [`hub=${tag}`, 'kind=appt'] });
    expect(any.data.items?.length).toBeGreaterThanOrEqual(2);
    env.google.control.updateSettings({ extendedPropertyMatch: 'all' });
  });

  it('answers 412 to a stale If-Match and 304 to a current If-None-Match', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Etag', start: hour(16), end: hour(17) } });
    const changed = await cal.events.patch({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { summary: 'Etag 2' } }, { headers: { 'If-Match': ev.etag ?? '' } });
    expect(changed.data.etag).not.toBe(ev.etag);
    expect(await apiError(cal.events.patch({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { summary: 'Etag 3' } }, { headers: { 'If-Match': ev.etag ?? '' } }))).toMatchObject({
      status: 412,
      reason: 'conditionNotMet',
    });
    expect(await apiError(cal.events.delete({ calendarId: 'primary', eventId: ev.id ?? '' }, { headers: { 'If-Match': ev.etag ?? '' }, retry: false }))).toMatchObject({ status: 412 });
    const notModified = await cal.events.get({ calendarId: 'primary', eventId: ev.id ?? '' }, { headers: { 'If-None-Match': changed.data.etag ?? '' } });
    expect(notModified.status).toBe(304);
  });

  it('changes the etag but not `updated` when only reminders change', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Reminders', start: hour(18), end: hour(19) } });
    env.core.clock.advance(60_000);
    const r = await cal.events.patch({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 5 }] } } });
    expect(r.data.etag).not.toBe(ev.etag);
    expect(r.data.updated).toBe(ev.updated);
    const s = await cal.events.patch({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { summary: 'Reminders!' } });
    expect(Date.parse(s.data.updated ?? '')).toBeGreaterThan(Date.parse(ev.updated ?? ''));
    env.core.clock.reset();
  });

  it('refuses a stale sequence with 400 Invalid sequence value', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Seq', start: hour(7), end: hour(8) } });
    const moved = await cal.events.patch({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { start: hour(7, 11), end: hour(8, 11) } });
    expect(moved.data.sequence).toBe(1);
    const err = await apiError(cal.events.update({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { sequence: 0, start: hour(7), end: hour(8) } }, { retry: false }));
    expect(err).toMatchObject({ status: 400, reason: 'invalid' });
    expect(err.message).toMatch(/^Invalid sequence value/);
  });

  it('refuses writes to a read-only calendar with 403 requiredAccessLevel', async () => {
    expect(await apiError(cal.events.insert({ calendarId: HOLIDAYS_CALENDAR_ID, requestBody: { start: hour(9), end: hour(10) } }))).toMatchObject({ status: 403, reason: 'requiredAccessLevel' });
    const holidays = await cal.events.list({ calendarId: HOLIDAYS_CALENDAR_ID });
    expect(holidays.data.accessRole).toBe('reader');
    expect(holidays.data.items?.some((e) => e.summary === 'Christmas Day')).toBe(true);
  });

  it('validates times: missing zone, end before start, empty query range, startTime ordering', async () => {
    expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { start: { dateTime: '2030-01-01T10:00:00' }, end: hour(10) } }))).toMatchObject({
      status: 400,
      message: 'Missing time zone definition for start time.',
    });
    expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { start: hour(10), end: hour(9) } }))).toMatchObject({ status: 400, reason: 'timeRangeEmpty' });
    expect(
      await apiError(cal.events.list({ calendarId: 'primary', timeMin: '2030-01-02T00:00:00Z', timeMax: '2030-01-01T00:00:00Z' }, { retry: false })),
    ).toMatchObject({ status: 400, reason: 'timeRangeEmpty' });
    expect(await apiError(cal.events.list({ calendarId: 'primary', orderBy: 'startTime' }, { retry: false }))).toMatchObject({ status: 400 });
    const malformed = await fetch(`${env.google.origin}/calendar/v3/calendars/primary/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String((cal.context._options.auth as { credentials: { access_token: string } }).credentials.access_token)}`, 'content-type': 'application/json' },
      body: '{"summary": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 400, errors: [{ reason: 'parseError' }] } });
  });

  it('filters by time (timeMin on end, timeMax on start, both exclusive) and renders in the timeZone parameter', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Window', start: hour(10, 20), end: hour(11, 20) } });
    const at = (h: number) => `2030-06-20T${String(h - 2).padStart(2, '0')}:00:00Z`;
    const ids = async (timeMin: string, timeMax: string) => (await cal.events.list({ calendarId: 'primary', timeMin, timeMax })).data.items?.map((e) => e.id) ?? [];
    expect(await ids(at(11), at(12))).not.toContain(ev.id);
    expect(await ids(at(9), at(10))).not.toContain(ev.id);
    expect(await ids(at(10), at(11))).toContain(ev.id);
    const tokyo = await cal.events.get({ calendarId: 'primary', eventId: ev.id ?? '', timeZone: 'Asia/Tokyo' });
    expect(tokyo.data.start?.dateTime).toBe('2030-06-20T17:00:00+09:00');
  });

  it('lists the seeded working-location and out-of-office events unless eventTypes restricts the types', async () => {
    const all = await cal.events.list({ calendarId: 'primary', maxResults: 2500 });
    const types = new Set(all.data.items?.map((e) => e.eventType));
    expect(types).toEqual(new Set(['default', 'workingLocation', 'outOfOffice']));
    const defaults = await cal.events.list({ calendarId: 'primary', eventTypes: ['default'], maxResults: 2500 });
    expect(new Set(defaults.data.items?.map((e) => e.eventType))).toEqual(new Set(['default']));
  });

  it('filters by iCalUID, updatedMin and free text', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Quarterly review', description: 'Budget numbers', start: hour(9, 25), end: hour(10, 25) } });
    expect((await cal.events.list({ calendarId: 'primary', iCalUID: ev.iCalUID ?? '' })).data.items?.map((e) => e.id)).toEqual([ev.id]);
    expect((await cal.events.list({ calendarId: 'primary', q: 'budget QUARTERLY' })).data.items?.map((e) => e.id)).toEqual([ev.id]);
    const later = new Date(Date.parse(ev.updated ?? '') + 1000).toISOString();
    expect((await cal.events.list({ calendarId: 'primary', updatedMin: later })).data.items?.map((e) => e.id)).not.toContain(ev.id);
  });

  it('answers malformed bodies and parameters with Google 400 errors, never a crash', async () => {
    const token = String((cal.context._options.auth as { credentials: { access_token: string } }).credentials.access_token);
    const send = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${env.google.origin}/calendar/v3${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as { error?: { code: number; errors: { reason: string }[] } } };
    };
    const cases: [string, string, unknown][] = [
      ['POST', '/calendars/primary/events', []],
      ['POST', '/calendars/primary/events', 'text'],
      ['POST', '/calendars/primary/events', { start: 'tomorrow', end: hour(10) }],
      ['POST', '/calendars/primary/events', { start: { date: '2030-02-30' }, end: { date: '2030-03-01' } }],
      ['POST', '/calendars/primary/events', { start: hour(9), end: hour(10), attendees: 'everyone' }],
      ['POST', '/calendars/primary/events', { start: hour(9), end: hour(10), attendees: [{ displayName: 'no email' }] }],
      ['POST', '/calendars/primary/events', { start: hour(9), end: hour(10), recurrence: 'RRULE:FREQ=DAILY' }],
      ['POST', '/calendars/primary/events', { start: hour(9), end: hour(10), reminders: { useDefault: true, overrides: [{ method: 'popup', minutes: 5 }] } }],
      ['POST', '/calendars/primary/events', { start: hour(9), end: hour(10), extendedProperties: { private: { a: 1 } } }],
      ['POST', '/calendars/primary/events', { start: { dateTime: '2030-06-10T09:00:00', timeZone: 'Mars/Olympus' }, end: hour(10) }],
      ['POST', '/calendars/primary/events', { start: hour(9), end: hour(10), eventType: 'birthday' }],
      ['GET', '/calendars/primary/events?maxResults=0', undefined],
      ['GET', '/calendars/primary/events?singleEvents=maybe', undefined],
      ['GET', '/calendars/primary/events?timeMin=yesterday', undefined],
      ['GET', '/calendars/primary/events?pageToken=garbage', undefined],
      ['GET', '/calendars/primary/events?timeZone=Nowhere/City', undefined],
      ['POST', '/calendars/primary/events/watch', { type: 'web_hook' }],
      ['POST', '/freeBusy', { items: [] }],
    ];
    for (const [method, path, body] of cases) {
      const res = await send(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.error?.code).toBe(400);
      expect(res.body.error?.errors[0]?.reason).toMatch(/^(invalid|required|badRequest|invalidParameter|parseError|timeRangeEmpty)$/);
    }
  });

  it('drops extended-property keys over 44 characters and refuses values over 1024 (switchable)', async () => {
    const long = 'k'.repeat(45);
    const { data } = await cal.events.insert({ calendarId: 'primary', requestBody: { start: hour(9, 26), end: hour(10, 26), extendedProperties: { private: { [long]: 'x', ok: 'y' } } } });
    expect(data.extendedProperties?.private).toEqual({ ok: 'y' });
    expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { start: hour(9, 26), end: hour(10, 26), extendedProperties: { private: { v: 'x'.repeat(1025) } } } }))).toMatchObject({ status: 400 });
    env.google.control.updateSettings({ enforceExtendedPropertyLimits: false });
    const loose = await cal.events.insert({ calendarId: 'primary', requestBody: { start: hour(9, 26), end: hour(10, 26), extendedProperties: { private: { [long]: 'x' } } } });
    expect(loose.data.extendedProperties?.private).toEqual({ [long]: 'x' });
    env.google.control.updateSettings({ enforceExtendedPropertyLimits: true });
  });

  it('can refuse restoring a deleted id (403) and can list deleted events in full', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'Gone', start: hour(9, 27), end: hour(10, 27) } });
    await cal.events.delete({ calendarId: 'primary', eventId: ev.id ?? '' });
    const minimal = await cal.events.list({ calendarId: 'primary', showDeleted: true, iCalUID: ev.iCalUID ?? '' });
    expect(minimal.data.items?.[0]).toEqual({ kind: 'calendar#event', etag: expect.any(String), id: ev.id, status: 'cancelled' });
    env.google.control.updateSettings({ minimalCancelledEventsInLists: false, allowRestoreOfDeletedEvents: false });
    try {
      const full = await cal.events.list({ calendarId: 'primary', showDeleted: true, iCalUID: ev.iCalUID ?? '' });
      expect(full.data.items?.[0]).toMatchObject({ id: ev.id, status: 'cancelled', summary: 'Gone' });
      expect(await apiError(cal.events.update({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { status: 'confirmed', start: hour(9, 27), end: hour(10, 27) } }, { retry: false }))).toMatchObject({
        status: 403,
      });
    } finally {
      env.google.control.updateSettings({ minimalCancelledEventsInLists: true, allowRestoreOfDeletedEvents: true });
    }
  });

  it('answers freeBusy with merged busy blocks of opaque events and calendars.get with the zone', async () => {
    await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'busy 1', start: hour(9, 28), end: hour(10, 28) } });
    await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'busy 2', start: hour(10, 28), end: hour(11, 28) } });
    await cal.events.insert({ calendarId: 'primary', requestBody: { summary: 'free', transparency: 'transparent', start: hour(13, 28), end: hour(14, 28) } });
    const { data } = await cal.freebusy.query({
      requestBody: { timeMin: '2030-06-28T00:00:00Z', timeMax: '2030-06-29T00:00:00Z', items: [{ id: 'primary' }, { id: 'nobody@example.com' }] },
    });
    expect(data.calendars?.primary?.busy).toEqual([{ start: '2030-06-28T07:00:00Z', end: '2030-06-28T09:00:00Z' }]);
    expect(data.calendars?.['nobody@example.com']?.errors?.[0]?.reason).toBe('notFound');
    expect((await cal.calendars.get({ calendarId: 'primary' })).data).toMatchObject({ id: 'alice@example.com', timeZone: 'Europe/Berlin' });
  });
});
