import type { RequestMeter } from '../provider-module.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OAuth2Client } from 'google-auth-library';
import type { Logger } from '../../logger.js';
import { isProviderError, ProviderError } from '../calendar-provider.js';
import { RetrySchedule, type RetryPolicy } from '../retry-policy.js';
import { classifyForRetry, describeFailure, safeMessage, toProviderError } from './google-calendar.errors.js';

/**
 * The adapter's one retry layer. gaxios' own retry is switched off for Calendar calls
 * (`retry: false`), because it retries only GET/PUT/DELETE on 429/5xx and never POST/PATCH nor
 * 403 `rateLimitExceeded` (docs/providers.md#google-retries), and two layers would multiply the
 * waits. Here every method is retried on 429, 403 usage limits and 5xx under the hub's retry
 * policy (src/providers/retry-policy.ts: Retry-After honoured, full-jitter back-off, bounded
 * attempts and total wait); lost answers (no response) are retried only for GETs — a create whose
 * answer was lost is retried by the engine, where the client-chosen id makes it idempotent. A 401
 * refreshes the access token once and repeats the call (not counted as an attempt).
 */

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000, maxTotalWaitMs: 20_000 };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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
  async run<T>(operation: string, method: HttpMethod, call: () => Promise<T>, options: { batchParts?: number } = {}): Promise<T> {
    const { logger, connectionId } = this.deps;
    const schedule = new RetrySchedule(this.deps.policy);
    let refreshed = false;
    for (;;) {
      try {
        this.deps.meter?.request(options.batchParts ?? 0);
        return await call();
      } catch (error) {
        const known = this.nonTransportError(error, operation);
        if (known) throw known;
        const failure = describeFailure(error, this.deps.tokenUrl);
        if (failure.status === 401 && !failure.oauth && !refreshed) {
          // The access token died before its expiry_date (revocation, clock skew): renew once.
          refreshed = true;
          await this.refresh(operation);
          continue;
        }
        const verdict = classifyForRetry(failure, { idempotent: method === 'GET' });
        if (!verdict.retry) throw toProviderError(failure, operation);
        const attempt = schedule.attempt;
        const next = schedule.next(verdict.retryAfterMs);
        if (!next.retry) throw toProviderError(failure, operation, { retryAfterMs: next.delayMs });
        logger.debug(
          { connectionId, operation, status: failure.status, reason: failure.reason ?? failure.transportCode, attempt, delayMs: next.delayMs },
          'google calendar call failed; retrying',
        );
        await sleep(next.delayMs);
      }
    }
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
