import type { Attendee, EventData } from '../domain/appointment.js';
import { timingMoved } from '../domain/sync/content.js';
import type { HostExtras } from '../domain/sync/projection.js';
import type { Appointment } from '../store/entities/index.js';
import type { Stored } from '../store/repositories/paginate.js';

/** The synced content of a host appointment. */
export function contentOf(a: Stored<Appointment>): EventData {
  return {
    subject: a.subject,
    body: a.body,
    timing: a.timing,
    location: a.location,
    attendees: a.attendees,
    reminders: a.reminders,
    recurrence: a.recurrence,
    showAs: a.showAs,
    sensitivity: a.sensitivity,
  };
}

/** What of a host appointment beyond its content shapes the event written outside. */
export function extrasOf(a: Appointment): HostExtras {
  return { resources: a.resources, hostRecordId: a.hostRecordId, origin: a.origin };
}

/**
 * Writes content into an appointment. When the meeting moved, attendee responses go back to
 * NEEDS_ACTION (the new time needs new confirmations); the organizer keeps its role.
 */
export function applyContent(a: Appointment, data: EventData): void {
  const moved = timingMoved(a.timing, data.timing);
  a.subject = data.subject;
  a.body = data.body;
  a.setTiming(data.timing);
  a.location = data.location;
  a.attendees = moved ? resetResponses(data.attendees) : data.attendees;
  a.reminders = data.reminders;
  a.recurrence = data.recurrence;
  a.showAs = data.showAs;
  a.sensitivity = data.sensitivity;
}

export function resetResponses(attendees: Attendee[]): Attendee[] {
  return attendees.map((x) => (x.response === 'ORGANIZER' ? x : { ...x, response: 'NEEDS_ACTION' }));
}
