import { DateTime } from 'luxon';
import type { EventTiming, Recurrence } from '../appointment.js';
import type { SeriesFinding } from '../sync-issue.js';
import type { HostProfile } from '../tenant-settings.js';
import { expandDates } from './expand.js';
import { formatRRule, isRecurrenceParseError, parseRRule, type RRule } from './rrule.js';

/**
 * What a host application can hold of a calendar series (tenant setting `hostProfile`,
 * product-behaviours.md "Recurring appointments"), decided before a series from a calendar reaches
 * the host. A series the host cannot hold is blocked (a notice with the reason and a tip, nothing
 * written); one it can hold in part is given in the form it can hold, with a warning:
 *
 * - `NONE`: blocked (HOST_NO_SERIES); `FIRST_OCCURRENCE_ONLY`: the first occurrence as a single
 *   appointment (HOST_FIRST_OCCURRENCE_ONLY);
 * - RDATEs (extra dates): the host model has none — blocked (RECURRENCE_NOT_REPRESENTABLE);
 * - daily rules without `supportsDaily`: blocked (HOST_NO_DAILY_RECURRENCE);
 * - every-N-weeks rules on several days whose dates depend on the first day of the week, when the
 *   host's week starts on another day: synced with WKST explicit, warned (HOST_WEEK_START_MISMATCH);
 * - cancelled or moved occurrences without `supportsExceptions`: the regular series, warned
 *   (HOST_NO_EXCEPTIONS);
 * - an endless series without `supportsEndless`: ended `endlessHorizonYears` after its start, warned
 *   (ENDLESS_SERIES_CAPPED).
 *
 * What the host gets is in canonical form (`canonicalRule`): weekly rules always carry WKST (RFC
 * 5545's default MO when the calendar left it out), so the host never has to guess the week start.
 */

export interface HostSeriesInput {
  recurrence: Recurrence;
  /** The series' first occurrence. */
  timing: EventTiming;
  /** Cancelled occurrences a calendar keeps outside the rule (Google cancelled instances). */
  cancelled: readonly string[];
  /** Whether the calendar holds moved or edited occurrences of the series. */
  hasExceptions: boolean;
  profile: HostProfile;
}

export interface HostSeriesView {
  /** True when the series must not reach the host. */
  blocked: boolean;
  /** What the host holds: the series' recurrence, or null when it takes the first occurrence only. Meaningless when blocked. */
  recurrence: Recurrence | null;
  findings: SeriesFinding[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An EXDATE/RDATE/original start in its canonical form: a date, or an ISO instant with milliseconds. */
export function occurrenceValue(value: string): string {
  if (DATE.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** The series' first date in its own zone. */
export function seriesStartDate(timing: EventTiming): string {
  if (timing.allDay) return timing.startDate;
  return DateTime.fromISO(timing.start, { zone: 'utc' }).setZone(timing.timeZone).toISODate() ?? timing.start.slice(0, 10);
}

/** An RFC 5545 UNTIL at the end of `date` in the series' zone: `YYYYMMDD` for all-day series, a UTC date-time otherwise (as Graph's inclusive end dates read). */
function untilEndOf(date: string, timing: EventTiming): string {
  if (timing.allDay) return date.replaceAll('-', '');
  return DateTime.fromISO(`${date}T23:59:59`, { zone: timing.timeZone }).toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

const addYears = (date: string, years: number) => DateTime.fromISO(date, { zone: 'utc' }).plus({ years }).toISODate()!;

const DAY_ORDER = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const ascending = (values: number[]) => [...values].sort((a, b) => a - b);

/**
 * A rule in the hub's canonical form: weekdays Monday to Sunday and numbers ascending in every
 * BYxxx list (their order means nothing), and WKST explicit on weekly rules — `weekStart` (RFC
 * 5545's default Monday) when the rule does not name one.
 */
export function canonicalRule(rule: RRule, weekStart: NonNullable<RRule['wkst']> = 'MO'): RRule {
  return {
    ...rule,
    byDay: [...rule.byDay].sort((a, b) => DAY_ORDER.indexOf(a.day) - DAY_ORDER.indexOf(b.day) || (a.n ?? 0) - (b.n ?? 0)),
    byMonthDay: ascending(rule.byMonthDay),
    byMonth: ascending(rule.byMonth),
    byYearDay: ascending(rule.byYearDay),
    byWeekNo: ascending(rule.byWeekNo),
    bySetPos: ascending(rule.bySetPos),
    byHour: ascending(rule.byHour),
    byMinute: ascending(rule.byMinute),
    bySecond: ascending(rule.bySecond),
    wkst: rule.freq === 'WEEKLY' ? (rule.wkst ?? weekStart) : rule.wkst,
  };
}

/** Whether an every-N-weeks rule on several days gives other dates when weeks start on `weekStart`. */
function weekStartMatters(rule: RRule, startDate: string, weekStart: NonNullable<RRule['wkst']>): boolean {
  if (rule.freq !== 'WEEKLY' || rule.interval <= 1 || rule.byDay.length <= 1 || rule.wkst === weekStart) return false;
  const horizon = addYears(startDate, 2);
  const open = { ...rule, count: null, until: null };
  const asIs = expandDates(open, { start: startDate, horizon, limit: 200 });
  const asHost = expandDates({ ...open, wkst: weekStart }, { start: startDate, horizon, limit: 200 });
  return asIs.join() !== asHost.join();
}

export function hostSeriesView(input: HostSeriesInput): HostSeriesView {
  const { profile, timing } = input;
  const blocked = (finding: SeriesFinding): HostSeriesView => ({ blocked: true, recurrence: null, findings: [finding] });
  if (profile.recurrence === 'NONE') return blocked({ code: 'HOST_NO_SERIES' });
  const startDate = seriesStartDate(timing);
  if (profile.recurrence === 'FIRST_OCCURRENCE_ONLY') {
    return { blocked: false, recurrence: null, findings: [{ code: 'HOST_FIRST_OCCURRENCE_ONLY', firstDate: startDate }] };
  }
  let rule: RRule;
  try {
    rule = canonicalRule(parseRRule(input.recurrence.rrule));
  } catch (e) {
    if (isRecurrenceParseError(e)) return blocked({ code: 'RECURRENCE_NOT_REPRESENTABLE', part: `the rule cannot be read: ${e.message}` });
    throw e;
  }
  if (input.recurrence.rdates.length > 0) return blocked({ code: 'RECURRENCE_NOT_REPRESENTABLE', part: 'extra dates outside the rule (RDATE)' });
  if (rule.freq === 'DAILY' && !profile.supportsDaily) return blocked({ code: 'HOST_NO_DAILY_RECURRENCE' });

  const findings: SeriesFinding[] = [];
  if (weekStartMatters(rule, startDate, profile.weekStart)) {
    findings.push({ code: 'HOST_WEEK_START_MISMATCH', interval: rule.interval, ruleWeekStart: rule.wkst ?? 'MO', hostWeekStart: profile.weekStart });
  }
  let exdates = [...new Set([...input.recurrence.exdates, ...input.cancelled].map(occurrenceValue))].sort();
  if (!profile.supportsExceptions) {
    if (exdates.length > 0 || input.hasExceptions) findings.push({ code: 'HOST_NO_EXCEPTIONS' });
    exdates = [];
  }
  if (rule.count === null && rule.until === null && !profile.supportsEndless) {
    const endDate = addYears(startDate, profile.endlessHorizonYears);
    rule = { ...rule, until: untilEndOf(endDate, timing) };
    findings.push({ code: 'ENDLESS_SERIES_CAPPED', endDate, years: profile.endlessHorizonYears });
  }
  return { blocked: false, recurrence: { rrule: formatRRule(rule), exdates, rdates: [] }, findings };
}

/** Whether two recurrences describe the same series (rule parts in any order, WKST defaulted, EXDATEs as a set). */
export function sameRecurrence(a: Recurrence | null, b: Recurrence | null): boolean {
  if (a === null || b === null) return a === b;
  const rule = (r: Recurrence) => {
    try {
      return formatRRule(canonicalRule(parseRRule(r.rrule)));
    } catch {
      return r.rrule;
    }
  };
  const dates = (values: string[]) => [...new Set(values.map(occurrenceValue))].sort().join();
  return rule(a) === rule(b) && dates(a.exdates) === dates(b.exdates) && dates(a.rdates) === dates(b.rdates);
}
