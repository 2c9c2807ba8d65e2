/**
 * OAuth scopes the emulator knows. Calendar scopes come from the discovery metadata of
 * @googleapis/calendar v3; which method accepts which scope follows that metadata
 * (docs/providers.md#google-scopes).
 */
const AUTH = 'https://www.googleapis.com/auth/';

export const CALENDAR_SCOPES = {
  full: `${AUTH}calendar`,
  readonly: `${AUTH}calendar.readonly`,
  events: `${AUTH}calendar.events`,
  eventsReadonly: `${AUTH}calendar.events.readonly`,
  eventsOwned: `${AUTH}calendar.events.owned`,
  eventsOwnedReadonly: `${AUTH}calendar.events.owned.readonly`,
  calendarList: `${AUTH}calendar.calendarlist`,
  calendarListReadonly: `${AUTH}calendar.calendarlist.readonly`,
  calendars: `${AUTH}calendar.calendars`,
  calendarsReadonly: `${AUTH}calendar.calendars.readonly`,
  appCreated: `${AUTH}calendar.app.created`,
  eventsFreebusy: `${AUTH}calendar.events.freebusy`,
  freebusy: `${AUTH}calendar.freebusy`,
  acls: `${AUTH}calendar.acls`,
  aclsReadonly: `${AUTH}calendar.acls.readonly`,
  settingsReadonly: `${AUTH}calendar.settings.readonly`,
  eventsPublicReadonly: `${AUTH}calendar.events.public.readonly`,
} as const;

const S = CALENDAR_SCOPES;

/** Scopes each group of Calendar methods accepts; a token needs one of them. */
export const SCOPES_FOR = {
  calendarListRead: [S.full, S.readonly, S.calendarList, S.calendarListReadonly],
  calendarRead: [S.full, S.readonly, S.calendars, S.calendarsReadonly, S.appCreated],
  eventsRead: [S.full, S.readonly, S.events, S.eventsReadonly, S.eventsOwned, S.eventsOwnedReadonly],
  eventsWrite: [S.full, S.events, S.eventsOwned],
  freeBusy: [S.full, S.readonly, S.events, S.eventsReadonly, S.eventsFreebusy, S.freebusy],
  anyCalendar: Object.values(S) as string[],
} as const;

export const USERINFO_EMAIL = `${AUTH}userinfo.email`;
export const USERINFO_PROFILE = `${AUTH}userinfo.profile`;
export const GMAIL_FULL = 'https://mail.google.com/';

/** Sign-in scopes: grants holding only these survive the Testing-mode 7-day limit. */
export const SIGN_IN_SCOPES: readonly string[] = ['openid', USERINFO_EMAIL, USERINFO_PROFILE];

/**
 * Google answers `email`/`profile` with their full URLs in the granted `scope`
 * ("https://www.googleapis.com/auth/userinfo.email openid").
 */
export function normalizeScope(scope: string): string {
  if (scope === 'email') return USERINFO_EMAIL;
  if (scope === 'profile') return USERINFO_PROFILE;
  return scope;
}

export function isKnownScope(scope: string): boolean {
  if (SIGN_IN_SCOPES.includes(scope) || scope === GMAIL_FULL) return true;
  if ((Object.values(CALENDAR_SCOPES) as string[]).includes(scope)) return true;
  return /^https:\/\/www\.googleapis\.com\/auth\/gmail\.[a-z._]+$/.test(scope);
}

export function isGmailScope(scope: string): boolean {
  return scope === GMAIL_FULL || scope.startsWith(`${AUTH}gmail.`);
}

export function parseScopeParam(raw: string | undefined): string[] {
  return [...new Set((raw ?? '').split(/[\s+]+/).filter(Boolean).map(normalizeScope))];
}
