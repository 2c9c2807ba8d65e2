import { ClientAuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { isLinkRefusedError } from '../../../../src/providers/provider-auth.js';
import {
  codeRedemptionError,
  describeMicrosoftCallbackError,
  graphHttpError,
  tokenAcquisitionError,
} from '../../../../src/providers/microsoft-graph/microsoft-graph.errors.js';
import { parseRetryAfter as retryAfterMs } from '../../../../src/providers/retry-policy.js';

const REVOKED_DESCRIPTION =
  "AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.\r\nTrace ID: 0b7c\r\nCorrelation ID: 9f1e\r\nTimestamp: 2026-03-01 10:00:00Z";

describe('describeCallbackError', () => {
  it.each([
    ['access_denied', 'AADSTS500200: User account \'megan@outlook.com\' is a personal Microsoft account.', 'ACCOUNT_UNSUPPORTED', /Personal Microsoft accounts/, /work or school/],
    ['access_denied', "AADSTS50020: User account 'adele@contoso.com' from identity provider 'https://sts.windows.net/x/' does not exist in tenant 'Fabrikam'.", 'ACCOUNT_UNSUPPORTED', /does not belong to the organisation/, /invite/],
    ['access_denied', 'AADSTS65004: User declined to consent to access the app.', 'ACCESS_DENIED', /access was declined/, /accept the calendar permissions/],
    ['consent_required', 'AADSTS65001: The user or administrator has not consented to use the application.', 'ACCESS_DENIED', /administrator to approve/, /grant consent/],
    ['access_denied', 'AADSTS90094: Admin consent is required.', 'ACCESS_DENIED', /administrator to approve/, /grant consent/],
    ['interaction_required', 'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.', 'ACCESS_DENIED', /multi-factor/, /sign-in step/],
    ['invalid_request', "AADSTS50011: The redirect URI 'x' specified in the request does not match.", 'INVALID_REQUEST', /app registration/, /redirect URI/],
    ['temporarily_unavailable', null, 'INVALID_REQUEST', /temporarily unavailable/, /few minutes/],
    ['access_denied', null, 'ACCESS_DENIED', /access was declined/, /linking again/],
    ['something_new', null, 'INVALID_REQUEST', /^Microsoft sign-in failed\.$/, /linking again/],
  ])('turns %s / %s into a readable %s refusal', (error, errorDescription, reason, message, tip) => {
    const refusal = describeMicrosoftCallbackError({ error, errorDescription });
    expect(isLinkRefusedError(refusal)).toBe(true);
    expect(refusal.reason).toBe(reason);
    expect(refusal.message).toMatch(message);
    expect(refusal.tip).toMatch(tip);
    // Trace and correlation ids of the description are not shown to the user.
    expect(refusal.message).not.toMatch(/Trace ID|Correlation ID/);
  });
});

describe('token acquisition failures', () => {
  it('reports a revoked grant as AUTH_REVOKED with the AADSTS code', () => {
    const error = tokenAcquisitionError(new ServerError('invalid_grant', 'corr', REVOKED_DESCRIPTION, '', '50173', 400));
    expect(error).toMatchObject({ code: 'AUTH_REVOKED', details: { providerCode: 'AADSTS50173' } });
    expect(error.message).toMatch(/revoked/);
  });

  it.each([
    ['700082', /90 days/],
    ['70008', /expired/],
  ])('reports AADSTS%s as AUTH_REVOKED', (errorNo, message) => {
    const error = tokenAcquisitionError(new ServerError('invalid_grant', 'corr', `AADSTS${errorNo}: expired`, '', errorNo, 400));
    expect(error.code).toBe('AUTH_REVOKED');
    expect(error.message).toMatch(message);
  });

  it('reports an interaction-required answer as AUTH_REVOKED', () => {
    const error = tokenAcquisitionError(new InteractionRequiredAuthError('interaction_required', 'corr', 'AADSTS50079: enrol in MFA', 'basic_action', '', '', '', '50079'));
    expect(error).toMatchObject({ code: 'AUTH_REVOKED', details: { providerCode: 'AADSTS50079' } });
  });

  it('reports network failures and 5xx answers of the token endpoint as TRANSIENT', () => {
    expect(tokenAcquisitionError(new ClientAuthError('network_error', 'corr')).code).toBe('TRANSIENT');
    expect(tokenAcquisitionError(new ServerError('temporarily_unavailable', 'corr', 'AADSTS90033: busy', '', '90033', 503)).code).toBe('TRANSIENT');
    expect(tokenAcquisitionError(new TypeError('fetch failed')).code).toBe('TRANSIENT');
  });

  it("reports a refused client secret as the hub's configuration problem, not the user's grant", () => {
    const error = tokenAcquisitionError(new ServerError('invalid_client', 'corr', 'AADSTS7000215: Invalid client secret provided.', '', '7000215', 401));
    expect(error.code).toBe('UNKNOWN');
    expect(error.message).toMatch(/MICROSOFT_CLIENT_ID\/SECRET/);
  });

  it('turns a used or mismatched code into a refusal the user reads', () => {
    const replayed = codeRedemptionError(new ServerError('invalid_grant', 'corr', 'AADSTS54005: OAuth2 Authorization code was already redeemed.', '', '54005', 400));
    expect(replayed).toMatchObject({ reason: 'INVALID_REQUEST' });
    expect(replayed.message).toMatch(/already used, expired/);
    const pkce = codeRedemptionError(new ServerError('invalid_grant', 'corr', 'AADSTS50148: The code_verifier does not match.', '', '50148', 400));
    expect(pkce).toMatchObject({ reason: 'INVALID_REQUEST' });
    expect(codeRedemptionError(new ClientAuthError('network_error', 'corr'))).toMatchObject({ code: 'TRANSIENT' });
  });
});

describe('Graph HTTP failures', () => {
  const read = { action: 'reading an event', write: false };
  const writing = { action: 'creating an event', write: true };
  const body = (code: string) => ({ code, message: 'm' });

  it.each([
    [404, 'ErrorItemNotFound', read, 'NOT_FOUND'],
    [400, 'ErrorInvalidIdMalformed', read, 'NOT_FOUND'],
    [412, 'ErrorIrresolvableConflict', writing, 'PRECONDITION_FAILED'],
    [409, 'ErrorIrresolvableConflict', writing, 'PRECONDITION_FAILED'],
    [410, 'SyncStateNotFound', read, 'SYNC_CURSOR_INVALID'],
    [401, 'InvalidAuthenticationToken', read, 'AUTH_REVOKED'],
    [403, 'ErrorAccessDenied', writing, 'UNSUPPORTED'],
    [404, 'MailboxNotEnabledForRESTAPI', read, 'UNSUPPORTED'],
    [400, 'TimeZoneNotSupportedException', writing, 'UNSUPPORTED'],
    [503, 'ServiceUnavailable', read, 'TRANSIENT'],
    [500, 'InternalServerError', writing, 'TRANSIENT'],
    [400, 'ErrorInvalidRequest', writing, 'UNKNOWN'],
  ])('maps %i %s to %s', (status, code, ctx, expected) => {
    const error = graphHttpError(status, body(code), null, ctx);
    expect(error.code).toBe(expected);
    expect(error.details).toMatchObject({ status, providerCode: code });
  });

  it('reports 429 as RATE_LIMITED with the delay asked for', () => {
    expect(graphHttpError(429, body('ApplicationThrottled'), 7000, read)).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterMs: 7000 } });
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:30 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(30_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
