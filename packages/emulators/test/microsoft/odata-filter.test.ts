import { describe, expect, it } from 'vitest';
import { compileFilter, filterableExtendedProperties } from '../../src/microsoft/odata-filter.js';

const PROP = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name SyncHubSourceId';
const event = (subject: string, tag?: string) => ({
  subject,
  isAllDay: false,
  start: { dateTime: '2026-03-02T09:00:00.0000000', timeZone: 'UTC' },
  categories: ['Blue'],
  singleValueExtendedProperties: filterableExtendedProperties(tag ? [{ id: PROP, value: tag }] : []),
  extensions: [{ id: 'Microsoft.OutlookServices.OpenTypeExtension.com.acme.synchub' }],
});

describe('OData $filter subset', () => {
  it('finds events by a single-value extended property id and value', () => {
    const f = compileFilter(`singleValueExtendedProperties/Any(ep: ep/id eq '${PROP}' and ep/value eq 'g:abc')`);
    expect(f(event('a', 'g:abc'))).toBe(true);
    expect(f(event('b', 'g:other'))).toBe(false);
    expect(f(event('c'))).toBe(false);
  });

  it('matches the property GUID case-insensitively but the name case-sensitively, and values case-insensitively', () => {
    const upperGuid = PROP.replace('66f5a359', '66F5A359');
    expect(compileFilter(`singleValueExtendedProperties/any(ep: ep/id eq '${upperGuid}' and ep/value eq 'G:ABC')`)(event('a', 'g:abc'))).toBe(true);
    expect(compileFilter(`singleValueExtendedProperties/any(ep: ep/id eq '${PROP.replace('SyncHub', 'synchub')}')`)(event('a', 'g:abc'))).toBe(false);
  });

  it('supports comparisons, functions, boolean operators and collection lambdas', () => {
    expect(compileFilter("startswith(subject, 'Team') and not (isAllDay eq true)")(event('Team sync'))).toBe(true);
    expect(compileFilter("contains(subject, 'sync') or subject eq 'x'")(event('Lunch'))).toBe(false);
    expect(compileFilter("start/dateTime ge '2026-03-02T00:00:00'")(event('a'))).toBe(true);
    expect(compileFilter("categories/any(c: c eq 'blue')")(event('a'))).toBe(true);
    expect(compileFilter("Extensions/any(f: f/id eq 'Microsoft.OutlookServices.OpenTypeExtension.com.acme.synchub')")(event('a'))).toBe(true);
  });

  it('rejects clauses it does not understand with a Graph 400', () => {
    expect(() => compileFilter("subject foo 'x'")).toThrow(/Invalid filter clause/);
    expect(() => compileFilter("subject eq 'x")).toThrow(/unterminated/);
  });
});
