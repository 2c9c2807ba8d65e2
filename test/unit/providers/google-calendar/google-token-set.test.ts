import { describe, expect, it } from 'vitest';
import { mergeTokenSet, parseTokenSet, serializeTokenSet, toTokenSet } from '../../../../src/providers/google-calendar/google-token-set.js';

const stored = { access_token: 'ya29.old', refresh_token: '1//0g-refresh', expiry_date: 1_000, scope: 'openid https://www.googleapis.com/auth/calendar.events', token_type: 'Bearer' };

describe('google token set', () => {
  it('keeps only the credential fields of a token response (no id token)', () => {
    expect(toTokenSet({ ...stored, id_token: 'eyJ.x.y', refresh_token_expires_in: 5 })).toEqual(stored);
  });

  it('keeps the stored refresh token when a refresh answer leaves it out', () => {
    const merged = mergeTokenSet(stored, { access_token: 'ya29.new', expiry_date: 9_000, scope: stored.scope, token_type: 'Bearer' });
    expect(merged).toEqual({ ...stored, access_token: 'ya29.new', expiry_date: 9_000 });
  });

  it('round-trips through the blob and refuses an unreadable blob without echoing it', () => {
    expect(parseTokenSet(serializeTokenSet(stored))).toEqual(stored);
    expect(() => parseTokenSet('ya29.secret-not-json')).toThrow(/not valid JSON/);
    try {
      parseTokenSet('ya29.secret-not-json');
    } catch (e) {
      expect((e as Error).message).not.toContain('ya29');
    }
  });
});
