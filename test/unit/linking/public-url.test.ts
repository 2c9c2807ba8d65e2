import { describe, expect, it } from 'vitest';
import { PublicUrl } from '../../../src/linking/public-url.js';

describe('PublicUrl', () => {
  it('builds the exact redirect URI of each provider', () => {
    const url = new PublicUrl('https://hub.example.com/sync');
    expect(url.redirectUri('microsoft-graph')).toBe('https://hub.example.com/sync/oauth/callback/microsoft-graph');
    expect(url.redirectUri('google-calendar')).toBe('https://hub.example.com/sync/oauth/callback/google-calendar');
  });

  it('takes the listening port when the configured URL carries port 0 (PORT=0 without PUBLIC_URL)', () => {
    const url = new PublicUrl('http://localhost:0');
    url.resolveListeningPort(43127);
    expect(url.get()).toBe('http://localhost:43127');
    expect(url.redirectUri('google-calendar')).toBe('http://localhost:43127/oauth/callback/google-calendar');
  });

  it('keeps an explicitly configured URL whatever port the server listens on', () => {
    const url = new PublicUrl('https://hub.example.com');
    url.resolveListeningPort(43127);
    expect(url.get()).toBe('https://hub.example.com');
  });
});
