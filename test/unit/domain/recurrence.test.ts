import { describe, expect, it } from 'vitest';
import { expandDates, startMatchesRule } from '../../../src/domain/recurrence/expand.js';
import { graphToRRule, rruleToGraph } from '../../../src/domain/recurrence/graph-pattern.js';
import { formatRRule, parseRRule, RecurrenceParseError } from '../../../src/domain/recurrence/rrule.js';

const expand = (rule: string, start: string, opts: { limit?: number; untilDate?: string; horizon?: string } = {}) =>
  expandDates(parseRRule(rule), { start, limit: 60, ...opts });

describe('RRULE parsing', () => {
  it('round-trips a rule in canonical order', () => {
    const r = parseRRule('RRULE:WKST=SU;BYDAY=TU,SU;INTERVAL=2;FREQ=WEEKLY;COUNT=4');
    expect(formatRRule(r)).toBe('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU');
  });

  it.each([
    ['FREQ=WEEKLY;COUNT=2;UNTIL=20260101', 'COUNT and UNTIL'],
    ['FREQ=FORTNIGHTLY', 'not a frequency'],
    ['INTERVAL=2', 'FREQ is required'],
    ['FREQ=DAILY;BYDAY=XX', 'not a weekday'],
    ['FREQ=WEEKLY;BYDAY=1MO', 'ordinals'],
    ['FREQ=MONTHLY;BYMONTHDAY=0', '0 is not allowed'],
    ['FREQ=DAILY;FOO=1', 'unknown rule part'],
  ])('refuses %s', (rule, message) => {
    expect(() => parseRRule(rule)).toThrow(RecurrenceParseError);
    expect(() => parseRRule(rule)).toThrow(message);
  });
});

// Expected dates are written out from RFC 5545 §3.8.5.3, not computed.
describe('date expansion against RFC 5545 examples', () => {
  it('daily for 10 occurrences', () => {
    expect(expand('FREQ=DAILY;COUNT=10', '1997-09-02')).toEqual([
      '1997-09-02', '1997-09-03', '1997-09-04', '1997-09-05', '1997-09-06',
      '1997-09-07', '1997-09-08', '1997-09-09', '1997-09-10', '1997-09-11',
    ]);
  });

  it('every other day', () => {
    expect(expand('FREQ=DAILY;INTERVAL=2', '1997-09-02', { limit: 4 })).toEqual(['1997-09-02', '1997-09-04', '1997-09-06', '1997-09-08']);
  });

  it('weekly on Tuesday and Thursday for five weeks', () => {
    expect(expand('FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH', '1997-09-02')).toEqual([
      '1997-09-02', '1997-09-04', '1997-09-09', '1997-09-11', '1997-09-16',
      '1997-09-18', '1997-09-23', '1997-09-25', '1997-09-30', '1997-10-02',
    ]);
  });

  it('the WKST example gives different dates for MO and SU', () => {
    expect(expand('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO', '1997-08-05')).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
    expect(expand('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU', '1997-08-05')).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('monthly on the first Friday for ten occurrences', () => {
    expect(expand('FREQ=MONTHLY;COUNT=10;BYDAY=1FR', '1997-09-05')).toEqual([
      '1997-09-05', '1997-10-03', '1997-11-07', '1997-12-05', '1998-01-02',
      '1998-02-06', '1998-03-06', '1998-04-03', '1998-05-01', '1998-06-05',
    ]);
  });

  it('the last weekday of the month', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '1997-09-30', { limit: 5 })).toEqual([
      '1997-09-30', '1997-10-31', '1997-11-28', '1997-12-31', '1998-01-30',
    ]);
  });

  it('yearly in June and July for ten occurrences', () => {
    expect(expand('FREQ=YEARLY;COUNT=10;BYMONTH=6,7', '1997-06-10')).toEqual([
      '1997-06-10', '1997-07-10', '1998-06-10', '1998-07-10', '1999-06-10',
      '1999-07-10', '2000-06-10', '2000-07-10', '2001-06-10', '2001-07-10',
    ]);
  });

  it('every third year on the 1st, 100th and 200th day', () => {
    expect(expand('FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200', '1997-01-01')).toEqual([
      '1997-01-01', '1997-04-10', '1997-07-19', '2000-01-01', '2000-04-09',
      '2000-07-18', '2003-01-01', '2003-04-10', '2003-07-19', '2006-01-01',
    ]);
  });

  it('every Friday the 13th', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13', '1998-02-13', { limit: 5 })).toEqual([
      '1998-02-13', '1998-03-13', '1998-11-13', '1999-08-13', '2000-10-13',
    ]);
  });

  it('the first Saturday that follows the first Sunday of the month', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13', '1997-09-13', { limit: 6 })).toEqual([
      '1997-09-13', '1997-10-11', '1997-11-08', '1997-12-13', '1998-01-10', '1998-02-07',
    ]);
  });

  it('US presidential election day', () => {
    expect(expand('FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8', '1996-11-05', { limit: 3 })).toEqual([
      '1996-11-05', '2000-11-07', '2004-11-02',
    ]);
  });

  it('skips months without the 31st (RFC), ends at UNTIL', () => {
    expect(expand('FREQ=MONTHLY;BYMONTHDAY=31', '2026-01-31', { untilDate: '2026-08-01' })).toEqual(['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31']);
  });

  it('tells whether the start date is an occurrence', () => {
    expect(startMatchesRule(parseRRule('FREQ=WEEKLY;BYDAY=MO'), '2026-03-02')).toBe(true);
    expect(startMatchesRule(parseRRule('FREQ=WEEKLY;BYDAY=MO'), '2026-03-03')).toBe(false);
  });
});

describe('Graph patternedRecurrence ↔ RRULE', () => {
  const ctx = { allDay: false, timeZone: 'Europe/Zurich' };

  it('always writes WKST for weekly patterns, Sunday when Graph leaves it out', () => {
    const rule = graphToRRule({ pattern: { type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'sunday'] }, range: { type: 'noEnd', startDate: '1997-08-05' } }, ctx);
    expect(formatRRule(rule)).toBe('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU');
  });

  it('maps relative monthly patterns with one and several days', () => {
    expect(formatRRule(graphToRRule({ pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, range: { type: 'numbered', startDate: '2026-01-30', numberOfOccurrences: 6 } }, ctx))).toBe('FREQ=MONTHLY;COUNT=6;BYDAY=-1FR');
    expect(formatRRule(graphToRRule({ pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], index: 'first' }, range: { type: 'noEnd', startDate: '2026-01-01' } }, ctx))).toBe('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1');
  });

  it('reads day 31 the Outlook way: the last day of shorter months', () => {
    const rule = graphToRRule({ pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, range: { type: 'noEnd', startDate: '2026-01-31' } }, ctx);
    expect(formatRRule(rule)).toBe('FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1');
    expect(expandDates(rule, { start: '2026-01-31', limit: 4 })).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    const back = rruleToGraph(rule, { startDate: '2026-01-31', allDay: false, timeZone: 'Europe/Zurich' });
    expect(back).toMatchObject({ ok: true, recurrence: { pattern: { type: 'absoluteMonthly', dayOfMonth: 31 } } });
  });

  it('turns an inclusive end date into a UTC UNTIL at the end of that day in the series zone', () => {
    const rule = graphToRRule({ pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2026-03-01', endDate: '2026-03-10', recurrenceTimeZone: 'Europe/Zurich' } }, ctx);
    expect(rule.until).toBe('20260310T225959Z');
    const windows = graphToRRule({ pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2026-03-01', endDate: '2026-03-10', recurrenceTimeZone: 'W. Europe Standard Time' } }, ctx);
    expect(windows.until).toBe('20260310T225959Z');
    const allDay = graphToRRule({ pattern: { type: 'daily', interval: 1 }, range: { type: 'endDate', startDate: '2026-03-01', endDate: '2026-03-10' } }, { allDay: true, timeZone: 'UTC' });
    expect(allDay.until).toBe('20260310');
  });

  it('maps "every weekday" and RRULE ranges to Graph', () => {
    const r = rruleToGraph(parseRRule('FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260310T225959Z'), { startDate: '2026-03-02', allDay: false, timeZone: 'Europe/Zurich' });
    expect(r).toEqual({
      ok: true,
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], firstDayOfWeek: 'monday' },
        range: { type: 'endDate', startDate: '2026-03-02', endDate: '2026-03-10', recurrenceTimeZone: 'Europe/Zurich' },
      },
    });
  });

  it.each([
    ['FREQ=HOURLY', 'hourly'],
    ['FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', 'week number'],
    ['FREQ=MONTHLY;BYMONTHDAY=1,15', 'one day of the month'],
    ['FREQ=MONTHLY;BYDAY=1MO,3MO', 'several ordinal'],
    ['FREQ=MONTHLY;BYDAY=5FR', 'first to fourth'],
    ['FREQ=MONTHLY;BYDAY=MO', 'every such weekday'],
    ['FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE', 'every few days'],
    ['FREQ=YEARLY;BYMONTH=1,7', 'several months'],
  ])('refuses %s with a reason', (rule, reason) => {
    const r = rruleToGraph(parseRRule(rule), { startDate: '2026-03-02', allDay: false, timeZone: 'UTC' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
});
