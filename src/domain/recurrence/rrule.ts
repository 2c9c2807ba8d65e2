import { WEEKDAYS, type Weekday } from '../tenant-settings.js';

/**
 * RFC 5545 RRULE model (https://www.rfc-editor.org/rfc/rfc5545#section-3.3.10), the hub's
 * canonical recurrence form. Parsing is strict: an unknown part or a malformed value is an error,
 * never silently dropped, because a rule read wrongly would sync wrong dates.
 */

export const FREQUENCIES = ['SECONDLY', 'MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export interface WeekdayNum {
  day: Weekday;
  /** Ordinal (`1MO` → 1, `-1FR` → -1); null for every such weekday in the period. */
  n: number | null;
}

export interface RRule {
  freq: Frequency;
  interval: number;
  count: number | null;
  /** Raw UNTIL value: `YYYYMMDD` (date) or `YYYYMMDDTHHMMSSZ` (UTC) or floating `YYYYMMDDTHHMMSS`. */
  until: string | null;
  byDay: WeekdayNum[];
  byMonthDay: number[];
  byMonth: number[];
  byYearDay: number[];
  byWeekNo: number[];
  bySetPos: number[];
  byHour: number[];
  byMinute: number[];
  bySecond: number[];
  /** Null when the rule does not say (RFC default MO). */
  wkst: Weekday | null;
}

export class RecurrenceParseError extends Error {
  readonly code = 'RECURRENCE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RecurrenceParseError';
  }
}

export const isRecurrenceParseError = (e: unknown): e is RecurrenceParseError => e instanceof RecurrenceParseError;

export function emptyRule(freq: Frequency): RRule {
  return {
    freq,
    interval: 1,
    count: null,
    until: null,
    byDay: [],
    byMonthDay: [],
    byMonth: [],
    byYearDay: [],
    byWeekNo: [],
    bySetPos: [],
    byHour: [],
    byMinute: [],
    bySecond: [],
    wkst: null,
  };
}

function intList(part: string, value: string, min: number, max: number, allowNegative: boolean): number[] {
  return value.split(',').map((raw) => {
    if (!/^[+-]?\d+$/.test(raw)) throw new RecurrenceParseError(`${part}: "${raw}" is not an integer`);
    const n = Number(raw);
    const abs = Math.abs(n);
    if (n === 0 && min > 0) throw new RecurrenceParseError(`${part}: 0 is not allowed`);
    if ((n < 0 && !allowNegative) || abs < (allowNegative ? 0 : min) || abs > max) {
      throw new RecurrenceParseError(`${part}: ${raw} is out of range`);
    }
    return n;
  });
}

function weekday(value: string, part: string): Weekday {
  const w = value.toUpperCase();
  if (!(WEEKDAYS as readonly string[]).includes(w)) throw new RecurrenceParseError(`${part}: "${value}" is not a weekday`);
  return w as Weekday;
}

/** Parses an RRULE value (with or without the `RRULE:` prefix). */
export function parseRRule(input: string): RRule {
  const value = input.trim().replace(/^RRULE:/i, '');
  if (value === '') throw new RecurrenceParseError('empty rule');
  const parts = new Map<string, string>();
  for (const piece of value.split(';')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) throw new RecurrenceParseError(`"${piece}" is not NAME=VALUE`);
    const name = piece.slice(0, eq).toUpperCase();
    if (parts.has(name)) throw new RecurrenceParseError(`${name} appears twice`);
    parts.set(name, piece.slice(eq + 1));
  }
  const freq = parts.get('FREQ')?.toUpperCase();
  if (!freq) throw new RecurrenceParseError('FREQ is required');
  if (!(FREQUENCIES as readonly string[]).includes(freq)) throw new RecurrenceParseError(`FREQ=${freq} is not a frequency`);
  const rule = emptyRule(freq as Frequency);
  for (const [name, v] of parts) {
    switch (name) {
      case 'FREQ':
        break;
      case 'INTERVAL': {
        const [n] = intList(name, v, 1, 100_000, false);
        if (n === undefined || v.includes(',')) throw new RecurrenceParseError('INTERVAL takes one positive integer');
        rule.interval = n;
        break;
      }
      case 'COUNT': {
        const [n] = intList(name, v, 1, 1_000_000, false);
        if (n === undefined || v.includes(',')) throw new RecurrenceParseError('COUNT takes one positive integer');
        rule.count = n;
        break;
      }
      case 'UNTIL':
        if (!/^\d{8}(T\d{6}Z?)?$/.test(v)) throw new RecurrenceParseError(`UNTIL=${v} is not a date or date-time`);
        rule.until = v;
        break;
      case 'BYDAY':
        rule.byDay = v.split(',').map((raw) => {
          const m = /^([+-]?\d{1,2})?([A-Za-z]{2})$/.exec(raw);
          if (!m) throw new RecurrenceParseError(`BYDAY: "${raw}" is not a weekday`);
          const n = m[1] === undefined ? null : Number(m[1]);
          if (n !== null && (n === 0 || Math.abs(n) > 53)) throw new RecurrenceParseError(`BYDAY: ordinal ${m[1]} is out of range`);
          return { day: weekday(m[2]!, 'BYDAY'), n };
        });
        break;
      case 'BYMONTHDAY':
        rule.byMonthDay = intList(name, v, 1, 31, true);
        if (rule.byMonthDay.includes(0)) throw new RecurrenceParseError('BYMONTHDAY: 0 is not allowed');
        break;
      case 'BYMONTH':
        rule.byMonth = intList(name, v, 1, 12, false);
        break;
      case 'BYYEARDAY':
        rule.byYearDay = intList(name, v, 1, 366, true);
        if (rule.byYearDay.includes(0)) throw new RecurrenceParseError('BYYEARDAY: 0 is not allowed');
        break;
      case 'BYWEEKNO':
        rule.byWeekNo = intList(name, v, 1, 53, true);
        if (rule.byWeekNo.includes(0)) throw new RecurrenceParseError('BYWEEKNO: 0 is not allowed');
        break;
      case 'BYSETPOS':
        rule.bySetPos = intList(name, v, 1, 366, true);
        if (rule.bySetPos.includes(0)) throw new RecurrenceParseError('BYSETPOS: 0 is not allowed');
        break;
      case 'BYHOUR':
        rule.byHour = intList(name, v, 0, 23, false);
        break;
      case 'BYMINUTE':
        rule.byMinute = intList(name, v, 0, 59, false);
        break;
      case 'BYSECOND':
        rule.bySecond = intList(name, v, 0, 60, false);
        break;
      case 'WKST':
        rule.wkst = weekday(v, 'WKST');
        break;
      default:
        throw new RecurrenceParseError(`unknown rule part ${name}`);
    }
  }
  if (rule.count !== null && rule.until !== null) throw new RecurrenceParseError('COUNT and UNTIL must not both be set');
  if (rule.byWeekNo.length > 0 && rule.freq !== 'YEARLY') throw new RecurrenceParseError('BYWEEKNO is only valid with FREQ=YEARLY');
  if (rule.byYearDay.length > 0 && ['DAILY', 'WEEKLY', 'MONTHLY'].includes(rule.freq)) {
    throw new RecurrenceParseError(`BYYEARDAY is not valid with FREQ=${rule.freq}`);
  }
  if (rule.byMonthDay.length > 0 && rule.freq === 'WEEKLY') throw new RecurrenceParseError('BYMONTHDAY is not valid with FREQ=WEEKLY');
  if (rule.byDay.some((d) => d.n !== null) && !['MONTHLY', 'YEARLY'].includes(rule.freq)) {
    throw new RecurrenceParseError(`BYDAY ordinals are only valid with FREQ=MONTHLY or YEARLY`);
  }
  if (rule.freq === 'YEARLY' && rule.byWeekNo.length > 0 && rule.byDay.some((d) => d.n !== null)) {
    throw new RecurrenceParseError('BYDAY ordinals are not valid with BYWEEKNO');
  }
  return rule;
}

/** Serialises a rule in a stable order (FREQ first), so equal rules compare equal as strings. */
export function formatRRule(rule: RRule): string {
  const out: string[] = [`FREQ=${rule.freq}`];
  if (rule.interval !== 1) out.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== null) out.push(`COUNT=${rule.count}`);
  if (rule.until !== null) out.push(`UNTIL=${rule.until}`);
  const list = (name: string, values: number[]) => {
    if (values.length > 0) out.push(`${name}=${values.join(',')}`);
  };
  list('BYSECOND', rule.bySecond);
  list('BYMINUTE', rule.byMinute);
  list('BYHOUR', rule.byHour);
  if (rule.byDay.length > 0) out.push(`BYDAY=${rule.byDay.map((d) => `${d.n ?? ''}${d.day}`).join(',')}`);
  list('BYMONTHDAY', rule.byMonthDay);
  list('BYYEARDAY', rule.byYearDay);
  list('BYWEEKNO', rule.byWeekNo);
  list('BYMONTH', rule.byMonth);
  list('BYSETPOS', rule.bySetPos);
  if (rule.wkst !== null) out.push(`WKST=${rule.wkst}`);
  return out.join(';');
}
