import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { EventTiming } from '../../../src/domain/appointment.js';
import { expandDates } from '../../../src/domain/recurrence/expand.js';
import { seriesOccurrences } from '../../../src/domain/recurrence/occurrences.js';
import { parseRRule } from '../../../src/domain/recurrence/rrule.js';
import { vtimezone } from '../../../src/ics/vtimezone.js';
import { readIcs } from '../../helpers/ics-reader.js';

const DAY_MS = 86_400_000;
const ZONES = ['Europe/Zurich', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo', 'UTC'];
const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

describe('series occurrences', () => {
  it('keeps the local time of day across a DST change and leaves out EXDATEs', () => {
    const timing: EventTiming = { allDay: false, start: '2026-03-23T08:00:00.000Z', end: '2026-03-23T09:00:00.000Z', timeZone: 'Europe/Zurich' };
    const got = seriesOccurrences(timing, { rrule: 'FREQ=WEEKLY;COUNT=4', exdates: ['2026-04-06T07:00:00Z'], rdates: [] }, { start: 0, end: Date.parse('2027-01-01') });
    expect(got.map((o) => !o.allDay && o.start)).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-13T07:00:00.000Z']);
  });

  it('keeps the local end of an occurrence that spans a DST change', () => {
    const timing: EventTiming = { allDay: false, start: '2026-03-21T23:30:00.000Z', end: '2026-03-22T03:30:00.000Z', timeZone: 'Europe/Zurich' };
    const got = seriesOccurrences(timing, { rrule: 'FREQ=WEEKLY;COUNT=2', exdates: [], rdates: [] }, { start: 0, end: Date.parse('2027-01-01') });
    // 00:30–04:30 local both times; on 29 March that is three hours.
    expect(got.map((o) => !o.allDay && [o.start, o.end])).toEqual([
      ['2026-03-21T23:30:00.000Z', '2026-03-22T03:30:00.000Z'],
      ['2026-03-28T23:30:00.000Z', '2026-03-29T02:30:00.000Z'],
    ]);
  });

  it('ends a series at a date-time UNTIL partway through its last day', () => {
    const timing: EventTiming = { allDay: false, start: '2026-05-04T15:00:00.000Z', end: '2026-05-04T16:00:00.000Z', timeZone: 'UTC' };
    const got = seriesOccurrences(timing, { rrule: 'FREQ=DAILY;UNTIL=20260506T120000Z', exdates: [], rdates: [] }, { start: 0, end: Date.parse('2027-01-01') });
    expect(got).toHaveLength(2);
  });

  it('returns only what overlaps the window, and all-day series as dates', () => {
    const timing: EventTiming = { allDay: true, startDate: '2026-01-05', endDate: '2026-01-07', timeZone: null };
    const got = seriesOccurrences(timing, { rrule: 'FREQ=WEEKLY', exdates: ['2026-01-19'], rdates: ['2026-01-10'] }, { start: Date.parse('2026-01-11T00:00:00Z'), end: Date.parse('2026-01-27T00:00:00Z') });
    expect(got).toEqual([
      { allDay: true, startDate: '2026-01-10', endDate: '2026-01-12', originalStart: '2026-01-10' },
      { allDay: true, startDate: '2026-01-12', endDate: '2026-01-14', originalStart: '2026-01-12' },
      { allDay: true, startDate: '2026-01-26', endDate: '2026-01-28', originalStart: '2026-01-26' },
    ]);
  });

  // ical.js is an implementation independent of the hub's expander (and reads the hub's VTIMEZONE).
  it('agrees with ical.js on weekly, monthly and yearly rules in zones with and without DST', () => {
    const rule = fc.oneof(
      fc.record({ freq: fc.constant('WEEKLY'), interval: fc.integer({ min: 1, max: 3 }), days: fc.subarray(DAYS, { minLength: 1 }) }).map((r) => `FREQ=WEEKLY;INTERVAL=${r.interval};BYDAY=${r.days.join(',')}`),
      fc.integer({ min: 1, max: 28 }).map((d) => `FREQ=MONTHLY;BYMONTHDAY=${d}`),
      fc.record({ n: fc.constantFrom(1, 2, 3, -1), day: fc.constantFrom(...DAYS) }).map((r) => `FREQ=MONTHLY;BYDAY=${r.n}${r.day}`),
      fc.constant('FREQ=YEARLY'),
      fc.integer({ min: 1, max: 4 }).map((i) => `FREQ=DAILY;INTERVAL=${i}`),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 3 * 365 }),
        // Starts and ends clear of the night's DST gaps, where readers disagree on what a missing local time means.
        fc.integer({ min: 5, max: 19 }),
        fc.constantFrom(30, 60, 90, 240),
        rule,
        fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 30 }).map((c) => `;COUNT=${c}`)),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }),
        (zone, dayOffset, hour, minutes, rrule, count, windowOffset, windowDays, exIndexes) => {
          // DTSTART on an occurrence of the rule, as every side aligns it (RFC 5545 leaves other starts undefined).
          const candidate = DateTime.fromISO('2025-01-01', { zone }).plus({ days: dayOffset }).toISODate()!;
          const [aligned] = expandDates({ ...parseRRule(rrule), count: null }, { start: candidate, limit: 1 });
          const first = DateTime.fromISO(aligned!, { zone }).set({ hour, minute: 30 });
          const timing: EventTiming = { allDay: false, start: first.toUTC().toISO()!, end: first.plus({ minutes }).toUTC().toISO()!, timeZone: zone };
          const all = seriesOccurrences(timing, { rrule: rrule + count, exdates: [], rdates: [] }, { start: 0, end: first.toMillis() + 3 * 365 * DAY_MS });
          const exdates = exIndexes.map((i) => all[i]).filter((o) => o !== undefined).map((o) => (o.allDay ? o.startDate : o.start));
          const window = { start: new Date(first.toMillis() + windowOffset * DAY_MS), end: new Date(first.toMillis() + (windowOffset + windowDays) * DAY_MS) };
          const ours = seriesOccurrences(timing, { rrule: rrule + count, exdates, rdates: [] }, { start: window.start.getTime(), end: window.end.getTime() });

          const local = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat("yyyyLLdd'T'HHmmss");
          const tz = zone === 'UTC' ? null : vtimezone(zone, { from: first.toMillis(), to: window.end.getTime() + 365 * DAY_MS });
          const dt = (iso: string) => (tz ? `;TZID=${zone}:${local(iso)}` : `:${local(iso)}Z`);
          const text = [
            'BEGIN:VCALENDAR',
            'VERSION:2.0',
            'PRODID:-//test//test//EN',
            ...(tz ? [tz] : []),
            'BEGIN:VEVENT',
            'UID:series@test',
            'DTSTAMP:20250101T000000Z',
            `DTSTART${dt(timing.start)}`,
            `DTEND${dt(timing.end)}`,
            `RRULE:${rrule}${count}`,
            ...exdates.map((x) => `EXDATE${dt(x)}`),
            'SUMMARY:s',
            'END:VEVENT',
            'END:VCALENDAR',
          ].join('\r\n');
          const theirs = readIcs(text, window).occurrences.map((o) => [o.start, o.end]);
          expect(ours.map((o) => (o.allDay ? [] : [o.start, o.end]))).toEqual(theirs);
        },
      ),
      { numRuns: 100 },
    );
  });
});
