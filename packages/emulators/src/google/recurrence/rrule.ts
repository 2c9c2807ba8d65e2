/**
 * RFC 5545 §3.3.10 RRULE values, limited to what Google Calendar accepts: FREQ DAILY..YEARLY
 * (sub-daily frequencies are refused), INTERVAL, COUNT, UNTIL, BYDAY (with ordinals), BYMONTHDAY,
 * BYMONTH, BYYEARDAY, BYWEEKNO, BYSETPOS, BYHOUR/BYMINUTE/BYSECOND and WKST.
 * https://datatracker.ietf.org/doc/html/rfc5545#section-3.3.10
 */

export type Frequency = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** Weekday index as RRULE counts it: MO = 0 … SU = 6. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** A wall-clock moment without a zone: days since 1970-01-01 and seconds into that day. */
export interface LocalDateTime {
  day: number;
  sec: number;
}

export type UntilValue =
  | { kind: 'date'; day: number }
  | { kind: 'utc'; ms: number }
  | { kind: 'floating'; local: LocalDateTime };

export interface RRule {
  freq: Frequency;
  interval: number;
  count: number | null;
  until: UntilValue | null;
  /** BYDAY entries; `n` is the ordinal (e.g. -1 for "last"), null for "every". */
  byDay: { n: number | null; wd: Weekday }[];
  byMonthDay: number[];
  byMonth: number[];
  byYearDay: number[];
  byWeekNo: number[];
  bySetPos: number[];
  byHour: number[];
  byMinute: number[];
  bySecond: number[];
  wkst: Weekday;
}

export class RecurrenceError extends Error {}

const FREQS: readonly string[] = ['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const SUB_DAILY: readonly string[] = ['HOURLY', 'MINUTELY', 'SECONDLY'];

function intList(name: string, raw: string, min: number, max: number, allowNegative: boolean): number[] {
  return raw.split(',').map((part) => {
    if (!/^[+-]?\d{1,3}$/.test(part)) throw new RecurrenceError(`${name} has an invalid value: ${part}`);
    const v = Number(part);
    const abs = Math.abs(v);
    if (v === 0 && min > 0) throw new RecurrenceError(`${name} must not be 0`);
    if (v < 0 && !allowNegative) throw new RecurrenceError(`${name} must not be negative`);
    if (abs < min || abs > max) throw new RecurrenceError(`${name} out of range: ${part}`);
    return v;
  });
}

function weekday(code: string): Weekday {
  const i = WEEKDAY_CODES.indexOf(code as (typeof WEEKDAY_CODES)[number]);
  if (i < 0) throw new RecurrenceError(`unknown weekday ${code}`);
  return i as Weekday;
}

export function dayFromYmd(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000);
}

export function ymdFromDay(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * 86_400_000);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function weekdayOf(day: number): Weekday {
  // 1970-01-01 was a Thursday (index 3 when MO = 0).
  return ((((day + 3) % 7) + 7) % 7) as Weekday;
}

/** `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ` as used by UNTIL, RDATE and EXDATE. */
export function parseIcalDateTime(raw: string): { kind: 'date'; day: number } | { kind: 'floating'; local: LocalDateTime } | { kind: 'utc'; local: LocalDateTime } {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(raw.trim());
  if (!m) throw new RecurrenceError(`invalid date or date-time: ${raw}`);
  const [, ys, ms, ds, hh, mi, ss, z] = m;
  const y = Number(ys);
  const mo = Number(ms);
  const d = Number(ds);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) throw new RecurrenceError(`invalid date: ${raw}`);
  const day = dayFromYmd(y, mo, d);
  if (ymdFromDay(day).d !== d) throw new RecurrenceError(`invalid date: ${raw}`);
  if (hh === undefined) return { kind: 'date', day };
  const h = Number(hh);
  const min = Number(mi);
  const s = Number(ss);
  if (h > 23 || min > 59 || s > 60) throw new RecurrenceError(`invalid time: ${raw}`);
  const local = { day, sec: h * 3600 + min * 60 + Math.min(s, 59) };
  return z ? { kind: 'utc', local } : { kind: 'floating', local };
}

/** Parses the value of an RRULE (or EXRULE) line, without the `RRULE:` prefix. */
export function parseRRule(value: string): RRule {
  const parts = new Map<string, string>();
  for (const piece of value.trim().split(';')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    if (eq <= 0) throw new RecurrenceError(`malformed rule part: ${piece}`);
    const key = piece.slice(0, eq).toUpperCase();
    if (parts.has(key)) throw new RecurrenceError(`duplicate rule part ${key}`);
    parts.set(key, piece.slice(eq + 1).toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (!freq) throw new RecurrenceError('FREQ is required');
  if (SUB_DAILY.includes(freq)) throw new RecurrenceError(`FREQ=${freq} is not supported`);
  if (!FREQS.includes(freq)) throw new RecurrenceError(`unknown FREQ ${freq}`);

  const rule: RRule = {
    freq: freq as Frequency,
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
    wkst: 0,
  };
  for (const [key, raw] of parts) {
    switch (key) {
      case 'FREQ':
        break;
      case 'INTERVAL':
        if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1) throw new RecurrenceError('INTERVAL must be a positive integer');
        rule.interval = Number(raw);
        break;
      case 'COUNT':
        if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) throw new RecurrenceError('COUNT must be a positive integer');
        rule.count = Number(raw);
        break;
      case 'UNTIL': {
        const u = parseIcalDateTime(raw);
        rule.until = u.kind === 'date' ? u : u.kind === 'utc' ? { kind: 'utc', ms: (u.local.day * 86_400 + u.local.sec) * 1000 } : u;
        break;
      }
      case 'BYDAY':
        rule.byDay = raw.split(',').map((p) => {
          const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(p);
          if (!m) throw new RecurrenceError(`invalid BYDAY value ${p}`);
          const n = m[1] === undefined ? null : Number(m[1]);
          if (n !== null && (n === 0 || Math.abs(n) > 53)) throw new RecurrenceError(`invalid BYDAY ordinal ${p}`);
          return { n, wd: weekday(m[2] ?? '') };
        });
        break;
      case 'BYMONTHDAY':
        rule.byMonthDay = intList(key, raw, 1, 31, true);
        break;
      case 'BYMONTH':
        rule.byMonth = intList(key, raw, 1, 12, false);
        break;
      case 'BYYEARDAY':
        rule.byYearDay = intList(key, raw, 1, 366, true);
        break;
      case 'BYWEEKNO':
        rule.byWeekNo = intList(key, raw, 1, 53, true);
        break;
      case 'BYSETPOS':
        rule.bySetPos = intList(key, raw, 1, 366, true);
        break;
      case 'BYHOUR':
        rule.byHour = intList(key, raw, 0, 23, false);
        break;
      case 'BYMINUTE':
        rule.byMinute = intList(key, raw, 0, 59, false);
        break;
      case 'BYSECOND':
        rule.bySecond = intList(key, raw, 0, 59, false);
        break;
      case 'WKST':
        rule.wkst = weekday(raw);
        break;
      default:
        throw new RecurrenceError(`unsupported rule part ${key}`);
    }
  }
  if (rule.count !== null && rule.until !== null) throw new RecurrenceError('COUNT and UNTIL must not both be set');
  if (rule.byWeekNo.length && rule.freq !== 'YEARLY') throw new RecurrenceError('BYWEEKNO is only valid with FREQ=YEARLY');
  if (rule.byYearDay.length && rule.freq !== 'YEARLY') throw new RecurrenceError('BYYEARDAY is only valid with FREQ=YEARLY');
  if (rule.byMonthDay.length && rule.freq === 'WEEKLY') throw new RecurrenceError('BYMONTHDAY is not valid with FREQ=WEEKLY');
  const hasOrdinal = rule.byDay.some((d) => d.n !== null);
  if (hasOrdinal && (rule.freq === 'DAILY' || rule.freq === 'WEEKLY')) throw new RecurrenceError('BYDAY ordinals need FREQ=MONTHLY or YEARLY');
  if (hasOrdinal && rule.freq === 'YEARLY' && rule.byWeekNo.length) throw new RecurrenceError('BYDAY ordinals are not valid with BYWEEKNO');
  const hasBy =
    rule.byDay.length + rule.byMonthDay.length + rule.byMonth.length + rule.byYearDay.length + rule.byWeekNo.length + rule.byHour.length + rule.byMinute.length + rule.bySecond.length >
    0;
  if (rule.bySetPos.length && !hasBy) throw new RecurrenceError('BYSETPOS needs another BYxxx rule part');
  return rule;
}
