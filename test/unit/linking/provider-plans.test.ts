import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { planProviders, type SandboxProviderSettings } from '../../../src/providers/registry.js';
import { sandboxedProviders } from '../../../src/sandbox/sandbox-providers.js';

const config = (env: Record<string, string> = {}) => loadConfig({ DATABASE_URL: 'sqlite::memory:', ...env });
const microsoftCredentials = { MICROSOFT_CLIENT_ID: 'ms-app', MICROSOFT_CLIENT_SECRET: 'ms-secret' };
const sandboxSettings: SandboxProviderSettings = {
  'microsoft-graph': { clientId: 'sb', clientSecret: 's', authorityHost: 'https://127.0.0.1:1', tenant: 'common', graphBaseUrl: 'https://127.0.0.1:1', caPem: 'PEM' },
  'google-calendar': { clientId: 'sb', clientSecret: 's', authUrl: 'http://127.0.0.1:2/a', tokenUrl: 'http://127.0.0.1:2/t', revokeUrl: 'http://127.0.0.1:2/r', calendarRootUrl: 'http://127.0.0.1:2/' },
};

describe('which providers the sandbox stands in for', () => {
  it('auto: every provider without credentials', () => {
    expect(sandboxedProviders(config())).toEqual(['microsoft-graph', 'google-calendar']);
    expect(sandboxedProviders(config(microsoftCredentials))).toEqual(['google-calendar']);
  });

  it('auto in production: none (a production hub never falls back to fake accounts); on: also in production', () => {
    expect(sandboxedProviders(config({ NODE_ENV: 'production' }))).toEqual([]);
    expect(sandboxedProviders(config({ NODE_ENV: 'production', SANDBOX_PROVIDERS: 'on' }))).toEqual(['microsoft-graph', 'google-calendar']);
  });

  it('off: none', () => {
    expect(sandboxedProviders(config({ SANDBOX_PROVIDERS: 'off' }))).toEqual([]);
  });
});

describe('provider plans', () => {
  it('use configured credentials with the configured endpoints, and the sandbox for the others', () => {
    const plans = planProviders(config({ ...microsoftCredentials, MICROSOFT_TENANT: 'organizations' }), { 'google-calendar': sandboxSettings['google-calendar'] });
    expect(plans['microsoft-graph']).toEqual({
      available: true,
      source: 'configured',
      settings: { clientId: 'ms-app', clientSecret: 'ms-secret', authorityHost: 'https://login.microsoftonline.com', tenant: 'organizations', graphBaseUrl: 'https://graph.microsoft.com', caPem: null },
    });
    expect(plans['google-calendar']).toMatchObject({ available: true, source: 'sandbox', settings: { clientId: 'sb' } });
  });

  it('mark a provider with neither credentials nor sandbox unavailable, naming the variables to set', () => {
    const plans = planProviders(config({ SANDBOX_PROVIDERS: 'off' }), {});
    expect(plans['google-calendar'].available).toBe(false);
    expect(plans['google-calendar']).toMatchObject({ reason: expect.stringContaining('GOOGLE_CLIENT_ID') });
    expect(plans['microsoft-graph']).toMatchObject({ reason: expect.stringContaining('SANDBOX_PROVIDERS=off') });
  });
});
