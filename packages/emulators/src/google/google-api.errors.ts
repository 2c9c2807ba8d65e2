/**
 * Error bodies as Google sends them.
 * Calendar v3: `{"error":{"errors":[{domain,reason,message,locationType?,location?}],"code","message"}}`, with no
 * `status` (https://developers.google.com/workspace/calendar/api/guides/errors).
 * OAuth endpoints: `{"error","error_description"}` (RFC 6749 §5.2).
 */

export interface CalendarErrorItem {
  domain: string;
  reason: string;
  message: string;
  locationType?: string;
  location?: string;
  extendedHelp?: string;
}

export class CalendarApiError extends Error {
  readonly code = 'CALENDAR_API_ERROR';
  constructor(
    readonly status: number,
    readonly item: CalendarErrorItem,
    /** Top-level `error.message` when it differs from the item's. */
    readonly topMessage?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(item.message);
  }

  body(): { error: { errors: CalendarErrorItem[]; code: number; message: string } } {
    return { error: { errors: [this.item], code: this.status, message: this.topMessage ?? this.item.message } };
  }
}

export function isCalendarApiError(e: unknown): e is CalendarApiError {
  return e instanceof CalendarApiError;
}

const err = (status: number, domain: string, reason: string, message: string, extra: Partial<CalendarErrorItem> = {}, top?: string) =>
  new CalendarApiError(status, { domain, reason, message, ...extra }, top);

export const calendarErrors = {
  badRequest: (message = 'Bad Request') => err(400, 'global', 'badRequest', message),
  invalid: (message: string, location?: string) => err(400, 'global', 'invalid', message, location ? { locationType: 'parameter', location } : {}),
  invalidParameter: (name: string, value: string) =>
    err(400, 'global', 'invalidParameter', `Invalid value '${value}' for parameter ${name}.`, { locationType: 'parameter', location: name }),
  required: (message: string, location?: string) => err(400, 'global', 'required', message, location ? { locationType: 'parameter', location } : {}),
  parseError: (detail: string) => err(400, 'global', 'parseError', 'Parse Error', {}, `Invalid JSON payload received. ${detail}`),
  timeRangeEmpty: (location?: string) =>
    err(400, 'calendar', 'timeRangeEmpty', 'The specified time range is empty.', location ? { locationType: 'parameter', location } : {}),
  missingCredentials: () =>
    err(
      401,
      'global',
      'required',
      'Login Required.',
      { locationType: 'header', location: 'Authorization' },
      'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    ),
  invalidCredentials: () =>
    err(
      401,
      'global',
      'authError',
      'Invalid Credentials',
      { locationType: 'header', location: 'Authorization' },
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    ),
  insufficientPermissions: () =>
    err(403, 'global', 'insufficientPermissions', 'Insufficient Permission', {}, 'Request had insufficient authentication scopes.'),
  requiredAccessLevel: () => err(403, 'calendar', 'requiredAccessLevel', 'You need to have writer access to this calendar.'),
  notFound: (message = 'Not Found') => err(404, 'global', 'notFound', message),
  duplicate: () => err(409, 'global', 'duplicate', 'The requested identifier already exists.'),
  deleted: () => err(410, 'global', 'deleted', 'Resource has been deleted'),
  fullSyncRequired: () =>
    err(410, 'calendar', 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', { locationType: 'parameter', location: 'syncToken' }),
  updatedMinTooLongAgo: () =>
    err(410, 'calendar', 'updatedMinTooLongAgo', 'The requested minimum modification time lies too far in the past.', { locationType: 'parameter', location: 'updatedMin' }),
  conditionNotMet: () => err(412, 'global', 'conditionNotMet', 'Precondition Failed', { locationType: 'header', location: 'If-Match' }),
  backendError: () => err(500, 'global', 'backendError', 'Backend Error'),
};

/** Body of a fault injected with a bare status code: what Google answers with that status. */
export function renderInjectedCalendarError(status: number, reason?: string): CalendarApiError {
  switch (status) {
    case 400:
      return calendarErrors.badRequest();
    case 401:
      return calendarErrors.invalidCredentials();
    case 403: {
      const r = reason ?? 'rateLimitExceeded';
      const message =
        r === 'userRateLimitExceeded' ? 'User Rate Limit Exceeded' : r === 'quotaExceeded' ? 'Calendar usage limits exceeded.' : r === 'dailyLimitExceeded' ? 'Daily Limit Exceeded' : 'Rate Limit Exceeded';
      return err(403, 'usageLimits', r, message);
    }
    case 404:
      return calendarErrors.notFound();
    case 409:
      return calendarErrors.duplicate();
    case 410:
      return calendarErrors.fullSyncRequired();
    case 412:
      return calendarErrors.conditionNotMet();
    case 429:
      return err(429, 'usageLimits', reason ?? 'rateLimitExceeded', 'Rate Limit Exceeded');
    case 503:
      return err(503, 'global', 'backendError', 'The service is currently unavailable.');
    default:
      return status >= 500 ? new CalendarApiError(status, { domain: 'global', reason: 'backendError', message: 'Backend Error' }) : calendarErrors.badRequest();
  }
}

export class OAuthError extends Error {
  readonly code = 'OAUTH_ERROR';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(description ?? error);
  }

  body(): Record<string, string> {
    return { error: this.error, ...(this.description !== undefined ? { error_description: this.description } : {}), ...this.extra };
  }
}

export function isOAuthError(e: unknown): e is OAuthError {
  return e instanceof OAuthError;
}

export function renderInjectedOAuthError(status: number): OAuthError {
  if (status === 401) return new OAuthError(401, 'invalid_client', 'Unauthorized');
  if (status === 429) return new OAuthError(429, 'rate_limit_exceeded', 'Rate Limit Exceeded');
  if (status >= 500) return new OAuthError(status, 'internal_failure', 'Backend Error');
  return new OAuthError(status, 'invalid_request', 'Bad Request');
}
