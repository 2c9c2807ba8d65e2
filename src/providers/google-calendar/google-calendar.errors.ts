import { ProviderError } from '../calendar-provider.js';
import { parseRetryAfter } from '../retry-policy.js';

/**
 * Google failures normalised at the adapter edge (docs/providers.md#google-errors). Calendar v3 answers
 * `{"error":{"errors":[{domain,reason,message}],"code","message"}}`; the OAuth endpoints answer
 * `{"error","error_description"}`. Messages built here never contain a token: they are made from
 * status, reason and the provider's message only, and URLs are never copied into them.
 * https://developers.google.com/workspace/calendar/api/guides/errors
 */

/**
 * A library message made safe to show and log: google-auth-library quotes tokens in some of its
 * messages (e.g. a malformed id token), so anything token-shaped is cut out.
 */
export function safeMessage(message: string): string {
  return message
    .replace(/\b(?:ya29\.|1\/\/)[\w.\-/]+/g, '[redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+(?:\.[\w-]*)?/g, '[redacted]')
    .replace(/([?&](?:token|access_token|refresh_token|id_token|code)=)[^&\s]+/gi, '$1[redacted]')
    .slice(0, 300);
}

/** A Google event that cannot be read into the canonical shape (e.g. an unparsable RRULE). */
export class GoogleEventMappingError extends Error {
  override readonly name = 'GoogleEventMappingError';
  readonly code = 'GOOGLE_EVENT_UNMAPPABLE';
  constructor(message: string) {
    super(message);
  }
}

export const isGoogleEventMappingError = (e: unknown): e is GoogleEventMappingError => e instanceof GoogleEventMappingError;

/** The usage-limit reasons worth waiting for (403 or 429 `usageLimits`). */
const RATE_LIMIT_REASONS = ['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded'];

/** What one failed HTTP exchange looked like, extracted from a gaxios error. */
export interface FailedExchange {
  /** HTTP status, or null when no answer arrived (network error, time-out, dropped connection). */
  status: number | null;
  /** Calendar `errors[0].reason`, or the OAuth `error` code. */
  reason: string | null;
  /** The provider's human-readable message (Calendar `errors[0].message` / OAuth `error_description`). */
  message: string | null;
  /** True when the answer came from an OAuth endpoint (`{error: "<code>"}` body or the token URL). */
  oauth: boolean;
  retryAfterMs: number | null;
  /** For answers that never came: the transport's error code (ECONNRESET, TimeoutError, ...). */
  transportCode: string | null;
}

interface GaxiosLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  config?: { url?: unknown };
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function header(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  if (isObject(headers)) {
    const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
    return hit && typeof hit[1] === 'string' ? hit[1] : null;
  }
  return null;
}

/** Reads status, reason and message out of whatever gaxios / google-auth-library threw. */
export function describeFailure(error: unknown, tokenUrl: string | null): FailedExchange {
  const e = (isObject(error) ? error : {}) as GaxiosLike;
  const response = e.response;
  const status = typeof response?.status === 'number' ? response.status : null;
  const url = typeof e.config?.url === 'string' ? e.config.url : e.config?.url instanceof URL ? e.config.url.href : '';
  const data: unknown = response?.data;
  let reason: string | null = null;
  let message: string | null = null;
  let oauth = tokenUrl !== null && url !== '' && url.split('?')[0] === tokenUrl.split('?')[0];
  if (isObject(data) && typeof data.error === 'string') {
    oauth = true;
    reason = data.error;
    message = typeof data.error_description === 'string' ? data.error_description : null;
  } else if (isObject(data) && isObject(data.error)) {
    const items = Array.isArray(data.error.errors) ? (data.error.errors as unknown[]) : [];
    const first = items.find(isObject);
    reason = first && typeof first.reason === 'string' ? first.reason : null;
    message = first && typeof first.message === 'string' ? first.message : typeof data.error.message === 'string' ? data.error.message : null;
  }
  let transportCode: string | null = null;
  if (status === null) {
    const cause = isObject(e.cause) ? e.cause : null;
    const code = typeof e.code === 'string' ? e.code : cause && typeof cause.code === 'string' ? cause.code : null;
    const name = typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'GaxiosError' ? e.name : null;
    transportCode = code ?? name ?? (cause && typeof cause.name === 'string' ? cause.name : null) ?? 'NETWORK_ERROR';
  }
  return { status, reason, message: message === null ? null : safeMessage(message), oauth, retryAfterMs: parseRetryAfter(header(response?.headers, 'retry-after')), transportCode };
}

export type FailureClass =
  /** Worth another attempt after a wait (rate limits, 5xx, lost answers of safe requests). */
  | { retry: true; code: 'RATE_LIMITED' | 'TRANSIENT'; retryAfterMs: number | null }
  | { retry: false };

/** Whether the retry layer may try again (gaxios itself never retries POST/PATCH or 403: docs/providers.md#google-retries). */
export function classifyForRetry(f: FailedExchange, opts: { idempotent: boolean }): FailureClass {
  if (f.oauth) return { retry: false };
  if (f.status === null) return opts.idempotent ? { retry: true, code: 'TRANSIENT', retryAfterMs: null } : { retry: false };
  if (f.status === 429 || (f.status === 403 && f.reason !== null && RATE_LIMIT_REASONS.includes(f.reason))) {
    return { retry: true, code: 'RATE_LIMITED', retryAfterMs: f.retryAfterMs };
  }
  if (f.status >= 500 || f.status === 408) return { retry: true, code: 'TRANSIENT', retryAfterMs: f.retryAfterMs };
  return { retry: false };
}

/** The `ProviderError` for a failure the adapter does not handle itself. */
export function toProviderError(f: FailedExchange, operation: string, extra: { retryAfterMs?: number } = {}): ProviderError {
  const what = `Google Calendar ${operation}`;
  const said = [f.reason, f.message].filter((x): x is string => !!x).join(': ');
  const details = {
    ...(f.status !== null ? { status: f.status } : {}),
    ...(f.reason ? { providerCode: f.reason } : {}),
  };
  if (f.status === null) {
    return new ProviderError('TRANSIENT', `${what} got no answer from Google (${f.transportCode ?? 'network error'}); it may be retried.`, {
      ...details,
      providerCode: f.transportCode ?? 'NETWORK_ERROR',
    });
  }
  if (f.oauth) return oauthProviderError(f, operation);
  const status = f.status;
  const retryAfterMs = extra.retryAfterMs ?? f.retryAfterMs ?? undefined;
  if (status === 429 || (status === 403 && f.reason !== null && (RATE_LIMIT_REASONS.includes(f.reason) || f.reason === 'dailyLimitExceeded'))) {
    const wait = retryAfterMs ?? (f.reason === 'dailyLimitExceeded' ? 3_600_000 : 60_000);
    return new ProviderError('RATE_LIMITED', `${what} was rate limited by Google (${said || status}).`, { ...details, retryAfterMs: wait });
  }
  if (status >= 500 || status === 408) {
    return new ProviderError('TRANSIENT', `${what} failed at Google (${status}${said ? ` ${said}` : ''}); it may be retried.`, {
      ...details,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  switch (status) {
    case 401:
      return new ProviderError('AUTH_REVOKED', `${what} was refused: Google no longer accepts this link's credentials (${said || '401'}). The calendar must be linked again.`, details);
    case 403:
      return new ProviderError(
        'UNSUPPORTED',
        `${what} is not allowed for this account or calendar (${said || '403'}); the calendar may be read-only or a permission is missing.`,
        details,
      );
    case 404:
      return new ProviderError('NOT_FOUND', `${what}: the calendar or event does not exist (${said || '404'}).`, details);
    case 410:
      if (f.reason === 'fullSyncRequired' || f.reason === 'updatedMinTooLongAgo') {
        return new ProviderError('SYNC_CURSOR_INVALID', `${what}: Google no longer accepts the sync token (${said}); a full read is needed.`, details);
      }
      return new ProviderError('NOT_FOUND', `${what}: the event has been deleted (${said || '410'}).`, details);
    case 412:
      return new ProviderError('PRECONDITION_FAILED', `${what}: the event changed at Google since it was last read (${said || '412'}).`, details);
    default:
      return new ProviderError('UNKNOWN', `${what} was refused by Google (${status}${said ? ` ${said}` : ''}).`, details);
  }
}

/** Failures of the token endpoint while refreshing (docs/providers.md#google-tokens-and-revocation). */
function oauthProviderError(f: FailedExchange, operation: string): ProviderError {
  const details = { ...(f.status !== null ? { status: f.status } : {}), ...(f.reason ? { providerCode: f.reason } : {}) };
  const said = f.message ? `${f.reason}: ${f.message}` : (f.reason ?? String(f.status));
  if (f.status !== null && (f.status >= 500 || f.status === 429)) {
    return new ProviderError('TRANSIENT', `Google's token endpoint failed while renewing access for ${operation} (${said}); it may be retried.`, details);
  }
  if (f.reason === 'invalid_grant') {
    // Every invalid_grant cause (revoked, unused for 6 months, Testing-mode 7 days, token limit,
    // time-limited grant, password change with Gmail scopes, invalid_rapt) needs a new consent.
    return new ProviderError(
      'AUTH_REVOKED',
      `Google refused to renew access (${said}): the grant was revoked or has expired. The calendar must be linked again.`,
      { ...details, providerCode: 'invalid_grant' },
    );
  }
  if (f.reason === 'invalid_client' || f.reason === 'unauthorized_client' || f.reason === 'deleted_client') {
    return new ProviderError('UNKNOWN', `Google refused the hub's OAuth client while renewing access (${said}); check GOOGLE_CLIENT_ID/SECRET.`, details);
  }
  return new ProviderError('UNKNOWN', `Google's token endpoint refused to renew access for ${operation} (${said}).`, details);
}
