import type { EventData } from '../../domain/appointment.js';
import type { Appointment } from '../../store/entities/index.js';
import type { Stored } from '../../store/repositories/paginate.js';
import { organizerOf } from '../../domain/sync/projection.js';
import { contentOf } from '../../sync/appointment-content.js';
import type { AppointmentContentType, AppointmentSnapshotType, AppointmentType } from './appointment.type.js';

/** The synced content as the API shows it: the timing flattened into start/end or startDate/endDate. */
export function contentView(data: EventData): AppointmentContentType {
  const t = data.timing;
  return {
    subject: data.subject,
    body: data.body,
    allDay: t.allDay,
    start: t.allDay ? null : new Date(t.start),
    end: t.allDay ? null : new Date(t.end),
    timeZone: t.timeZone,
    startDate: t.allDay ? t.startDate : null,
    endDate: t.allDay ? t.endDate : null,
    location: data.location,
    attendees: data.attendees,
    reminders: data.reminders,
    recurrence: data.recurrence,
    showAs: data.showAs,
    sensitivity: data.sensitivity,
  };
}

/** A conflict's version of one side; null when that side deleted the item. */
export function snapshotView(data: EventData | null): AppointmentSnapshotType | null {
  return data ? contentView(data) : null;
}

export function appointmentView(a: Stored<Appointment>): AppointmentType {
  return {
    ...contentView(contentOf(a)),
    id: a.id,
    tenantId: a.tenantId,
    hostAppointmentId: a.hostAppointmentId,
    userId: a.ownerId,
    hostRecordId: a.hostRecordId,
    resources: a.resources,
    seriesMasterId: a.seriesMasterId,
    originalStart: a.originalStart,
    hostOnly: a.hostOnly,
    origin: a.origin,
    organizer: organizerOf(a.attendees, a.ownerId),
    version: a.version,
    deleted: a.deleted,
    deletedAt: a.deletedAt,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}
