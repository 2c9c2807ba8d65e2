import type { IssueSeverity } from './model.js';

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
  'MASS_DELETION_HELD',
  'WEBHOOK_ENDPOINT_DISABLED',
] as const;
export type SyncIssueCode = (typeof SYNC_ISSUE_CODES)[number];

export interface SyncIssueNotice {
  code: SyncIssueCode;
  severity: IssueSeverity;
  message: string;
  tip: string | null;
}

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

/** A webhook endpoint kept failing for about a day: the hub stopped sending to it. */
export function webhookEndpointDisabled(args: { url: string; lastError: string }): SyncIssueNotice {
  return {
    code: 'WEBHOOK_ENDPOINT_DISABLED',
    severity: 'BLOCKING',
    message: `Webhooks to ${args.url} failed for about a day (last: ${args.lastError}), so the hub stopped sending to this endpoint.`,
    tip: 'Fix the receiver, then enable the endpoint again (updateWebhookEndpoint with enabled: true) and redeliver the failed deliveries you need (redeliverWebhook).',
  };
}
