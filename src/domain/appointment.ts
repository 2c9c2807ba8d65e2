/**
 * The hub's canonical appointment shape: what the host stores, what adapters map provider events
 * to and from, and what the sync engine diffs. "Absent" is always `null`, never `''`.
 */

/** When an appointment happens. Timed values are UTC instants plus the IANA zone they were set in. */
export type EventTiming =
  | {
      allDay: false;
      /** ISO-8601 instant in UTC, e.g. `2026-03-02T09:00:00.000Z`. */
      start: string;
      /** ISO-8601 instant in UTC, exclusive end. */
      end: string;
      /** IANA zone the event was created in (expansion zone of a series). */
      timeZone: string;
    }
  | {
      allDay: true;
      /** `YYYY-MM-DD`, first day. */
      startDate: string;
      /** `YYYY-MM-DD`, exclusive (a one-day event on 3 March ends on 4 March). */
      endDate: string;
      /** IANA zone the dates belong to, when known. */
      timeZone: string | null;
    };

export const ATTENDEE_RESPONSES = ['NEEDS_ACTION', 'ACCEPTED', 'TENTATIVE', 'DECLINED', 'ORGANIZER'] as const;
export type AttendeeResponse = (typeof ATTENDEE_RESPONSES)[number];

export interface Attendee {
  email: string;
  name: string | null;
  optional: boolean;
  /** A room or other resource. */
  resource: boolean;
  response: AttendeeResponse;
  /** Set when the email matches a host user of the tenant. */
  hostUserId: string | null;
}

export const REMINDER_METHODS = ['POPUP', 'EMAIL'] as const;
export type ReminderMethod = (typeof REMINDER_METHODS)[number];

export interface Reminder {
  minutesBefore: number;
  method: ReminderMethod;
}

/**
 * Canonical recurrence: RFC 5545 lines (without DTSTART; the event's start is the series start).
 * `rrule` is the value after `RRULE:`; `exdates` are the start instants (ISO, UTC) or dates
 * (`YYYY-MM-DD`, all-day) of cancelled occurrences.
 */
export interface Recurrence {
  rrule: string;
  exdates: string[];
  /** Extra occurrences (RFC 5545 RDATE); not every side can hold them. */
  rdates: string[];
}

export const SHOW_AS = ['BUSY', 'FREE', 'TENTATIVE', 'OUT_OF_OFFICE', 'WORKING_ELSEWHERE'] as const;
export type ShowAs = (typeof SHOW_AS)[number];

export const SENSITIVITIES = ['NORMAL', 'PRIVATE', 'CONFIDENTIAL'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export interface EventBody {
  contentType: 'TEXT' | 'HTML';
  content: string;
}

/** The fields that sync both ways. */
export interface EventData {
  subject: string | null;
  body: EventBody | null;
  timing: EventTiming;
  location: string | null;
  attendees: Attendee[];
  /** `null` means "the calendar's default reminders". */
  reminders: Reminder[] | null;
  recurrence: Recurrence | null;
  showAs: ShowAs;
  sensitivity: Sensitivity;
}

/** Milliseconds of an EventTiming's start, for ordering and windows. */
export function timingStartMs(t: EventTiming): number {
  return t.allDay ? Date.parse(`${t.startDate}T00:00:00Z`) : Date.parse(t.start);
}
