import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, authorize, calendarClient, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

let env: GoogleTestEnv;
let cal: calendar_v3.Calendar;

beforeAll(async () => {
  env = await startGoogleTestEmulator({ seed: false });
  env.google.control.createAccount({ email: 'series@example.com', timeZone: 'Europe/Berlin' });
  const { client } = await authorize(env, { email: 'series@example.com', scopes: [SCOPES.calendar] });
  cal = calendarClient(env, client);
});
afterAll(async () => {
  await env.close();
});

const berlin = (date: string, time: string) => ({ dateTime: `${date}T${time}:00`, timeZone: 'Europe/Berlin' });

async function weeklySeries(summary: string): Promise<calendar_v3.Schema$Event> {
  // Mondays from 2031-03-17; Europe/Berlin moves to summer time on Sunday 2031-03-30.
  const { data } = await cal.events.insert({
    calendarId: 'primary',
    requestBody: { summary, start: berlin('2031-03-17', '09:00'), end: berlin('2031-03-17', '10:00'), recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO'] },
  });
  return data;
}

const window = { timeMin: '2031-03-01T00:00:00Z', timeMax: '2031-05-01T00:00:00Z' };

describe('Google Calendar: recurring events', () => {
  it('expands a series at the same wall-clock time across DST, with {master}_{UTC start} instance ids', async () => {
    const master = await weeklySeries('Weekly');
    const { data } = await cal.events.list({ calendarId: 'primary', singleEvents: true, orderBy: 'startTime', ...window });
    const instances = data.items?.filter((e) => e.recurringEventId === master.id) ?? [];
    expect(instances.map((e) => e.id)).toEqual([
      `${master.id}_20310317T080000Z`,
      `${master.id}_20310324T080000Z`,
      `${master.id}_20310331T070000Z`,
      `${master.id}_20310407T070000Z`,
    ]);
    expect(instances.map((e) => e.start?.dateTime)).toEqual(['2031-03-17T09:00:00+01:00', '2031-03-24T09:00:00+01:00', '2031-03-31T09:00:00+02:00', '2031-04-07T09:00:00+02:00']);
    expect(instances[2]).toMatchObject({ originalStartTime: { dateTime: '2031-03-31T09:00:00+02:00', timeZone: 'Europe/Berlin' }, iCalUID: master.iCalUID });
    expect(instances.every((e) => e.recurrence === undefined)).toBe(true);
  });

  // events.insert `id`: base32hex, 5–1024 characters; an instance id adds `_<original start>`.
  it('addresses the instances of a series with a 1024-character id', async () => {
    const id = 'a'.repeat(1024);
    await cal.events.insert({ calendarId: 'primary', requestBody: { id, summary: 'Long id', start: berlin('2031-03-17', '09:00'), end: berlin('2031-03-17', '10:00'), recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'] } });
    const { data } = await cal.events.get({ calendarId: 'primary', eventId: `${id}_20310324T080000Z` });
    expect(data).toMatchObject({ recurringEventId: id, originalStartTime: { dateTime: '2031-03-24T09:00:00+01:00' } });
  });

  it('requires a time zone on recurring timed events and refuses bad rules', async () => {
    expect(
      await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { start: { dateTime: '2031-03-17T09:00:00+01:00' }, end: { dateTime: '2031-03-17T10:00:00+01:00' }, recurrence: ['RRULE:FREQ=DAILY'] } })),
    ).toMatchObject({ status: 400, message: 'Missing time zone definition for start time.' });
    expect(
      await apiError(cal.events.insert({ calendarId: 'primary', requestBody: { start: berlin('2031-03-17', '09:00'), end: berlin('2031-03-17', '10:00'), recurrence: ['RRULE:FREQ=SOMETIMES'] } })),
    ).toMatchObject({ status: 400, reason: 'invalid', message: 'Invalid recurrence rule.' });
  });

  it('turns a patched instance into an exception and a deleted instance into a cancelled exception', async () => {
    const master = await weeklySeries('Exceptions');
    const second = `${master.id}_20310324T080000Z`;
    const third = `${master.id}_20310331T070000Z`;
    const patched = await cal.events.patch({ calendarId: 'primary', eventId: second, requestBody: { summary: 'Moved', start: berlin('2031-03-25', '14:00'), end: berlin('2031-03-25', '15:00') } });
    expect(patched.data).toMatchObject({ id: second, recurringEventId: master.id, originalStartTime: { dateTime: '2031-03-24T09:00:00+01:00' }, summary: 'Moved' });
    expect((await cal.events.delete({ calendarId: 'primary', eventId: third })).status).toBe(204);

    const masters = await cal.events.list({ calendarId: 'primary', ...window });
    const ours = masters.data.items?.filter((e) => e.id === master.id || e.recurringEventId === master.id) ?? [];
    expect(ours.map((e) => [e.id, e.status]).sort()).toEqual(
      [
        [master.id, 'confirmed'],
        [second, 'confirmed'],
        [third, 'cancelled'],
      ].sort(),
    );
    expect(ours.find((e) => e.id === third)).toMatchObject({ recurringEventId: master.id, originalStartTime: { dateTime: '2031-03-31T09:00:00+02:00' } });

    const expanded = await cal.events.list({ calendarId: 'primary', singleEvents: true, orderBy: 'startTime', ...window });
    const mine = expanded.data.items?.filter((e) => e.recurringEventId === master.id) ?? [];
    expect(mine.map((e) => e.summary)).toEqual(['Exceptions', 'Moved', 'Exceptions']);
    expect(mine.some((e) => e.id === third)).toBe(false);

    expect((await cal.events.get({ calendarId: 'primary', eventId: third })).data.status).toBe('cancelled');
    expect(await apiError(cal.events.delete({ calendarId: 'primary', eventId: third }, { retry: false }))).toMatchObject({ status: 410 });
    const master2 = await cal.events.get({ calendarId: 'primary', eventId: master.id ?? '' });
    expect(master2.data.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO']);
  });

  it('lists instances of one series, optionally at one original start', async () => {
    const master = await weeklySeries('Instances');
    await cal.events.patch({ calendarId: 'primary', eventId: `${master.id}_20310407T070000Z`, requestBody: { summary: 'Last one' } });
    const { data } = await cal.events.instances({ calendarId: 'primary', eventId: master.id ?? '' });
    expect(data.items?.map((e) => e.summary)).toEqual(['Instances', 'Instances', 'Instances', 'Last one']);
    const one = await cal.events.instances({ calendarId: 'primary', eventId: master.id ?? '', originalStart: '2031-03-24T09:00:00+01:00' });
    expect(one.data.items?.map((e) => e.id)).toEqual([`${master.id}_20310324T080000Z`]);
    expect(await apiError(cal.events.get({ calendarId: 'primary', eventId: `${master.id}_20310325T080000Z` }, { retry: false }))).toMatchObject({ status: 404 });
  });

  it('applies EXDATE and uses date instance ids for all-day series', async () => {
    const { data: master } = await cal.events.insert({
      calendarId: 'primary',
      requestBody: { summary: 'Daily all-day', start: { date: '2031-04-20' }, end: { date: '2031-04-21' }, recurrence: ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE;VALUE=DATE:20310421'] },
    });
    const { data } = await cal.events.instances({ calendarId: 'primary', eventId: master.id ?? '' });
    expect(data.items?.map((e) => [e.id, e.start?.date, e.end?.date])).toEqual([
      [`${master.id}_20310420`, '2031-04-20', '2031-04-21'],
      [`${master.id}_20310422`, '2031-04-22', '2031-04-23'],
    ]);
  });

  it('deletes a whole series: the master and its exceptions come back cancelled in the next sync', async () => {
    const master = await weeklySeries('Doomed');
    await cal.events.patch({ calendarId: 'primary', eventId: `${master.id}_20310317T080000Z`, requestBody: { summary: 'Doomed too' } });
    let pageToken: string | undefined;
    let syncToken = '';
    do {
      const { data } = await cal.events.list({ calendarId: 'primary', ...(pageToken ? { pageToken } : {}) });
      pageToken = data.nextPageToken ?? undefined;
      syncToken = data.nextSyncToken ?? syncToken;
    } while (pageToken);
    await cal.events.delete({ calendarId: 'primary', eventId: master.id ?? '' });
    const delta = await cal.events.list({ calendarId: 'primary', syncToken });
    expect(delta.data.items?.map((e) => [e.id, e.status]).sort()).toEqual(
      [
        [master.id, 'cancelled'],
        [`${master.id}_20310317T080000Z`, 'cancelled'],
      ].sort(),
    );
    const expanded = await cal.events.list({ calendarId: 'primary', singleEvents: true, ...window });
    expect(expanded.data.items?.some((e) => e.recurringEventId === master.id)).toBe(false);
  });

  it('reports every instance of a changed series to a singleEvents sync', async () => {
    const { data: first } = await cal.events.list({ calendarId: 'primary', singleEvents: true });
    let syncToken = first.nextSyncToken ?? '';
    let page = first;
    while (page.nextPageToken) {
      page = (await cal.events.list({ calendarId: 'primary', singleEvents: true, pageToken: page.nextPageToken })).data;
      syncToken = page.nextSyncToken ?? syncToken;
    }
    const master = await weeklySeries('Synced series');
    const delta = await cal.events.list({ calendarId: 'primary', singleEvents: true, syncToken });
    expect(delta.data.items?.map((e) => e.id)).toHaveLength(4);
    expect(delta.data.items?.every((e) => e.recurringEventId === master.id)).toBe(true);
  });
});
