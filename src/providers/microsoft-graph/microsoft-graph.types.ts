import type { GraphRecurrence } from '../../domain/recurrence/graph-pattern.js';

/**
 * The Microsoft Graph v1.0 JSON shapes this adapter reads and writes
 * (https://learn.microsoft.com/graph/api/resources/event, …/resources/calendar). Structural types
 * only, private to `providers/microsoft-graph/`; nothing here crosses the port. Every field is
 * optional or nullable because `$select`, delta items and `@removed` stubs omit most of them.
 */

export interface GraphDateTimeTimeZone {
  /** Wall-clock time without offset, seven fractional digits in responses (`2026-03-02T09:00:00.0000000`). */
  dateTime: string;
  /** Windows name ("W. Europe Standard Time"), IANA name, "UTC", or `tzone://Microsoft/Custom`. */
  timeZone: string;
}

export interface GraphEmailAddress {
  address?: string | null;
  name?: string | null;
}

export type GraphResponseType = 'none' | 'organizer' | 'tentativelyAccepted' | 'accepted' | 'declined' | 'notResponded';

export interface GraphAttendee {
  type?: 'required' | 'optional' | 'resource' | null;
  emailAddress?: GraphEmailAddress | null;
  status?: { response?: GraphResponseType | null; time?: string | null } | null;
}

export type GraphShowAs = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';
export type GraphSensitivity = 'normal' | 'personal' | 'private' | 'confidential';
export type GraphEventType = 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';

export interface GraphExtendedProperty {
  id: string;
  value: string | null;
}

export interface GraphEvent {
  '@odata.etag'?: string;
  '@odata.type'?: string;
  /** Delta: the item left the window or was deleted (only `id` is set then). */
  '@removed'?: { reason?: string };
  id: string;
  changeKey?: string | null;
  createdDateTime?: string | null;
  lastModifiedDateTime?: string | null;
  transactionId?: string | null;
  iCalUId?: string | null;
  subject?: string | null;
  body?: { contentType?: 'text' | 'html' | null; content?: string | null } | null;
  bodyPreview?: string | null;
  start?: GraphDateTimeTimeZone | null;
  end?: GraphDateTimeTimeZone | null;
  originalStartTimeZone?: string | null;
  originalEndTimeZone?: string | null;
  originalStart?: string | null;
  isAllDay?: boolean | null;
  location?: { displayName?: string | null } | null;
  attendees?: GraphAttendee[] | null;
  organizer?: { emailAddress?: GraphEmailAddress | null } | null;
  isOrganizer?: boolean | null;
  isReminderOn?: boolean | null;
  reminderMinutesBeforeStart?: number | null;
  showAs?: GraphShowAs | null;
  sensitivity?: GraphSensitivity | null;
  isCancelled?: boolean | null;
  isDraft?: boolean | null;
  type?: GraphEventType | null;
  seriesMasterId?: string | null;
  recurrence?: GraphRecurrence | null;
  /** A master's cancelled occurrences, `OID.{seriesMasterId}.{yyyy-MM-dd}` (date in the recurrence zone); only on a `$select` GET by id. */
  cancelledOccurrences?: string[] | null;
  singleValueExtendedProperties?: GraphExtendedProperty[] | null;
}

export interface GraphCalendar {
  id: string;
  name?: string | null;
  color?: string | null;
  hexColor?: string | null;
  isDefaultCalendar?: boolean | null;
  canEdit?: boolean | null;
  owner?: GraphEmailAddress | null;
}

export interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
}

export interface GraphSubscription {
  id: string;
  resource?: string;
  expirationDateTime: string;
  clientState?: string | null;
}

export interface GraphCollection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** The body the adapter POSTs/PATCHes for an event (the writable subset it manages). */
export interface GraphEventWrite {
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  start: GraphDateTimeTimeZone;
  end: GraphDateTimeTimeZone;
  isAllDay: boolean;
  location: { displayName: string };
  attendees: { type: 'required' | 'optional' | 'resource'; emailAddress: { address: string; name?: string } }[];
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  showAs: GraphShowAs;
  sensitivity: GraphSensitivity;
  recurrence: GraphRecurrence | null;
}
