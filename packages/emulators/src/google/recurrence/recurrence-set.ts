import { expandRRule } from './rrule-expander.js';
import { parseIcalDateTime, parseRRule, RecurrenceError, type LocalDateTime, type RRule } from './rrule.js';
import { instantToLocal, isValidZone, localToInstant } from './zoned-time.js';

/**
 * The instances of a Google event's `recurrence` lines (RRULE, EXRULE, RDATE, EXDATE; DTSTART is
 * the event's `start`). Timed events expand in the start's zone, so instances keep their wall-clock
 * time across DST changes; all-day events expand over dates.
 * https://developers.google.com/workspace/calendar/api/concepts/events-calendars#recurring_events
 */
export type SeriesStart =
  | { kind: 'date'; day: number }
  | { kind: 'dateTime'; local: LocalDateTime; zone: string };

export type Occurrence = { kind: 'date'; day: number } | { kind: 'dateTime'; instantMs: number; local: LocalDateTime };

export interface RecurrenceOptions {
  /**
   * RFC 5545: DTSTART always counts as the first instance (and towards COUNT), even when it does
   * not match the rule; Google shows it as an instance too. Off: only rule matches are instances.
   */
  includeUnmatchedStart: boolean;
}

type DateValue = { kind: 'date'; day: number } | { kind: 'instant'; ms: number };

export interface RecurrenceSet {
  readonly rules: RRule[];
  /** Instances in ascending order; unbounded for rules without COUNT or UNTIL. */
  occurrences(): Generator<Occurrence>;
}

export function occurrenceKey(o: Occurrence): number {
  return o.kind === 'date' ? o.day * 86_400_000 : o.instantMs;
}

interface ParsedLine {
  name: string;
  params: Map<string, string>;
  value: string;
}

function parseLine(line: string): ParsedLine {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new RecurrenceError(`malformed recurrence line: ${line}`);
  const [name = '', ...paramParts] = line.slice(0, colon).split(';');
  const params = new Map<string, string>();
  for (const p of paramParts) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new RecurrenceError(`malformed parameter ${p}`);
    params.set(p.slice(0, eq).toUpperCase(), p.slice(eq + 1).replace(/^"|"$/g, ''));
  }
  return { name: name.trim().toUpperCase(), params, value: line.slice(colon + 1).trim() };
}

function parseDateList(line: ParsedLine, start: SeriesStart): DateValue[] {
  const valueType = line.params.get('VALUE')?.toUpperCase();
  if (valueType === 'PERIOD') throw new RecurrenceError('RDATE periods are not supported');
  const tzid = line.params.get('TZID');
  if (tzid && !isValidZone(tzid)) throw new RecurrenceError(`unknown TZID ${tzid}`);
  return line.value.split(',').map((raw): DateValue => {
    const v = parseIcalDateTime(raw);
    if (valueType === 'DATE' && v.kind !== 'date') throw new RecurrenceError(`expected a date: ${raw}`);
    if (v.kind === 'date') return v;
    if (start.kind === 'date') return { kind: 'date', day: v.local.day };
    if (v.kind === 'utc') return { kind: 'instant', ms: (v.local.day * 86_400 + v.local.sec) * 1000 };
    return { kind: 'instant', ms: localToInstant(v.local, tzid ?? start.zone) };
  });
}

/** Validates and parses Google `recurrence` lines; throws RecurrenceError for anything Google refuses. */
export function parseRecurrence(lines: string[], start: SeriesStart, opts: RecurrenceOptions): RecurrenceSet {
  const rules: RRule[] = [];
  const exRules: RRule[] = [];
  const rdates: DateValue[] = [];
  const exdates: DateValue[] = [];
  for (const raw of lines) {
    if (typeof raw !== 'string' || raw.trim() === '') throw new RecurrenceError('empty recurrence line');
    const line = parseLine(raw.trim());
    switch (line.name) {
      case 'RRULE':
        rules.push(parseRRule(line.value));
        break;
      case 'EXRULE':
        exRules.push(parseRRule(line.value));
        break;
      case 'RDATE':
        rdates.push(...parseDateList(line, start));
        break;
      case 'EXDATE':
        exdates.push(...parseDateList(line, start));
        break;
      default:
        throw new RecurrenceError(`unsupported recurrence line ${line.name}`);
    }
  }
  if (rules.length === 0 && rdates.length === 0) throw new RecurrenceError('a recurrence needs an RRULE or RDATE');

  const toOccurrence = (local: LocalDateTime): Occurrence =>
    start.kind === 'date' ? { kind: 'date', day: local.day } : { kind: 'dateTime', local, instantMs: localToInstant(local, start.zone) };
  const startLocal: LocalDateTime = start.kind === 'date' ? { day: start.day, sec: 0 } : start.local;
  const dateOnly = start.kind === 'date';

  function* ruleOccurrences(rule: RRule, withStart: boolean): Generator<Occurrence> {
    let emitted = 0;
    const startOcc = toOccurrence(startLocal);
    let pendingStart = withStart;
    for (const local of expandRRule(rule, startLocal, dateOnly)) {
      const occ = toOccurrence(local);
      if (pendingStart) {
        pendingStart = false;
        if (occurrenceKey(occ) !== occurrenceKey(startOcc)) {
          if (rule.count !== null && emitted >= rule.count) return;
          emitted++;
          yield startOcc;
        }
      }
      if (rule.until && afterUntil(rule, occ, local)) return;
      if (rule.count !== null && emitted >= rule.count) return;
      emitted++;
      yield occ;
    }
    if (pendingStart && (rule.count === null || emitted < rule.count)) yield startOcc;
  }

  const afterUntil = (rule: RRule, occ: Occurrence, local: LocalDateTime): boolean => {
    const u = rule.until;
    if (!u) return false;
    switch (u.kind) {
      case 'date':
        return local.day > u.day;
      case 'utc':
        return occ.kind === 'date' ? local.day * 86_400_000 > u.ms : occ.instantMs > u.ms;
      case 'floating':
        return local.day * 86_400 + local.sec > u.local.day * 86_400 + u.local.sec;
    }
  };

  const dateKey = (d: DateValue): number => (d.kind === 'date' ? d.day * 86_400_000 : d.ms);
  const rdateOccs: Occurrence[] = rdates
    .map((d): Occurrence => (d.kind === 'date' ? { kind: 'date', day: d.day } : start.kind === 'date' ? { kind: 'date', day: Math.floor(d.ms / 86_400_000) } : { kind: 'dateTime', instantMs: d.ms, local: instantToLocal(d.ms, start.zone) }))
    .sort((a, b) => occurrenceKey(a) - occurrenceKey(b));
  const exInstants = new Set(exdates.filter((d) => d.kind === 'instant').map(dateKey));
  const exDays = new Set(exdates.filter((d) => d.kind === 'date').map((d) => (d.kind === 'date' ? d.day : 0)));

  return {
    rules,
    *occurrences() {
      // DTSTART joins the first rule (and its COUNT); with RDATEs only, it is always the first instance.
      const sources: Generator<Occurrence>[] = rules.map((r, i) => ruleOccurrences(r, opts.includeUnmatchedStart && i === 0));
      if (rules.length === 0) sources.push(single(toOccurrence(startLocal)));
      sources.push(rdateOccs[Symbol.iterator]() as Generator<Occurrence>);
      const exclusions = exRules.map((r) => ({ gen: ruleOccurrences(r, false), head: undefined as Occurrence | undefined, done: false }));
      const heads = sources.map((g) => g.next());
      let lastKey = Number.NEGATIVE_INFINITY;
      for (;;) {
        let best = -1;
        for (let i = 0; i < heads.length; i++) {
          const h = heads[i];
          if (!h || h.done) continue;
          const bh = heads[best];
          if (best < 0 || (bh && !bh.done && occurrenceKey(h.value) < occurrenceKey(bh.value))) best = i;
        }
        if (best < 0) return;
        const head = heads[best];
        const src = sources[best];
        if (!head || head.done || !src) return;
        const occ = head.value;
        heads[best] = src.next();
        const key = occurrenceKey(occ);
        if (key <= lastKey) continue;
        lastKey = key;
        if (exInstants.has(key)) continue;
        if (exDays.has(occ.kind === 'date' ? occ.day : occ.local.day)) continue;
        if (excludedByRule(exclusions, key)) continue;
        yield occ;
      }
    },
  };
}

function* single(o: Occurrence): Generator<Occurrence> {
  yield o;
}

function excludedByRule(exclusions: { gen: Generator<Occurrence>; head: Occurrence | undefined; done: boolean }[], key: number): boolean {
  for (const ex of exclusions) {
    while (!ex.done && (ex.head === undefined || occurrenceKey(ex.head) < key)) {
      const n = ex.gen.next();
      if (n.done) ex.done = true;
      else ex.head = n.value;
    }
    if (ex.head && occurrenceKey(ex.head) === key) return true;
  }
  return false;
}
