import { describe, expect, it } from 'vitest';
import { isConfigError, loadConfig } from '../../../src/config.js';
import type { ProviderModule, ProviderRegistry } from '../../../src/providers/registry.js';
import { pushEnabledFor } from '../../../src/push/push-settings.js';

const module = {} as ProviderModule;
const registry: ProviderRegistry = {
  'microsoft-graph': { available: true, slug: 'microsoft-graph', source: 'configured', module },
  'google-calendar': { available: true, slug: 'google-calendar', source: 'sandbox', module },
};
const unavailable: ProviderRegistry = {
  'microsoft-graph': { available: false, slug: 'microsoft-graph', reason: 'no credentials' },
  'google-calendar': { available: false, slug: 'google-calendar', reason: 'no credentials' },
};
const enabled = (env: Record<string, string>, providers = registry) => ({
  microsoft: pushEnabledFor(loadConfig(env), providers, 'microsoft-graph'),
  google: pushEnabledFor(loadConfig(env), providers, 'google-calendar'),
});

describe('pushEnabledFor (PUSH_NOTIFICATIONS)', () => {
  it('auto: sandbox providers always; configured ones only with a PUBLIC_URL, https in production', () => {
    expect(enabled({})).toEqual({ microsoft: false, google: true });
    expect(enabled({ PUBLIC_URL: 'http://hub.example.com' })).toEqual({ microsoft: true, google: true });
    expect(enabled({ NODE_ENV: 'production', PUBLIC_URL: 'http://hub.example.com' })).toEqual({ microsoft: false, google: true });
    expect(enabled({ NODE_ENV: 'production', PUBLIC_URL: 'https://hub.example.com' })).toEqual({ microsoft: true, google: true });
  });

  it('on forces it, off turns it off, and an unavailable provider never pushes', () => {
    expect(enabled({ PUSH_NOTIFICATIONS: 'on' })).toEqual({ microsoft: true, google: true });
    expect(enabled({ PUSH_NOTIFICATIONS: 'off', PUBLIC_URL: 'https://hub.example.com' })).toEqual({ microsoft: false, google: false });
    expect(enabled({ PUSH_NOTIFICATIONS: 'on' }, unavailable)).toEqual({ microsoft: false, google: false });
  });

  it('refuses PUSH_NOTIFICATIONS=on in production without an https PUBLIC_URL', () => {
    const problems = (() => {
      try {
        loadConfig({ NODE_ENV: 'production', PUSH_NOTIFICATIONS: 'on', PUBLIC_URL: 'http://hub.example.com' });
        return [];
      } catch (err) {
        if (isConfigError(err)) return err.problems;
        throw err;
      }
    })();
    expect(problems).toEqual([{ variable: 'PUSH_NOTIFICATIONS', message: expect.stringContaining('https PUBLIC_URL') }]);
  });
});
