import { DateTime } from 'luxon';
import type { EventTiming, Recurrence } from '../appointment.js';
import type { Weekday } from '../tenant-settings.js';
import { windowsToIana } from '../windows-time-zones.js';
import { dayNumber, expandDates } from './expand.js';
import { emptyRule, isRecurrenceParseError, parseRRule, type RRule, type WeekdayNum } from './rrule.js';

/**
 * Mapping between RFC 5545 RRULEs and Microsoft Graph's `patternedRecurrence`
 * (https://learn.microsoft.com/graph/api/resources/recurrencepattern, …/recurrencerange;
 * docs/providers.md#graph-recurrence). The shapes below mirror Graph's JSON structurally; this module
 * imports no Graph type.
 */

export type GraphDayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export type GraphWeekIndex = 'first' | 'second' | 'third' | 'fourth' | 'last';
export type GraphPatternType = 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';

export interface GraphPattern {
  type: GraphPatternType;
  interval: number;
  daysOfWeek?: GraphDayOfWeek[];
  dayOfMonth?: number;
  month?: number;
  index?: GraphWeekIndex;
  firstDayOfWeek?: GraphDayOfWeek;
}

export interface GraphRange {
  type: 'endDate' | 'noEnd' | 'numbered';
  startDate: string;
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}

export interface GraphRecurrence {
  pattern: GraphPattern;
  range: GraphRange;
}

const TO_GRAPH_DAY: Record<Weekday, GraphDayOfWeek> = {
  MO: 'monday',
  TU: 'tuesday',
  WE: 'wednesday',
  TH: 'thursday',
  FR: 'friday',
  SA: 'saturday',
  SU: 'sunday',
};
const FROM_GRAPH_DAY: Record<GraphDayOfWeek, Weekday> = {
  monday: 'MO',
  tuesday: 'TU',
  wednesday: 'WE',
  thursday: 'TH',
  friday: 'FR',
  saturday: 'SA',
  sunday: 'SU',
};
const INDEX_TO_N: Record<GraphWeekIndex, number> = { first: 1, second: 2, third: 3, fourth: 4, last: -1 };
const N_TO_INDEX: Record<string, GraphWeekIndex> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '-1': 'last' };
const ALL_DAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const WORK_DAYS: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR'];

/** Graph accepts `Monday` in requests and answers `monday`. */
function graphDay(value: string): Weekday {
  const day = FROM_GRAPH_DAY[value.toLowerCase() as GraphDayOfWeek];
  if (!day) throw new RangeError(`not a Graph day of week: ${value}`);
  return day;
}

/**
 * How `absoluteMonthly`/`absoluteYearly` with dayOfMonth 29–31 is read. Outlook's UI promises the
 * last day of shorter months; RFC 5545 and Google skip such months. `OUTLOOK_LAST_DAY` maps to the
 * exact RRULE idiom `BYMONTHDAY=28,29,30,31;BYSETPOS=-1`; `SKIP` maps to a plain BYMONTHDAY.
 */
export type MonthEndPolicy = 'OUTLOOK_LAST_DAY' | 'SKIP';

export interface GraphToRRuleContext {
  allDay: boolean;
  /** IANA zone of the series (recurrenceTimeZone, or the start's zone). */
  timeZone: string;
  monthEnd?: MonthEndPolicy;
}

function clampedMonthDay(rule: RRule, day: number, policy: MonthEndPolicy): void {
  if (day >= 29 && policy === 'OUTLOOK_LAST_DAY') {
    rule.byMonthDay = Array.from({ length: day - 27 }, (_, i) => 28 + i);
    rule.bySetPos = [-1];
  } else {
    rule.byMonthDay = [day];
  }
}

/** Graph → RRULE. Always writes WKST for weekly rules (Graph's default first day is Sunday). */
export function graphToRRule(rec: GraphRecurrence, ctx: GraphToRRuleContext): RRule {
  const p = rec.pattern;
  const policy = ctx.monthEnd ?? 'OUTLOOK_LAST_DAY';
  const days = (p.daysOfWeek ?? []).map(graphDay);
  const index = p.index ?? 'first';
  let rule: RRule;
  switch (p.type) {
    case 'daily':
      rule = emptyRule('DAILY');
      break;
    case 'weekly':
      rule = emptyRule('WEEKLY');
      rule.byDay = days.map((day) => ({ day, n: null }));
      rule.wkst = p.firstDayOfWeek ? graphDay(p.firstDayOfWeek) : 'SU';
      break;
    case 'absoluteMonthly':
      rule = emptyRule('MONTHLY');
      clampedMonthDay(rule, p.dayOfMonth ?? 1, policy);
      break;
    case 'relativeMonthly':
    case 'relativeYearly':
      rule = emptyRule(p.type === 'relativeMonthly' ? 'MONTHLY' : 'YEARLY');
      if (p.type === 'relativeYearly') rule.byMonth = [p.month ?? 1];
      if (days.length === 7 && index === 'last') {
        rule.byMonthDay = [-1];
      } else if (days.length === 1) {
        rule.byDay = [{ day: days[0]!, n: INDEX_TO_N[index] }];
      } else {
        rule.byDay = days.map((day) => ({ day, n: null }));
        rule.bySetPos = [INDEX_TO_N[index]];
      }
      break;
    case 'absoluteYearly':
      rule = emptyRule('YEARLY');
      rule.byMonth = [p.month ?? 1];
      clampedMonthDay(rule, p.dayOfMonth ?? 1, policy);
      break;
  }
  rule.interval = Math.max(1, p.interval || 1);
  const r = rec.range;
  if (r.type === 'numbered') rule.count = r.numberOfOccurrences ?? 1;
  if (r.type === 'endDate' && r.endDate) {
    if (ctx.allDay) {
      rule.until = r.endDate.replaceAll('-', '');
    } else {
      // The end date is inclusive in the recurrence zone: the last instant of that day, in UTC.
      // Graph names the zone the Windows way or the IANA way.
      const named = r.recurrenceTimeZone || ctx.timeZone;
      const zone = windowsToIana(named) ?? named;
      const last = DateTime.fromISO(`${r.endDate}T23:59:59`, { zone });
      if (!last.isValid) throw new RangeError(`unknown recurrence time zone: ${named}`);
      rule.until = last.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
    }
  }
  return rule;
}

export interface RRuleToGraphContext {
  /** The series' first date (`YYYY-MM-DD`), which becomes `range.startDate`. */
  startDate: string;
  allDay: boolean;
  timeZone: string;
  monthEnd?: MonthEndPolicy;
}

export type RRuleToGraphResult =
  | { ok: true; recurrence: GraphRecurrence }
  | { ok: false; reason: string };

const fail = (reason: string): RRuleToGraphResult => ({ ok: false, reason });

function plainDays(byDay: WeekdayNum[]): Weekday[] | null {
  if (byDay.some((d) => d.n !== null)) return null;
  return byDay.map((d) => d.day);
}

const sameSet = (a: Weekday[], b: Weekday[]) => a.length === b.length && a.every((d) => b.includes(d));

/** RRULE → Graph, or the reason Graph cannot hold it (docs/providers.md#graph-recurrence). */
export function rruleToGraph(rule: RRule, ctx: RRuleToGraphContext): RRuleToGraphResult {
  if (!['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'].includes(rule.freq)) return fail(`Outlook has no ${rule.freq.toLowerCase()} recurrence`);
  if (rule.byHour.length || rule.byMinute.length || rule.bySecond.length) return fail('Outlook cannot repeat at several times of day (BYHOUR/BYMINUTE/BYSECOND)');
  if (rule.byWeekNo.length) return fail('Outlook cannot repeat by week number (BYWEEKNO)');
  if (rule.byYearDay.length) return fail('Outlook cannot repeat by day of the year (BYYEARDAY)');
  if (rule.byMonth.length > 1) return fail('Outlook cannot repeat in several months of the year');

  const range: GraphRange = { type: 'noEnd', startDate: ctx.startDate, recurrenceTimeZone: ctx.timeZone };
  if (rule.count !== null) {
    range.type = 'numbered';
    range.numberOfOccurrences = rule.count;
  } else if (rule.until !== null) {
    range.type = 'endDate';
    range.endDate = untilToLocalDate(rule.until, ctx.timeZone);
  }
  const pattern = (p: GraphPattern): RRuleToGraphResult => ({ ok: true, recurrence: { pattern: p, range } });
  const days = rule.byDay.map((d) => d.day);
  const policy = ctx.monthEnd ?? 'OUTLOOK_LAST_DAY';

  // Outlook's month-end idiom: BYMONTHDAY=28,…,d;BYSETPOS=-1 is "day d, or the last day of shorter months".
  const monthEndDay = (): number | null => {
    if (rule.bySetPos.length !== 1 || rule.bySetPos[0] !== -1 || rule.byDay.length) return null;
    const sorted = [...rule.byMonthDay].sort((a, b) => a - b);
    if (sorted[0] !== 28 || sorted.length < 2 || sorted.length > 4) return null;
    if (!sorted.every((d, i) => d === 28 + i)) return null;
    return sorted[sorted.length - 1]!;
  };

  switch (rule.freq) {
    case 'DAILY': {
      if (rule.byMonthDay.length || rule.byMonth.length || rule.bySetPos.length) return fail('Outlook cannot filter a daily recurrence by month or day of month');
      if (rule.byDay.length === 0) return pattern({ type: 'daily', interval: rule.interval });
      const plain = plainDays(rule.byDay);
      // "Every weekday" is how Outlook writes FREQ=DAILY;BYDAY=MO,…,FR; any day set works at interval 1.
      if (plain && rule.interval === 1) {
        return pattern({ type: 'weekly', interval: 1, daysOfWeek: plain.map((d) => TO_GRAPH_DAY[d]), firstDayOfWeek: TO_GRAPH_DAY[rule.wkst ?? 'MO'] });
      }
      return fail('Outlook cannot repeat every few days on chosen weekdays');
    }
    case 'WEEKLY': {
      if (rule.byMonth.length || rule.bySetPos.length) return fail('Outlook cannot filter a weekly recurrence by month or position');
      const plain = rule.byDay.length ? plainDays(rule.byDay) : [weekdayOfDate(ctx.startDate)];
      if (!plain) return fail('Outlook cannot hold ordinal weekdays in a weekly recurrence');
      return pattern({
        type: 'weekly',
        interval: rule.interval,
        daysOfWeek: plain.map((d) => TO_GRAPH_DAY[d]),
        firstDayOfWeek: TO_GRAPH_DAY[rule.wkst ?? 'MO'],
      });
    }
    case 'MONTHLY':
    case 'YEARLY': {
      const yearly = rule.freq === 'YEARLY';
      const month = yearly ? rule.byMonth[0] ?? monthOfDate(ctx.startDate) : undefined;
      if (!yearly && rule.byMonth.length) return fail('Outlook cannot limit a monthly recurrence to some months');
      const base = { interval: rule.interval, ...(month !== undefined ? { month } : {}) };
      const clamp = monthEndDay();
      if (clamp !== null && policy === 'OUTLOOK_LAST_DAY') {
        return pattern({ type: yearly ? 'absoluteYearly' : 'absoluteMonthly', ...base, dayOfMonth: clamp });
      }
      if (rule.byMonthDay.length) {
        if (rule.byDay.length) return fail('Outlook cannot combine days of the month with weekdays');
        if (rule.byMonthDay.length === 1 && rule.byMonthDay[0] === -1 && rule.bySetPos.length === 0) {
          return pattern({ type: yearly ? 'relativeYearly' : 'relativeMonthly', ...base, daysOfWeek: ALL_DAYS.map((d) => TO_GRAPH_DAY[d]), index: 'last' });
        }
        if (rule.byMonthDay.length > 1 || rule.byMonthDay[0]! < 0 || rule.bySetPos.length) {
          return fail('Outlook can repeat on one day of the month only (several or negative days are not possible)');
        }
        const day = rule.byMonthDay[0]!;
        if (day >= 29 && policy === 'OUTLOOK_LAST_DAY') {
          // RFC skips months without that day; Outlook would move it to the month's last day.
          return fail(`Outlook moves day ${day} to the last day of shorter months, while this rule skips those months`);
        }
        return pattern({ type: yearly ? 'absoluteYearly' : 'absoluteMonthly', ...base, dayOfMonth: day });
      }
      if (rule.byDay.length === 0) {
        const day = Number(ctx.startDate.slice(8, 10));
        if (day >= 29 && policy === 'OUTLOOK_LAST_DAY') return fail(`Outlook moves day ${day} to the last day of shorter months, while this rule skips those months`);
        return pattern({ type: yearly ? 'absoluteYearly' : 'absoluteMonthly', ...base, dayOfMonth: day });
      }
      if (yearly && rule.byMonth.length === 0) return fail('Outlook cannot repeat on a weekday of the year without a month');
      const ordinals = rule.byDay.filter((d) => d.n !== null);
      if (ordinals.length === 1 && rule.byDay.length === 1 && rule.bySetPos.length === 0) {
        const index = N_TO_INDEX[String(ordinals[0]!.n)];
        if (!index) return fail(`Outlook can only repeat on the first to fourth or last weekday (not ${ordinals[0]!.n})`);
        return pattern({ type: yearly ? 'relativeYearly' : 'relativeMonthly', ...base, daysOfWeek: [TO_GRAPH_DAY[ordinals[0]!.day]], index });
      }
      if (ordinals.length > 0) return fail('Outlook cannot repeat on several ordinal weekdays');
      if (rule.bySetPos.length !== 1) {
        return fail(rule.bySetPos.length ? 'Outlook can pick one position only' : 'Outlook cannot repeat on every such weekday of the month');
      }
      const index = N_TO_INDEX[String(rule.bySetPos[0])];
      if (!index) return fail(`Outlook can only pick the first to fourth or last day (not position ${rule.bySetPos[0]})`);
      if (sameSet(days, ALL_DAYS) && index === 'last') {
        return pattern({ type: yearly ? 'relativeYearly' : 'relativeMonthly', ...base, daysOfWeek: ALL_DAYS.map((d) => TO_GRAPH_DAY[d]), index });
      }
      return pattern({ type: yearly ? 'relativeYearly' : 'relativeMonthly', ...base, daysOfWeek: days.map((d) => TO_GRAPH_DAY[d]), index });
    }
  }
  return fail(`Outlook has no ${rule.freq.toLowerCase()} recurrence`);
}

export type GraphSeriesResult =
  | { ok: true; recurrence: GraphRecurrence; shiftDays: number }
  /** `firstOffPattern`: refused because the first occurrence is on a day the rule does not give. */
  | { ok: false; reason: string; firstOffPattern?: true };

/**
 * A canonical series as Graph holds it, or the reason Graph cannot hold it (RDATEs, a rule outside
 * Graph's patterns). Graph creates no occurrence on a start date the pattern does not produce
 * (RFC 5545, Google and the host count DTSTART as the first one) and wants `range.startDate`
 * equal to the start date: such a series is refused naming its first occurrence — unless that
 * occurrence is cancelled (an EXDATE), when the series moves to its first real occurrence with one
 * fewer to count; `shiftDays` says by how many days (docs/providers.md#graph-recurrence). Graph ends a range on a date: the date of the last
 * occurrence UNTIL allows (an UNTIL earlier in the day than the series' time ends the day before).
 * EXDATEs are not part of the pattern; they are cancelled occurrences.
 */
export function graphSeriesOf(recurrence: Recurrence, timing: EventTiming): GraphSeriesResult {
  if (recurrence.rdates.length > 0) return { ok: false, reason: 'Outlook cannot hold extra dates (RDATE) in a series.' };
  let rule: RRule;
  try {
    rule = parseRRule(recurrence.rrule);
  } catch (e) {
    if (isRecurrenceParseError(e)) return { ok: false, reason: `The recurrence rule is not valid: ${e.message}` };
    throw e;
  }
  const timeZone = timing.timeZone ?? 'UTC';
  const start = timing.allDay ? DateTime.fromISO(timing.startDate, { zone: 'utc' }) : DateTime.fromISO(timing.start, { zone: 'utc' }).setZone(timeZone);
  if (!start.isValid) return { ok: false, reason: `The start cannot be placed in ${timeZone}.` };
  const date = start.toISODate()!;
  const checked = rruleToGraph(rule, { startDate: date, allDay: timing.allDay, timeZone });
  if (!checked.ok) return checked;
  const untilDate = rule.until ? lastDateUntil(rule.until, timing.allDay ? null : start, timeZone) : null;
  let first: string | undefined;
  try {
    [first] = expandDates(rule, { start: date, untilDate, limit: 1 });
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  if (!first) return { ok: false, reason: 'The recurrence produces no occurrence.' };
  const shiftDays = dayNumber(first) - dayNumber(date);
  // The host, RFC 5545 and Google count a start the rule does not produce as the first occurrence
  // (and in COUNT); Outlook would drop it. Only a series whose first occurrence is cancelled anyway
  // moves to its first real occurrence — with one occurrence fewer to count.
  if (shiftDays !== 0 && !recurrence.exdates.some((d) => sameOccurrence(d, timing))) {
    return { ok: false, reason: `Outlook cannot hold a first occurrence on a day the recurrence does not repeat on (${date}${rule.freq === 'WEEKLY' ? `, ${WEEKDAY_NAMES[weekdayOfDate(date)]}` : ''})`, firstOffPattern: true };
  }
  if (shiftDays !== 0 && rule.count !== null) {
    if (rule.count <= 1) return { ok: false, reason: 'The recurrence has no occurrence left: its only one is cancelled.' };
    rule = { ...rule, count: rule.count - 1 };
  }
  const mapped = rruleToGraph(rule, { startDate: first, allDay: timing.allDay, timeZone });
  if (!mapped.ok) return mapped;
  const range = untilDate !== null && mapped.recurrence.range.type === 'endDate' ? { ...mapped.recurrence.range, endDate: untilDate } : mapped.recurrence.range;
  return { ok: true, recurrence: { pattern: mapped.recurrence.pattern, range }, shiftDays };
}

const WEEKDAY_NAMES: Record<Weekday, string> = { MO: 'a Monday', TU: 'a Tuesday', WE: 'a Wednesday', TH: 'a Thursday', FR: 'a Friday', SA: 'a Saturday', SU: 'a Sunday' };

/** Whether an EXDATE names the series' first occurrence (a date for all-day series, else an instant). */
function sameOccurrence(exdate: string, timing: EventTiming): boolean {
  if (timing.allDay) return exdate === timing.startDate;
  return Date.parse(exdate) === Date.parse(timing.start);
}

/** The last date (in `timeZone`) on which a series starting at `start`'s time of day still has an occurrence at or before UNTIL. */
function lastDateUntil(until: string, start: DateTime | null, timeZone: string): string {
  const date = untilToLocalDate(start === null ? until.slice(0, 8) : until, timeZone);
  if (start === null || until.length === 8) return date;
  const end = until.endsWith('Z') ? DateTime.fromFormat(until, "yyyyMMdd'T'HHmmss'Z'", { zone: 'utc' }).setZone(timeZone) : DateTime.fromFormat(until, "yyyyMMdd'T'HHmmss", { zone: timeZone });
  const startOfDay = start.hour * 3600 + start.minute * 60 + start.second;
  const endOfDay = end.hour * 3600 + end.minute * 60 + end.second;
  return startOfDay <= endOfDay ? date : DateTime.fromISO(date, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;
}

/** The local date (in `timeZone`) an UNTIL value ends on. */
export function untilToLocalDate(until: string, timeZone: string): string {
  const date = `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6, 8)}`;
  if (!until.endsWith('Z')) return date;
  const dt = DateTime.fromFormat(until, "yyyyMMdd'T'HHmmss'Z'", { zone: 'utc' }).setZone(timeZone);
  return dt.toISODate() ?? date;
}

function weekdayOfDate(date: string): Weekday {
  const js = new Date(`${date}T00:00:00Z`).getUTCDay();
  return (['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const)[js]!;
}

function monthOfDate(date: string): number {
  return Number(date.slice(5, 7));
}

/** Whether a weekday set is Monday–Friday (Outlook's "every weekday"). */
export const isWorkWeek = (days: Weekday[]) => sameSet(days, WORK_DAYS);
