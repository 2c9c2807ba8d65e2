import { AuthError, ClientAuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { ProviderError } from '../calendar-provider.js';
import { consentDeclined, LinkRefusedError } from '../provider-auth.js';

/**
 * Normalisation of Microsoft identity and Graph failures at the adapter edge
 * (docs/providers.md#microsoft-token-errors, docs/providers.md#graph-errors). Messages are written here, never copied from a
 * raw SDK error, so no token, code or secret can leak into them; the provider's own code travels in
 * `details.providerCode` (`ErrorItemNotFound`, `AADSTS50173`, …).
 */

/** The Graph error body `{error:{code,message}}`, when there is one. */
export interface GraphErrorBody {
  code: string | null;
  message: string | null;
}

export function parseGraphErrorBody(body: unknown): GraphErrorBody {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { code: null, message: null };
    }
  }
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : null,
    message: typeof error?.message === 'string' ? error.message : null,
  };
}

export interface GraphFailureContext {
  /** What the adapter was doing, for the message: "reading calendars", "updating an event". */
  action: string;
  /** The request wrote something (POST/PATCH/DELETE): a 403 then means a read-only calendar. */
  write: boolean;
}

/** A Graph HTTP error answer as a `ProviderError` (the one place statuses become codes). */
export function graphHttpError(status: number, body: GraphErrorBody, retryAfter: number | null, ctx: GraphFailureContext): ProviderError {
  const code = body.code ?? `HTTP${status}`;
  const detail = body.message ? `: ${body.message}` : '';
  const details = { status, providerCode: code, ...(retryAfter !== null ? { retryAfterMs: retryAfter } : {}) };
  const say = (what: string) => `Microsoft Graph ${what} while ${ctx.action} (${code}${detail})`;
  if (status === 429) return new ProviderError('RATE_LIMITED', say('is throttling this mailbox'), { ...details, retryAfterMs: retryAfter ?? 1000 });
  if (status >= 500) return new ProviderError('TRANSIENT', say(`answered ${status}`), details);
  switch (status) {
    case 401:
      return new ProviderError('AUTH_REVOKED', say('refused the access token even after a refresh'), details);
    case 403:
      if (code === 'MailboxNotEnabledForRESTAPI') return new ProviderError('UNSUPPORTED', say('reports that the account has no Exchange Online mailbox'), details);
      return new ProviderError('UNSUPPORTED', say(ctx.write ? 'refused the write (the calendar is read-only or not shared for editing)' : 'refused access to the calendar'), details);
    case 404:
      if (code === 'MailboxNotEnabledForRESTAPI') return new ProviderError('UNSUPPORTED', say('reports that the account has no Exchange Online mailbox'), details);
      return new ProviderError('NOT_FOUND', say('could not find the item'), details);
    case 409:
      if (code === 'ErrorIrresolvableConflict') return new ProviderError('PRECONDITION_FAILED', say('reports a conflicting change'), details);
      return new ProviderError('UNKNOWN', say('reports a conflict'), details);
    case 410:
      return new ProviderError('SYNC_CURSOR_INVALID', say('no longer accepts the sync state'), details);
    case 412:
      return new ProviderError('PRECONDITION_FAILED', say('reports that the item changed since it was read'), details);
    case 400:
      if (code === 'ErrorInvalidIdMalformed') return new ProviderError('NOT_FOUND', say('does not know this id'), details);
      if (code === 'TimeZoneNotSupportedException') return new ProviderError('UNSUPPORTED', say('does not support the time zone'), details);
      return new ProviderError('UNKNOWN', say('rejected the request'), details);
    default:
      return new ProviderError('UNKNOWN', say(`answered ${status}`), details);
  }
}

/** A request that never got an answer (connection reset, timeout, DNS). */
export function graphNetworkError(ctx: GraphFailureContext): ProviderError {
  return new ProviderError('TRANSIENT', `Microsoft Graph could not be reached while ${ctx.action} (no answer; the request may or may not have been applied).`, {});
}

/** `AADSTS50173` from an MSAL error (its `errorNo`, or the code in its description). */
export function aadstsCodeOf(e: unknown): string | null {
  const errorNo = (e as { errorNo?: unknown }).errorNo;
  if ((typeof errorNo === 'string' && /^\d+$/.test(errorNo)) || typeof errorNo === 'number') return `AADSTS${errorNo}`;
  const message = e instanceof AuthError ? e.errorMessage : e instanceof Error ? e.message : '';
  const m = /AADSTS(\d+)/.exec(message);
  return m ? `AADSTS${m[1]}` : null;
}

/** AADSTS codes that mean the grant is gone and the user must link again (docs/providers.md#microsoft-token-errors). */
const GRANT_GONE: Record<string, string> = {
  AADSTS50173: 'the grant was revoked (for example after a password reset or a sign-out of all sessions)',
  AADSTS700082: 'the refresh token expired after 90 days without use',
  AADSTS70008: 'the refresh token expired',
  AADSTS70000: 'the grant is invalid or its scopes are no longer authorised',
  AADSTS50076: 'multi-factor authentication is now required',
  AADSTS50079: 'multi-factor authentication enrolment is required',
  AADSTS65001: 'consent to the app was withdrawn',
  AADSTS54005: 'the grant was already used',
  AADSTS700084: 'the refresh token passed its fixed lifetime',
};

const RELINK = 'Link the calendar again to restore access.';

/**
 * An MSAL failure while getting a token for Graph calls. `invalid_grant`, interaction-required
 * errors and the AADSTS codes above → AUTH_REVOKED; network and 5xx on the token endpoint →
 * TRANSIENT; a refused client secret → UNKNOWN (the hub's configuration, not the user's grant).
 */
export function tokenAcquisitionError(e: unknown): ProviderError {
  const aadsts = aadstsCodeOf(e);
  const details = aadsts ? { providerCode: aadsts } : {};
  if (e instanceof ProviderError) return e;
  if (aadsts && GRANT_GONE[aadsts]) {
    return new ProviderError('AUTH_REVOKED', `Microsoft refused to renew access: ${GRANT_GONE[aadsts]}. ${RELINK}`, details);
  }
  if (e instanceof InteractionRequiredAuthError) {
    return new ProviderError('AUTH_REVOKED', `Microsoft requires the user to sign in again (${e.errorCode}). ${RELINK}`, { providerCode: aadsts ?? e.errorCode });
  }
  if (e instanceof ServerError) {
    const status = typeof e.status === 'number' ? e.status : undefined;
    const withStatus = { providerCode: aadsts ?? e.errorCode, ...(status !== undefined ? { status } : {}) };
    if (e.errorCode === 'invalid_grant') return new ProviderError('AUTH_REVOKED', `Microsoft refused to renew access (invalid_grant). ${RELINK}`, withStatus);
    if (e.errorCode === 'temporarily_unavailable' || e.errorCode === 'server_error' || (status !== undefined && (status >= 500 || status === 429))) {
      return new ProviderError('TRANSIENT', 'The Microsoft sign-in service is temporarily unavailable.', withStatus);
    }
    if (e.errorCode === 'invalid_client' || e.errorCode === 'unauthorized_client') {
      return new ProviderError('UNKNOWN', `Microsoft refused the hub's app credentials (${aadsts ?? e.errorCode}); check MICROSOFT_CLIENT_ID/SECRET.`, withStatus);
    }
    return new ProviderError('UNKNOWN', `Microsoft sign-in failed (${aadsts ?? e.errorCode}).`, withStatus);
  }
  if (e instanceof ClientAuthError) {
    if (e.errorCode === 'network_error' || e.errorCode === 'no_network_connectivity' || e.errorCode === 'endpoints_resolution_error') {
      return new ProviderError('TRANSIENT', 'The Microsoft sign-in service could not be reached.', { providerCode: e.errorCode });
    }
    if (e.errorCode === 'no_account_in_silent_request' || e.errorCode === 'no_tokens_found') {
      return new ProviderError('AUTH_REVOKED', `The stored Microsoft grant holds no usable account (${e.errorCode}). ${RELINK}`, { providerCode: e.errorCode });
    }
    return new ProviderError('UNKNOWN', `Microsoft sign-in failed in the client (${e.errorCode}).`, { providerCode: e.errorCode });
  }
  if (e instanceof AuthError) return new ProviderError('UNKNOWN', `Microsoft sign-in failed (${e.errorCode}).`, { providerCode: e.errorCode });
  return new ProviderError('TRANSIENT', 'The Microsoft sign-in service could not be reached.', {});
}

/**
 * A failed code redemption (`acquireTokenByCode`): a used, expired or mismatched code is a refusal
 * the user reads (start linking again); transport problems stay `ProviderError`s.
 */
export function codeRedemptionError(e: unknown): LinkRefusedError | ProviderError {
  const aadsts = aadstsCodeOf(e);
  if (e instanceof ServerError || e instanceof InteractionRequiredAuthError) {
    const code = e.errorCode;
    if (code === 'invalid_grant' || aadsts === 'AADSTS54005' || aadsts === 'AADSTS70008' || aadsts === 'AADSTS50148' || aadsts === 'AADSTS501481') {
      return new LinkRefusedError(
        `Microsoft did not accept the sign-in answer (${aadsts ?? code}): it was already used, expired, or does not belong to this linking attempt.`,
        'INVALID_REQUEST',
        'Start linking again from the beginning and finish the sign-in within a few minutes.',
      );
    }
    if (code === 'consent_required' || code === 'interaction_required' || aadsts === 'AADSTS65001') {
      return new LinkRefusedError(`Microsoft did not grant the requested access (${aadsts ?? code}).`, 'ACCESS_DENIED', 'Link again and accept the permissions the hub asks for, or ask your administrator to approve the app.');
    }
  }
  return tokenAcquisitionError(e);
}

const LINK_AGAIN = 'Start linking again.';

/** The authorize endpoint's `error` values the hub knows; only these are shown back to the user. */
const KNOWN_CALLBACK_ERRORS = new Set([
  'access_denied',
  'consent_required',
  'interaction_required',
  'login_required',
  'temporarily_unavailable',
  'server_error',
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_resource',
  'invalid_scope',
]);

/**
 * The error redirect of the authorize endpoint (`error`, `error_description` with an AADSTS code;
 * docs/providers.md#microsoft-consent-and-callback-errors) as a readable refusal. Only the hub's
 * own text: both arrive in a URL anyone can craft, so the description is never echoed (it also
 * carries trace ids), only an AADSTS number found in it or an `error` the hub knows.
 */
export function describeMicrosoftCallbackError(params: { error: string; errorDescription: string | null }): LinkRefusedError {
  const error = params.error.trim().toLowerCase();
  const aadsts = /AADSTS\d{1,9}\b/.exec(params.errorDescription ?? '')?.[0] ?? null;
  const ref = aadsts ? ` (${aadsts})` : KNOWN_CALLBACK_ERRORS.has(error) ? ` (${error})` : '';
  switch (aadsts) {
    case 'AADSTS500200':
      return new LinkRefusedError(
        `Personal Microsoft accounts (Outlook.com, Hotmail, Live) cannot be linked here${ref}.`,
        'ACCOUNT_UNSUPPORTED',
        'Sign in with your work or school Microsoft 365 account instead.',
      );
    case 'AADSTS50020':
      return new LinkRefusedError(
        `This Microsoft account does not belong to the organisation the hub is set up for${ref}.`,
        'ACCOUNT_UNSUPPORTED',
        "Sign in with your organisation's account, or ask its administrator to invite this account as a guest.",
      );
    case 'AADSTS65004':
      return consentDeclined('microsoft-graph');
    case 'AADSTS90094':
    case 'AADSTS90095':
    case 'AADSTS65001':
      return new LinkRefusedError(
        `Your organisation requires an administrator to approve this app before you can link${ref}.`,
        'ACCESS_DENIED',
        'Ask your Microsoft 365 administrator to grant consent to the app, then link again.',
      );
    case 'AADSTS50076':
    case 'AADSTS50079':
      return new LinkRefusedError(`Microsoft needs more sign-in steps (multi-factor authentication)${ref}.`, 'ACCESS_DENIED', `${LINK_AGAIN} Complete every sign-in step Microsoft asks for.`);
    case 'AADSTS50011':
    case 'AADSTS700016':
    case 'AADSTS90002':
      return new LinkRefusedError(
        `The hub's Microsoft app registration does not accept this sign-in${ref}.`,
        'INVALID_REQUEST',
        'Ask the administrator of the hub to check the Microsoft app registration (client id, tenant, redirect URI).',
      );
    default:
      break;
  }
  switch (error) {
    case 'access_denied':
      return consentDeclined('microsoft-graph');
    case 'consent_required':
      return new LinkRefusedError(`Consent to the hub is required${ref}.`, 'ACCESS_DENIED', 'Link again and accept the permissions, or ask your administrator to approve the app.');
    case 'interaction_required':
    case 'login_required':
      return new LinkRefusedError(`Microsoft needs you to sign in interactively${ref}.`, 'ACCESS_DENIED', `${LINK_AGAIN} Complete every sign-in step Microsoft asks for.`);
    case 'temporarily_unavailable':
    case 'server_error':
      return new LinkRefusedError(`Microsoft sign-in is temporarily unavailable${ref}.`, 'INVALID_REQUEST', 'Try again in a few minutes.');
    case 'invalid_request':
    case 'unauthorized_client':
    case 'unsupported_response_type':
    case 'invalid_resource':
    case 'invalid_scope':
      return new LinkRefusedError(
        `Microsoft rejected the sign-in request${ref}.`,
        'INVALID_REQUEST',
        'Ask the administrator of the hub to check the Microsoft app registration (client id, tenant, redirect URI, permissions).',
      );
    default:
      return new LinkRefusedError(`Microsoft sign-in failed${ref}.`, 'INVALID_REQUEST', LINK_AGAIN);
  }
}
