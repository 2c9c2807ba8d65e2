import { describe, expect, it } from 'vitest';
import { classifyForRetry, describeFailure, safeMessage, toProviderError } from '../../../../src/providers/google-calendar/google-calendar.errors.js';
import { parseRetryAfter } from '../../../../src/providers/retry-policy.js';

/** A failed exchange shaped like a gaxios error with Google's JSON error body. */
function apiFailure(status: number, reason: string, message = reason, headers: Record<string, string> = {}) {
  return {
    name: 'GaxiosError',
    config: { url: 'https://www.googleapis.com/calendar/v3/calendars/primary/events' },
    response: { status, headers: new Headers(headers), data: { error: { errors: [{ domain: 'global', reason, message }], code: status, message } } },
  };
}
const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const oauthFailure = (status: number, error: string, description?: string) => ({
  name: 'GaxiosError',
  config: { url: TOKEN_URL },
  response: { status, headers: new Headers(), data: { error, ...(description ? { error_description: description } : {}) } },
});

const codeOf = (e: unknown) => toProviderError(describeFailure(e, TOKEN_URL), 'events.get').code;

describe('google error normalisation', () => {
  it('maps each Calendar status and reason to the port code the engine acts on', () => {
    expect(codeOf(apiFailure(404, 'notFound'))).toBe('NOT_FOUND');
    expect(codeOf(apiFailure(410, 'deleted'))).toBe('NOT_FOUND');
    expect(codeOf(apiFailure(410, 'fullSyncRequired'))).toBe('SYNC_CURSOR_INVALID');
    expect(codeOf(apiFailure(410, 'updatedMinTooLongAgo'))).toBe('SYNC_CURSOR_INVALID');
    expect(codeOf(apiFailure(412, 'conditionNotMet'))).toBe('PRECONDITION_FAILED');
    expect(codeOf(apiFailure(401, 'authError'))).toBe('AUTH_REVOKED');
    expect(codeOf(apiFailure(403, 'requiredAccessLevel'))).toBe('UNSUPPORTED');
    expect(codeOf(apiFailure(403, 'insufficientPermissions'))).toBe('UNSUPPORTED');
    expect(codeOf(apiFailure(403, 'forbidden'))).toBe('UNSUPPORTED');
    expect(codeOf(apiFailure(403, 'rateLimitExceeded'))).toBe('RATE_LIMITED');
    expect(codeOf(apiFailure(403, 'userRateLimitExceeded'))).toBe('RATE_LIMITED');
    expect(codeOf(apiFailure(429, 'rateLimitExceeded'))).toBe('RATE_LIMITED');
    expect(codeOf(apiFailure(503, 'backendError'))).toBe('TRANSIENT');
    expect(codeOf(apiFailure(400, 'invalid', 'Invalid resource id value.'))).toBe('UNKNOWN');
    expect(toProviderError(describeFailure(apiFailure(400, 'invalid', 'Invalid resource id value.'), TOKEN_URL), 'events.insert').message).toContain('Invalid resource id value.');
  });

  it('maps token endpoint failures: invalid_grant needs a relink, 5xx is transient', () => {
    const revoked = toProviderError(describeFailure(oauthFailure(400, 'invalid_grant', 'Token has been expired or revoked.'), TOKEN_URL), 'events.list');
    expect(revoked.code).toBe('AUTH_REVOKED');
    expect(revoked.details.providerCode).toBe('invalid_grant');
    expect(revoked.message).toMatch(/linked again/);
    expect(codeOf(oauthFailure(503, 'server_error'))).toBe('TRANSIENT');
    expect(codeOf(oauthFailure(401, 'invalid_client'))).toBe('UNKNOWN');
  });

  it('treats a missing answer as transient and retries it only for safe requests', () => {
    const lost = { name: 'GaxiosError', code: 'ECONNRESET', config: { url: 'https://www.googleapis.com/calendar/v3/x' } };
    const f = describeFailure(lost, TOKEN_URL);
    expect(toProviderError(f, 'events.insert').code).toBe('TRANSIENT');
    expect(classifyForRetry(f, { idempotent: false })).toEqual({ retry: false });
    expect(classifyForRetry(f, { idempotent: true })).toMatchObject({ retry: true, code: 'TRANSIENT' });
  });

  it('retries rate limits and server errors of any method, honouring Retry-After, but not token failures', () => {
    expect(classifyForRetry(describeFailure(apiFailure(403, 'rateLimitExceeded', 'Rate Limit Exceeded', { 'Retry-After': '2' }), TOKEN_URL), { idempotent: false })).toEqual({
      retry: true,
      code: 'RATE_LIMITED',
      retryAfterMs: 2000,
    });
    expect(classifyForRetry(describeFailure(apiFailure(500, 'backendError'), TOKEN_URL), { idempotent: false })).toMatchObject({ retry: true, code: 'TRANSIENT' });
    expect(classifyForRetry(describeFailure(apiFailure(403, 'forbidden'), TOKEN_URL), { idempotent: true })).toEqual({ retry: false });
    expect(classifyForRetry(describeFailure(oauthFailure(503, 'server_error'), TOKEN_URL), { idempotent: true })).toEqual({ retry: false });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(61_000).toUTCString(), 1_000)).toBe(60_000);
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('cuts token-shaped text out of library messages', () => {
    const text = safeMessage('bad token ya29.a0AfB_abc.def and 1//0gRefresh-x and eyJhbGciOi.eyJzdWIi.sig at /revoke?token=1//0gabc&x=1');
    expect(text).not.toMatch(/ya29|1\/\/0g|eyJ/);
  });
});
