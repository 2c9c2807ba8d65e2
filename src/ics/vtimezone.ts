import { DateTime } from 'luxon';

/**
 * VTIMEZONE components (RFC 5545 §3.6.5) from the IANA database the process runs with (Intl, via
 * luxon), so they follow current rules — bundled VTIMEZONE files go stale when a country changes its
 * clocks. Each UTC-offset change in the span gets its own STANDARD or DAYLIGHT observance with an
 * explicit onset; before the first change the offset at the span's start applies, after the last
 * one the last offset.
 */

const DAY_MS = 86_400_000;
/** Offsets never change twice within this step (the closest pair on record is about a month apart). */
const STEP_MS = 7 * DAY_MS;
const CACHE_SIZE = 200;
const cache = new Map<string, string | null>();

export interface ZoneSpan {
  /** Epoch ms: the earliest local time an event of the feed uses in the zone. */
  from: number;
  /** Epoch ms: the last moment the offsets must be right for. */
  to: number;
}

const offsetAt = (zone: string, ms: number) => DateTime.fromMillis(ms, { zone }).offset;

/** The instant (to the second) at which the offset changes between `lo` and `hi`. */
function transitionBetween(zone: string, lo: number, hi: number): number {
  const before = offsetAt(zone, lo);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** `+0130`, `-0500` */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Local date-time (floating form) of `ms` at a fixed offset. */
function localAt(ms: number, offsetMinutes: number): string {
  return DateTime.fromMillis(ms + offsetMinutes * 60_000, { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss");
}

function observance(zone: string, onsetMs: number, from: number, to: number): string[] {
  const at = DateTime.fromMillis(onsetMs, { zone });
  const kind = at.isInDST ? 'DAYLIGHT' : 'STANDARD';
  const name = at.offsetNameShort;
  return [
    `BEGIN:${kind}`,
    `TZOFFSETFROM:${formatOffset(from)}`,
    `TZOFFSETTO:${formatOffset(to)}`,
    ...(name && !/^(GMT|UTC)[+-]/.test(name) ? [`TZNAME:${name}`] : []),
    `DTSTART:${localAt(onsetMs, from)}`,
    `END:${kind}`,
  ];
}

/**
 * The VTIMEZONE of an IANA zone over a span (widened to whole days), or null when the zone is
 * unknown to this runtime. Results are memoised per zone and span.
 */
export function vtimezone(zone: string, span: ZoneSpan): string | null {
  const start = Math.floor(span.from / DAY_MS) * DAY_MS - DAY_MS;
  const end = Math.ceil(span.to / DAY_MS) * DAY_MS + DAY_MS;
  const key = `${zone}|${start}|${end}`;
  if (cache.has(key)) return cache.get(key)!;
  const component = build(zone, start, end);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, component);
  return component;
}

function build(zone: string, start: number, end: number): string | null {
  if (!DateTime.local().setZone(zone).isValid) return null;
  const first = offsetAt(zone, start);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, ...observance(zone, start, first, first)];
  let previous = first;
  for (let at = start; at < end; at += STEP_MS) {
    const next = offsetAt(zone, at + STEP_MS);
    if (next === previous) continue;
    lines.push(...observance(zone, transitionBetween(zone, at, at + STEP_MS), previous, next));
    previous = next;
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}
