import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventData } from '../../../../src/domain/appointment.js';
import { asProviderCalendarId, type ExternalEvent } from '../../../../src/providers/calendar-provider.js';
import { isGoogleEventMappingError } from '../../../../src/providers/google-calendar/google-calendar.errors.js';
import {
  HUB_OWNER_FILTER,
  formatRecurrenceLines,
  isUnmodifiedInstance,
  parseRecurrenceLines,
  toEventChange,
  toEventData,
  toExternalEvent,
  toGoogleInsert,
  toGoogleUpdate,
  toProviderCalendar,
  type GoogleCalendarListEntry,
  type GoogleEvent,
} from '../../../../src/providers/google-calendar/google-calendar.mapper.js';

const fixture = <T = GoogleEvent>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
const calendarId = asProviderCalendarId('alice@example.com');
const ctx = { calendarId, calendarTimeZone: 'Europe/Zurich' };

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('google calendar mapper: reading events', () => {
  it('reads every synced field of a timed event, with times as UTC instants in the event zone', () => {
    const event = toExternalEvent(fixture('event-single-timed'), ctx);
    expect(event).toEqual({
      id: 'hub0a1b2c3d4e5f',
      calendarId,
      kind: 'SINGLE',
      iCalUid: 'hub0a1b2c3d4e5f@google.com',
      version: '"3456789012345678"',
      seriesMasterId: null,
      originalStart: null,
      hubTag: 'map_01JZEXAMPLE0000000000001',
      updatedAt: '2026-01-12T09:30:01.123Z',
      unsupportedReason: null,
      data: {
        subject: 'Quarterly review',
        body: {
          contentType: 'HTML',
          content: '<p>Agenda:</p><ul><li>numbers</li></ul><a href="https://crm.example.com/leads/42">Open in CRM</a>',
        },
        timing: { allDay: false, start: '2026-07-14T08:00:00.000Z', end: '2026-07-14T09:30:00.000Z', timeZone: 'Europe/Zurich' },
        location: 'Room 4.12, Bahnhofstrasse 1, Zürich',
        attendees: [
          { email: 'alice@example.com', name: 'Alice Example', optional: false, resource: false, response: 'ORGANIZER', hostUserId: null },
          { email: 'bob@example.org', name: 'Bob Guest', optional: true, resource: false, response: 'TENTATIVE', hostUserId: null },
          { email: 'carol@example.org', name: null, optional: false, resource: false, response: 'DECLINED', hostUserId: null },
          { email: 'dave@example.org', name: null, optional: false, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
          { email: 'c_188abc1234@resource.calendar.google.com', name: 'Room 4.12', optional: false, resource: true, response: 'ACCEPTED', hostUserId: null },
        ],
        reminders: [
          { minutesBefore: 10, method: 'POPUP' },
          { minutesBefore: 1440, method: 'EMAIL' },
        ],
        recurrence: null,
        showAs: 'BUSY',
        sensitivity: 'PRIVATE',
      },
    });
  });

  it('keeps an all-day event on its dates with the exclusive end, plain-text body and default reminders', () => {
    const data = toEventData(fixture('event-all-day'), 'Europe/Zurich');
    expect(data.timing).toEqual({ allDay: true, startDate: '2026-03-03', endDate: '2026-03-05', timeZone: null });
    expect(data.body).toEqual({ contentType: 'TEXT', content: 'Booth 7\nBring flyers' });
    expect(data.reminders).toBeNull();
    expect(data.showAs).toBe('FREE');
    expect(data.sensitivity).toBe('NORMAL');
  });

  it('turns absent and empty fields into null, and takes the calendar zone for an offset-only time across the DST change', () => {
    const event = toExternalEvent(fixture('event-minimal'), ctx);
    expect(event.data).toEqual({
      subject: null,
      body: null,
      // 01:30 CEST and 02:30 CET on the night the clocks go back: two hours apart.
      timing: { allDay: false, start: '2026-10-24T23:30:00.000Z', end: '2026-10-25T01:30:00.000Z', timeZone: 'Europe/Zurich' },
      location: null,
      attendees: [],
      reminders: null,
      recurrence: null,
      showAs: 'BUSY',
      sensitivity: 'NORMAL',
    });
    expect(event.hubTag).toBeNull();
    expect(toEventData(fixture('event-minimal'), null).timing).toMatchObject({ timeZone: 'UTC' });
  });

  it('reads a series master with its rule and EXDATE/RDATE in the master zone as instants on both sides of DST', () => {
    const event = toExternalEvent(fixture('event-recurring-master'), ctx);
    expect(event.kind).toBe('SERIES_MASTER');
    expect(event.data.timing).toEqual({ allDay: false, start: '2026-03-16T08:30:00.000Z', end: '2026-03-16T09:00:00.000Z', timeZone: 'Europe/Zurich' });
    expect(event.data.recurrence).toEqual({
      rrule: 'FREQ=WEEKLY;UNTIL=20260504T215959Z;BYDAY=MO;WKST=SU',
      // 23 March is still CET (UTC+1); 30 March is CEST (UTC+2).
      exdates: ['2026-03-23T08:30:00.000Z', '2026-03-30T07:30:00.000Z'],
      rdates: ['2026-04-09T07:30:00.000Z'],
    });
  });

  it('reads date exceptions of an all-day series as dates', () => {
    const data = toEventData(fixture('event-recurring-all-day-master'), 'Europe/Zurich');
    expect(data.recurrence).toEqual({ rrule: 'FREQ=MONTHLY;COUNT=12;BYMONTHDAY=-1', exdates: ['2026-04-30', '2026-06-30'], rdates: [] });
    expect(data.reminders).toEqual([]);
  });

  it('reads a modified occurrence as an exception of its series with the original start', () => {
    const event = toExternalEvent(fixture('event-modified-exception'), ctx);
    expect(event).toMatchObject({
      kind: 'EXCEPTION',
      seriesMasterId: '7sg3bq1ck0ld4hb1tfl2u3i8vo',
      originalStart: '2026-04-06T07:30:00.000Z',
      data: { subject: 'Weekly team sync (moved)', recurrence: null, timing: { start: '2026-04-06T09:00:00.000Z' } },
    });
  });

  it('reads a cancelled occurrence as a deletion naming its series and original start', () => {
    expect(toEventChange(fixture('event-cancelled-exception'), ctx)).toEqual({
      type: 'DELETE',
      eventId: '7sg3bq1ck0ld4hb1tfl2u3i8vo_20260413T073000Z',
      seriesMasterId: '7sg3bq1ck0ld4hb1tfl2u3i8vo',
      originalStart: '2026-04-13T07:30:00.000Z',
    });
  });

  it('reads a cancelled event as a plain deletion', () => {
    expect(toEventChange(fixture('event-cancelled'), ctx)).toEqual({ type: 'DELETE', eventId: '5vq2gk0s8b1l3m9nd4c7ph6re0', seriesMasterId: null, originalStart: null });
  });

  it('reads a live event as an upsert', () => {
    const change = toEventChange(fixture('event-single-timed'), ctx);
    expect(change.type).toBe('UPSERT');
  });

  it('marks out-of-office and working-location entries as not mirrorable, with a readable reason', () => {
    const ooo = toExternalEvent(fixture('event-out-of-office'), ctx);
    const wl = toExternalEvent(fixture('event-working-location'), ctx);
    expect(ooo.unsupportedReason).toMatch(/out-of-office/);
    expect(wl.unsupportedReason).toMatch(/working-location/);
    expect(toExternalEvent(fixture('event-single-timed'), ctx).unsupportedReason).toBeNull();
  });

  it('keeps a series with an unparsable rule, with the parser reason, instead of dropping it', () => {
    const event = toExternalEvent(fixture('event-unparsable-rrule'), ctx);
    expect(event.kind).toBe('SERIES_MASTER');
    expect(event.unsupportedReason).toMatch(/BYDAY=XX/);
    expect(event.unsupportedReason).toMatch(/not a weekday/);
    expect(event.data.subject).toBe('Imported series');
    const strict = thrown(() => toEventData(fixture('event-unparsable-rrule'), 'UTC'));
    expect(isGoogleEventMappingError(strict)).toBe(true);
  });
});

describe('google calendar mapper: recurrence lines', () => {
  it('refuses what the hub cannot hold faithfully, saying why', () => {
    const series = { zone: 'Europe/Zurich' };
    expect(thrown(() => parseRecurrenceLines(['RRULE:FREQ=DAILY', 'EXRULE:FREQ=WEEKLY'], series)).message).toMatch(/EXRULE/);
    expect(thrown(() => parseRecurrenceLines(['RRULE:FREQ=DAILY', 'RRULE:FREQ=WEEKLY'], series)).message).toMatch(/more than one RRULE/);
    expect(thrown(() => parseRecurrenceLines(['RRULE:FREQ=DAILY', 'RDATE;VALUE=PERIOD:20260101T090000Z/PT1H'], series)).message).toMatch(/periods/);
    expect(thrown(() => parseRecurrenceLines(['RDATE:20260101T090000Z'], series)).message).toMatch(/no RRULE/);
    expect(thrown(() => parseRecurrenceLines(['RRULE:FREQ=FORTNIGHTLY'], series)).message).toMatch(/FORTNIGHTLY/);
  });

  it('reads floating and UTC exception times', () => {
    expect(parseRecurrenceLines(['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE:20260102T090000', 'EXDATE:20260103T090000Z'], { zone: 'America/New_York' }).exdates).toEqual([
      '2026-01-02T14:00:00.000Z',
      '2026-01-03T09:00:00.000Z',
    ]);
  });

  it('writes exceptions the way Google does: TZID wall time for timed series, VALUE=DATE for all-day ones', () => {
    const timed = { allDay: false as const, start: '2026-03-16T08:30:00.000Z', end: '2026-03-16T09:00:00.000Z', timeZone: 'Europe/Zurich' };
    expect(formatRecurrenceLines({ rrule: 'FREQ=WEEKLY;BYDAY=MO', exdates: ['2026-03-23T08:30:00.000Z', '2026-03-30T07:30:00.000Z'], rdates: ['2026-04-09T07:30:00.000Z'] }, timed)).toEqual([
      'RRULE:FREQ=WEEKLY;BYDAY=MO',
      'EXDATE;TZID=Europe/Zurich:20260323T093000',
      'EXDATE;TZID=Europe/Zurich:20260330T093000',
      'RDATE;TZID=Europe/Zurich:20260409T093000',
    ]);
    expect(formatRecurrenceLines({ rrule: 'FREQ=DAILY', exdates: ['2026-03-23T08:30:00.000Z'], rdates: [] }, { ...timed, timeZone: 'UTC' })).toEqual([
      'RRULE:FREQ=DAILY',
      'EXDATE:20260323T083000Z',
    ]);
    const allDay = { allDay: true as const, startDate: '2026-01-30', endDate: '2026-01-31', timeZone: null };
    expect(formatRecurrenceLines({ rrule: 'RRULE:FREQ=MONTHLY;BYMONTHDAY=-1', exdates: ['2026-04-30'], rdates: [] }, allDay)).toEqual([
      'RRULE:FREQ=MONTHLY;BYMONTHDAY=-1',
      'EXDATE;VALUE=DATE:20260430',
    ]);
    expect(thrown(() => formatRecurrenceLines({ rrule: 'FREQ=DAILY', exdates: ['2026-04-30T00:00:00.000Z'], rdates: [] }, allDay)).message).toMatch(/must be a date/);
    expect(thrown(() => formatRecurrenceLines({ rrule: 'FREQ=DAILY;BYDAY=1MO', exdates: [], rdates: [] }, timed)).message).toMatch(/cannot be written/);
  });

  it('reads back what it writes', () => {
    const master = fixture('event-recurring-master');
    const data = toEventData(master, 'Europe/Zurich');
    const lines = formatRecurrenceLines(data.recurrence!, data.timing);
    expect(parseRecurrenceLines(lines, { zone: 'Europe/Zurich' })).toEqual(data.recurrence);
  });
});

describe('google calendar mapper: calendars', () => {
  it('maps the calendar list: default, writable, read-only, colours and zones', () => {
    const list = fixture<{ items: GoogleCalendarListEntry[] }>('calendar-list');
    expect(list.items.map(toProviderCalendar)).toEqual([
      { id: 'alice@example.com', name: 'alice@example.com', color: '#9fe1e7', canEdit: true, isDefault: true, timeZone: 'Europe/Zurich' },
      { id: 'c_9a8b7c6d5e4f@group.calendar.google.com', name: 'Sales team', color: '#42d692', canEdit: true, isDefault: false, timeZone: 'Europe/Berlin' },
      { id: 'en.usa#holiday@group.v.calendar.google.com', name: 'Holidays in United States', color: '#16a765', canEdit: false, isDefault: false, timeZone: 'America/New_York' },
      { id: 'boss@example.com', name: 'boss@example.com', color: null, canEdit: false, isDefault: false, timeZone: null },
    ]);
  });
});

function data(over: Partial<EventData> = {}): EventData {
  return {
    subject: 'Quarterly review',
    body: { contentType: 'TEXT', content: 'Agenda: numbers' },
    timing: { allDay: false, start: '2026-07-14T08:00:00.000Z', end: '2026-07-14T09:30:00.000Z', timeZone: 'Europe/Zurich' },
    location: 'Room 4.12',
    attendees: [
      { email: 'bob@example.org', name: 'Bob Guest', optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: 'usr_1' },
      { email: 'room@resource.calendar.google.com', name: null, optional: false, resource: true, response: 'ACCEPTED', hostUserId: null },
    ],
    reminders: [{ minutesBefore: 15, method: 'POPUP' }],
    recurrence: null,
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
    ...over,
  };
}

describe('google calendar mapper: writing events', () => {
  it('writes an insert with the client id, wall time in the zone, and the hub tag', () => {
    expect(toGoogleInsert(data(), { id: 'dlgmoq', hubTag: 'map_1' })).toEqual({
      id: 'dlgmoq',
      summary: 'Quarterly review',
      description: 'Agenda: numbers',
      location: 'Room 4.12',
      start: { dateTime: '2026-07-14T10:00:00+02:00', timeZone: 'Europe/Zurich' },
      end: { dateTime: '2026-07-14T11:30:00+02:00', timeZone: 'Europe/Zurich' },
      attendees: [
        { email: 'bob@example.org', displayName: 'Bob Guest', optional: true, responseStatus: 'needsAction' },
        { email: 'room@resource.calendar.google.com', resource: true, responseStatus: 'accepted' },
      ],
      reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 15 }] },
      transparency: 'opaque',
      visibility: 'default',
      extendedProperties: { private: { syncHubMappingId: 'map_1', syncHubOwner: 'calendar-sync-hub' } },
    });
    expect(HUB_OWNER_FILTER).toBe('syncHubOwner=calendar-sync-hub');
  });

  it('writes winter times with the winter offset and the series zone on a recurring start', () => {
    const body = toGoogleInsert(
      data({
        timing: { allDay: false, start: '2026-01-12T08:00:00.000Z', end: '2026-01-12T09:00:00.000Z', timeZone: 'Europe/Zurich' },
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=10', exdates: ['2026-01-19T08:00:00.000Z'], rdates: [] },
      }),
      { id: 'dlgmoq', hubTag: 'map_1' },
    );
    expect(body.start).toEqual({ dateTime: '2026-01-12T09:00:00+01:00', timeZone: 'Europe/Zurich' });
    expect(body.recurrence).toEqual(['RRULE:FREQ=WEEKLY;COUNT=10;BYDAY=MO', 'EXDATE;TZID=Europe/Zurich:20260119T090000']);
  });

  it('writes all-day dates, free time, private visibility, default reminders and no empty fields', () => {
    const body = toGoogleInsert(
      data({
        subject: null,
        body: null,
        location: null,
        attendees: [],
        reminders: null,
        timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-05', timeZone: 'Europe/Zurich' },
        showAs: 'FREE',
        sensitivity: 'PRIVATE',
      }),
      { id: 'dlgmoq', hubTag: 'map_1' },
    );
    expect(body).toEqual({
      id: 'dlgmoq',
      start: { date: '2026-03-03', timeZone: 'Europe/Zurich' },
      end: { date: '2026-03-05', timeZone: 'Europe/Zurich' },
      reminders: { useDefault: true },
      transparency: 'transparent',
      visibility: 'private',
      extendedProperties: { private: { syncHubMappingId: 'map_1', syncHubOwner: 'calendar-sync-hub' } },
    });
  });

  it('writes no reminders as an empty override list and keeps at most five within Google limits', () => {
    expect(toGoogleInsert(data({ reminders: [] }), { id: 'dlgmoq', hubTag: 'm' }).reminders).toEqual({ useDefault: false });
    const many = [0, 5, 10, 15, 30, 60, 99_999].map((m) => ({ minutesBefore: m, method: 'POPUP' as const }));
    expect(toGoogleInsert(data({ reminders: many }), { id: 'dlgmoq', hubTag: 'm' }).reminders).toEqual({
      useDefault: false,
      overrides: [0, 5, 10, 15, 30].map((minutes) => ({ method: 'popup', minutes })),
    });
    expect(toGoogleInsert(data({ reminders: [{ minutesBefore: 99_999, method: 'EMAIL' }] }), { id: 'dlgmoq', hubTag: 'm' }).reminders).toEqual({
      useDefault: false,
      overrides: [{ method: 'email', minutes: 40_320 }],
    });
  });

  it('maps sensitivity and the organizer answer both ways', () => {
    expect(toGoogleInsert(data({ sensitivity: 'CONFIDENTIAL' }), { id: 'dlgmoq', hubTag: 'm' }).visibility).toBe('confidential');
    const organizer = toGoogleInsert(data({ attendees: [{ email: 'a@example.com', name: null, optional: false, resource: false, response: 'ORGANIZER', hostUserId: null }] }), { id: 'dlgmoq', hubTag: 'm' });
    expect(organizer.attendees).toEqual([{ email: 'a@example.com', responseStatus: 'accepted' }]);
  });

  it('refuses a zone Google cannot take, saying which', () => {
    const error = thrown(() => toGoogleInsert(data({ timing: { allDay: false, start: '2026-01-12T08:00:00.000Z', end: '2026-01-12T09:00:00.000Z', timeZone: 'Mars/Olympus' } }), { id: 'dlgmoq', hubTag: 'm' }));
    expect(isGoogleEventMappingError(error)).toBe(true);
    expect(error.message).toMatch(/Mars\/Olympus/);
  });

  it('updates the owned fields, clears the ones now empty, and sends back everything the hub does not own', () => {
    const current = fixture('event-single-timed');
    const body = toGoogleUpdate(current, data({ location: null, body: null, reminders: null }));
    expect(body).toMatchObject({
      id: 'hub0a1b2c3d4e5f',
      status: 'confirmed',
      colorId: '5',
      iCalUID: 'hub0a1b2c3d4e5f@google.com',
      summary: 'Quarterly review',
      reminders: { useDefault: true },
      extendedProperties: current.extendedProperties,
      eventType: 'default',
      visibility: 'default',
    });
    expect(body).not.toHaveProperty('location');
    expect(body).not.toHaveProperty('description');
    for (const serverField of ['etag', 'sequence', 'updated', 'created', 'organizer', 'creator', 'htmlLink', 'kind']) expect(body).not.toHaveProperty(serverField);
  });

  it('keeps a public event public when the hub says normal', () => {
    const current = fixture('event-out-of-office');
    expect(toGoogleUpdate(current, data()).visibility).toBe('public');
    expect(toGoogleUpdate(current, data({ sensitivity: 'PRIVATE' })).visibility).toBe('private');
  });

  it('never gives an exception a recurrence, and restores a cancelled event as confirmed', () => {
    const exception = fixture('event-modified-exception');
    const body = toGoogleUpdate(exception, data({ recurrence: { rrule: 'FREQ=DAILY', exdates: [], rdates: [] } }));
    expect(body).not.toHaveProperty('recurrence');
    expect(body.recurringEventId).toBe('7sg3bq1ck0ld4hb1tfl2u3i8vo');
    expect(toGoogleUpdate({ ...fixture('event-single-timed'), status: 'cancelled' }, data(), { restore: true }).status).toBe('confirmed');
  });

  it('reads back the fields it writes, with the rule in its canonical order', () => {
    const written = data({ recurrence: { rrule: 'FREQ=WEEKLY;COUNT=3;BYDAY=TU', exdates: ['2026-07-21T08:00:00.000Z'], rdates: [] } });
    const body = toGoogleInsert(written, { id: 'dlgmoq', hubTag: 'map_1' });
    const read = toExternalEvent({ ...body, etag: '"1"', status: 'confirmed' }, ctx);
    expect(read.hubTag).toBe('map_1');
    expect(read.data).toEqual({ ...written, attendees: written.attendees.map((a) => ({ ...a, hostUserId: null })) });
  });
});

describe('google calendar mapper: instances', () => {
  const master = toEventData(fixture('event-recurring-master'), 'Europe/Zurich');
  const instanceOf = (over: Partial<EventData>, originalStart: string): ExternalEvent => ({
    ...toExternalEvent(fixture('event-modified-exception'), ctx),
    originalStart,
    data: { ...master, recurrence: null, ...over },
  });

  it('tells an unmodified occurrence from a moved or edited one', () => {
    const start = '2026-04-20T07:30:00.000Z';
    const timing = { allDay: false as const, start, end: '2026-04-20T08:00:00.000Z', timeZone: 'Europe/Zurich' };
    expect(isUnmodifiedInstance(instanceOf({ timing }, start), master)).toBe(true);
    expect(isUnmodifiedInstance(instanceOf({ timing, subject: 'Other' }, start), master)).toBe(false);
    expect(isUnmodifiedInstance(instanceOf({ timing: { ...timing, start: '2026-04-20T09:00:00.000Z', end: '2026-04-20T09:30:00.000Z' } }, start), master)).toBe(false);
    expect(isUnmodifiedInstance(instanceOf({ timing: { ...timing, end: '2026-04-20T09:00:00.000Z' } }, start), master)).toBe(false);
  });
});
