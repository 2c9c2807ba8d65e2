import type { RequestMeter } from '../provider-module.js';
import type { OAuth2Client } from 'google-auth-library';
import type { Logger } from '../../logger.js';
import { isProviderError, ProviderError } from '../calendar-provider.js';
import { classifyForRetry, describeFailure, safeMessage, toProviderError } from './google-calendar.errors.js';

/**
 * The adapter's one retry layer. gaxios' own retry is switched off for Calendar calls
 * (`retry: false`), because it retries only GET/PUT/DELETE on 429/5xx and never POST/PATCH nor
 * 403 `rateLimitExceeded` (reference C5), and two layers would multiply the waits. Here every
 * method is retried on 429, 403 usage limits and 5xx, honouring `Retry-After`, within a bounded
 * number of attempts and a bounded total wait; lost answers (no response) are retried only for
 * GETs — a create whose answer was lost is retried by the engine, where the client-chosen id
 * makes it idempotent. A 401 refreshes the access token once and repeats the call.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First back-off delay when Google gives no Retry-After; doubles per attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Waits of one call never add up to more than this; a longer Retry-After ends the call at once. */
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalWaitMs: 20_000 };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** google-auth-library's own errors for a client that holds no usable refresh token. */
const NO_REFRESH_TOKEN = /No refresh token|No access, refresh token|Could not refresh access token/i;

export class GoogleRequestRunner {
  constructor(
    private readonly deps: {
      auth: OAuth2Client;
      policy: RetryPolicy;
      tokenUrl: string;
      logger: Logger;
      connectionId: string;
      meter?: RequestMeter;
    },
  ) {}

  /** Runs one Calendar API call with refresh-on-401 and bounded retries; throws only `ProviderError`. */
  async run<T>(operation: string, method: HttpMethod, call: () => Promise<T>): Promise<T> {
    const { policy, logger, connectionId } = this.deps;
    let attempt = 0;
    let waited = 0;
    let refreshed = false;
    for (;;) {
      attempt += 1;
      try {
        this.deps.meter?.request();
        return await call();
      } catch (error) {
        const known = this.nonTransportError(error, operation);
        if (known) throw known;
        const failure = describeFailure(error, this.deps.tokenUrl);
        if (failure.status === 401 && !failure.oauth && !refreshed) {
          // The access token died before its expiry_date (revocation, clock skew): renew once.
          refreshed = true;
          attempt -= 1;
          await this.refresh(operation);
          continue;
        }
        const verdict = classifyForRetry(failure, { idempotent: method === 'GET' });
        if (!verdict.retry) throw toProviderError(failure, operation);
        const delay = verdict.retryAfterMs ?? this.backoff(attempt);
        if (attempt >= policy.maxAttempts || waited + delay > policy.maxTotalWaitMs) {
          throw toProviderError(failure, operation, { retryAfterMs: delay });
        }
        logger.debug(
          { connectionId, operation, status: failure.status, reason: failure.reason ?? failure.transportCode, attempt, delayMs: delay },
          'google calendar call failed; retrying',
        );
        await sleep(delay);
        waited += delay;
      }
    }
  }

  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.deps.policy;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  private async refresh(operation: string): Promise<void> {
    try {
      await this.deps.auth.refreshAccessToken();
    } catch (error) {
      const known = this.nonTransportError(error, operation);
      if (known) throw known;
      const failure = describeFailure(error, this.deps.tokenUrl);
      throw toProviderError({ ...failure, oauth: true }, operation);
    }
  }

  /** Errors that are not an HTTP exchange: already normalised, or the library's own refusals. */
  private nonTransportError(error: unknown, operation: string): ProviderError | null {
    if (isProviderError(error)) return error;
    const e = error as { config?: unknown; response?: unknown; message?: unknown } | null;
    if (e && typeof e === 'object' && (e.config !== undefined || e.response !== undefined)) return null;
    const message = e && typeof e.message === 'string' ? e.message : '';
    if (NO_REFRESH_TOKEN.test(message)) {
      return new ProviderError('AUTH_REVOKED', `Google Calendar ${operation}: the link holds no usable refresh token; the calendar must be linked again.`, {
        providerCode: 'no_refresh_token',
      });
    }
    const name = error instanceof Error ? error.name : typeof error;
    return new ProviderError('UNKNOWN', `Google Calendar ${operation} failed unexpectedly (${name}: ${safeMessage(message)}).`);
  }
}
