import { rrulestr } from 'rrule';
import { describe, expect, it } from 'vitest';
import { expandRecurrenceDates, normalizeRecurrence } from '../../../packages/emulators/src/microsoft/recurrence-expander.js';
import type { EventData } from '../../../src/domain/appointment.js';
import { graphToRRule, type GraphRecurrence } from '../../../src/domain/recurrence/graph-pattern.js';
import { seriesOccurrences } from '../../../src/domain/recurrence/occurrences.js';
import { formatRRule, parseRRule } from '../../../src/domain/recurrence/rrule.js';
import { toGraphEventWrite } from '../../../src/providers/microsoft-graph/microsoft-graph.mapper.js';

/**
 * Every recurrence example of RFC 5545 §3.8.5.3 through the Graph conversion the hub writes with
 * (the Microsoft Graph mapper): either the pattern Graph gets yields exactly the occurrences an
 * independent RFC 5545 expander (the `rrule` package) gives — expanded with Outlook's semantics by
 * the Graph emulator's expander — and survives the way back to an RRULE, or the conversion refuses
 * it naming the part Graph cannot hold. Times are UTC (every occurrence at 09:00): the conversion
 * works on dates.
 */

interface Example {
  name: string;
  dtstart: string;
  rrule: string;
  exdate?: string;
  /** What the refusal must name; absent when Graph can hold the rule. */
  refused?: string;
}

const EXAMPLES: Example[] = [
  { name: 'daily for 10 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=DAILY;COUNT=10' },
  { name: 'daily until December 24, 1997', dtstart: '19970902T090000', rrule: 'FREQ=DAILY;UNTIL=19971224T000000Z' },
  { name: 'every other day, forever', dtstart: '19970902T090000', rrule: 'FREQ=DAILY;INTERVAL=2' },
  { name: 'every 10 days, 5 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=DAILY;INTERVAL=10;COUNT=5' },
  { name: 'every day in January for 3 years (yearly form)', dtstart: '19980101T090000', rrule: 'FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA', refused: 'every such weekday' },
  { name: 'every day in January for 3 years (daily form)', dtstart: '19980101T090000', rrule: 'FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1', refused: 'daily recurrence by month' },
  { name: 'weekly for 10 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=WEEKLY;COUNT=10' },
  { name: 'weekly until December 24, 1997', dtstart: '19970902T090000', rrule: 'FREQ=WEEKLY;UNTIL=19971224T000000Z' },
  { name: 'every other week, forever', dtstart: '19970902T090000', rrule: 'FREQ=WEEKLY;INTERVAL=2;WKST=SU' },
  { name: 'weekly on Tuesday and Thursday for five weeks (until)', dtstart: '19970902T090000', rrule: 'FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH' },
  { name: 'weekly on Tuesday and Thursday for five weeks (count)', dtstart: '19970902T090000', rrule: 'FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH' },
  { name: 'every other week on Monday, Wednesday and Friday until December 24, 1997', dtstart: '19970901T090000', rrule: 'FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR' },
  { name: 'every other week on Tuesday and Thursday, for 8 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH' },
  { name: 'monthly on the first Friday for 10 occurrences', dtstart: '19970905T090000', rrule: 'FREQ=MONTHLY;COUNT=10;BYDAY=1FR' },
  { name: 'monthly on the first Friday until December 24, 1997', dtstart: '19970905T090000', rrule: 'FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR' },
  { name: 'every other month on the first and last Sunday, 10 occurrences', dtstart: '19970907T090000', rrule: 'FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU', refused: 'several ordinal weekdays' },
  { name: 'monthly on the second-to-last Monday for 6 months', dtstart: '19970922T090000', rrule: 'FREQ=MONTHLY;COUNT=6;BYDAY=-2MO', refused: 'not -2' },
  { name: 'monthly on the third-to-the-last day, forever', dtstart: '19970928T090000', rrule: 'FREQ=MONTHLY;BYMONTHDAY=-3', refused: 'one day of the month only' },
  { name: 'monthly on the 2nd and 15th, 10 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15', refused: 'one day of the month only' },
  { name: 'monthly on the first and last day, 10 occurrences', dtstart: '19970930T090000', rrule: 'FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1', refused: 'one day of the month only' },
  { name: 'every 18 months on the 10th to 15th, 10 occurrences', dtstart: '19970910T090000', rrule: 'FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15', refused: 'one day of the month only' },
  { name: 'every Tuesday, every other month', dtstart: '19970902T090000', rrule: 'FREQ=MONTHLY;INTERVAL=2;BYDAY=TU', refused: 'every such weekday of the month' },
  { name: 'yearly in June and July, 10 occurrences', dtstart: '19970610T090000', rrule: 'FREQ=YEARLY;COUNT=10;BYMONTH=6,7', refused: 'several months' },
  { name: 'every other year in January, February and March, 10 occurrences', dtstart: '19970310T090000', rrule: 'FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3', refused: 'several months' },
  { name: 'every third year on the 1st, 100th and 200th day', dtstart: '19970101T090000', rrule: 'FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200', refused: 'day of the year (BYYEARDAY)' },
  { name: 'every 20th Monday of the year', dtstart: '19970519T090000', rrule: 'FREQ=YEARLY;BYDAY=20MO', refused: 'weekday of the year without a month' },
  { name: 'Monday of week number 20', dtstart: '19970512T090000', rrule: 'FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', refused: 'week number (BYWEEKNO)' },
  { name: 'every Thursday in March', dtstart: '19970313T090000', rrule: 'FREQ=YEARLY;BYMONTH=3;BYDAY=TH', refused: 'every such weekday' },
  { name: 'every Thursday in June, July and August', dtstart: '19970605T090000', rrule: 'FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8', refused: 'several months' },
  { name: 'every Friday the 13th', dtstart: '19970902T090000', exdate: '19970902T090000', rrule: 'FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', refused: 'combine days of the month with weekdays' },
  { name: 'the first Saturday after the first Sunday of the month', dtstart: '19970913T090000', rrule: 'FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13', refused: 'combine days of the month with weekdays' },
  { name: 'US presidential election day', dtstart: '19961105T090000', rrule: 'FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8', refused: 'combine days of the month with weekdays' },
  { name: 'the third Tuesday, Wednesday or Thursday of the month, 3 months', dtstart: '19970904T090000', rrule: 'FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3' },
  { name: 'the second-to-last weekday of the month', dtstart: '19970929T090000', rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2', refused: 'not position -2' },
  { name: 'every 3 hours from 9:00 to 17:00 on one day', dtstart: '19970902T090000', rrule: 'FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z', refused: 'no hourly recurrence' },
  { name: 'every 15 minutes, 6 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=MINUTELY;INTERVAL=15;COUNT=6', refused: 'no minutely recurrence' },
  { name: 'every hour and a half, 4 occurrences', dtstart: '19970902T090000', rrule: 'FREQ=MINUTELY;INTERVAL=90;COUNT=4', refused: 'no minutely recurrence' },
  { name: 'every 20 minutes from 9:00 to 16:40 (daily form)', dtstart: '19970902T090000', rrule: 'FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40', refused: 'several times of day (BYHOUR/BYMINUTE/BYSECOND)' },
  { name: 'every 20 minutes from 9:00 to 16:40 (minutely form)', dtstart: '19970902T090000', rrule: 'FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16', refused: 'no minutely recurrence' },
  { name: 'the WKST example with weeks from Monday', dtstart: '19970805T090000', rrule: 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO' },
  { name: 'the WKST example with weeks from Sunday', dtstart: '19970805T090000', rrule: 'FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU' },
  { name: 'an invalid date (30 February) is ignored', dtstart: '20070115T090000', rrule: 'FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5', refused: 'one day of the month only' },
];

/** Compare occurrences up to here (forever rules) and at most this many. */
const HORIZON = '2001-12-31';
const LIMIT = 60;
/** The host's occurrences (src/domain/recurrence/occurrences.ts) in 1997. */
const WINDOW = { start: Date.UTC(1997, 0, 1), end: Date.UTC(1998, 0, 1) };

const iso = (compact: string) => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}T${compact.slice(9, 11)}:${compact.slice(11, 13)}:${compact.slice(13, 15)}.000Z`;

/** The independent expander's dates (RFC 5545 semantics, EXDATEs applied). */
function rfcDates(dtstart: string, rrule: string, exdate?: string): string[] {
  const set = rrulestr([`DTSTART:${dtstart}Z`, `RRULE:${rrule}`, ...(exdate ? [`EXDATE:${exdate}Z`] : [])].join('\n'), { forceset: true });
  return set.between(new Date(iso(dtstart)), new Date(`${HORIZON}T23:59:59Z`), true).slice(0, LIMIT).map((d) => d.toISOString().slice(0, 10));
}

function seriesData(ex: Pick<Example, 'dtstart' | 'rrule' | 'exdate'>): EventData {
  const start = iso(ex.dtstart);
  return {
    subject: 'x',
    body: null,
    timing: { allDay: false, start, end: new Date(Date.parse(start) + 3_600_000).toISOString(), timeZone: 'UTC' },
    location: null,
    attendees: [],
    reminders: null,
    recurrence: { rrule: ex.rrule, exdates: ex.exdate ? [iso(ex.exdate)] : [], rdates: [] },
    showAs: 'BUSY',
    sensitivity: 'NORMAL',
  };
}

/** The Graph body the hub writes for the series. */
function graphSeries(ex: Example): { startDate: string; recurrence: GraphRecurrence } | { reason: string } {
  const written = toGraphEventWrite(seriesData(ex));
  if (!written.ok) return { reason: written.reason };
  return { startDate: written.event.start.dateTime.slice(0, 10), recurrence: written.event.recurrence! };
}

/** Outlook's occurrences of a Graph pattern (the emulator's expander), without the cancelled ones. */
function outlookDates(series: { startDate: string; recurrence: GraphRecurrence }, exdate?: string): string[] {
  const rec = normalizeRecurrence(series.recurrence, series.startDate, 'UTC');
  const cancelled = exdate ? iso(exdate).slice(0, 10) : null;
  return [...expandRecurrenceDates(rec, { clampDayOfMonth: true, until: HORIZON, limit: LIMIT + 1 })].filter((d) => d !== cancelled).slice(0, LIMIT);
}

describe('RFC 5545 recurrence examples through the Graph conversion', () => {
  for (const ex of EXAMPLES) {
    it(`${ex.name}: ${ex.refused ? 'refused, naming the part' : 'the same occurrences in Outlook'}`, () => {
      const series = graphSeries(ex);
      if (ex.refused) {
        expect(series).toHaveProperty('reason');
        expect((series as { reason: string }).reason).toContain(ex.refused);
        return;
      }
      if ('reason' in series) throw new Error(`Graph refused ${ex.rrule}: ${series.reason}`);
      const expected = rfcDates(ex.dtstart, ex.rrule, ex.exdate);
      expect(expected.length).toBeGreaterThan(0);
      expect(outlookDates(series, ex.exdate)).toEqual(expected);

      // Back from Graph: the rule read from the pattern gives the same occurrences again.
      const back = formatRRule(graphToRRule(series.recurrence, { allDay: false, timeZone: 'UTC' }));
      const dtstart = `${series.startDate.replaceAll('-', '')}T090000`;
      expect(rfcDates(dtstart, back, ex.exdate)).toEqual(expected);
    });
  }

  it('gives the WKST example different dates for weeks from Monday and from Sunday, both kept through Graph', () => {
    const [mo, su] = ['MO', 'SU'].map((wkst) => EXAMPLES.find((e) => e.rrule.endsWith(`WKST=${wkst}`) && e.dtstart === '19970805T090000')!);
    expect(rfcDates(mo!.dtstart, mo!.rrule)).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(rfcDates(su!.dtstart, su!.rrule)).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
    for (const [ex, day] of [[mo!, 'monday'], [su!, 'sunday']] as const) {
      const series = graphSeries(ex);
      if ('reason' in series) throw new Error(series.reason);
      expect(series.recurrence.pattern.firstDayOfWeek).toBe(day);
      expect(formatRRule(graphToRRule(series.recurrence, { allDay: false, timeZone: 'UTC' }))).toBe(formatRRule(parseRRule(ex.rrule)));
    }
  });

  it('refuses a first occurrence on a day the rule does not repeat on (RFC 5545 counts it, Outlook would drop it), naming the date', () => {
    // Monday 1 September 1997, weekly on Tuesdays: the host (like Google) holds Monday as the first occurrence.
    const series = graphSeries({ name: '', dtstart: '19970901T090000', rrule: 'FREQ=WEEKLY;COUNT=3;BYDAY=TU' });
    expect(series).toEqual({ reason: 'Outlook cannot hold a first occurrence on a day the recurrence does not repeat on (1997-09-01, a Monday)' });
    const host = seriesOccurrences(seriesData({ dtstart: '19970901T090000', rrule: 'FREQ=WEEKLY;COUNT=3;BYDAY=TU' }).timing, { rrule: 'FREQ=WEEKLY;COUNT=3;BYDAY=TU', exdates: [], rdates: [] }, WINDOW);
    expect(host.map((o) => o.originalStart.slice(0, 10))).toEqual(['1997-09-01', '1997-09-02', '1997-09-09']);
  });

  it('moves a series whose first occurrence is cancelled to its first real occurrence, counting one fewer', () => {
    for (const rrule of ['FREQ=WEEKLY;COUNT=3;BYDAY=TU', 'FREQ=WEEKLY;UNTIL=19970910T000000Z;BYDAY=TU']) {
      const ex = { name: '', dtstart: '19970901T090000', rrule, exdate: '19970901T090000' };
      const series = graphSeries(ex);
      if ('reason' in series) throw new Error(series.reason);
      expect(series.startDate).toBe('1997-09-02');
      const data = seriesData(ex);
      const host = seriesOccurrences(data.timing, data.recurrence!, WINDOW).map((o) => o.originalStart.slice(0, 10));
      expect(host).toEqual(['1997-09-02', '1997-09-09']);
      expect(outlookDates(series, ex.exdate)).toEqual(host);
    }
  });

  it('ends a range on the date of the last occurrence UNTIL allows', () => {
    const series = graphSeries({ name: '', dtstart: '19970902T090000', rrule: 'FREQ=DAILY;UNTIL=19971224T000000Z' });
    expect(series).toMatchObject({ recurrence: { range: { type: 'endDate', endDate: '1997-12-23' } } });
  });
});
