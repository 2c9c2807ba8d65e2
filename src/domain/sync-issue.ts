import type { AppointmentOrigin, IssueSeverity } from './model.js';
import type { Weekday } from './tenant-settings.js';

/**
 * The catalogue of notices the hub gives users. Codes are stable (hosts key UI text and help
 * links on them); messages say what happened, tips say what to do.
 */
export const SYNC_ISSUE_CODES = [
  'RELINK_REQUIRED',
  'ACCOUNT_UNSUPPORTED',
  'CALENDAR_READ_ONLY',
  'RECURRENCE_NOT_REPRESENTABLE',
  'HOST_NO_DAILY_RECURRENCE',
  'HOST_NO_EXCEPTIONS',
  'HOST_WEEK_START_MISMATCH',
  'HOST_NO_SERIES',
  'HOST_FIRST_OCCURRENCE_ONLY',
  'ENDLESS_SERIES_CAPPED',
  'EVENT_TYPE_UNSUPPORTED',
  'SERIES_EXCEPTIONS_DROPPED',
  'MASS_DELETION_HELD',
] as const;
export type SyncIssueCode = (typeof SYNC_ISSUE_CODES)[number];

export interface SyncIssueNotice {
  code: SyncIssueCode;
  severity: IssueSeverity;
  message: string;
  tip: string | null;
}

/** Where the item a notice is about came from: the host, or the calendar of a provider. */
export type SyncIssueSide = AppointmentOrigin;

const PROVIDER_NAMES = { 'microsoft-graph': 'Microsoft 365 / Outlook', 'google-calendar': 'Google Calendar' } as const;
export type ProviderDisplaySlug = keyof typeof PROVIDER_NAMES;

export const providerDisplayName = (slug: ProviderDisplaySlug) => PROVIDER_NAMES[slug];

/** A link's grant was revoked or expired at the provider: only that link stops. */
export function relinkRequired(args: { provider: ProviderDisplaySlug; accountEmail: string | null; reason: string }): SyncIssueNotice {
  const name = PROVIDER_NAMES[args.provider];
  const account = args.accountEmail ? ` (${args.accountEmail})` : '';
  return {
    code: 'RELINK_REQUIRED',
    severity: 'BLOCKING',
    message: `Syncing with ${name}${account} stopped: ${args.reason}`,
    tip: `Open the calendar settings, choose "Relink" next to ${name}${account}, sign in and accept the calendar permissions again. Your synced appointments are kept and syncing resumes where it stopped.`,
  };
}

export function accountUnsupported(args: { provider: ProviderDisplaySlug; reason: string }): SyncIssueNotice {
  return {
    code: 'ACCOUNT_UNSUPPORTED',
    severity: 'BLOCKING',
    message: `This ${PROVIDER_NAMES[args.provider]} account cannot be linked: ${args.reason}`,
    tip: 'Link an account that has a calendar mailbox (for Microsoft, a work or school account with Exchange Online), or ask your administrator which account to use.',
  };
}

/**
 * A read would delete more than half of a link's synced items (and at least 20): none of those
 * deletions were applied. An emptied calendar (a wiped mailbox, a wrong account) must not empty the
 * host; an operator confirms with `syncNow(connectionId, confirmDeletions: true)`.
 */
export function massDeletionHeld(args: { provider: ProviderDisplaySlug; accountEmail: string | null; count: number; mapped: number }): SyncIssueNotice {
  const name = PROVIDER_NAMES[args.provider];
  const account = args.accountEmail ? ` (${args.accountEmail})` : '';
  return {
    code: 'MASS_DELETION_HELD',
    severity: 'BLOCKING',
    message: `${args.count} of ${args.mapped} synced appointments disappeared from ${name}${account} at once, so the hub did not delete them in the host.`,
    tip: `If the appointments were deleted on purpose, confirm with "Synchronize now" and "apply deletions" (syncNow with confirmDeletions: true). If not, check that the right account and calendar are linked; nothing was deleted in the host.`,
  };
}

const CALENDAR_NAMES: Record<SyncIssueSide, string> = { HOST: 'this application', MICROSOFT: 'Outlook', GOOGLE: 'Google Calendar' };

/** The item a notice is about, as its owner knows it. */
export interface IssueItem {
  subject: string | null;
  /** Where it came from: the host, or the calendar of a provider. */
  side: SyncIssueSide;
}

const named = (subject: string | null) => (subject ? `“${subject}”` : '(no subject)');
const weekdayNames: Record<Weekday, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };

/**
 * What a host cannot hold of a calendar series (tenant setting `hostProfile`), found by
 * `hostSeriesView` (src/domain/recurrence/host-support.ts); `seriesNotice` words it for the user.
 */
export type SeriesFinding =
  | { code: 'HOST_NO_SERIES' }
  | { code: 'HOST_FIRST_OCCURRENCE_ONLY'; firstDate: string }
  | { code: 'HOST_NO_DAILY_RECURRENCE' }
  | { code: 'HOST_NO_EXCEPTIONS' }
  | { code: 'HOST_WEEK_START_MISMATCH'; interval: number; ruleWeekStart: Weekday; hostWeekStart: Weekday }
  | { code: 'ENDLESS_SERIES_CAPPED'; endDate: string; years: number }
  | { code: 'RECURRENCE_NOT_REPRESENTABLE'; part: string };

/** The notice for a finding about a calendar series (the item's side is the calendar it came from). */
export function seriesNotice(finding: SeriesFinding, item: IssueItem): SyncIssueNotice {
  const series = `the series ${named(item.subject)} in ${CALENDAR_NAMES[item.side]}`;
  const Series = `T${series.slice(1)}`;
  switch (finding.code) {
    case 'HOST_NO_SERIES':
      return {
        code: finding.code,
        severity: 'BLOCKING',
        message: `${Series} was not synced: this application does not hold recurring appointments.`,
        tip: 'Create the occurrences you need here as separate appointments, or keep the series in your calendar only. Made a single appointment in your calendar, it syncs.',
      };
    case 'HOST_FIRST_OCCURRENCE_ONLY':
      return {
        code: finding.code,
        severity: 'WARNING',
        message: `Only the first occurrence (${finding.firstDate}) of ${series} was synced: this application holds no recurring appointments.`,
        tip: 'Create the later occurrences you need here as separate appointments.',
      };
    case 'HOST_NO_DAILY_RECURRENCE':
      return {
        code: finding.code,
        severity: 'BLOCKING',
        message: `${Series} repeats daily, and this application cannot hold a daily recurrence, so it was not synced.`,
        tip: 'Make it a weekly series on every day of the week (Monday to Sunday) instead; it then syncs.',
      };
    case 'HOST_NO_EXCEPTIONS':
      return {
        code: finding.code,
        severity: 'WARNING',
        message: `Single occurrences of ${series} were moved, changed or cancelled; this application cannot hold such exceptions, so it shows the regular series.`,
        tip: 'Add a separate appointment here as a reminder of each changed or cancelled occurrence.',
      };
    case 'HOST_WEEK_START_MISMATCH':
      return {
        code: finding.code,
        severity: 'WARNING',
        message: `${Series} repeats every ${finding.interval} weeks on several days, counting weeks from ${weekdayNames[finding.ruleWeekStart]}; this application starts weeks on ${weekdayNames[finding.hostWeekStart]}. It was synced, but some occurrences may show in another week here.`,
        tip: `Split it into two weekly series (for example one for Sunday and one for the other days), each repeating every ${finding.interval} weeks.`,
      };
    case 'ENDLESS_SERIES_CAPPED':
      return {
        code: finding.code,
        severity: 'WARNING',
        message: `${Series} has no end, which this application cannot hold: it was synced ending on ${finding.endDate}, ${finding.years} years after its start.`,
        tip: 'Give the series an end date or a number of occurrences in your calendar if it should end earlier.',
      };
    case 'RECURRENCE_NOT_REPRESENTABLE':
      return {
        code: finding.code,
        severity: 'BLOCKING',
        message: `${Series} was not synced: its recurrence cannot be held here (${finding.part}).`,
        tip: 'Change it in your calendar to a daily, weekly, monthly or yearly recurrence without extra dates; it then syncs.',
      };
  }
}

/** A host series the provider cannot hold (Outlook's patterns are a subset of RFC 5545); nothing was written. */
export function recurrenceNotWritable(args: { subject: string | null; provider: ProviderDisplaySlug; part: string; firstOffPattern?: boolean }): SyncIssueNotice {
  return {
    code: 'RECURRENCE_NOT_REPRESENTABLE',
    severity: 'BLOCKING',
    message: `The series ${named(args.subject)} was not written to ${PROVIDER_NAMES[args.provider]}: ${args.part}.`,
    tip: args.firstOffPattern
      ? 'Start the series on a day it repeats on, and add a separate appointment for the first date if it should stay.'
      : 'Change the recurrence to one Outlook offers (every N days; every N weeks on chosen weekdays; one day, or the first to fourth or last weekday, of the month or year), or split it into several series.',
  };
}

/** A calendar item of a kind that cannot be an appointment (the adapter's reason names the kind). */
export function eventTypeUnsupported(args: { subject: string | null; side: SyncIssueSide; reason: string }): SyncIssueNotice {
  return {
    code: 'EVENT_TYPE_UNSUPPORTED',
    severity: 'BLOCKING',
    message: `${named(args.subject)} in ${CALENDAR_NAMES[args.side]} was not synced. ${args.reason}`,
    tip: 'Create it as a regular event in your calendar if it should appear in this application.',
  };
}

/** A calendar dropped a series' moved or edited occurrences when its time or rule changed (Outlook does; docs/sync.md#series). */
export function seriesExceptionsDropped(args: { subject: string | null; count: number; provider: ProviderDisplaySlug }): SyncIssueNotice {
  const occurrences = args.count === 1 ? 'its changed occurrence' : `its ${args.count} changed occurrences`;
  return {
    code: 'SERIES_EXCEPTIONS_DROPPED',
    severity: 'WARNING',
    message: `Changing the time or recurrence of the series ${named(args.subject)} made ${PROVIDER_NAMES[args.provider]} drop ${occurrences}; they follow the series again, in the calendar and here.`,
    tip: 'Move or change those occurrences again if they should still differ from the series.',
  };
}
