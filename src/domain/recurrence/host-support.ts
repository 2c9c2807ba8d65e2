import type { SyncIssueNotice } from '../sync-issue.js';
import { WEEKDAYS, type HostProfile } from '../tenant-settings.js';
import { expandDates } from './expand.js';
import type { RRule } from './rrule.js';

/**
 * What a host application can hold of a series (tenant setting `hostProfile`), checked before a
 * series from a calendar is handed to the host. A rule that cannot be held never syncs wrongly:
 * it is either adjusted to an equivalent the host can hold (with a warning), or blocked with a
 * reason and a tip (product-behaviours.md, "Recurring appointments").
 */
export interface HostRecurrenceVerdict {
  /** True when the item must not sync. */
  blocked: boolean;
  /** The rule to give the host (possibly adjusted); meaningless when blocked. */
  rule: RRule;
  /** Only the first occurrence syncs (host profile FIRST_OCCURRENCE_ONLY). */
  firstOccurrenceOnly: boolean;
  notices: SyncIssueNotice[];
}

export interface HostRecurrenceInput {
  rule: RRule;
  /** The series' first date (`YYYY-MM-DD`). */
  startDate: string;
  /** Whether the series has moved, edited or cancelled single occurrences. */
  hasExceptions: boolean;
  profile: HostProfile;
}

const addYears = (date: string, years: number) => `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;

export function checkRecurrenceForHost(input: HostRecurrenceInput): HostRecurrenceVerdict {
  const { profile, startDate } = input;
  let rule: RRule = { ...input.rule };
  const notices: SyncIssueNotice[] = [];
  const blocked = (notice: SyncIssueNotice): HostRecurrenceVerdict => ({ blocked: true, rule, firstOccurrenceOnly: false, notices: [...notices, notice] });

  if (profile.recurrence === 'NONE') {
    return blocked({
      code: 'HOST_NO_SERIES',
      severity: 'BLOCKING',
      message: 'Recurring appointments are not synced into this application.',
      tip: 'Create the appointments one by one, or keep the series in your calendar only.',
    });
  }
  if (profile.recurrence === 'FIRST_OCCURRENCE_ONLY') {
    return {
      blocked: false,
      rule,
      firstOccurrenceOnly: true,
      notices: [
        {
          code: 'HOST_FIRST_OCCURRENCE_ONLY',
          severity: 'WARNING',
          message: 'Only the first occurrence of this recurring appointment is synced.',
          tip: 'Create later occurrences as separate appointments if they must appear in this application.',
        },
      ],
    };
  }

  if (rule.freq === 'DAILY' && !profile.supportsDaily) {
    const plainDaily = rule.interval === 1 && rule.byDay.length === 0 && rule.byMonth.length === 0 && rule.byMonthDay.length === 0 && rule.bySetPos.length === 0;
    if (!plainDaily) {
      return blocked({
        code: 'HOST_NO_DAILY_RECURRENCE',
        severity: 'BLOCKING',
        message: 'This application cannot hold a daily recurrence, and this one has no weekly equivalent.',
        tip: 'Use a weekly recurrence on the days you need (for every day: a weekly recurrence on all seven days).',
      });
    }
    rule = { ...rule, freq: 'WEEKLY', byDay: WEEKDAYS.map((day) => ({ day, n: null })) };
    notices.push({
      code: 'HOST_NO_DAILY_RECURRENCE',
      severity: 'WARNING',
      message: 'The daily recurrence was saved as a weekly recurrence on every day of the week.',
      tip: null,
    });
  }

  if (rule.freq === 'WEEKLY' && rule.interval > 1 && rule.byDay.length > 1 && (rule.wkst ?? 'MO') !== profile.weekStart) {
    // The first day of the week changes which dates an "every N weeks on several days" rule hits
    // (RFC 5545 WKST example). Compare both readings before refusing.
    const horizon = addYears(startDate, 2);
    const asIs = expandDates({ ...rule, count: null, until: null }, { start: startDate, horizon, limit: 200 });
    const asHost = expandDates({ ...rule, count: null, until: null, wkst: profile.weekStart }, { start: startDate, horizon, limit: 200 });
    if (asIs.join() !== asHost.join()) {
      return blocked({
        code: 'HOST_WEEK_START_MISMATCH',
        severity: 'BLOCKING',
        message: `This series repeats every ${rule.interval} weeks on several days counted from ${rule.wkst ?? 'MO'}, but this application starts weeks on ${profile.weekStart}, which would move some occurrences.`,
        tip: 'Split it into two weekly series, one per day of the week, each repeating every ' + rule.interval + ' weeks.',
      });
    }
  }

  if (input.hasExceptions && !profile.supportsExceptions) {
    notices.push({
      code: 'HOST_NO_EXCEPTIONS',
      severity: 'WARNING',
      message: 'Single occurrences of this series were moved, changed or cancelled; this application cannot hold such exceptions, so only the regular series is synced.',
      tip: 'Change the exceptions in your calendar, or make the changed occurrences separate appointments.',
    });
  }

  if (rule.count === null && rule.until === null && !profile.supportsEndless) {
    const end = addYears(startDate, profile.endlessHorizonYears).replaceAll('-', '');
    rule = { ...rule, until: end };
    notices.push({
      code: 'ENDLESS_SERIES_CAPPED',
      severity: 'WARNING',
      message: `This series has no end; it is synced with an end date ${profile.endlessHorizonYears} years from its start.`,
      tip: null,
    });
  }

  return { blocked: false, rule, firstOccurrenceOnly: false, notices };
}
