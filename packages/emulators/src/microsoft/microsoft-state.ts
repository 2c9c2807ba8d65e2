import type { DateTimeTimeZone } from './graph-time.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';
import type { PatternedRecurrence } from './recurrence-expander.js';

/**
 * The Microsoft emulator's whole state: plain JSON, so `exportState()` can persist it and
 * `initialState` restore it (the sandbox survives restarts). Times are epoch milliseconds of the
 * emulator clock.
 */

/**
 * Tenant id of every personal Microsoft account (claim `tid`:
 * https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
 */
export const PERSONAL_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
/** Tenant of the seeded work accounts. */
export const DEFAULT_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const DEFAULT_TENANT_DOMAIN = 'contoso.onmicrosoft.com';

export interface TenantRecord {
  id: string;
  displayName: string;
  domains: string[];
}

export interface AccountRecord {
  /** The object id (`oid`) — also the account id of the control API. */
  id: string;
  tenantId: string;
  kind: 'work' | 'personal';
  email: string;
  displayName: string;
  givenName: string;
  surname: string;
  /** false: an account without an Exchange mailbox; its calendar calls fail with MailboxNotEnabledForRESTAPI. */
  mailboxEnabled: boolean;
  /** Bumped to invalidate every delta token of the mailbox (410 SyncStateNotFound). */
  syncGeneration: number;
  createdAt: number;
}

export interface CalendarRecord {
  id: string;
  accountId: string;
  name: string;
  color: string;
  hexColor: string;
  isDefault: boolean;
  canEdit: boolean;
  isRemovable: boolean;
  changeKey: string;
}

export interface ItemBody {
  contentType: 'text' | 'html';
  content: string;
}

export interface EmailAddress {
  name: string;
  address: string;
}

export interface Attendee {
  type: 'required' | 'optional' | 'resource';
  emailAddress: EmailAddress;
  status: { response: string; time: string };
}

/** The writable, syncable properties of an event (and the overrides of an exception). */
export interface EventProps {
  subject: string;
  body: ItemBody;
  start: DateTimeTimeZone;
  end: DateTimeTimeZone;
  isAllDay: boolean;
  location: Record<string, unknown>;
  locations: Record<string, unknown>[];
  attendees: Attendee[];
  reminderMinutesBeforeStart: number;
  isReminderOn: boolean;
  categories: string[];
  showAs: string;
  sensitivity: string;
  importance: string;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  allowNewTimeProposals: boolean;
  hideAttendees: boolean;
  responseRequested: boolean;
}

export interface ExtendedProperty {
  id: string;
  value: string;
}

export interface ExceptionRecord {
  /** Properties that differ from the master (start/end included when the occurrence moved). */
  props: Partial<EventProps>;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  singleValueExtendedProperties: ExtendedProperty[];
}

export interface EventRecord extends EventProps {
  id: string;
  accountId: string;
  calendarId: string;
  type: 'singleInstance' | 'seriesMaster';
  recurrence: PatternedRecurrence | null;
  transactionId: string | null;
  iCalUId: string;
  changeKey: string;
  createdAt: number;
  lastModifiedAt: number;
  /** Open extensions, each with `extensionName` and the full `id`. */
  extensions: Record<string, unknown>[];
  singleValueExtendedProperties: ExtendedProperty[];
  /** Modified occurrences by original start (epoch ms as a string). */
  exceptions: Record<string, ExceptionRecord>;
  /** Original starts (epoch ms) of cancelled occurrences. */
  cancelled: number[];
}

/** One mutation of an event, as delta rounds replay it: the event as it was before the change. */
export interface ChangeEntry {
  seq: number;
  calendarId: string;
  eventId: string;
  before: EventRecord | null;
}

export interface ClientRecord {
  clientId: string;
  /** null: a public client (no secret). */
  clientSecret: string | null;
  redirectUris: string[];
  displayName: string;
}

export type RefreshFailureCause = 'revoked' | 'inactive' | 'expired' | 'interaction_required' | 'consent_required';

export interface GrantRecord {
  id: string;
  accountId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  revokedAt: number | null;
  /** Forced failure of every refresh under this grant (control switch). */
  failure: RefreshFailureCause | null;
}

export interface AuthCodeRecord {
  grantId: string;
  clientId: string;
  accountId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  nonce: string | null;
  tenantSegment: string;
  expiresAt: number;
  redeemedAt: number | null;
}

export interface RefreshTokenRecord {
  grantId: string;
  issuedAt: number;
  lastUsedAt: number;
  /** Set when a refresh replaced this token (rotation). */
  rotatedAt: number | null;
}

export interface AccessTokenRecord {
  grantId: string;
  accountId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface SubscriptionRecord {
  id: string;
  accountId: string;
  clientId: string;
  resource: string;
  /** null = the default calendar. */
  calendarId: string | null;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expiresAt: number;
  createdAt: number;
}

export interface MicrosoftState {
  version: 1;
  tenants: Record<string, TenantRecord>;
  accounts: Record<string, AccountRecord>;
  calendars: Record<string, CalendarRecord>;
  events: Record<string, EventRecord>;
  /** Per mailbox: the last sequence number handed out, the oldest kept, and the change log. */
  changeLogs: Record<string, { seq: number; floor: number; entries: ChangeEntry[] }>;
  clients: Record<string, ClientRecord>;
  grants: Record<string, GrantRecord>;
  codes: Record<string, AuthCodeRecord>;
  refreshTokens: Record<string, RefreshTokenRecord>;
  accessTokens: Record<string, AccessTokenRecord>;
  subscriptions: Record<string, SubscriptionRecord>;
  /** RS256 key that signs id tokens (served in JWKS). */
  signingKey: { kid: string; privateKeyPem: string } | null;
  settings: Partial<MicrosoftEmulatorSettings>;
}

export function emptyState(): MicrosoftState {
  return {
    version: 1,
    tenants: {},
    accounts: {},
    calendars: {},
    events: {},
    changeLogs: {},
    clients: {},
    grants: {},
    codes: {},
    refreshTokens: {},
    accessTokens: {},
    subscriptions: {},
    signingKey: null,
    settings: {},
  };
}

export function isMicrosoftState(value: unknown): value is MicrosoftState {
  return typeof value === 'object' && value !== null && (value as { version?: unknown }).version === 1 && typeof (value as { accounts?: unknown }).accounts === 'object';
}
