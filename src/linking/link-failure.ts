import type { ProviderErrorCode } from '../providers/calendar-provider.js';
import type { LinkRefusedError } from '../providers/provider-auth.js';

/** Stable codes of a failed callback (the `error` parameter of the redirect to `returnTo`). */
export const LINK_FAILURE_CODES = [
  'UNKNOWN_PROVIDER',
  'STATE_INVALID',
  'ACCESS_DENIED',
  'ACCOUNT_UNSUPPORTED',
  'SCOPES_MISSING',
  'INVALID_REQUEST',
  'CONFLICT',
  'USER_UNAVAILABLE',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_ERROR',
  'INTERNAL',
] as const;
export type LinkFailureCode = (typeof LINK_FAILURE_CODES)[number];

/**
 * A failed link attempt as the user sees it: never a stack, a token or an internal detail, and only
 * the hub's own text — it goes into the redirect to `returnTo`, so nothing from the callback URL or
 * a provider's free-text error may reach it (adapters keep their refusals to hub text as well).
 */
export interface LinkFailure {
  code: LinkFailureCode;
  /** Status of the page the callback renders. */
  httpStatus: number;
  title: string;
  message: string;
  tip: string | null;
}

export const STATE_INVALID_MESSAGE = 'This sign-in link has expired or was already used — start linking again.';

const PROVIDER_FAILURE_TEXT: Partial<Record<ProviderErrorCode | 'NO_CODE', string>> = {
  NO_CODE: 'the sign-in came back without an authorisation code',
  RATE_LIMITED: 'it is busy',
  TRANSIENT: 'it did not answer',
  AUTH_REVOKED: 'it no longer accepts this sign-in',
};

export const linkFailures = {
  unknownProvider: (): LinkFailure => ({
    code: 'UNKNOWN_PROVIDER',
    httpStatus: 404,
    title: 'Unknown calendar provider',
    message: 'This address names no calendar provider this hub links.',
    tip: 'Start linking again from the calendar settings.',
  }),
  stateInvalid: (): LinkFailure => ({
    code: 'STATE_INVALID',
    httpStatus: 400,
    title: 'This sign-in link cannot be used',
    message: STATE_INVALID_MESSAGE,
    tip: 'Sign-in links work once and for 10 minutes. Go back to the calendar settings and choose "Link" again.',
  }),
  refused: (refusal: LinkRefusedError): LinkFailure => ({
    code: refusal.reason,
    httpStatus: 400,
    title: refusal.reason === 'ACCOUNT_UNSUPPORTED' ? 'This account cannot be linked' : 'The calendar was not linked',
    message: refusal.message,
    tip: refusal.tip,
  }),
  conflict: (message: string, tip: string): LinkFailure => ({ code: 'CONFLICT', httpStatus: 409, title: 'The calendar was not linked', message, tip }),
  userUnavailable: (): LinkFailure => ({
    code: 'USER_UNAVAILABLE',
    httpStatus: 409,
    title: 'The calendar was not linked',
    message: 'The user this link was started for no longer exists or is inactive.',
    tip: 'Ask your administrator to reactivate the user, then start linking again.',
  }),
  providerUnavailable: (message: string): LinkFailure => ({
    code: 'PROVIDER_UNAVAILABLE',
    httpStatus: 503,
    title: 'The calendar was not linked',
    message,
    tip: 'Ask your administrator to configure this calendar provider.',
  }),
  /** `reason`: a provider failure's closed code (its message is only logged), or `NO_CODE`. */
  providerError: (providerName: string, reason: ProviderErrorCode | 'NO_CODE'): LinkFailure => ({
    code: 'PROVIDER_ERROR',
    httpStatus: 502,
    title: 'The calendar was not linked',
    message: `${providerName} did not complete the linking: ${PROVIDER_FAILURE_TEXT[reason] ?? 'it refused the request'} (${reason}).`,
    tip: 'Try again in a minute: start linking again from the calendar settings.',
  }),
  internal: (): LinkFailure => ({
    code: 'INTERNAL',
    httpStatus: 503,
    title: 'The calendar was not linked',
    message: 'Something went wrong on our side while finishing the link.',
    tip: 'Try again in a minute: start linking again from the calendar settings. If it keeps failing, contact support.',
  }),
};
