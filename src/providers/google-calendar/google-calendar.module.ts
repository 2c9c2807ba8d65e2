import type { Logger } from '../../logger.js';
import type { ProviderModule } from '../provider-module.js';
import { GoogleAuth } from './google-calendar.auth.js';
import { GoogleCalendarProvider } from './google-calendar.provider.js';
import type { RetryPolicy } from '../retry-policy.js';

/**
 * Entry point of the Google Calendar adapter: the OAuth side (`auth`) and one `CalendarProvider`
 * per linked connection, built through google-auth-library and @googleapis/calendar against real
 * Google or the emulator (only the URLs differ).
 */
export interface GoogleCalendarSettings {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** e.g. https://www.googleapis.com or the emulator origin; @googleapis/calendar replaces only the origin */
  calendarRootUrl: string;
  /** OpenID certs + userinfo (for id token verification / identity); real Google defaults when absent */
  pemCertsUrl?: string;
  jwkCertsUrl?: string;
  userInfoUrl?: string;
  tokenInfoUrl?: string;
  /** Time-out of one HTTP request to Google (default 30 s). */
  requestTimeoutMs?: number;
  /** The adapter's retry of single requests (src/providers/retry-policy.ts); defaults in DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** `maxResults` of event list calls (default 2500, the most Google allows). */
  pageSize?: number;
}

/** The Google module (auth slug `google-calendar`). */
export type GoogleCalendarModule = ProviderModule;

export function createGoogleCalendarModule(settings: GoogleCalendarSettings, deps: { logger: Logger }): GoogleCalendarModule {
  const auth = new GoogleAuth({ settings, logger: deps.logger });
  return {
    auth,
    connect: (connection) => new GoogleCalendarProvider({ settings, connection }),
    // Providers hold no sockets or timers of their own (gaxios sends with the global fetch and its agent).
    close: async () => {},
  };
}
