import { DateTime, IANAZone } from 'luxon';
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
import { GraphError } from './graph-errors.js';

/**
 * Where windows-iana's copy of CLDR `windowsZones.xml` (5.1.0) predates the current one: since CLDR 43
 * (CLDR-16386, https://github.com/unicode-org/cldr/pull/2716, after Mexico's 2022 changes)
 * "Mountain Standard Time (Mexico)" (UTC−7) maps to America/Mazatlan; America/Chihuahua, which
 * windows-iana still gives, has kept UTC−6 all year since 2022-10-30.
 */
const CURRENT_CLDR_GOLDEN_ZONE: Readonly<Record<string, string>> = { 'Mountain Standard Time (Mexico)': 'America/Mazatlan' };

/**
 * Windows zone names by lower case (Exchange accepts any case): the canonical spelling Graph echoes,
 * and the CLDR golden (territory 001) IANA zone, e.g. "W. Europe Standard Time" → Europe/Berlin.
 */
const WINDOWS_ZONES = new Map<string, { name: string; iana: string }>();
for (const { windowsName, territory, iana } of WINDOWS_TO_IANA_MAP) {
  if (territory === '001') WINDOWS_ZONES.set(windowsName.toLowerCase(), { name: windowsName, iana: CURRENT_CLDR_GOLDEN_ZONE[windowsName] ?? iana[0] });
}

const windowsZone = (name: string) => WINDOWS_ZONES.get(name.trim().toLowerCase());

/** A Graph `dateTimeTimeZone`: wall-clock time (no offset) plus a Windows or IANA zone name. */
export interface DateTimeTimeZone {
  dateTime: string;
  timeZone: string;
}

/** The IANA zone for a Graph zone name (Windows or IANA, "UTC"), or null if unknown. */
export function resolveZone(name: string): string | null {
  const trimmed = name.trim();
  if (/^(utc|etc\/utc|gmt|etc\/gmt|z)$/i.test(trimmed)) return 'UTC';
  const fromWindows = windowsZone(trimmed);
  if (fromWindows) return fromWindows.iana;
  if (IANAZone.isValidZone(trimmed)) return trimmed;
  return null;
}

/** Graph's error for a zone it does not know (`start.timeZone`, `Prefer: outlook.timezone`). */
export const timeZoneNotSupported = (name: string) =>
  new GraphError(
    400,
    'TimeZoneNotSupportedException',
    `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${name}'.`,
  );

export function requireZone(name: string): string {
  const zone = resolveZone(name);
  if (!zone) throw timeZoneNotSupported(name);
  return zone;
}

/** The spelling Graph echoes for a zone name it accepted (canonical Windows case, else as given). */
export function displayZoneName(name: string): string {
  return windowsZone(name)?.name ?? name.trim();
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?$/;

/** Parses a Graph wall-clock `dateTime` (no offset; a trailing `Z` or offset is tolerated and applied) in `zone`. */
export function parseLocal(dateTime: string, zone: string): DateTime | null {
  const trimmed = dateTime.trim();
  const m = LOCAL_RE.exec(trimmed);
  if (m) {
    const dt = DateTime.fromObject(
      {
        year: Number(m[1]),
        month: Number(m[2]),
        day: Number(m[3]),
        hour: Number(m[4] ?? 0),
        minute: Number(m[5] ?? 0),
        second: Number(m[6] ?? 0),
        millisecond: m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0,
      },
      { zone },
    );
    return dt.isValid ? dt : null;
  }
  const withOffset = DateTime.fromISO(trimmed, { setZone: true });
  return withOffset.isValid ? withOffset.setZone(zone) : null;
}

/** Graph's rendering of a wall-clock time: seven fractional digits, no offset. */
export function formatLocal(dt: DateTime): string {
  return `${dt.toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS")}0000`;
}

/** `YYYY-MM-DD` of a DateTime in its own zone. */
export const isoDate = (dt: DateTime): string => dt.toFormat('yyyy-LL-dd');

/** A UTC instant as Graph writes `originalStart`, `createdDateTime`: `2026-03-02T09:00:00Z`. */
export function formatUtcInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * Parses `startDateTime`/`endDateTime` query values: an ISO string with an offset is exact; without
 * an offset it is read as UTC and is not affected by `Prefer: outlook.timezone`
 * (docs/providers.md#graph-all-day-events).
 */
export function parseWindowBound(value: unknown, name: string): number {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GraphError(400, 'ErrorInvalidParameter', `This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.`);
  }
  const v = value.trim();
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(v);
  const dt = hasOffset ? DateTime.fromISO(v, { setZone: true }) : parseLocal(v, 'UTC');
  if (!dt || !dt.isValid) throw new GraphError(400, 'ErrorInvalidParameter', `The parameter '${name}' does not have a valid value.`);
  return dt.toMillis();
}
