import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventData } from '../../../../src/domain/appointment.js';
import { asProviderCalendarId } from '../../../../src/providers/calendar-provider.js';
import {
  bodyFromGraph,
  HUB_TAG_PROPERTY_ID,
  instantFromGraph,
  sameSeriesShape,
  toEventData,
  toExternalEvent,
  toGraphEventWrite,
  toProviderCalendar,
  transactionIdFor,
  zoneFromGraph,
} from '../../../../src/providers/microsoft-graph/microsoft-graph.mapper.js';
import type { GraphCalendar, GraphCollection, GraphEvent, GraphEventWrite } from '../../../../src/providers/microsoft-graph/microsoft-graph.types.js';

const fixture = <T = GraphEvent>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
const CAL = asProviderCalendarId('AQMkADAwATM0MDAAMS1iNTcwLWI2NTEALTAwAi0wMAoARgAAAw==');

function base(over: Partial<EventData> = {}): EventData {
  return {
    subject: 'Planning',
    body: { contentType: 'TEXT', content: 'Bring numbers' },
    timing: { allDay: false, start: '2026-07-14T07:30:00.000Z', end: '2026-07-14T08:30:00.000Z', timeZone: 'Europe/Zurich' },
    location: 'Room 1',
    attendees: [],
    reminders: [{ minutesBefore: 15, method: 'POPUP' }],
    recurrence: null,
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
    ...over,
  };
}

function write(data: EventData, zoneNames: 'iana' | 'windows' = 'iana'): GraphEventWrite {
  const result = toGraphEventWrite(data, { zoneNames });
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.event;
}

function refusal(data: EventData): string {
  const result = toGraphEventWrite(data);
  if (result.ok) throw new Error('expected a refusal');
  return result.reason;
}

describe('Graph event → hub event', () => {
  it('maps every field of a timed single event, reading the Windows zone as IANA and the times as UTC instants', () => {
    const event = toExternalEvent(fixture('event-single-timed'), CAL);
    expect(event).toEqual({
      id: 'AAMkAGI2TG93AAA=',
      calendarId: CAL,
      kind: 'SINGLE',
      iCalUid: '040000008200E00074C5B7101A82E00800000000D3D70B8A9A4ADC01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F90',
      version: 'DwAAABYAAAB1WBDfbHjfS5N0tZ5V1+7FAAB3bGFe',
      seriesMasterId: null,
      originalStart: null,
      hubTag: 'map_01HQ8Z3K4V7N2M5P6R8S9T0W1X',
      updatedAt: '2026-03-01T08:14:02.041Z',
      unsupportedReason: null,
      data: {
        subject: 'Quarterly review',
        body: { contentType: 'TEXT', content: 'Agenda:\n1. Numbers & plans\n2. <Hiring>' },
        timing: { allDay: false, start: '2026-07-14T07:30:00.000Z', end: '2026-07-14T09:00:00.000Z', timeZone: 'Europe/Berlin' },
        location: 'Room 4.12',
        attendees: [
          { email: 'AlexW@contoso.onmicrosoft.com', name: 'Alex Wilber', optional: false, resource: false, response: 'ACCEPTED', hostUserId: null },
          { email: 'guest@example.com', name: null, optional: true, resource: false, response: 'TENTATIVE', hostUserId: null },
          { email: 'Rainier@contoso.onmicrosoft.com', name: 'Conf Room Rainier', optional: false, resource: true, response: 'NEEDS_ACTION', hostUserId: null },
          { email: 'lee@contoso.onmicrosoft.com', name: null, optional: false, resource: false, response: 'DECLINED', hostUserId: null },
          { email: 'megan@contoso.onmicrosoft.com', name: 'Megan', optional: false, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
        ],
        reminders: [{ minutesBefore: 30, method: 'POPUP' }],
        recurrence: null,
        showAs: 'TENTATIVE',
        sensitivity: 'PRIVATE',
      },
    });
  });

  it('keeps an all-day event on its dates and zone, with reminders off and an empty body as null', () => {
    const event = toExternalEvent(fixture('event-all-day'), CAL);
    expect(event.data.timing).toEqual({ allDay: true, startDate: '2026-03-08', endDate: '2026-03-10', timeZone: 'America/Los_Angeles' });
    expect(event.data.reminders).toEqual([]);
    expect(event.data.body).toBeNull();
    expect(event.data.location).toBeNull();
    expect(event.data.showAs).toBe('OUT_OF_OFFICE');
  });

  it('reads a series master with its canonical RRULE: UNTIL in the recurrence zone, WKST from firstDayOfWeek', () => {
    const event = toExternalEvent(fixture('event-series-master'), CAL);
    expect(event.kind).toBe('SERIES_MASTER');
    expect(event.data.timing).toEqual({ allDay: false, start: '2026-01-06T14:00:00.000Z', end: '2026-01-06T14:30:00.000Z', timeZone: 'America/New_York' });
    // 30 June 23:59:59 in New York (EDT, UTC-4) is 1 July 03:59:59 UTC.
    expect(event.data.recurrence).toEqual({ rrule: 'FREQ=WEEKLY;INTERVAL=2;UNTIL=20260701T035959Z;BYDAY=TU,TH;WKST=SU', exdates: [], rdates: [] });
    expect(event.data.body).toEqual({ contentType: 'HTML', content: '<p>See <a href="https://crm.example.com/leads/42">lead 42</a></p>' });
  });

  it.each([
    [{ type: 'daily', interval: 3 }, { type: 'numbered', startDate: '2026-01-06', numberOfOccurrences: 10 }, 'FREQ=DAILY;INTERVAL=3;COUNT=10'],
    [{ type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, { type: 'noEnd', startDate: '2026-01-06' }, 'FREQ=MONTHLY;BYDAY=-1FR'],
    [{ type: 'relativeMonthly', interval: 1, daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], index: 'first' }, { type: 'noEnd', startDate: '2026-01-06' }, 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1'],
    [{ type: 'absoluteYearly', interval: 1, month: 3, dayOfMonth: 15 }, { type: 'noEnd', startDate: '2026-01-06' }, 'FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=3'],
    [{ type: 'weekly', interval: 1, daysOfWeek: ['Tuesday'] }, { type: 'noEnd', startDate: '2026-01-06' }, 'FREQ=WEEKLY;BYDAY=TU;WKST=SU'],
  ])('reads the Graph pattern %j as %s', (pattern, range, rrule) => {
    const master = { ...fixture('event-series-master'), recurrence: { pattern, range } } as GraphEvent;
    expect(toEventData(master).data.recurrence?.rrule).toBe(rrule);
  });

  it('reads an exception with its master, its original start as a UTC instant and the hub tag from transactionId', () => {
    const event = toExternalEvent(fixture('event-exception'), CAL);
    expect(event).toMatchObject({
      kind: 'EXCEPTION',
      seriesMasterId: 'AAMkAGI2U2VyaWVzAAA=',
      originalStart: '2026-01-20T19:00:00.000Z',
      hubTag: 'map_01SERIES',
      data: { subject: 'Team sync (moved)', location: 'Room 2', recurrence: null, timing: { start: '2026-01-21T20:00:00.000Z' } },
    });
  });

  it('gives an all-day occurrence its original start as a date in the series zone', () => {
    const event = toExternalEvent(fixture('event-occurrence-all-day'), CAL);
    expect(event).toMatchObject({ kind: 'OCCURRENCE', originalStart: '2026-12-25', seriesMasterId: 'AAMkAGI2SG9saWRheQAA=' });
    expect(event.data.timing).toEqual({ allDay: true, startDate: '2026-12-25', endDate: '2026-12-26', timeZone: 'Europe/Berlin' });
    expect(event.data.showAs).toBe('FREE');
  });

  it('reads absent fields as null, a custom zone as UTC, and another app transactionId as no hub tag', () => {
    const event = toExternalEvent(fixture('event-minimal'), CAL);
    expect(event).toMatchObject({ iCalUid: null, hubTag: null, updatedAt: null, seriesMasterId: null, originalStart: null, unsupportedReason: null });
    expect(event.data).toEqual({
      subject: null,
      body: null,
      timing: { allDay: false, start: '2026-05-04T09:15:00.000Z', end: '2026-05-04T09:45:00.000Z', timeZone: 'UTC' },
      location: null,
      attendees: [],
      reminders: null,
      recurrence: null,
      showAs: 'BUSY',
      sensitivity: 'NORMAL',
    });
  });

  it('converts times rendered in a Windows zone across the DST change, and flags drafts as not mirrored', () => {
    const event = toExternalEvent(fixture('event-own-zone'), CAL);
    // US DST ended on 1 November 2026: 09:00 Pacific on 2 November is UTC-8.
    expect(event.data.timing).toEqual({ allDay: false, start: '2026-11-02T17:00:00.000Z', end: '2026-11-02T18:00:00.000Z', timeZone: 'America/Los_Angeles' });
    expect(event.data.body).toEqual({ contentType: 'TEXT', content: 'Line one\nLine two' });
    expect(event.unsupportedReason).toMatch(/draft/);
  });

  it('maps calendars with the default marked, read-only ones not editable, and "auto" colour as null', () => {
    const calendars = fixture<GraphCollection<GraphCalendar>>('calendars').value!.map(toProviderCalendar);
    expect(calendars).toEqual([
      { id: 'AQMkADAwATM0MDAAMS1iNTcwLWI2NTEALTAwAi0wMAoARgAAAw==', name: 'Calendar', color: null, canEdit: true, isDefault: true, timeZone: null },
      { id: 'AQMkADAwATM0MDAAMS1iNTcwLWI2NTEALTAwAi0wMAoARgAAA0==', name: 'Birthdays', color: '#87d28e', canEdit: false, isDefault: false, timeZone: null },
      { id: 'AQMkADAwATM0MDAAMS1iNTcwLWI2NTEALTAwAi0wMAoARgAAA1==', name: 'Team events', color: 'lightBlue', canEdit: true, isDefault: false, timeZone: null },
    ]);
  });
});

describe('Graph values', () => {
  it.each([
    ['2026-01-20T19:00:00Z', '2026-01-20T19:00:00.000Z'],
    ['2026-01-20T19:00:00.1234567Z', '2026-01-20T19:00:00.123Z'],
    ['2026-01-20T21:00:00+02:00', '2026-01-20T19:00:00.000Z'],
    ['not a date', null],
  ])('reads the instant %s as %s', (value, expected) => {
    expect(instantFromGraph(value)).toBe(expected);
  });

  it.each([
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['Europe/Zurich', 'Europe/Zurich'],
    ['UTC', 'UTC'],
    ['tzone://Microsoft/Custom', null],
    ['Nowhere Standard Time', null],
  ])('reads the zone %s as %s', (name, zone) => {
    expect(zoneFromGraph(name)).toBe(zone);
  });

  it('unwraps Graph HTML documents so an HTML body round-trips unchanged', () => {
    const html = '<p>Open <a href="https://crm.example.com/leads/7">the lead</a></p>\n<ul><li>one</li></ul>';
    const wrapped = `<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n${html}\r\n</body>\r\n</html>\r\n`;
    expect(bodyFromGraph({ contentType: 'html', content: wrapped })).toEqual({ contentType: 'HTML', content: html });
    expect(bodyFromGraph({ contentType: 'html', content: html })).toEqual({ contentType: 'HTML', content: html });
  });
});

describe('hub event → Graph body', () => {
  it('writes the wall-clock time in the IANA zone, or the Windows name when asked', () => {
    expect(write(base()).start).toEqual({ dateTime: '2026-07-14T09:30:00.0000000', timeZone: 'Europe/Zurich' });
    expect(write(base(), 'windows').end).toEqual({ dateTime: '2026-07-14T10:30:00.0000000', timeZone: 'W. Europe Standard Time' });
  });

  it('keeps 09:00 local on both sides of a DST change', () => {
    const winter = write(base({ timing: { allDay: false, start: '2026-01-15T17:00:00.000Z', end: '2026-01-15T18:00:00.000Z', timeZone: 'America/Los_Angeles' } }));
    const summer = write(base({ timing: { allDay: false, start: '2026-07-15T16:00:00.000Z', end: '2026-07-15T17:00:00.000Z', timeZone: 'America/Los_Angeles' } }));
    expect(winter.start.dateTime).toBe('2026-01-15T09:00:00.0000000');
    expect(summer.start.dateTime).toBe('2026-07-15T09:00:00.0000000');
  });

  it('writes all-day events as midnights in one zone with an exclusive end, UTC when the zone is unknown', () => {
    const event = write(base({ timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-04', timeZone: null } }));
    expect(event).toMatchObject({
      isAllDay: true,
      start: { dateTime: '2026-03-03T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-03-04T00:00:00.0000000', timeZone: 'UTC' },
    });
    expect(refusal(base({ timing: { allDay: true, startDate: '2026-03-03', endDate: '2026-03-03', timeZone: null } }))).toMatch(/at least one day/);
  });

  it('writes every plain field and leaves absent ones empty rather than null', () => {
    const event = write(
      base({
        subject: null,
        body: null,
        location: null,
        showAs: 'OUT_OF_OFFICE',
        sensitivity: 'CONFIDENTIAL',
        attendees: [
          { email: 'a@example.com', name: 'Ann', optional: false, resource: false, response: 'ACCEPTED', hostUserId: 'u1' },
          { email: 'b@example.com', name: null, optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
          { email: 'room@example.com', name: 'Room', optional: false, resource: true, response: 'NEEDS_ACTION', hostUserId: null },
        ],
      }),
    );
    expect(event).toMatchObject({
      subject: '',
      body: { contentType: 'text', content: '' },
      location: { displayName: '' },
      showAs: 'oof',
      sensitivity: 'confidential',
      recurrence: null,
      attendees: [
        { type: 'required', emailAddress: { address: 'a@example.com', name: 'Ann' } },
        { type: 'optional', emailAddress: { address: 'b@example.com' } },
        { type: 'resource', emailAddress: { address: 'room@example.com', name: 'Room' } },
      ],
    });
    expect(write(base({ body: { contentType: 'HTML', content: '<b>x</b>' } })).body).toEqual({ contentType: 'html', content: '<b>x</b>' });
  });

  it('writes the earliest of several reminders as the one popup, none as off, and default as nothing', () => {
    const several = write(base({ reminders: [{ minutesBefore: 10, method: 'POPUP' }, { minutesBefore: 60, method: 'EMAIL' }] }));
    expect(several).toMatchObject({ isReminderOn: true, reminderMinutesBeforeStart: 60 });
    const none = write(base({ reminders: [] }));
    expect(none.isReminderOn).toBe(false);
    expect(none.reminderMinutesBeforeStart).toBeUndefined();
    const defaults = write(base({ reminders: null }));
    expect(defaults.isReminderOn).toBeUndefined();
    expect(defaults.reminderMinutesBeforeStart).toBeUndefined();
  });

  it('writes a weekly series with firstDayOfWeek from WKST (Monday by default) and the zone as recurrence zone', () => {
    // 14 July 2026 is a Tuesday.
    const event = write(base({ recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4', exdates: [], rdates: [] } }));
    expect(event.recurrence).toEqual({
      pattern: { type: 'weekly', interval: 1, daysOfWeek: ['tuesday'], firstDayOfWeek: 'monday' },
      range: { type: 'numbered', startDate: '2026-07-14', numberOfOccurrences: 4, recurrenceTimeZone: 'Europe/Zurich' },
    });
  });

  it('ends an UNTIL series on the local date of UNTIL', () => {
    const event = write(base({ recurrence: { rrule: 'FREQ=DAILY;UNTIL=20260720T215959Z', exdates: [], rdates: [] } }));
    expect(event.recurrence).toMatchObject({ pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2026-07-14', endDate: '2026-07-20' } });
  });

  it('refuses a series that starts off its pattern, naming the first occurrence Outlook would drop', () => {
    // Wednesday 15 July 09:30 Zurich, rule on Mondays: the host counts 15 July as the first occurrence; Graph would not create it.
    const timing = { allDay: false as const, start: '2026-07-15T07:30:00.000Z', end: '2026-07-15T08:30:00.000Z', timeZone: 'Europe/Zurich' };
    expect(refusal(base({ timing, recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3', exdates: [], rdates: [] } }))).toMatch(/first occurrence .* \(2026-07-15, a Wednesday\)/);
  });

  it('moves a series whose off-pattern first occurrence is cancelled to the first real occurrence, counting one fewer', () => {
    const event = write(
      base({
        timing: { allDay: false, start: '2026-07-15T07:30:00.000Z', end: '2026-07-15T08:30:00.000Z', timeZone: 'Europe/Zurich' },
        recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=3', exdates: ['2026-07-15T07:30:00.000Z'], rdates: [] },
      }),
    );
    expect(event.start).toEqual({ dateTime: '2026-07-20T09:30:00.0000000', timeZone: 'Europe/Zurich' });
    expect(event.end.dateTime).toBe('2026-07-20T10:30:00.0000000');
    expect(event.recurrence?.range).toMatchObject({ type: 'numbered', startDate: '2026-07-20', numberOfOccurrences: 2 });
  });

  it.each([
    ['FREQ=MONTHLY;BYDAY=1MO,3MO', /several ordinal weekdays/],
    ['FREQ=HOURLY;INTERVAL=2', /hourly/],
    ['FREQ=MONTHLY;BYMONTHDAY=1,15', /one day of the month/],
    ['FREQ=WEEKLY;BYSETPOS=1;BYDAY=MO', /weekly recurrence by month or position/],
    ['FREQ=SOMETIMES', /not valid/],
  ])('refuses the rule %s with the reason', (rrule, reason) => {
    expect(refusal(base({ recurrence: { rrule, exdates: [], rdates: [] } }))).toMatch(reason);
  });

  it('refuses extra dates (RDATE) and unknown zones', () => {
    expect(refusal(base({ recurrence: { rrule: 'FREQ=DAILY;COUNT=2', exdates: [], rdates: ['2026-08-01T07:30:00.000Z'] } }))).toMatch(/RDATE/);
    expect(refusal(base({ timing: { allDay: false, start: '2026-07-14T07:30:00.000Z', end: '2026-07-14T08:30:00.000Z', timeZone: 'Mars/Olympus' } }))).toMatch(/Mars\/Olympus/);
  });

  it('round-trips a hub event through Graph rendering unchanged', () => {
    const data = base({
      body: { contentType: 'TEXT', content: 'Line 1\nLine <2> & more' },
      attendees: [{ email: 'guest@example.com', name: null, optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: null }],
    });
    const w = write(data);
    // What Graph answers: UTC rendering (Prefer), the zone in originalStartTimeZone, text bodies as PlainText HTML, names defaulted to the address.
    const answered: GraphEvent = {
      id: 'AAMkAGI2Um91bmQAAA=',
      changeKey: 'ck',
      subject: w.subject,
      body: {
        contentType: 'html',
        content: '<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n<body>\r\n<div class="PlainText">Line 1<br>\r\nLine &lt;2&gt; &amp; more</div>\r\n</body>\r\n</html>\r\n',
      },
      start: { dateTime: '2026-07-14T07:30:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-07-14T08:30:00.0000000', timeZone: 'UTC' },
      originalStartTimeZone: w.start.timeZone,
      isAllDay: w.isAllDay,
      location: w.location,
      attendees: w.attendees.map((a) => ({ type: a.type, emailAddress: { address: a.emailAddress.address, name: a.emailAddress.name ?? a.emailAddress.address }, status: { response: 'none' } })),
      isReminderOn: w.isReminderOn ?? null,
      reminderMinutesBeforeStart: w.reminderMinutesBeforeStart ?? null,
      showAs: w.showAs,
      sensitivity: w.sensitivity,
      type: 'singleInstance',
      transactionId: transactionIdFor('map_1'),
      singleValueExtendedProperties: [{ id: HUB_TAG_PROPERTY_ID, value: 'map_1' }],
    };
    expect(toEventData(answered).data).toEqual(data);
  });
});

describe('series shape', () => {
  it('sees a series written back with the same times and pattern as unchanged, and a changed one as changed', () => {
    const master = fixture('event-series-master');
    const same = write(toEventData(master).data);
    expect(sameSeriesShape(master, same)).toBe(true);
    expect(sameSeriesShape(master, { ...same, recurrence: { ...same.recurrence!, pattern: { ...same.recurrence!.pattern, interval: 1 } } })).toBe(false);
    expect(sameSeriesShape(master, { ...same, start: { ...same.start, dateTime: same.start.dateTime.replace('T09:', 'T10:') } })).toBe(false);
    expect(sameSeriesShape(fixture('event-single-timed'), same)).toBe(false);
  });
});
