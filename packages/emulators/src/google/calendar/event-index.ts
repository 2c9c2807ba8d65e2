import { firstPast } from '../../core/kept-results.js';
import type { CalendarRecord, StoredEvent } from '../google-state.js';

/**
 * Lookups over one calendar's events that would otherwise scan the whole calendar: the events
 * changed after a sequence number (what a sync-token poll lists) and the exceptions of a series.
 * Built on first use; `GoogleEventsService` reports every change (`touched`), so the index never
 * outlives one. Events are never removed from a calendar (a deletion cancels them), so the index
 * only grows. Not persisted: `exportState()` stays plain JSON.
 */
export class CalendarEventIndex {
  /** (changeSeq, id) per change in `changeSeq` order; an event changed twice has an outdated entry too. */
  private changes: { seq: number; id: string }[] = [];
  /** Length of `changes` when last rebuilt (one entry per event then). */
  private builtWith = 0;
  private readonly exceptions = new Map<string, Set<string>>();

  constructor(private readonly calendar: CalendarRecord) {
    this.rebuildChanges();
    for (const ev of Object.values(calendar.events)) this.fileException(ev);
  }

  /** `ev` (in this calendar) just took a new `changeSeq`, the highest so far. */
  touched(ev: StoredEvent): void {
    this.changes.push({ seq: ev.changeSeq, id: ev.id });
    this.fileException(ev);
    // Outdated entries go when the list has doubled since the last rebuild (amortised O(log N) a change).
    if (this.changes.length > 2 * this.builtWith + 64) this.rebuildChanges();
  }

  /** The events whose last change came after `seq`, in change order. */
  changedAfter(seq: number): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (let i = firstPast(this.changes, (c) => c.seq <= seq); i < this.changes.length; i++) {
      const { seq: at, id } = this.changes[i]!;
      const ev = this.calendar.events[id];
      if (ev && ev.changeSeq === at) out.push(ev);
    }
    return out;
  }

  /** The stored exceptions (modified or cancelled instances) of the series `masterId`. */
  exceptionsOf(masterId: string): StoredEvent[] {
    const out: StoredEvent[] = [];
    for (const id of this.exceptions.get(masterId) ?? []) {
      const ev = this.calendar.events[id];
      if (ev?.body.recurringEventId === masterId) out.push(ev);
    }
    return out;
  }

  private fileException(ev: StoredEvent): void {
    const master = ev.body.recurringEventId;
    if (!master) return;
    let set = this.exceptions.get(master);
    if (!set) this.exceptions.set(master, (set = new Set()));
    set.add(ev.id);
  }

  private rebuildChanges(): void {
    this.changes = Object.values(this.calendar.events)
      .map((ev) => ({ seq: ev.changeSeq, id: ev.id }))
      .sort((a, b) => a.seq - b.seq);
    this.builtWith = this.changes.length;
  }
}
