import type { EventData, EventTiming, Recurrence } from '../appointment.js';
import { hostSeriesView, sameRecurrence, type HostSeriesView } from '../recurrence/host-support.js';
import type { HostProfile } from '../tenant-settings.js';

/**
 * The rules between a calendar series and what the host holds of it (docs/sync.md#series): the
 * host gets a view of the series shaped by its `hostProfile`, and what the host writes back keeps
 * the parts of the calendar's series the host could not hold.
 */

/** What a pair remembers of a calendar series at the last sync, beyond the hashes (`SyncMapping.providerSeries`). */
export interface ProviderSeriesState {
  /** The series' recurrence as the calendar holds it (not the host's view of it). */
  recurrence: Recurrence;
  /** Its first occurrence: with the rule, its shape (Outlook drops exceptions when either changes). */
  timing: EventTiming;
  /**
   * Original starts of the occurrences the calendar keeps cancelled outside the rule: Google
   * cancelled instances, which Google does not repeat with the master, so they are kept for the
   * life of the series.
   */
  cancelled: string[];
  /** Moved or edited occurrences the host was not given (a host without exceptions): event id and original start. */
  unmirrored: { eventId: string; originalStart: string }[];
}

/** The host's view of a calendar series with what the pair knows of it. */
export function viewOfSeries(data: EventData, state: Pick<ProviderSeriesState, 'cancelled' | 'unmirrored'>, profile: HostProfile): HostSeriesView {
  if (data.recurrence === null) return { blocked: false, recurrence: null, findings: [] };
  return hostSeriesView({ recurrence: data.recurrence, timing: data.timing, cancelled: state.cancelled, hasExceptions: state.unmirrored.length > 0, profile });
}

/**
 * The recurrence to write for the host's version of a pair. Where the host's recurrence is still
 * the view it was given of the calendar's series, the calendar's own recurrence is written back
 * unchanged — so a host edit of the subject never ends an endless series, drops cancelled
 * occurrences the host cannot hold, or turns a series the host holds only the first occurrence of
 * into a single event. A recurrence the host changed is written as the host has it, except the
 * cancelled occurrences of a host without exceptions, which stay as the calendar has them.
 */
export function recurrenceToWrite(host: Recurrence | null, provider: ProviderSeriesState | null, profile: HostProfile): Recurrence | null {
  if (provider === null) return host;
  const view = hostSeriesView({ recurrence: provider.recurrence, timing: provider.timing, cancelled: provider.cancelled, hasExceptions: false, profile });
  if (view.blocked) return host;
  if (sameRecurrence(view.recurrence, host)) return provider.recurrence;
  if (host !== null && !profile.supportsExceptions) return { ...host, exdates: provider.recurrence.exdates };
  return host;
}

/** Whether a series write changes its shape — its first occurrence's times or its rule — which makes Outlook drop its exceptions. */
export function seriesShapeChanged(before: Pick<ProviderSeriesState, 'recurrence' | 'timing'>, after: Pick<ProviderSeriesState, 'recurrence' | 'timing'>): boolean {
  const times = (t: EventTiming) => (t.allDay ? `${t.startDate}/${t.endDate}` : `${Date.parse(t.start)}/${Date.parse(t.end)}/${t.timeZone}`);
  return times(before.timing) !== times(after.timing) || !sameRecurrence({ ...before.recurrence, exdates: [] }, { ...after.recurrence, exdates: [] });
}
