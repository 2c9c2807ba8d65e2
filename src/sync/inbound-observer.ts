import type { CalendarProvider, EventChange, TimeWindow } from '../providers/calendar-provider.js';
import type { Calendar, Connection } from '../store/entities/index.js';

/**
 * Sees what a sync run reads without taking part in it (src/availability's busy-time cache). It is
 * called inside the run: the link's lease is held, its provider calls go through the connection
 * guard and count in the run. An observer handles its own failures; what it throws fails the run.
 */
export interface InboundObserver {
  /** After the engine handled a read of the link's primary calendar: every change of it, and whether it was a complete listing. */
  onPrimaryRead(read: { link: Connection; calendar: Calendar; provider: CalendarProvider; window: TimeWindow; changes: EventChange[]; full: boolean }): Promise<void>;
  /** At the end of every run that reads (all but OUTBOUND and CLEANUP), for what the engine does not read. */
  afterRun(run: { link: Connection; provider: CalendarProvider; window: TimeWindow; primaryRead: boolean }): Promise<void>;
}
