import { describe, expect, it } from 'vitest';
import { mergePatch } from '../../src/google/calendar/event-body.js';
import { decodePageToken, decodeSyncToken, encodeSyncToken } from '../../src/google/calendar/list-tokens.js';
import { formatInZone, parseDateTime } from '../../src/google/calendar/event-time.js';

describe('PATCH merge semantics', () => {
  it('merges objects recursively, replaces arrays and deletes keys set to null', () => {
    const stored = {
      summary: 'a',
      attendees: [{ email: 'x@example.com' }, { email: 'y@example.com' }],
      extendedProperties: { private: { hub: '1', keep: '2' }, shared: { s: '3' } },
      start: { dateTime: '2030-01-01T09:00:00Z', timeZone: 'Europe/Berlin' },
    };
    const merged = mergePatch(stored, { attendees: [{ email: 'z@example.com' }], extendedProperties: { private: { hub: null } }, description: 'new' });
    expect(merged).toEqual({
      summary: 'a',
      description: 'new',
      attendees: [{ email: 'z@example.com' }],
      extendedProperties: { private: { keep: '2' }, shared: { s: '3' } },
      start: { dateTime: '2030-01-01T09:00:00Z', timeZone: 'Europe/Berlin' },
    });
  });

  it('keeps the stored zone when only dateTime is patched, and swaps timed for all-day wholesale', () => {
    const stored = { start: { dateTime: '2030-01-01T09:00:00Z', timeZone: 'Europe/Berlin' } };
    expect(mergePatch(stored, { start: { dateTime: '2030-01-02T10:00:00' } })).toEqual({ start: { dateTime: '2030-01-02T10:00:00', timeZone: 'Europe/Berlin' } });
    expect(mergePatch(stored, { start: { date: '2030-01-02' } })).toEqual({ start: { date: '2030-01-02' } });
  });
});

describe('sync tokens', () => {
  const payload = { kind: 'e' as const, resource: 'cal', account: 'acc', seq: 42, epoch: 1, issuedAt: 0 };
  it('round-trip, and any edited character makes them unreadable', () => {
    const token = encodeSyncToken('secret', payload);
    expect(decodeSyncToken('secret', token)).toEqual(payload);
    expect(decodeSyncToken('other-secret', token)).toBeNull();
    const edited = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    expect(decodeSyncToken('secret', edited)).toBeNull();
    expect(decodePageToken('secret', token)).toBeNull();
  });
});

describe('RFC 3339 times', () => {
  it('reads offsets, reads wall-clock times in a zone, and renders with the zone offset', () => {
    expect(parseDateTime('2030-07-01T09:00:00+02:00', null)).toBe(Date.UTC(2030, 6, 1, 7));
    expect(parseDateTime('2030-07-01T09:00:00', 'America/New_York')).toBe(Date.UTC(2030, 6, 1, 13));
    expect(parseDateTime('2030-07-01T09:00:00', null)).toBeNull();
    expect(formatInZone(Date.UTC(2030, 0, 1, 12), 'Asia/Kolkata')).toBe('2030-01-01T17:30:00+05:30');
    expect(formatInZone(Date.UTC(2030, 0, 1, 12), 'UTC')).toBe('2030-01-01T12:00:00Z');
  });
});
