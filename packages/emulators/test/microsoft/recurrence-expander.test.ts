import { describe, expect, it } from 'vitest';
import { expandRecurrenceDates, normalizeRecurrence, type PatternedRecurrence } from '../../src/microsoft/recurrence-expander.js';

/** Builds a normalized recurrence as Graph would store it, starting on `start`. */
function rec(pattern: Record<string, unknown>, range: Record<string, unknown>, start: string): PatternedRecurrence {
  return normalizeRecurrence({ pattern, range: { startDate: start, ...range } }, start, 'UTC');
}

const dates = (r: PatternedRecurrence, opts: { until?: string; limit?: number; clamp?: boolean } = {}) =>
  [...expandRecurrenceDates(r, { clampDayOfMonth: opts.clamp ?? true, until: opts.until, limit: opts.limit })];

describe('patternedRecurrence expansion with Outlook semantics', () => {
  // RFC 5545 §3.3.10 WKST example translated to Graph: DTSTART Tue 1997-08-05, every 2 weeks on Tue+Sun, 4 times.
  it('weekly interval 2 on Tuesday and Sunday gives Aug 5, 10, 19, 24 when weeks start on monday', () => {
    const r = rec({ type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'sunday'], firstDayOfWeek: 'monday' }, { type: 'numbered', numberOfOccurrences: 4 }, '1997-08-05');
    expect(dates(r)).toEqual(['1997-08-05', '1997-08-10', '1997-08-19', '1997-08-24']);
  });

  it('the same rule gives Aug 5, 17, 19, 31 when weeks start on sunday', () => {
    const r = rec({ type: 'weekly', interval: 2, daysOfWeek: ['Tuesday', 'Sunday'], firstDayOfWeek: 'sunday' }, { type: 'numbered', numberOfOccurrences: 4 }, '1997-08-05');
    expect(dates(r)).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('defaults firstDayOfWeek to sunday as Graph does', () => {
    const r = rec({ type: 'weekly', interval: 2, daysOfWeek: ['tuesday', 'sunday'] }, { type: 'numbered', numberOfOccurrences: 4 }, '1997-08-05');
    expect(r.pattern.firstDayOfWeek).toBe('sunday');
    expect(dates(r)).toEqual(['1997-08-05', '1997-08-17', '1997-08-19', '1997-08-31']);
  });

  it('relativeMonthly on the last Friday picks the last Friday of each month', () => {
    const r = rec({ type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' }, { type: 'numbered', numberOfOccurrences: 4 }, '2026-01-30');
    expect(dates(r)).toEqual(['2026-01-30', '2026-02-27', '2026-03-27', '2026-04-24']);
  });

  it('relativeMonthly on the first weekday picks the first Monday–Friday of each month', () => {
    const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
    const r = rec({ type: 'relativeMonthly', interval: 1, daysOfWeek: weekdays, index: 'first' }, { type: 'numbered', numberOfOccurrences: 3 }, '2026-02-02');
    // February 2026 starts on a Sunday, March on a Sunday, April on a Wednesday.
    expect(dates(r)).toEqual(['2026-02-02', '2026-03-02', '2026-04-01']);
  });

  it('absoluteMonthly on day 31 falls on the last day of shorter months when clamping is on', () => {
    const r = rec({ type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, { type: 'numbered', numberOfOccurrences: 5 }, '2026-01-31');
    expect(dates(r, { clamp: true })).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
  });

  it('absoluteMonthly on day 31 skips shorter months when clamping is off', () => {
    const r = rec({ type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, { type: 'numbered', numberOfOccurrences: 4 }, '2026-01-31');
    expect(dates(r, { clamp: false })).toEqual(['2026-01-31', '2026-03-31', '2026-05-31', '2026-07-31']);
  });

  it('an endDate range includes its end date and stops there', () => {
    const r = rec({ type: 'daily', interval: 3 }, { type: 'endDate', endDate: '2026-03-10' }, '2026-03-01');
    expect(dates(r)).toEqual(['2026-03-01', '2026-03-04', '2026-03-07', '2026-03-10']);
  });

  it('a numbered range counts occurrences, not periods', () => {
    const r = rec({ type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday', 'friday'], firstDayOfWeek: 'monday' }, { type: 'numbered', numberOfOccurrences: 5 }, '2026-03-02');
    expect(dates(r)).toEqual(['2026-03-02', '2026-03-04', '2026-03-06', '2026-03-09', '2026-03-11']);
  });

  it('creates no occurrence on a start date outside the pattern: the series begins at the first match', () => {
    // 2026-03-03 is a Tuesday; the pattern is Mondays only.
    const r = rec({ type: 'weekly', interval: 1, daysOfWeek: ['monday'] }, { type: 'numbered', numberOfOccurrences: 2 }, '2026-03-03');
    expect(dates(r)).toEqual(['2026-03-09', '2026-03-16']);
  });

  it('absoluteYearly repeats on the month and day, clamping 29 February in common years', () => {
    const r = rec({ type: 'absoluteYearly', interval: 1, month: 2, dayOfMonth: 29 }, { type: 'numbered', numberOfOccurrences: 3 }, '2024-02-29');
    expect(dates(r)).toEqual(['2024-02-29', '2025-02-28', '2026-02-28']);
  });

  it('relativeYearly on the fourth Thursday of November gives US Thanksgiving', () => {
    const r = rec({ type: 'relativeYearly', interval: 1, month: 11, daysOfWeek: ['thursday'], index: 'fourth' }, { type: 'numbered', numberOfOccurrences: 3 }, '2025-11-27');
    expect(dates(r)).toEqual(['2025-11-27', '2026-11-26', '2027-11-25']);
  });

  it('a noEnd series stops at the requested horizon', () => {
    const r = rec({ type: 'daily', interval: 1 }, { type: 'noEnd' }, '2026-03-01');
    expect(dates(r, { until: '2026-03-03' })).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(r.range.endDate).toBe('0001-01-01');
  });

  it('rejects a range whose startDate differs from the start date of the event', () => {
    expect(() => normalizeRecurrence({ pattern: { type: 'daily', interval: 1 }, range: { type: 'noEnd', startDate: '2026-03-02' } }, '2026-03-01', 'UTC')).toThrow(
      /must be the same as the start date/,
    );
  });

  it('rejects bad enum values even in fields the pattern type ignores', () => {
    expect(() => normalizeRecurrence({ pattern: { type: 'daily', interval: 1, index: 'fifth' }, range: { type: 'noEnd', startDate: '2026-03-01' } }, '2026-03-01', 'UTC')).toThrow(/index/);
    expect(() => normalizeRecurrence({ pattern: { type: 'weekly', interval: 1, daysOfWeek: [] }, range: { type: 'noEnd', startDate: '2026-03-01' } }, '2026-03-01', 'UTC')).toThrow(/daysOfWeek/);
  });
});
