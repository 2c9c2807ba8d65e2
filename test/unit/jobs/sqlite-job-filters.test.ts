import { describe, expect, it } from 'vitest';
import {
  dataFilter,
  equalityFilter,
  flattenDataFilter,
  isUnsupportedJobFilterError,
} from '../../../src/jobs/backends/sqlite-job-filters.js';

const failureOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('SQLite job filters', () => {
  it('flattens a partial data filter into dot paths, leaves included', () => {
    expect(flattenDataFilter({ a: 1, b: { c: 'x', d: { e: null } }, list: [1, 2] })).toEqual({
      'data.a': 1,
      'data.b.c': 'x',
      'data.b.d.e': null,
      'data.list': [1, 2],
    });
  });

  it('queries data paths with quoted JSON path segments and typed comparisons', () => {
    expect(equalityFilter({ 'data.appointment.id': 'apt_1', name: 'sync' })).toEqual({
      sql: `((json_type(data, ?) = 'text' AND json_extract(data, ?) = ?)) AND (name = ?)`,
      params: ['$."appointment"."id"', '$."appointment"."id"', 'apt_1', 'sync'],
    });
    expect(equalityFilter({ 'data.on': false }).params).toEqual(['$."on"', 'false']);
  });

  it('matches non-object data as a whole value', () => {
    expect(dataFilter('plain')).toEqual({ sql: 'json(data) = json(?)', params: ['"plain"'] });
  });

  it('refuses operators, unknown fields and unsafe path segments', () => {
    for (const filter of [{ 'data.n': { $gt: 1 } }, { 'data.n': [{ $in: [1] }] }, { lockedAt: null }, { 'data.a"b': 1 }]) {
      expect(isUnsupportedJobFilterError(failureOf(() => equalityFilter(filter)))).toBe(true);
    }
  });
});
