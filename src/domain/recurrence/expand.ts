import type { Weekday } from '../tenant-settings.js';
import type { RRule } from './rrule.js';

/**
 * Date-level RRULE expansion (RFC 5545 §3.3.10) on the proleptic Gregorian calendar. The hub
 * only needs day granularity: every side it syncs with keeps the series' time of day fixed, and
 * Graph cannot hold BYHOUR/BYMINUTE/BYSECOND at all (those rules are refused before expansion).
 *
 * Each period (day, week, month or year, stepped by INTERVAL) is scanned day by day and a day is
 * kept when it passes every BYxxx filter, with DTSTART supplying the defaults the RFC prescribes
 * (weekday for WEEKLY, day of month for MONTHLY, month and day for YEARLY). BYSETPOS then picks
 * positions within the period's candidates.
 */

const DAY_MS = 86_400_000;
const WEEKDAY_ORDER: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date: ${date}`);
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS);
}

export function dateOfDayNumber(dn: number): string {
  return new Date(dn * DAY_MS).toISOString().slice(0, 10);
}

/** Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday). */
export function weekdayIndex(dn: number): number {
  return (((dn + 3) % 7) + 7) % 7;
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAY_ORDER[weekdayIndex(dayNumber(date))]!;
}

interface Civil {
  year: number;
  month: number;
  day: number;
}

function civil(dn: number): Civil {
  const d = new Date(dn * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const firstOfMonth = (year: number, month: number) => Math.round(Date.UTC(year, month - 1, 1) / DAY_MS);
const firstOfYear = (year: number) => firstOfMonth(year, 1);
const daysInYear = (year: number) => firstOfYear(year + 1) - firstOfYear(year);

/** Start (day number) of the week containing `dn`, weeks beginning on `wkst`. */
function weekStart(dn: number, wkst: number): number {
  return dn - ((weekdayIndex(dn) - wkst + 7) % 7);
}

/**
 * RFC 5545 week number: week 1 is the first week (starting on WKST) with at least four days in the
 * year. Returns [week, weeksInYear] for the year the day belongs to by calendar year.
 */
function weekNumberInYear(dn: number, year: number, wkst: number): { week: number; total: number } | null {
  const jan1 = firstOfYear(year);
  // First day of week 1: the week start on or before Jan 4 (a week with ≥4 days in the year contains Jan 4).
  const week1 = weekStart(jan1 + 3, wkst);
  const nextWeek1 = weekStart(firstOfYear(year + 1) + 3, wkst);
  const total = Math.round((nextWeek1 - week1) / 7);
  if (dn < week1) {
    // Belongs to the last week of the previous year; BYWEEKNO counts it there.
    return null;
  }
  if (dn >= nextWeek1) return null;
  return { week: Math.floor((dn - week1) / 7) + 1, total };
}

export interface ExpandOptions {
  /** DTSTART's date (`YYYY-MM-DD`). */
  start: string;
  /** Last allowed date (inclusive), already converted from UNTIL by the caller. */
  untilDate?: string | null;
  /** Stop after this many dates. */
  limit?: number;
  /** Do not look past this date (inclusive). */
  horizon?: string;
  /**
   * RFC 5545/Google: DTSTART is always the first occurrence even when it does not match the rule.
   * Outlook: it is not (the series begins at the first match). Default false.
   */
  includeStart?: boolean;
}

/** A rule for which the hub's day-level expansion is exact (no sub-daily parts). */
export function isDayLevel(rule: RRule): boolean {
  return (
    ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(rule.freq) &&
    rule.byHour.length === 0 &&
    rule.byMinute.length === 0 &&
    rule.bySecond.length === 0
  );
}

/** The dates of a series, ascending. Throws for rules that are not day-level. */
export function expandDates(rule: RRule, opts: ExpandOptions): string[] {
  if (!isDayLevel(rule)) throw new RangeError(`FREQ=${rule.freq} with sub-daily parts cannot be expanded by date`);
  const startDn = dayNumber(opts.start);
  const start = civil(startDn);
  const wkst = WEEKDAY_ORDER.indexOf(rule.wkst ?? 'MO');
  const untilDn = opts.untilDate ? dayNumber(opts.untilDate) : Number.POSITIVE_INFINITY;
  const horizonDn = opts.horizon ? dayNumber(opts.horizon) : startDn + 366 * 200;
  const limit = Math.min(opts.limit ?? Number.POSITIVE_INFINITY, rule.count ?? Number.POSITIVE_INFINITY);
  const out: number[] = [];

  const hasDaySpec = rule.byDay.length > 0 || rule.byMonthDay.length > 0 || rule.byYearDay.length > 0 || rule.byWeekNo.length > 0;
  const byDay = rule.byDay.length > 0 ? rule.byDay : rule.freq === 'WEEKLY' ? [{ day: WEEKDAY_ORDER[weekdayIndex(startDn)]!, n: null }] : [];
  const byMonthDay = rule.byMonthDay.length > 0 ? rule.byMonthDay : !hasDaySpec && (rule.freq === 'MONTHLY' || rule.freq === 'YEARLY') ? [start.day] : [];
  const byMonth = rule.byMonth.length > 0 ? rule.byMonth : !hasDaySpec && rule.freq === 'YEARLY' ? [start.month] : [];

  const keep = (dn: number): boolean => {
    const c = civil(dn);
    if (byMonth.length > 0 && !byMonth.includes(c.month)) return false;
    if (rule.byWeekNo.length > 0) {
      const w = weekNumberInYear(dn, c.year, wkst);
      if (!w || !rule.byWeekNo.some((n) => (n > 0 ? n === w.week : w.total + n + 1 === w.week))) return false;
    }
    if (rule.byYearDay.length > 0) {
      const yd = dn - firstOfYear(c.year) + 1;
      const len = daysInYear(c.year);
      if (!rule.byYearDay.some((n) => (n > 0 ? n === yd : len + n + 1 === yd))) return false;
    }
    if (byMonthDay.length > 0) {
      const len = daysInMonth(c.year, c.month);
      if (!byMonthDay.some((n) => (n > 0 ? n === c.day : len + n + 1 === c.day))) return false;
    }
    if (byDay.length > 0) {
      const wd = WEEKDAY_ORDER[weekdayIndex(dn)]!;
      // Ordinals count within the month for MONTHLY (and YEARLY with BYMONTH), else within the year.
      const inMonth = rule.freq === 'MONTHLY' || (rule.freq === 'YEARLY' && rule.byMonth.length > 0);
      const ok = byDay.some((d) => {
        if (d.day !== wd) return false;
        if (d.n === null) return true;
        const from = inMonth ? firstOfMonth(c.year, c.month) : firstOfYear(c.year);
        const len = inMonth ? daysInMonth(c.year, c.month) : daysInYear(c.year);
        const nth = Math.floor((dn - from) / 7) + 1;
        const nthFromEnd = Math.floor((from + len - 1 - dn) / 7) + 1;
        return d.n > 0 ? d.n === nth : -d.n === nthFromEnd;
      });
      if (!ok) return false;
    }
    return true;
  };

  /** [first, last] day numbers of the period with index k (0 = the period containing DTSTART). */
  const period = (k: number): [number, number] => {
    switch (rule.freq) {
      case 'DAILY':
        return [startDn + k * rule.interval, startDn + k * rule.interval];
      case 'WEEKLY': {
        const first = weekStart(startDn, wkst) + k * 7 * rule.interval;
        return [first, first + 6];
      }
      case 'MONTHLY': {
        const m = start.month - 1 + k * rule.interval;
        const year = start.year + Math.floor(m / 12);
        const month = (m % 12) + 1;
        return [firstOfMonth(year, month), firstOfMonth(year, month) + daysInMonth(year, month) - 1];
      }
      default: {
        const year = start.year + k * rule.interval;
        return [firstOfYear(year), firstOfYear(year) + daysInYear(year) - 1];
      }
    }
  };

  if (opts.includeStart) out.push(startDn);
  const maxPeriods = 100_000;
  for (let k = 0; k < maxPeriods && out.length < limit; k++) {
    const [from, to] = period(k);
    if (from > horizonDn || from > untilDn) break;
    let candidates: number[] = [];
    for (let dn = from; dn <= to; dn++) if (keep(dn)) candidates.push(dn);
    if (rule.bySetPos.length > 0) {
      const picked = new Set<number>();
      for (const pos of rule.bySetPos) {
        const dn = pos > 0 ? candidates[pos - 1] : candidates[candidates.length + pos];
        if (dn !== undefined) picked.add(dn);
      }
      candidates = [...picked].sort((a, b) => a - b);
    }
    for (const dn of candidates) {
      if (dn < startDn || (opts.includeStart && dn === startDn)) continue;
      if (dn > untilDn || dn > horizonDn) return out.map(dateOfDayNumber);
      out.push(dn);
      if (out.length >= limit) break;
    }
  }
  return out.map(dateOfDayNumber);
}

/** Whether DTSTART's date is itself an occurrence of the rule (RFC calls a non-matching DTSTART undefined). */
export function startMatchesRule(rule: RRule, start: string): boolean {
  const first = expandDates({ ...rule, count: null, until: null }, { start, limit: 1 });
  return first[0] === start;
}
