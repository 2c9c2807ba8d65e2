import ICAL from 'ical.js';

/** One occurrence as a calendar app shows it: timed ones as UTC instants, all-day ones as dates. */
export interface ReadOccurrence {
  uid: string;
  summary: string;
  start: string;
  end: string;
}

export interface ReadCalendar {
  calendar: InstanceType<typeof ICAL.Component>;
  /** Every occurrence overlapping the window, sorted by start then uid. */
  occurrences: ReadOccurrence[];
}

const show = (t: InstanceType<typeof ICAL.Time>): string => (t.isDate ? t.toString() : t.toJSDate().toISOString());

/**
 * Reads an iCalendar text with ical.js — an implementation independent of the hub's — the way a
 * subscribing calendar app does: VTIMEZONEs from the file, series expanded with their RRULE, EXDATE
 * and RDATE, RECURRENCE-ID overrides in place of the occurrences they replace.
 */
export function readIcs(text: string, window: { start: Date; end: Date }): ReadCalendar {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  const masters = new Map<string, InstanceType<typeof ICAL.Event>>();
  for (const e of events) if (!e.isRecurrenceException()) masters.set(e.uid, e);
  for (const e of events) if (e.isRecurrenceException()) masters.get(e.uid)?.relateException(e);

  const overlaps = (start: InstanceType<typeof ICAL.Time>, end: InstanceType<typeof ICAL.Time>) => {
    const startMs = start.isDate ? Date.parse(`${start.toString()}T00:00:00Z`) : start.toJSDate().getTime();
    const endMs = end.isDate ? Date.parse(`${end.toString()}T00:00:00Z`) : end.toJSDate().getTime();
    return startMs < window.end.getTime() && endMs > window.start.getTime();
  };
  const out: ReadOccurrence[] = [];
  for (const event of masters.values()) {
    if (!event.isRecurring()) {
      if (overlaps(event.startDate, event.endDate)) out.push({ uid: event.uid, summary: event.summary, start: show(event.startDate), end: show(event.endDate) });
      continue;
    }
    const it = event.iterator();
    for (let next = it.next(); next; next = it.next()) {
      const details = event.getOccurrenceDetails(next);
      // Exceptions may move an occurrence anywhere; stop well past the window.
      if (next.toJSDate().getTime() > window.end.getTime() + 30 * 86_400_000) break;
      if (overlaps(details.startDate, details.endDate)) {
        out.push({ uid: event.uid, summary: details.item.summary, start: show(details.startDate), end: show(details.endDate) });
      }
    }
  }
  return { calendar, occurrences: out.sort((a, b) => a.start.localeCompare(b.start) || a.uid.localeCompare(b.uid)) };
}
