import { randomBytes } from 'node:crypto';
import { DEFAULT_GOOGLE_SETTINGS, type GoogleEmulatorSettings } from './google-settings.js';
import type { SigningKeyState } from './oauth/id-token-signer.js';

/**
 * Everything the Google emulator knows, as plain JSON so `exportState()` can hand it out and
 * `initialState` can bring it back (the sandbox survives restarts). Time values are epoch ms of
 * the emulator clock.
 */
export interface GoogleState {
  version: 1;
  /** Global change counter: every change of an event or calendar-list entry takes the next value. */
  seq: number;
  /** HMAC key for sync and page tokens, so a tampered token is recognised (→ 410 / 400). */
  tokenSecret: string;
  settings: GoogleEmulatorSettings;
  signingKey: SigningKeyState;
  accounts: Record<string, AccountRecord>;
  calendars: Record<string, CalendarRecord>;
  /** Calendar-list entries keyed `${accountId} ${calendarId}`. */
  calendarList: Record<string, CalendarListEntryRecord>;
  clients: Record<string, OAuthClientRecord>;
  grants: Record<string, GrantRecord>;
  refreshTokens: Record<string, RefreshTokenRecord>;
  accessTokens: Record<string, AccessTokenRecord>;
  codes: Record<string, AuthCodeRecord>;
  channels: Record<string, ChannelRecord>;
}

export interface AccountRecord {
  /** Google's `sub`: a 21-digit numeric string. Also the account id of the control API. */
  id: string;
  email: string;
  /** The account's name as the emulator shows it (derived from the email when none was given). */
  displayName: string;
  /**
   * Whether the account has a profile name of its own; events name their creator and organizer
   * only then. Absent in state saved before the flag existed: treated as true.
   */
  hasProfileName?: boolean;
  givenName: string;
  familyName: string;
  timeZone: string;
  createdAt: number;
}

export type AccessRole = 'freeBusyReader' | 'reader' | 'writer' | 'owner';

export interface CalendarRecord {
  id: string;
  summary: string;
  description: string | null;
  timeZone: string;
  /** Account that owns it; null for shared read-only calendars such as holidays. */
  ownerAccountId: string | null;
  primary: boolean;
  /** Bumped by `invalidateSyncTokens`: every sync token issued before answers 410. */
  syncEpoch: number;
  updated: number;
  events: Record<string, StoredEvent>;
}

export interface CalendarListEntryRecord {
  accountId: string;
  calendarId: string;
  accessRole: AccessRole;
  colorId: string;
  backgroundColor: string;
  foregroundColor: string;
  hidden: boolean;
  selected: boolean;
  deleted: boolean;
  summaryOverride: string | null;
  defaultReminders: { method: string; minutes: number }[];
  changeSeq: number;
  etag: string;
}

export interface EventDateTime {
  date?: string;
  /** Stored as UTC (`…Z`); rendered in the calendar's or the request's zone. */
  dateTime?: string;
  timeZone?: string;
}

/** The writable part of an event plus the fields the server owns. */
export interface EventBody {
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  transparency?: 'opaque' | 'transparent';
  visibility?: 'default' | 'public' | 'private' | 'confidential';
  start?: EventDateTime;
  end?: EventDateTime;
  endTimeUnspecified?: boolean;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventDateTime;
  iCalUID: string;
  attendees?: Record<string, unknown>[];
  organizer: { email: string; displayName?: string; self?: boolean };
  creator: { email: string; displayName?: string; self?: boolean };
  reminders: { useDefault: boolean; overrides?: { method: string; minutes: number }[] };
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  eventType: string;
  guestsCanModify?: boolean;
  guestsCanInviteOthers?: boolean;
  guestsCanSeeOtherGuests?: boolean;
  anyoneCanAddSelf?: boolean;
  locked?: boolean;
  privateCopy?: boolean;
  source?: { url?: string; title?: string };
  attachments?: Record<string, unknown>[];
  conferenceData?: Record<string, unknown>;
  workingLocationProperties?: Record<string, unknown>;
  outOfOfficeProperties?: Record<string, unknown>;
  focusTimeProperties?: Record<string, unknown>;
  birthdayProperties?: Record<string, unknown>;
}

export interface StoredEvent {
  id: string;
  body: EventBody;
  sequence: number;
  created: number;
  updated: number;
  etag: string;
  /** `GoogleState.seq` at the last change: what sync tokens compare against. */
  changeSeq: number;
}

export interface OAuthClientRecord {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** 'testing' = an External app in "Testing" status: refresh tokens die after 7 days. */
  publishingStatus: 'production' | 'testing';
  name: string;
}

export interface GrantRecord {
  id: string;
  clientId: string;
  accountId: string;
  /** Every scope the account ever consented to for this client. */
  scopes: string[];
  createdAt: number;
}

export type RefreshTokenDeath =
  | 'revoked'
  | 'unused'
  | 'password_change'
  | 'token_limit'
  | 'time_limited'
  | 'testing_mode'
  | 'session_policy';

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  clientId: string;
  accountId: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number;
  /** Time-limited grants only. */
  expiresAt: number | null;
  dead: { cause: RefreshTokenDeath; at: number } | null;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  clientId: string;
  accountId: string;
  scopes: string[];
  expiresAt: number;
  accessType: 'online' | 'offline';
}

export interface AuthCodeRecord {
  code: string;
  clientId: string;
  accountId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  nonce: string | null;
  issueRefreshToken: boolean;
  accessType: 'online' | 'offline';
  expiresAt: number;
  used: boolean;
}

export interface ChannelRecord {
  id: string;
  resourceId: string;
  resourceUri: string;
  accountId: string;
  calendarId: string;
  address: string;
  token: string | null;
  expiration: number;
  messageNumber: number;
}

export function createEmptyState(signingKey: SigningKeyState): GoogleState {
  return {
    version: 1,
    seq: 1,
    tokenSecret: randomBytes(24).toString('base64url'),
    settings: { ...DEFAULT_GOOGLE_SETTINGS },
    signingKey,
    accounts: {},
    calendars: {},
    calendarList: {},
    clients: {},
    grants: {},
    refreshTokens: {},
    accessTokens: {},
    codes: {},
    channels: {},
  };
}

export class StateImportError extends Error {}

/** Accepts a previous `exportState()`; settings added since then take their defaults. */
export function importState(raw: unknown): GoogleState {
  if (!raw || typeof raw !== 'object') throw new StateImportError('state must be an object');
  const s = raw as Partial<GoogleState>;
  if (s.version !== 1) throw new StateImportError(`unsupported state version ${String(s.version)}`);
  if (!s.signingKey?.privateKeyPem || !s.signingKey.certPem) throw new StateImportError('state has no signing key');
  const copy = structuredClone(s) as GoogleState;
  copy.settings = { ...DEFAULT_GOOGLE_SETTINGS, ...(copy.settings ?? {}) };
  for (const key of ['accounts', 'calendars', 'calendarList', 'clients', 'grants', 'refreshTokens', 'accessTokens', 'codes', 'channels'] as const) {
    copy[key] = (copy[key] ?? {}) as never;
  }
  return copy;
}

export const listKey = (accountId: string, calendarId: string) => `${accountId} ${calendarId}`;
