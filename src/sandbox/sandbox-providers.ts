import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startEmulators, type EmulatorHandle, type Emulators, type GoogleEmulatorHandle, type MicrosoftEmulatorHandle } from '@calendar-sync-hub/emulators';
import type { HubConfig } from '../config.js';
import { PROVIDER_SLUGS, type ProviderSlug } from '../domain/model.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import type { SandboxProviderSettings } from '../providers/registry.js';

/** Fixed client ids of the hub's OAuth apps in the sandbox (secrets are random per start). */
export const SANDBOX_CLIENT_IDS = {
  'microsoft-graph': '7c0e5d2a-3b4f-4c6d-8e9f-0a1b2c3d4e5f',
  'google-calendar': 'calendar-sync-hub-sandbox.apps.googleusercontent.com',
} as const satisfies Record<ProviderSlug, string>;

export interface SandboxAccountInfo {
  provider: ProviderSlug;
  email: string;
  displayName: string;
  /** The page where a person plays the provider side for this account (events, consent, revocation). */
  sandboxUrl: string;
  /** Why linking this account fails (it has no calendar the hub can reach); null when it links. */
  cannotLink: string | null;
}

/**
 * The built-in provider sandbox: the Microsoft and Google emulators running in the hub's process,
 * standing in for the providers that have no credentials. The hub's OAuth clients are registered
 * with them once the hub knows its redirect URIs (after `listen()`, when PORT=0 picked a port).
 */
export interface SandboxProviders {
  /** Providers the sandbox stands in for (the others use configured credentials). */
  readonly serves: readonly ProviderSlug[];
  readonly emulators: Emulators;
  readonly microsoft: MicrosoftEmulatorHandle;
  readonly google: GoogleEmulatorHandle;
  /** PEM of the CA behind the Microsoft emulator's HTTPS certificate (trusted for provider calls only). */
  readonly caCertPem: string;
  /** Module settings for the providers in `serves`. */
  readonly settings: SandboxProviderSettings;
  /** Registers (or re-registers) the hub's OAuth client of each served provider with its exact redirect URI. */
  registerRedirectUris(redirectUri: (slug: ProviderSlug) => string): void;
  accounts(): SandboxAccountInfo[];
  close(): Promise<void>;
}

/**
 * Which providers run against the sandbox: those without credentials, unless SANDBOX_PROVIDERS is
 * `off`. In `auto` (the default) a production deployment (NODE_ENV=production) does not fall back
 * to the sandbox, so users can never link a fake account by accident; `on` allows it everywhere.
 */
export function sandboxedProviders(config: HubConfig): ProviderSlug[] {
  const mode = config.sandbox.mode;
  if (mode === 'off' || (mode === 'auto' && config.env === 'production')) return [];
  return PROVIDER_SLUGS.filter((slug) => {
    switch (slug) {
      case 'microsoft-graph':
        return config.microsoft.credentials === undefined;
      case 'google-calendar':
        return config.google.credentials === undefined;
    }
  });
}

const SANDBOX_PORTS_FILE = 'sandbox-ports.json';

/**
 * The emulators' ports: the configured ones, or — when those are 0 (any) — the ports of the
 * previous run if they are free. Stable ports keep persisted sandbox links working across
 * restarts: MSAL files its cached tokens under the authority's host and port.
 */
async function choosePorts(config: HubConfig, portsFile: string | null): Promise<{ microsoft: number; microsoftBrowser: number; google: number }> {
  let previous: { microsoft?: unknown; microsoftBrowser?: unknown; google?: unknown } = {};
  if (portsFile && existsSync(portsFile)) {
    try {
      previous = JSON.parse(readFileSync(portsFile, 'utf8')) as typeof previous;
    } catch {
      previous = {};
    }
  }
  const pick = async (configured: number, remembered: unknown) => {
    if (configured !== 0) return configured;
    return typeof remembered === 'number' && Number.isInteger(remembered) && remembered > 0 && (await isPortFree(config.host, remembered)) ? remembered : 0;
  };
  return {
    microsoft: await pick(config.sandbox.microsoftPort, previous.microsoft),
    // The sandbox pages keep their address across restarts too (bookmarks, an open tab).
    microsoftBrowser: await pick(0, previous.microsoftBrowser),
    google: await pick(config.sandbox.googlePort, previous.google),
  };
}

function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Starts the emulators when at least one provider needs them; `null` otherwise. */
export async function startSandboxProviders(deps: { config: HubConfig; logger: Logger }): Promise<SandboxProviders | null> {
  const { config } = deps;
  const serves = sandboxedProviders(config);
  if (serves.length === 0) return null;
  const logger = deps.logger.child({ component: 'sandbox' });
  // Sandbox accounts and events outlive restarts like the hub's own data; an in-memory hub keeps none.
  const persist = !(config.database.kind === 'sqlite' && config.database.file === ':memory:');
  const portsFile = persist ? path.join(config.dataDir, 'emulators', SANDBOX_PORTS_FILE) : null;
  const ports = await choosePorts(config, portsFile);
  const emulators = await startEmulators({
    dataDir: config.dataDir,
    persist,
    host: config.host,
    microsoftPort: ports.microsoft,
    microsoftBrowserPort: ports.microsoftBrowser,
    googlePort: ports.google,
    logger,
  });
  const { microsoft, google } = emulators;
  if (portsFile) {
    const used = { microsoft: Number(new URL(microsoft.origin).port), microsoftBrowser: Number(new URL(microsoft.browserOrigin).port), google: Number(new URL(google.origin).port) };
    mkdirSync(path.dirname(portsFile), { recursive: true });
    writeFileSync(portsFile, `${JSON.stringify(used)}\n`);
  }
  const emulatorOf = (slug: ProviderSlug): EmulatorHandle => {
    switch (slug) {
      case 'microsoft-graph':
        return microsoft;
      case 'google-calendar':
        return google;
    }
  };
  const secrets = newSandboxSecrets();
  const settings = sandboxProviderSettings(emulators, serves, secrets);

  return {
    serves,
    emulators,
    microsoft,
    google,
    caCertPem: emulators.caCertPem,
    settings,
    registerRedirectUris(redirectUri) {
      registerSandboxClients(emulators, serves, secrets, redirectUri, logger);
    },
    accounts() {
      return serves.flatMap((slug) => {
        const handle = emulatorOf(slug);
        return handle.listAccounts().map((a) => ({
          provider: slug,
          email: a.email,
          displayName: a.displayName,
          sandboxUrl: handle.sandboxUrl(a.id),
          cannotLink: a.calendarUnavailable ?? null,
        }));
      });
    },
    close: () => emulators.stop(),
  };
}

/** Fresh client secrets of the hub's sandbox OAuth clients (one per start). */
export function newSandboxSecrets(): Record<ProviderSlug, string> {
  return {
    'microsoft-graph': randomBytes(24).toString('base64url'),
    'google-calendar': randomBytes(24).toString('base64url'),
  };
}

/**
 * The provider settings that point the hub's adapters at running emulators — the sandbox's own, or
 * emulators another process runs (tests that kill and restart hub processes pass them as
 * `HubOverrides.providerSettings`).
 */
export function sandboxProviderSettings(emulators: Emulators, serves: readonly ProviderSlug[], secrets: Record<ProviderSlug, string>): SandboxProviderSettings {
  const { microsoft, google } = emulators;
  const settings: SandboxProviderSettings = {};
  for (const slug of serves) {
    switch (slug) {
      case 'microsoft-graph':
        settings['microsoft-graph'] = {
          clientId: SANDBOX_CLIENT_IDS['microsoft-graph'],
          clientSecret: secrets['microsoft-graph'],
          authorityHost: microsoft.origin,
          tenant: 'common',
          graphBaseUrl: microsoft.graphBaseUrl,
          caPem: emulators.caCertPem,
          // Sign-in and consent pages over plain http: no certificate warning in the browser.
          consentOrigin: microsoft.browserOrigin,
        };
        break;
      case 'google-calendar':
        settings['google-calendar'] = {
          clientId: SANDBOX_CLIENT_IDS['google-calendar'],
          clientSecret: secrets['google-calendar'],
          authUrl: google.authUrl,
          tokenUrl: google.tokenUrl,
          revokeUrl: google.revokeUrl,
          calendarRootUrl: google.calendarRootUrl,
          pemCertsUrl: google.certsUrls.pem,
          jwkCertsUrl: google.certsUrls.jwk,
          userInfoUrl: google.userInfoUrl,
          tokenInfoUrl: google.tokenInfoUrl,
        };
        break;
    }
  }
  return settings;
}

/** Registers (or re-registers) the hub's OAuth client of each served provider with its exact redirect URI. */
export function registerSandboxClients(
  emulators: Emulators,
  serves: readonly ProviderSlug[],
  secrets: Record<ProviderSlug, string>,
  redirectUri: (slug: ProviderSlug) => string,
  logger?: Logger,
): void {
  const { microsoft, google } = emulators;
  for (const slug of serves) {
    const redirectUris = [redirectUri(slug)];
    switch (slug) {
      case 'microsoft-graph':
        microsoft.control.registerClient({ clientId: SANDBOX_CLIENT_IDS[slug], clientSecret: secrets[slug], redirectUris, displayName: 'Calendar Sync Hub (sandbox)' });
        break;
      case 'google-calendar':
        google.control.registerClient({ clientId: SANDBOX_CLIENT_IDS[slug], clientSecret: secrets[slug], redirectUris, name: 'Calendar Sync Hub (sandbox)' });
        break;
    }
    logger?.info({ provider: slug, redirectUri: redirectUris[0] }, `sandbox ${providerDisplayName(slug)} client registered`);
  }
}

/** One log line per sandbox account, so a newcomer sees whom to sign in as and where to play the provider. */
export function announceSandbox(sandbox: SandboxProviders, logger: Logger): void {
  for (const slug of sandbox.serves) {
    const accounts = sandbox.accounts().filter((a) => a.provider === slug);
    logger.info(
      { provider: slug, accounts: accounts.map((a) => ({ email: a.email, sandboxUrl: a.sandboxUrl, ...(a.cannotLink ? { cannotLink: a.cannotLink } : {}) })) },
      `sandbox ${providerDisplayName(slug)}: link one of these accounts with linkCalendar; each one's sandbox page plays the provider side (no real account needed)`,
    );
  }
}
