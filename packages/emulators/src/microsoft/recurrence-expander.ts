import { GraphError } from './graph-errors.js';

/**
 * Graph `patternedRecurrence` (https://learn.microsoft.com/graph/api/resources/patternedrecurrence)
 * and its expansion with Outlook's semantics (docs/providers.md#graph-recurrence,
 * https://learn.microsoft.com/graph/outlook-schedule-recurring-events):
 * - weeks start on `firstDayOfWeek` (default sunday), which decides which weeks an `interval > 1`
 *   weekly rule skips;
 * - `index` first..fourth/last picks among the month's days that are any of `daysOfWeek`;
 * - the start date counts only if it fits the pattern (no occurrence on a non-matching start date);
 * - `range.startDate` must equal the start date; `endDate` is inclusive; `numbered` counts real
 *   occurrences;
 * - `dayOfMonth` 29–31 in a shorter month: the month's last day when `clampDayOfMonth` (Outlook's
 *   promise), otherwise the month is skipped.
 * Dates are `YYYY-MM-DD` in the recurrence time zone; times are the caller's business.
 */

export const DAYS_OF_WEEK = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];
export const WEEK_INDEXES = ['first', 'second', 'third', 'fourth', 'last'] as const;
export type WeekIndex = (typeof WEEK_INDEXES)[number];
export const PATTERN_TYPES = ['daily', 'weekly', 'absoluteMonthly', 'relativeMonthly', 'absoluteYearly', 'relativeYearly'] as const;
export type PatternType = (typeof PATTERN_TYPES)[number];
export const RANGE_TYPES = ['endDate', 'noEnd', 'numbered'] as const;
export type RangeType = (typeof RANGE_TYPES)[number];

export interface RecurrencePattern {
  type: PatternType;
  interval: number;
  month: number;
  dayOfMonth: number;
  daysOfWeek: DayOfWeek[];
  firstDayOfWeek: DayOfWeek;
  index: WeekIndex;
}

export interface RecurrenceRange {
  type: RangeType;
  startDate: string;
  /** `0001-01-01` unless `type` is `endDate` (as Graph renders it). */
  endDate: string;
  recurrenceTimeZone: string;
  numberOfOccurrences: number;
}

export interface PatternedRecurrence {
  pattern: RecurrencePattern;
  range: RecurrenceRange;
}

const bad = (message: string) => new GraphError(400, 'ErrorInvalidRequest', message);
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function epochDay(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw bad(`'${date}' is not a valid date.`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) {
    throw bad(`'${date}' is not a valid date.`);
  }
  return ms / 86_400_000;
}

export function dateOfEpochDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** 0 = sunday … 6 = saturday. */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
const dayOf = (year: number, month: number, dom: number): number => Date.UTC(year, month - 1, dom) / 86_400_000;

function dayName(value: unknown, field: string): DayOfWeek {
  const v = typeof value === 'string' ? value.toLowerCase() : '';
  if (!(DAYS_OF_WEEK as readonly string[]).includes(v)) throw bad(`Invalid value '${String(value)}' for ${field}.`);
  return v as DayOfWeek;
}

function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`The value of '${field}' must be an integer between ${min} and ${max}.`);
  }
  return value;
}

/**
 * Validates a request's `recurrence` and fills Graph's defaults. `startDate` is the date of the
 * event's `start` in its own zone; `startZone` its zone name (the default `recurrenceTimeZone`).
 */
export function normalizeRecurrence(input: unknown, startDate: string, startZone: string): PatternedRecurrence {
  if (typeof input !== 'object' || input === null) throw bad('recurrence must be an object with pattern and range.');
  const { pattern: p, range: r } = input as { pattern?: Record<string, unknown>; range?: Record<string, unknown> };
  if (!p || typeof p !== 'object') throw bad('recurrence.pattern is required.');
  if (!r || typeof r !== 'object') throw bad('recurrence.range is required.');

  const type = p.type;
  if (typeof type !== 'string' || !(PATTERN_TYPES as readonly string[]).includes(type)) {
    throw bad(`Invalid value '${String(type)}' for recurrence.pattern.type.`);
  }
  const pattern: RecurrencePattern = {
    type: type as PatternType,
    interval: int(p.interval ?? 1, 'recurrence.pattern.interval', 1, 99),
    month: 0,
    dayOfMonth: 0,
    daysOfWeek: [],
    firstDayOfWeek: p.firstDayOfWeek === undefined || p.firstDayOfWeek === null ? 'sunday' : dayName(p.firstDayOfWeek, 'recurrence.pattern.firstDayOfWeek'),
    index: 'first',
  };
  // Ignored fields are still validated: bad enum values fail even when the type does not use them
  // (https://learn.microsoft.com/graph/outlook-schedule-recurring-events).
  if (p.index !== undefined && p.index !== null) {
    const idx = typeof p.index === 'string' ? p.index.toLowerCase() : '';
    if (!(WEEK_INDEXES as readonly string[]).includes(idx)) throw bad(`Invalid value '${String(p.index)}' for recurrence.pattern.index.`);
    pattern.index = idx as WeekIndex;
  }
  const days = p.daysOfWeek === undefined || p.daysOfWeek === null ? [] : p.daysOfWeek;
  if (!Array.isArray(days)) throw bad('recurrence.pattern.daysOfWeek must be an array.');
  const parsedDays = [...new Set(days.map((d) => dayName(d, 'recurrence.pattern.daysOfWeek')))];
  parsedDays.sort((a, b) => DAYS_OF_WEEK.indexOf(a) - DAYS_OF_WEEK.indexOf(b));

  switch (pattern.type) {
    case 'daily':
      break;
    case 'weekly':
    case 'relativeMonthly':
    case 'relativeYearly':
      if (parsedDays.length === 0) throw bad(`recurrence.pattern.daysOfWeek is required for a ${pattern.type} pattern.`);
      pattern.daysOfWeek = parsedDays;
      break;
    case 'absoluteMonthly':
    case 'absoluteYearly':
      pattern.dayOfMonth = int(p.dayOfMonth, 'recurrence.pattern.dayOfMonth', 1, 31);
      break;
  }
  if (pattern.type === 'absoluteYearly' || pattern.type === 'relativeYearly') {
    pattern.month = int(p.month, 'recurrence.pattern.month', 1, 12);
  }

  const rangeType = r.type;
  if (typeof rangeType !== 'string' || !(RANGE_TYPES as readonly string[]).includes(rangeType)) {
    throw bad(`Invalid value '${String(rangeType)}' for recurrence.range.type.`);
  }
  if (typeof r.startDate !== 'string') throw bad('recurrence.range.startDate is required.');
  const rangeStart = r.startDate.slice(0, 10);
  epochDay(rangeStart);
  if (rangeStart !== startDate) {
    throw bad(`The recurrence range start date '${rangeStart}' must be the same as the start date of the event '${startDate}'.`);
  }
  const range: RecurrenceRange = {
    type: rangeType as RangeType,
    startDate: rangeStart,
    endDate: '0001-01-01',
    recurrenceTimeZone: typeof r.recurrenceTimeZone === 'string' && r.recurrenceTimeZone.trim() ? r.recurrenceTimeZone.trim() : startZone,
    numberOfOccurrences: 0,
  };
  if (range.type === 'endDate') {
    if (typeof r.endDate !== 'string') throw bad('recurrence.range.endDate is required for an endDate range.');
    const end = r.endDate.slice(0, 10);
    if (epochDay(end) < epochDay(rangeStart)) throw bad('recurrence.range.endDate must not be before recurrence.range.startDate.');
    range.endDate = end;
  }
  if (range.type === 'numbered') {
    range.numberOfOccurrences = int(r.numberOfOccurrences, 'recurrence.range.numberOfOccurrences', 1, 999);
  }
  return { pattern, range };
}

/** Whether two recurrences describe the same series. */
export function sameRecurrence(a: PatternedRecurrence | null, b: PatternedRecurrence | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface ExpandOptions {
  clampDayOfMonth: boolean;
  /** Stop after this date (inclusive); required for `noEnd` ranges. */
  until?: string;
  /** Hard stop on the number of dates produced. */
  limit?: number;
}

/** Candidate dates of one period (week, month or year), in order, before start/range filtering. */
function* periods(rec: PatternedRecurrence, start: number, clamp: boolean): Generator<number[]> {
  const p = rec.pattern;
  const startDate = new Date(start * 86_400_000);
  const y0 = startDate.getUTCFullYear();
  const m0 = startDate.getUTCMonth() + 1;
  const relative = (year: number, month: number): number[] => {
    const count = daysInMonth(year, month);
    const wanted = new Set(p.daysOfWeek.map((d) => DAYS_OF_WEEK.indexOf(d)));
    const matching: number[] = [];
    for (let dom = 1; dom <= count; dom++) {
      const day = dayOf(year, month, dom);
      if (wanted.has(weekday(day))) matching.push(day);
    }
    const pick = p.index === 'last' ? matching[matching.length - 1] : matching[WEEK_INDEXES.indexOf(p.index)];
    return pick === undefined ? [] : [pick];
  };
  const absolute = (year: number, month: number): number[] => {
    const count = daysInMonth(year, month);
    if (p.dayOfMonth > count) return clamp ? [dayOf(year, month, count)] : [];
    return [dayOf(year, month, p.dayOfMonth)];
  };

  for (let k = 0; ; k += p.interval) {
    switch (p.type) {
      case 'daily':
        yield [start + k];
        break;
      case 'weekly': {
        const fdw = DAYS_OF_WEEK.indexOf(p.firstDayOfWeek);
        const weekStart = start - ((weekday(start) - fdw + 7) % 7) + 7 * k;
        const wanted = new Set(p.daysOfWeek.map((d) => DAYS_OF_WEEK.indexOf(d)));
        const out: number[] = [];
        for (let i = 0; i < 7; i++) if (wanted.has(weekday(weekStart + i))) out.push(weekStart + i);
        yield out;
        break;
      }
      case 'absoluteMonthly':
      case 'relativeMonthly': {
        const index = m0 - 1 + k;
        const year = y0 + Math.floor(index / 12);
        const month = (index % 12) + 1;
        yield p.type === 'absoluteMonthly' ? absolute(year, month) : relative(year, month);
        break;
      }
      case 'absoluteYearly':
      case 'relativeYearly': {
        const year = y0 + k;
        yield p.type === 'absoluteYearly' ? absolute(year, p.month) : relative(year, p.month);
        break;
      }
    }
  }
}

/** The occurrence dates of a series, in order, honouring the range and `opts`. */
export function* expandRecurrenceDates(rec: PatternedRecurrence, opts: ExpandOptions): Generator<string> {
  const start = epochDay(rec.range.startDate);
  const rangeEnd = rec.range.type === 'endDate' ? epochDay(rec.range.endDate) : Infinity;
  const until = Math.min(rangeEnd, opts.until ? epochDay(opts.until) : Infinity);
  const maxCount = rec.range.type === 'numbered' ? rec.range.numberOfOccurrences : Infinity;
  const limit = Math.min(maxCount, opts.limit ?? Infinity);
  if (!Number.isFinite(until) && !Number.isFinite(limit)) throw new Error('expandRecurrenceDates needs an end: a range end, `until` or `limit`');
  let produced = 0;
  let barren = 0;
  for (const period of periods(rec, start, opts.clampDayOfMonth)) {
    // A pattern that can never match again (e.g. 30 February without clamping) must not spin forever.
    barren = period.length === 0 ? barren + 1 : 0;
    if (barren > 400) return;
    // Periods are chronological, so once a period begins after `until` nothing later can match.
    if (period.length > 0 && period[0]! > until) return;
    for (const day of period) {
      if (day < start) continue;
      if (day > until) return;
      yield dateOfEpochDay(day);
      produced += 1;
      if (produced >= limit) return;
    }
  }
}
