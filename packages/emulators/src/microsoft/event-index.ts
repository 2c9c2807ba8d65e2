import type { EventRecord } from './microsoft-state.js';

/**
 * Lookups over the stored events that would otherwise scan every event of every mailbox: the
 * events of a calendar, an event by (mailbox, transactionId), and the events of a calendar that
 * carry an extended property with a given value (the `singleValueExtendedProperties/Any(…)`
 * lookups). Built from the state once; `CalendarService` refreshes an event here after every
 * write, so the index never outlives a change. Not persisted: `exportState()` stays plain JSON.
 */
export class EventIndex {
  private readonly byCalendar = new Map<string, Map<string, EventRecord>>();
  private readonly byTransaction = new Map<string, EventRecord>();
  private readonly byPropertyValue = new Map<string, Set<EventRecord>>();
  /** What each indexed event was filed under, so a refresh or removal can unfile it. */
  private readonly filed = new Map<string, { record: EventRecord; transactionKey: string | null; valueKeys: string[] }>();

  constructor(events: Record<string, EventRecord>) {
    for (const e of Object.values(events)) this.put(e);
  }

  /** Files `e` (again) under its current calendar, transactionId and property values. */
  put(e: EventRecord): void {
    this.remove(e.id);
    let inCalendar = this.byCalendar.get(e.calendarId);
    if (!inCalendar) this.byCalendar.set(e.calendarId, (inCalendar = new Map()));
    inCalendar.set(e.id, e);
    const transactionKey = e.transactionId ? transactionKeyOf(e.accountId, e.transactionId) : null;
    if (transactionKey) this.byTransaction.set(transactionKey, e);
    const valueKeys = [...new Set(e.singleValueExtendedProperties.map((p) => valueKeyOf(e.calendarId, p.value)))];
    for (const key of valueKeys) {
      let set = this.byPropertyValue.get(key);
      if (!set) this.byPropertyValue.set(key, (set = new Set()));
      set.add(e);
    }
    this.filed.set(e.id, { record: e, transactionKey, valueKeys });
  }

  remove(eventId: string): void {
    const was = this.filed.get(eventId);
    if (!was) return;
    this.filed.delete(eventId);
    this.byCalendar.get(was.record.calendarId)?.delete(eventId);
    if (was.transactionKey && this.byTransaction.get(was.transactionKey) === was.record) this.byTransaction.delete(was.transactionKey);
    for (const key of was.valueKeys) {
      const set = this.byPropertyValue.get(key);
      set?.delete(was.record);
      if (set?.size === 0) this.byPropertyValue.delete(key);
    }
  }

  /** The single events and series masters of a calendar, in creation order. */
  inCalendar(calendarId: string): Iterable<EventRecord> {
    return this.byCalendar.get(calendarId)?.values() ?? [];
  }

  withTransactionId(accountId: string, transactionId: string): EventRecord | undefined {
    return this.byTransaction.get(transactionKeyOf(accountId, transactionId));
  }

  /**
   * Events of the calendar with an extended property whose value equals `value` ignoring case (as
   * Exchange compares strings): a superset of what an `ep/value eq '…'` filter keeps.
   */
  withPropertyValue(calendarId: string, value: string): EventRecord[] {
    return [...(this.byPropertyValue.get(valueKeyOf(calendarId, value)) ?? [])];
  }
}

const transactionKeyOf = (accountId: string, transactionId: string) => `${accountId}\n${transactionId}`;
const valueKeyOf = (calendarId: string, value: string) => `${calendarId}\n${value.toLowerCase()}`;

/**
 * The value an `$filter` pins down when it is exactly
 * `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')` (the tag lookup), else null.
 */
export function pinnedPropertyValue(filter: string | null): string | null {
  if (!filter) return null;
  const m = /^\s*singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*\1\/id\s+eq\s+'(?:[^']|'')*'\s+and\s+\1\/value\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$/i.exec(filter);
  return m ? m[2]!.replace(/''/g, "'") : null;
}
