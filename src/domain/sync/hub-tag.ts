import { parseId, type HubId } from '../ids.js';

/**
 * The hub's tag: the string every event the hub creates carries (Graph `transactionId` + extended
 * property, Google private extended property and client-chosen id). It doubles as the idempotency
 * key of the create, so it is derived only from what identifies the pair — the appointment, the
 * hub calendar, and a generation that moves on when the hub has to create a fresh event for the
 * same pair (the previous one was deleted at the provider and the host won):
 *
 *   `<appointmentId>.<calendarId>` (generation 0) or `<appointmentId>.<calendarId>.<generation>`
 *
 * Because it is deterministic, a create retried after a crash, a lost answer or even a lost mapping
 * row addresses the same provider event instead of making a second one, and an event read back
 * names the appointment it belongs to (re-adoption after a relink or a lost mapping row).
 */

export interface HubTag {
  appointmentId: HubId<'appointment'>;
  calendarId: HubId<'calendar'>;
  generation: number;
}


export function formatHubTag(tag: HubTag): string {
  const base = `${tag.appointmentId}.${tag.calendarId}`;
  return tag.generation === 0 ? base : `${base}.${tag.generation}`;
}

/** The tag's parts, or null for a tag the hub did not write in this format (older or foreign tags). */
export function parseHubTag(value: string | null | undefined): HubTag | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length < 2 || parts.length > 3) return null;
  const [appointmentText, calendarText, generationText] = parts as [string, string, string | undefined];
  const appointmentId = parseId('appointment', appointmentText);
  const calendarId = parseId('calendar', calendarText);
  if (appointmentId === null || calendarId === null) return null;
  let generation = 0;
  if (generationText !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(generationText)) return null;
    generation = Number(generationText);
  }
  return { appointmentId, calendarId, generation };
}
