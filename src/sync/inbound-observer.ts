import type { CalendarProvider, EventChange, TimeWindow } from '../providers/calendar-provider.js';
import type { Calendar, Connection } from '../store/entities/index.js';

/** What an observer gets of a run: the link, its provider (through the connection guard), the sync window. */
export interface ObservedRun {
  link: Connection;
  provider: CalendarProvider;
  window: TimeWindow;
  /** The lease's `keepAlive`: call it per page or request of long work (throws `LeaseLostError`). */
  keepAlive: () => Promise<void>;
}

/**
 * Sees what a sync run reads without taking part in it (src/availability's busy-time cache). It is
 * called inside the run: the link's lease is held, its provider calls go through the connection
 * guard and count in the run. An observer handles its own failures; what it throws fails the run.
 */
export interface InboundObserver {
  /** After the engine handled a read of the link's primary calendar: every change of it, and whether it was a complete listing. */
  onPrimaryRead(read: ObservedRun & { calendar: Calendar; changes: EventChange[]; full: boolean }): Promise<void>;
  /** At the end of every run that reads (all but OUTBOUND and CLEANUP), for what the engine does not read. */
  afterRun(run: ObservedRun & { primaryRead: boolean }): Promise<void>;
}
