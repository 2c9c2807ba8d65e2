import { describe, expect, it } from 'vitest';
import { base32hex, eventIdForKey, isGoogleEventId } from '../../../../src/providers/google-calendar/google-event-id.js';

describe('google client-chosen event ids', () => {
  it('encodes RFC 4648 base32hex test vectors in lowercase without padding', () => {
    const enc = (s: string) => base32hex(new TextEncoder().encode(s));
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual(['', 'co', 'cpng', 'cpnmu', 'cpnmuog', 'cpnmuoj1', 'cpnmuoj1e8']);
  });

  it('derives the same valid id from the same mapping id, and different ids from different ones', () => {
    const a = eventIdForKey('map_01CONTRACTCREATE000000001');
    expect(a).toBe(eventIdForKey('map_01CONTRACTCREATE000000001'));
    expect(isGoogleEventId(a)).toBe(true);
    expect(eventIdForKey('map_01CONTRACTCREATE000000002')).not.toBe(a);
  });

  it('gives fresh valid ids for later attempts of the same key', () => {
    const ids = [0, 1, 2].map((n) => eventIdForKey('map_01X', n));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(isGoogleEventId(id)).toBe(true);
  });

  it('stays within Google’s 5–1024 characters for very short and very long keys', () => {
    for (const key of ['a', 'ab', 'x'.repeat(5000)]) {
      const id = eventIdForKey(key);
      expect(isGoogleEventId(id), `${key.length}-character key`).toBe(true);
    }
  });
});
