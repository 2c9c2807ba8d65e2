import type { EventData } from '../domain/appointment.js';
import type { ProviderCursor, PushChannel } from '../domain/provider-state.js';

export type { ProviderCursor, PushChannel };

/**
 * The port between the sync engine and an external calendar service. It speaks domain types only:
 * no SDK, Graph or Google type crosses it. One implementation per provider slug
 * (`MicrosoftGraphProvider`, `GoogleCalendarProvider`); both pass one contract suite.
 *
 * Every method may throw `ProviderError`; nothing else escapes an adapter.
 */

declare const eventIdBrand: unique symbol;
declare const calendarIdBrand: unique symbol;
/** A provider's event id (Graph event id, Google event id). Never a hub id. */
export type ProviderEventId = string & { readonly [eventIdBrand]: true };
/** A provider's calendar id (Graph calendar id, Google calendar id or `primary`). */
export type ProviderCalendarId = string & { readonly [calendarIdBrand]: true };

export const asProviderEventId = (id: string) => id as ProviderEventId;
export const asProviderCalendarId = (id: string) => id as ProviderCalendarId;

export interface ProviderCalendar {
  id: ProviderCalendarId;
  name: string;
  color: string | null;
  canEdit: boolean;
  /** The account's default calendar (Graph `isDefaultCalendar`, Google `primary`). */
  isDefault: boolean;
  timeZone: string | null;
}

export type ExternalEventKind = 'SINGLE' | 'SERIES_MASTER' | 'EXCEPTION' | 'OCCURRENCE';

export interface ExternalEvent {
  id: ProviderEventId;
  calendarId: ProviderCalendarId;
  kind: ExternalEventKind;
  /** Secondary key that survives id changes (shared by a series' instances on Google). */
  iCalUid: string | null;
  /** Opaque version (Graph changeKey / Google etag) for `ifMatch`. */
  version: string;
  data: EventData;
  /** For EXCEPTION/OCCURRENCE: the series master's id. */
  seriesMasterId: ProviderEventId | null;
  /** For EXCEPTION/OCCURRENCE: the occurrence's original start (ISO instant, or date for all-day). */
  originalStart: string | null;
  /** The hub's tag (the mapping id the hub wrote into the event), or null for events the hub did not create. */
  hubTag: string | null;
  /** Last modification time at the provider, when it tells. */
  updatedAt: string | null;
  /**
   * Set when the event cannot be mirrored as-is (e.g. Google `outOfOffice`/`workingLocation`,
   * Graph drafts); the engine raises a SyncIssue instead of syncing it.
   */
  unsupportedReason: string | null;
}

export interface TimeWindow {
  /** ISO instant, inclusive. */
  start: string;
  /** ISO instant, exclusive. */
  end: string;
}

export type EventChange =
  | { type: 'UPSERT'; event: ExternalEvent }
  /**
   * The event is gone. For a cancelled occurrence of a series, `seriesMasterId` and `originalStart`
   * are set when the provider tells them (Google cancelled exceptions); Graph's `@removed` only
   * carries the id.
   */
  | { type: 'DELETE'; eventId: ProviderEventId; seriesMasterId: ProviderEventId | null; originalStart: string | null };

export interface ChangePage {
  changes: EventChange[];
  /**
   * True when this read is a full listing (no cursor, or the cursor was rejected and the adapter
   * restarted): the engine must then reconcile deletions by difference over the window.
   */
  full: boolean;
  /** Present on the last page only: the cursor to store for the next read. */
  nextCursor: ProviderCursor | null;
}

export interface ReadChangesRequest {
  calendarId: ProviderCalendarId;
  /** `null` starts a full read. */
  cursor: ProviderCursor | null;
  /** The sync window (Graph delta needs a fixed one; Google uses it for the first full read). */
  window: TimeWindow;
  /**
   * Also list the events the hub cannot mirror (Google out of office, focus time, working location…),
   * marked with `unsupportedReason`: they are busy time. A cursor is bound to this choice; one taken
   * with the other choice restarts as a full read.
   */
  allEventTypes?: boolean;
}

export interface CreateEventRequest {
  calendarId: ProviderCalendarId;
  /**
   * Idempotency key: the mapping id. Graph sends it as `transactionId`, Google derives the
   * client-chosen event id from it, so a retry after a crash returns the same event, never a
   * duplicate. It is also written as the hub's tag.
   */
  idempotencyKey: string;
  data: EventData;
  /** `WRITE`: the attendees of `data` are written (the provider invites them). Default `KEEP`: none are written. */
  attendees?: AttendeeWriteMode;
}

export interface UpdateEventRequest {
  calendarId: ProviderCalendarId;
  eventId: ProviderEventId;
  data: EventData;
  /** Last seen version; a mismatch throws `ProviderError('PRECONDITION_FAILED')`. */
  ifMatch: string | null;
  /**
   * `WRITE`: the event's attendees become those of `data` (the provider notifies them; answers of
   * attendees who stay are kept). Default `KEEP`: the event's attendees are left as they are.
   */
  attendees?: AttendeeWriteMode;
}

/** Whether a write touches the event's attendees (tenant setting `writeAttendees`, docs/sync.md "Fields"). */
export type AttendeeWriteMode = 'WRITE' | 'KEEP';

export interface DeleteEventRequest {
  calendarId: ProviderCalendarId;
  eventId: ProviderEventId;
  ifMatch: string | null;
  /** Whether the attendees are told the meeting is cancelled (Google `sendUpdates`; Graph always tells them). Default false. */
  notifyAttendees?: boolean;
}

export interface BusyBlock {
  calendarId: ProviderCalendarId;
  start: string;
  end: string;
  showAs: EventData['showAs'];
}

export interface PushSubscribeRequest {
  calendarId: ProviderCalendarId;
  /** Public https URL the provider posts notifications to. */
  notificationUrl: string;
  /** Graph: where lifecycle notifications go (docs/providers.md#graph-subscriptions); ignored by providers without them. */
  lifecycleNotificationUrl?: string;
  /** Graph `clientState` / Google channel token, checked on every notification. */
  secret: string;
  /** Requested expiry; providers may shorten it (the returned channel is authoritative). */
  expiresAt: string;
}

/** Optional capability: push notifications that hint a sync sooner (polling stays the safety net). */
export interface PushCapability {
  subscribe(request: PushSubscribeRequest): Promise<PushChannel>;
  /** Extends a channel; providers that cannot renew (Google) create a new one. */
  renew(channel: PushChannel, request: PushSubscribeRequest): Promise<PushChannel>;
  unsubscribe(channel: PushChannel): Promise<void>;
}

export interface CalendarProvider {
  listCalendars(): Promise<ProviderCalendar[]>;

  /**
   * Reads what changed since `cursor`, one page at a time. When the cursor is rejected (Google
   * 410, Graph sync reset) the adapter restarts with a full read and marks the pages `full`.
   * It never swallows a rejected cursor.
   */
  readChanges(request: ReadChangesRequest): AsyncIterable<ChangePage>;

  /** One event, or `null` when it does not exist (or was deleted). */
  getEvent(calendarId: ProviderCalendarId, eventId: ProviderEventId): Promise<ExternalEvent | null>;

  /** The instances (occurrences and exceptions) of a series within a window. */
  getSeriesInstances(calendarId: ProviderCalendarId, seriesMasterId: ProviderEventId, window: TimeWindow): Promise<ExternalEvent[]>;

  createEvent(request: CreateEventRequest): Promise<ExternalEvent>;
  updateEvent(request: UpdateEventRequest): Promise<ExternalEvent>;
  /** Deleting an event that is already gone (404/410) counts as done. */
  deleteEvent(request: DeleteEventRequest): Promise<void>;

  /** Every event in the calendar that carries the hub's tag (cleanup). */
  findHubEvents(calendarId: ProviderCalendarId): AsyncIterable<ExternalEvent[]>;

  /** Busy times of conflict-check calendars. */
  getBusyBlocks(calendarIds: ProviderCalendarId[], window: TimeWindow): Promise<BusyBlock[]>;

  /** Bulk deletes that save provider calls (Graph `$batch`); engines fall back to `deleteEvent`. */
  deleteEvents?(calendarId: ProviderCalendarId, eventIds: ProviderEventId[]): Promise<{ eventId: ProviderEventId; error: ProviderError | null }[]>;

  readonly push?: PushCapability;
}

export const PROVIDER_ERROR_CODES = [
  'RATE_LIMITED',
  'TRANSIENT',
  'AUTH_REVOKED',
  'NOT_FOUND',
  'PRECONDITION_FAILED',
  'SYNC_CURSOR_INVALID',
  'UNSUPPORTED',
  'UNKNOWN',
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/**
 * A provider failure normalised at the adapter edge. The engine decides retry / reset cursor /
 * mark the link for re-authorisation from `code` alone. `message` is safe to show and to log:
 * it never contains a token.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly details: {
      /** For RATE_LIMITED / TRANSIENT: how long the provider asked to wait. */
      retryAfterMs?: number;
      /** HTTP status the provider answered, when there was one. */
      status?: number;
      /** The provider's own error code (e.g. `ErrorItemNotFound`, `invalid_grant`, `AADSTS50173`). */
      providerCode?: string;
    } = {},
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.code === 'RATE_LIMITED' || this.code === 'TRANSIENT';
  }
}

export const isProviderError = (e: unknown): e is ProviderError => e instanceof ProviderError;
