import { calendarErrors } from '../google-api.errors.js';
import { isValidZone } from '../recurrence/zoned-time.js';
import { parseQueryTime } from './event-time.js';

/** Parameters of events.list / events.instances, parsed from a query string or a control call. */
export interface EventListQuery {
  singleEvents: boolean;
  /** undefined = not given (matters with syncToken: only an explicit false is refused). */
  showDeleted: boolean | undefined;
  timeMin: number | null;
  timeMax: number | null;
  orderBy: 'startTime' | 'updated' | null;
  pageToken: string | undefined;
  maxResults: number;
  q: string | undefined;
  iCalUID: string | undefined;
  updatedMin: number | null;
  eventTypes: string[];
  privateExtendedProperty: string[];
  sharedExtendedProperty: string[];
  syncToken: string | undefined;
  timeZone: string | undefined;
  maxAttendees: number | undefined;
  originalStart: number | null;
  /** Fingerprint of the parameters a page token must be reused with. */
  fingerprint: string;
}

/** Parameters Google refuses together with `syncToken` (docs/providers.md#google-incremental-sync). */
export const FORBIDDEN_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'] as const;

type Raw = Record<string, unknown>;

function list(raw: Raw, key: string): string[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

function single(raw: Raw, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.length ? String(v[v.length - 1]) : undefined;
  return String(v);
}

function bool(raw: Raw, key: string): boolean | undefined {
  const v = single(raw, key);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw calendarErrors.invalidParameter(key, v);
}

function int(raw: Raw, key: string, min: number): number | undefined {
  const v = single(raw, key);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw calendarErrors.invalidParameter(key, v);
  const n = Number(v);
  if (n < min) throw calendarErrors.invalid(`Invalid value '${v}'. Values must be within the range: [${min}, 2500]`, key);
  return n;
}

export function parseEventListQuery(raw: Raw, defaults: { maxResults: number; maxMaxResults: number } = { maxResults: 250, maxMaxResults: 2500 }): EventListQuery {
  const orderBy = single(raw, 'orderBy') ?? null;
  if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated') throw calendarErrors.invalidParameter('orderBy', orderBy);
  const timeZone = single(raw, 'timeZone');
  if (timeZone !== undefined && !isValidZone(timeZone)) throw calendarErrors.invalid('Invalid time zone definition.', 'timeZone');
  const maxResults = Math.min(int(raw, 'maxResults', 1) ?? defaults.maxResults, defaults.maxMaxResults);
  const query: Omit<EventListQuery, 'fingerprint'> = {
    singleEvents: bool(raw, 'singleEvents') ?? false,
    showDeleted: bool(raw, 'showDeleted'),
    timeMin: parseQueryTime(single(raw, 'timeMin'), 'timeMin'),
    timeMax: parseQueryTime(single(raw, 'timeMax'), 'timeMax'),
    orderBy,
    pageToken: single(raw, 'pageToken'),
    maxResults,
    q: single(raw, 'q'),
    iCalUID: single(raw, 'iCalUID'),
    updatedMin: parseQueryTime(single(raw, 'updatedMin'), 'updatedMin'),
    eventTypes: list(raw, 'eventTypes'),
    privateExtendedProperty: list(raw, 'privateExtendedProperty'),
    sharedExtendedProperty: list(raw, 'sharedExtendedProperty'),
    syncToken: single(raw, 'syncToken'),
    timeZone,
    maxAttendees: int(raw, 'maxAttendees', 1),
    originalStart: parseQueryTime(single(raw, 'originalStart'), 'originalStart'),
  };
  for (const p of [...query.privateExtendedProperty, ...query.sharedExtendedProperty]) {
    if (!p.includes('=')) throw calendarErrors.invalid(`Invalid extended property constraint: ${p}`);
  }
  const fingerprint = JSON.stringify([
    query.singleEvents,
    query.showDeleted ?? null,
    query.timeMin,
    query.timeMax,
    query.orderBy,
    query.q ?? null,
    query.iCalUID ?? null,
    query.updatedMin,
    query.eventTypes,
    query.privateExtendedProperty,
    query.sharedExtendedProperty,
    query.originalStart,
  ]);
  return { ...query, fingerprint };
}
