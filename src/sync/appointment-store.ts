import type { EntityManager } from '@mikro-orm/core';
import type { HubId } from '../domain/ids.js';
import { Appointment } from '../store/entities/index.js';

/**
 * Appointments are written with an optimistic check on `version`: every write moves the version
 * on by one, and a write based on an older version fails instead of overwriting a concurrent
 * change (a host edit arriving while a sync run applies a provider change, or the other way
 * round). Appointments are loaded outside the identity map for the same reason: only these
 * conditional writes ever store them.
 */
export class StaleAppointmentError extends Error {
  override readonly name = 'StaleAppointmentError';
  constructor(readonly appointmentId: HubId<'appointment'>) {
    super(`appointment ${appointmentId} changed concurrently`);
  }
}

export const isStaleAppointmentError = (e: unknown): e is StaleAppointmentError => e instanceof StaleAppointmentError;

export function loadAppointment(em: EntityManager, where: { id: HubId<'appointment'>; tenantId?: HubId<'tenant'> }): Promise<Appointment | null> {
  return em.findOne(Appointment, where, { disableIdentityMap: true });
}

export function loadAppointments(em: EntityManager, tenantId: HubId<'tenant'>, ids: HubId<'appointment'>[]): Promise<Appointment[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return em.find(Appointment, { tenantId, id: { $in: ids } }, { disableIdentityMap: true });
}

/** Inserts a new appointment (version 1). */
export async function insertAppointment(em: EntityManager, a: Appointment): Promise<void> {
  a.deriveKeys();
  await em.insert(a);
}

/**
 * Stores `a` if the stored version is still `expectedVersion`; `a.version` becomes
 * `expectedVersion + 1`. Throws `StaleAppointmentError` otherwise.
 */
export async function updateAppointment(em: EntityManager, a: Appointment, expectedVersion: number): Promise<void> {
  a.deriveKeys();
  const now = new Date();
  const n = await em.nativeUpdate(
    Appointment,
    { id: a.id, version: expectedVersion },
    {
      ownerId: a.ownerId,
      hostAppointmentId: a.hostAppointmentId,
      hostKey: a.hostKey,
      hostRecordId: a.hostRecordId,
      subject: a.subject,
      body: a.body,
      timing: a.timing,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      location: a.location,
      attendees: a.attendees,
      resources: a.resources,
      reminders: a.reminders,
      recurrence: a.recurrence,
      seriesMasterId: a.seriesMasterId,
      originalStart: a.originalStart,
      showAs: a.showAs,
      sensitivity: a.sensitivity,
      hostOnly: a.hostOnly,
      deleted: a.deleted,
      deletedAt: a.deletedAt,
      origin: a.origin,
      contentChangedAt: a.contentChangedAt,
      version: expectedVersion + 1,
      updatedAt: now,
    },
  );
  if (n !== 1) throw new StaleAppointmentError(a.id);
  a.version = expectedVersion + 1;
  a.updatedAt = now;
}
