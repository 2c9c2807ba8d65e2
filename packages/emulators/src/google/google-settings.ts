/**
 * Behaviour switches of the Google emulator. A behaviour the documentation leaves open ([open]) or
 * that is seen in practice but not documented ([observed]) gets one default here (listed in
 * docs/providers.md#the-emulators-and-the-sandbox-packagesemulators) and can be changed at run
 * time through `control.updateSettings()` or `PATCH /_control/settings`.
 */
export interface GoogleEmulatorSettings {
  /**
   * Skip the consent page when `login_hint` names an existing account: the auth endpoint redirects
   * at once as if the person had accepted. Default off (the page is shown).
   */
  autoConsent: boolean;
  /** Access token lifetime (`expires_in`); Google answers 3599. */
  accessTokenLifetimeSeconds: number;
  /** Authorization codes are single-use and expire after this long. */
  authCodeLifetimeSeconds: number;
  /** Live refresh tokens per client and account; issuing one more silently kills the oldest (Google: 100). */
  refreshTokenLimit: number;
  /** A refresh token unused for this long dies with invalid_grant (Google: six months). */
  refreshTokenIdleSeconds: number;
  /** Refresh tokens of clients in "Testing" publishing status die after this long (Google: 7 days). */
  testingModeRefreshTokenSeconds: number;
  /**
   * When set, every new grant is time-limited ("time-based access"): refresh tokens die after this
   * many seconds and token responses carry `refresh_token_expires_in`. Default null (unlimited).
   */
  timeLimitedGrantSeconds: number | null;
  /**
   * [open] Repeated `privateExtendedProperty` / `sharedExtendedProperty` constraints: the API
   * reference says every constraint must match ('all', default); a translated guide says any ('any').
   */
  extendedPropertyMatch: 'all' | 'any';
  /**
   * [open] Extended-property limits from the guide (docs/providers.md#google-extended-properties):
   * keys over 44 characters are silently dropped; a value over 1024 characters, more than 300
   * properties or more than 32 kB in total answer 400. Default on.
   */
  enforceExtendedPropertyLimits: boolean;
  /**
   * [observed] Restoring a deleted event by updating it with `status: "confirmed"` works (default); off,
   * such updates answer 403 `forbidden` as some issue reports describe, so clients must use a new id.
   */
  allowRestoreOfDeletedEvents: boolean;
  /**
   * Deleted events in list and sync results carry only what Google guarantees (`id`, `status`,
   * and for cancelled instances `recurringEventId` + `originalStartTime`). Off: the full last
   * version with `status: "cancelled"`. Default on.
   */
  minimalCancelledEventsInLists: boolean;
  /**
   * [observed] Reject an update whose `sequence` is below the stored one with 400 "Invalid sequence
   * value". Default on.
   */
  rejectStaleSequence: boolean;
  /**
   * [observed] An unmatched DTSTART is the first instance of a series (RFC 5545; Google shows it).
   * Off: only dates matching the rule are instances. Default on.
   */
  includeUnmatchedStart: boolean;
  /** Instances expanded per series when a list has no `timeMax` (and the cap inside any window). */
  maxInstancesPerSeries: number;
  /** Sync tokens older than this answer 410 fullSyncRequired; null = they never age out (default). */
  syncTokenMaxAgeSeconds: number | null;
  /**
   * [open] Channel lifetime when the watch request sets neither `expiration` nor `params.ttl`.
   * A maintainer says 3600 s (google-api-nodejs-client#1992), users report 7 days (#774); default 7 days.
   */
  channelDefaultTtlSeconds: number;
  /** [open] Longest channel lifetime granted; longer requests are cut to it. Default 30 days. */
  channelMaxTtlSeconds: number;
  /** Real Google requires an https `address` for watch channels; the sandbox hub runs on http. Default off. */
  requireHttpsChannelAddress: boolean;
  /** Delay between a change and its push notification (real time, not the emulator clock). */
  pushDeliveryDelayMs: number;
  /** Attempts per notification when the receiver answers 500/502/503/504 or cannot be reached. */
  pushMaxAttempts: number;
  /** First retry delay; doubles on each further attempt. */
  pushRetryBaseMs: number;
  /** Receiver time-out per notification POST. */
  pushTimeoutMs: number;
}

export const DEFAULT_GOOGLE_SETTINGS: GoogleEmulatorSettings = {
  autoConsent: false,
  accessTokenLifetimeSeconds: 3599,
  authCodeLifetimeSeconds: 600,
  refreshTokenLimit: 100,
  refreshTokenIdleSeconds: 183 * 86_400,
  testingModeRefreshTokenSeconds: 7 * 86_400,
  timeLimitedGrantSeconds: null,
  extendedPropertyMatch: 'all',
  enforceExtendedPropertyLimits: true,
  allowRestoreOfDeletedEvents: true,
  minimalCancelledEventsInLists: true,
  rejectStaleSequence: true,
  includeUnmatchedStart: true,
  maxInstancesPerSeries: 730,
  syncTokenMaxAgeSeconds: null,
  channelDefaultTtlSeconds: 7 * 86_400,
  channelMaxTtlSeconds: 30 * 86_400,
  requireHttpsChannelAddress: false,
  pushDeliveryDelayMs: 200,
  pushMaxAttempts: 5,
  pushRetryBaseMs: 1000,
  pushTimeoutMs: 5000,
};

export class SettingsError extends Error {}

/** Applies a partial update after checking every value's type; unknown keys are refused. */
export function mergeSettings(current: GoogleEmulatorSettings, patch: unknown): GoogleEmulatorSettings {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw new SettingsError('settings must be an object');
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in DEFAULT_GOOGLE_SETTINGS)) throw new SettingsError(`unknown setting ${key}`);
    const def = DEFAULT_GOOGLE_SETTINGS[key as keyof GoogleEmulatorSettings];
    const nullable = key === 'timeLimitedGrantSeconds' || key === 'syncTokenMaxAgeSeconds';
    if (value === null && nullable) {
      next[key] = null;
    } else if (key === 'extendedPropertyMatch') {
      if (value !== 'all' && value !== 'any') throw new SettingsError('extendedPropertyMatch must be "all" or "any"');
      next[key] = value;
    } else if (typeof def === 'boolean') {
      if (typeof value !== 'boolean') throw new SettingsError(`${key} must be a boolean`);
      next[key] = value;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new SettingsError(`${key} must be a number >= 0`);
      next[key] = value;
    }
  }
  return next as unknown as GoogleEmulatorSettings;
}
