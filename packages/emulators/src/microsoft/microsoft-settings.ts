/**
 * Switches for the behaviours the vendor documentation leaves open (marked [open]; the defaults are
 * listed in docs/providers.md#the-emulators-and-the-sandbox-packagesemulators), plus the emulator's
 * tunables. Each has one default, documented here; tests and the control API
 * (`PATCH /_control/settings`) change them. Codes and tokens follow
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow ("the auth code flow
 * doc" below).
 */
export interface MicrosoftEmulatorSettings {
  /**
   * Skip the sign-in/consent page: redirect at once with a code for the `login_hint` account (or,
   * without a hint, the first account the tenant segment accepts). Default false: people see the page.
   */
  autoConsent: boolean;
  /** Authorization code lifetime (the auth code flow doc: "about 10 minutes"). */
  authCodeLifetimeSeconds: number;
  /** `expires_in` of access tokens (3599 in the auth code flow doc's examples). */
  accessTokenLifetimeSeconds: number;
  /**
   * Sliding refresh-token inactivity limit; past it a refresh fails with AADSTS700082 (90 days:
   * docs/providers.md#refresh-token-lifetime).
   */
  refreshTokenInactivitySeconds: number;
  /**
   * A refresh returns a new refresh token and the old one is not revoked (docs/providers.md#microsoft-token-errors).
   * Default true (the old token keeps working); false makes a reused old token fail with AADSTS70000
   * (strict rotation).
   */
  allowRefreshTokenReuse: boolean;
  /**
   * Whether revoking a grant also kills the access tokens issued under it (Exchange Online honours
   * revocation events through continuous access evaluation). Default true; false keeps them valid
   * until they expire, as a token without CAE would.
   */
  revokeKillsAccessTokens: boolean;

  /**
   * More than this many concurrent requests per mailbox → 429 ApplicationThrottled (4:
   * docs/providers.md#graph-throttling-and-batching).
   */
  mailboxConcurrencyLimit: number;
  /** `Retry-After` seconds on a MailboxConcurrency 429. */
  throttleRetryAfterSeconds: number;
  /** Inner requests of one `$batch` run at most this many at a time (Outlook runs 4). */
  batchParallelism: number;

  /**
   * [open] `dayOfMonth` 29–31 in a month that lacks it (docs/providers.md#graph-recurrence). Default
   * true: the occurrence falls on the month's last day (what Outlook's UI promises); false skips such
   * months (RFC 5545 behaviour).
   */
  clampDayOfMonth: boolean;
  /**
   * [open] Changing a series' pattern or times discards its exceptions and cancellations
   * (docs/providers.md#graph-series-updates). Default true (Outlook warns that it does).
   */
  dropExceptionsOnSeriesChange: boolean;
  /**
   * [open] A POST repeating an earlier `transactionId` returns the original event (201, same id)
   * instead of creating a duplicate (docs/providers.md#graph-hub-tag). Default true; false creates a
   * second event.
   */
  transactionIdDedup: boolean;
  /**
   * An invalidated delta token answers 410 `SyncStateNotFound` (docs/providers.md#graph-delta-reads).
   * With this on, the 410 instead carries a `Location` header holding a fresh initial delta URL (the
   * "sync reset" variant). Default false.
   */
  deltaResetWithLocation: boolean;
  /**
   * A delta page may be empty and still carry a nextLink (docs/providers.md#graph-delta-reads). With
   * this on, the first page of every delta round is empty (clients must keep following nextLink).
   * Default false.
   */
  deltaEmptyFirstPage: boolean;
  /** Change-log entries kept per mailbox; older delta tokens answer 410 (the token cache is size-based). */
  deltaLogLimit: number;
  /** Default page size of delta rounds without `Prefer: odata.maxpagesize`. */
  deltaDefaultPageSize: number;
  /** Default page size of lists (`/events`, `/calendarView`, `/calendars`) without `$top` (observed: 10). */
  defaultPageSize: number;

  /** Maximum subscription lifetime; beyond it POST/PATCH gives 400 ExtensionError (4230: docs/providers.md#graph-subscriptions). */
  subscriptionMaxLifetimeMinutes: number;
  /** Graph requires an https notificationUrl. Default false: the hub runs on plain http in the sandbox. */
  requireHttpsNotificationUrl: boolean;
  /** Validation handshake timeout (Graph: 10 s, docs/providers.md#graph-subscriptions). */
  validationTimeoutMs: number;
  /** Delay between a change and its notification POST; changes within it are batched. */
  notificationDelayMs: number;
  /** Delivery attempts per notification batch (Graph retries for up to 4 h; the emulator keeps it short). */
  notificationMaxAttempts: number;
  /** Base delay of the delivery retry back-off. */
  notificationRetryDelayMs: number;
}

export const DEFAULT_MICROSOFT_SETTINGS: MicrosoftEmulatorSettings = {
  autoConsent: false,
  authCodeLifetimeSeconds: 600,
  accessTokenLifetimeSeconds: 3599,
  refreshTokenInactivitySeconds: 90 * 86_400,
  allowRefreshTokenReuse: true,
  revokeKillsAccessTokens: true,
  mailboxConcurrencyLimit: 4,
  throttleRetryAfterSeconds: 1,
  batchParallelism: 4,
  clampDayOfMonth: true,
  dropExceptionsOnSeriesChange: true,
  transactionIdDedup: true,
  deltaResetWithLocation: false,
  deltaEmptyFirstPage: false,
  deltaLogLimit: 10_000,
  deltaDefaultPageSize: 100,
  defaultPageSize: 10,
  subscriptionMaxLifetimeMinutes: 4230,
  requireHttpsNotificationUrl: false,
  validationTimeoutMs: 10_000,
  notificationDelayMs: 1_000,
  notificationMaxAttempts: 3,
  notificationRetryDelayMs: 1_000,
};

/** Applies a partial update, keeping only known keys with the right type. Returns the names it rejected. */
export function applySettings(target: MicrosoftEmulatorSettings, patch: Record<string, unknown>): string[] {
  const rejected: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in DEFAULT_MICROSOFT_SETTINGS)) {
      rejected.push(key);
      continue;
    }
    const expected = typeof DEFAULT_MICROSOFT_SETTINGS[key as keyof MicrosoftEmulatorSettings];
    if (typeof value !== expected || (expected === 'number' && !(Number.isFinite(value) && (value as number) >= 0))) {
      rejected.push(key);
      continue;
    }
    (target as unknown as Record<string, unknown>)[key] = value;
  }
  return rejected;
}
