/**
 * Translates Agenda's database-agnostic filters (Mongo-flavoured dot paths such as
 * `{ 'data.appointmentId': 'apt_…' }`) into SQLite conditions on the `agenda_jobs` table, where
 * `data` is JSON text queried with SQLite's JSON functions (https://sqlite.org/json1.html).
 *
 * Only equality is supported. Mongo query operators (`$in`, `$gt`, …) are refused with an error
 * rather than silently matching nothing, because a unique key that matches nothing would insert
 * duplicates.
 */

export interface SqlCondition {
  sql: string;
  params: SqlValue[];
}

export type SqlValue = string | number | null;

/** Top-level job fields a filter may name, with their column. */
const SCALAR_COLUMNS: Record<string, string> = {
  name: 'name',
  type: 'type',
  priority: 'priority',
  disabled: 'disabled',
  repeatInterval: 'repeat_interval',
  repeatTimezone: 'repeat_timezone',
  repeatAt: 'repeat_at',
  lastModifiedBy: 'last_modified_by',
};

export class UnsupportedJobFilterError extends Error {
  readonly code = 'JOB_FILTER_UNSUPPORTED';
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedJobFilterError';
  }
}

export const isUnsupportedJobFilterError = (e: unknown): e is UnsupportedJobFilterError =>
  e instanceof UnsupportedJobFilterError;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `{ a: { b: 1 } }` under `data` → `{ 'data.a.b': 1 }` (partial match on the data object). */
export function flattenDataFilter(data: Record<string, unknown>, prefix = 'data'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    const path = `${prefix}.${key}`;
    if (isPlainObject(value)) Object.assign(out, flattenDataFilter(value, path));
    else out[path] = value;
  }
  return out;
}

function jsonPath(segments: string[]): string {
  for (const segment of segments) {
    if (segment === '' || segment.includes('"')) {
      throw new UnsupportedJobFilterError(`unsupported data path segment ${JSON.stringify(segment)}`);
    }
  }
  return '$' + segments.map((s) => `."${s}"`).join('');
}

function assertNoOperators(value: unknown, key: string): void {
  if (Array.isArray(value)) {
    value.forEach((v) => assertNoOperators(v, key));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) {
      throw new UnsupportedJobFilterError(
        `the SQLite job backend matches "${key}" by equality only; operator ${k} is not supported`,
      );
    }
    assertNoOperators(v, key);
  }
}

/** Equality on a value inside the `data` JSON, keeping JSON types apart ("1" is not 1). */
function dataEquals(path: string, value: unknown): SqlCondition {
  const v = value instanceof Date ? value.toISOString() : value;
  if (v === null || v === undefined) {
    // As in MongoDB, equality with null also matches a missing field.
    return { sql: `coalesce(json_type(data, ?), 'null') = 'null'`, params: [path] };
  }
  switch (typeof v) {
    case 'string':
      return { sql: `(json_type(data, ?) = 'text' AND json_extract(data, ?) = ?)`, params: [path, path, v] };
    case 'number':
      return {
        sql: `(json_type(data, ?) IN ('integer', 'real') AND json_extract(data, ?) = ?)`,
        params: [path, path, v],
      };
    case 'boolean':
      return { sql: `json_type(data, ?) = ?`, params: [path, v ? 'true' : 'false'] };
    default:
      // Objects and arrays compare as minified JSON text, so key order matters (as in MongoDB).
      return { sql: `json_extract(data, ?) = json(?)`, params: [path, JSON.stringify(v)] };
  }
}

function wholeDataEquals(value: unknown): SqlCondition {
  if (value === null || value === undefined) return { sql: `(data IS NULL OR data = 'null')`, params: [] };
  return { sql: `json(data) = json(?)`, params: [JSON.stringify(value)] };
}

function scalarEquals(column: string, value: unknown, key: string): SqlCondition {
  if (value === null || value === undefined) return { sql: `${column} IS NULL`, params: [] };
  if (typeof value === 'boolean') return { sql: `${column} = ?`, params: [value ? 1 : 0] };
  if (typeof value === 'string' || typeof value === 'number') {
    // repeat_interval is stored as JSON text (it may be a number or a string).
    const stored = column === 'repeat_interval' ? JSON.stringify(value) : value;
    return { sql: `${column} = ?`, params: [stored] };
  }
  throw new UnsupportedJobFilterError(`cannot match job field "${key}" against ${typeof value}`);
}

/** One condition per key of a Mongo-style equality filter, ANDed. */
export function equalityFilter(filter: Record<string, unknown>): SqlCondition {
  const parts: SqlCondition[] = [];
  for (const [key, value] of Object.entries(filter)) {
    assertNoOperators(value, key);
    if (key === 'data') {
      parts.push(wholeDataEquals(value));
    } else if (key.startsWith('data.')) {
      parts.push(dataEquals(jsonPath(key.slice('data.'.length).split('.')), value));
    } else if (key in SCALAR_COLUMNS) {
      parts.push(scalarEquals(SCALAR_COLUMNS[key]!, value, key));
    } else {
      throw new UnsupportedJobFilterError(`the SQLite job backend cannot filter on "${key}"`);
    }
  }
  return and(parts);
}

/** Agenda's `data` filter: a plain object matches partially by its leaves, anything else whole. */
export function dataFilter(data: unknown): SqlCondition {
  if (isPlainObject(data)) return equalityFilter(flattenDataFilter(data));
  return wholeDataEquals(data);
}

export function and(parts: SqlCondition[]): SqlCondition {
  if (parts.length === 0) return { sql: '1 = 1', params: [] };
  return { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) };
}

export function inList(column: string, values: readonly string[]): SqlCondition {
  return { sql: `${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] };
}

export function notInList(column: string, values: readonly string[]): SqlCondition {
  return { sql: `${column} NOT IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(values)] };
}
