import { ConfidentialClientApplication, CryptoProvider, type ICachePlugin } from '@azure/msal-node';
import { createEmulatorCore, ensureEmulatorTls, startMicrosoftEmulator, type EmulatorCore, type MicrosoftEmulatorHandle, type MicrosoftEmulatorSettings } from '@calendar-sync-hub/emulators';
import { Client } from '@microsoft/microsoft-graph-client';
import { createCaFetch, createGraphMiddleware, type CaFetch } from '../../src/providers/microsoft-graph/graph-fetch.js';
import { createMsalNetworkClient, type MsalNetworkClient } from '../../src/providers/microsoft-graph/msal-network-client.js';

/** A running Microsoft emulator for one test file, with a registered confidential client. */
export interface MicrosoftTestEnv {
  ms: MicrosoftEmulatorHandle;
  core: EmulatorCore;
  caPem: string;
  /** fetch that trusts the emulator CA (a browser stand-in for the consent page). */
  fetch: CaFetch;
  client: { clientId: string; clientSecret: string; redirectUri: string };
  close(): Promise<void>;
}

export const TEST_SCOPES = ['openid', 'profile', 'offline_access', 'User.Read', 'Calendars.ReadWrite'];

export async function startMicrosoftTestEnv(settings: Partial<MicrosoftEmulatorSettings> = {}): Promise<MicrosoftTestEnv> {
  const core = createEmulatorCore();
  const tls = await ensureEmulatorTls();
  const ms = await startMicrosoftEmulator({ core, tls, seed: true });
  ms.control.updateSettings({ notificationDelayMs: 20, notificationRetryDelayMs: 20, throttleRetryAfterSeconds: 0, ...settings });
  const client = { clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'test-secret~value', redirectUri: 'http://localhost:4000/oauth/microsoft/callback' };
  ms.control.registerClient({ ...client, redirectUris: [client.redirectUri], displayName: 'Calendar Sync Hub (test)' });
  const fetch = createCaFetch({ caPem: tls.caCertPem });
  return {
    ms,
    core,
    caPem: tls.caCertPem,
    fetch,
    client,
    async close() {
      fetch.close();
      await ms.close();
    },
  };
}

/** An MSAL confidential client pointed at the emulator: https authority, knownAuthorities with the port, CA-trusting network client. */
export function createTestMsal(env: MicrosoftTestEnv, opts: { tenant?: string; cachePlugin?: ICachePlugin; clientSecret?: string } = {}): { msal: ConfidentialClientApplication; network: MsalNetworkClient } {
  const network = createMsalNetworkClient({ caPem: env.caPem });
  const msal = new ConfidentialClientApplication({
    auth: {
      clientId: env.client.clientId,
      clientSecret: opts.clientSecret ?? env.client.clientSecret,
      authority: env.ms.authority(opts.tenant ?? 'common'),
      knownAuthorities: [env.ms.authorityHost],
    },
    system: { networkClient: network },
    ...(opts.cachePlugin ? { cache: { cachePlugin: opts.cachePlugin } } : {}),
  });
  return { msal, network };
}

/** GETs an authorize URL like a browser, submits the consent form and returns the redirect target. */
export async function driveConsent(env: Pick<MicrosoftTestEnv, 'fetch'>, authorizeUrl: string, choice: { account?: string; decision?: 'accept' | 'deny' } = {}): Promise<URL> {
  const page = await env.fetch(authorizeUrl);
  if (page.status === 302) return new URL(page.headers.get('location')!);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorize page answered ${page.status}: ${html.slice(0, 300)}`);
  const form = /<form id="consent" method="post" action="([^"]+)">/.exec(html);
  const request = /<input type="hidden" name="request" value="([^"]+)">/.exec(html);
  if (!form || !request) throw new Error('no consent form on the authorize page');
  const selected = /<option value="([^"]+)" selected>/.exec(html);
  const account = choice.account ?? selected?.[1];
  if (!account) throw new Error('no account chosen');
  const res = await env.fetch(new URL(form[1]!, authorizeUrl).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ request: request[1]!.replace(/&amp;/g, '&'), account, decision: choice.decision ?? 'accept' }).toString(),
  });
  if (res.status !== 302) throw new Error(`consent answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return new URL(res.headers.get('location')!);
}

/** Full code + PKCE sign-in through MSAL; returns the auth result and the PKCE pair used. */
export async function signIn(env: MicrosoftTestEnv, msal: ConfidentialClientApplication, loginHint: string, opts: { tenant?: string } = {}) {
  const pkce = await new CryptoProvider().generatePkceCodes();
  const url = await msal.getAuthCodeUrl({
    scopes: TEST_SCOPES,
    redirectUri: env.client.redirectUri,
    codeChallenge: pkce.challenge,
    codeChallengeMethod: 'S256',
    loginHint,
    state: 'state-123',
    ...(opts.tenant ? { authority: env.ms.authority(opts.tenant) } : {}),
  });
  const redirect = await driveConsent(env, url);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect: ${redirect.toString()}`);
  const result = await msal.acquireTokenByCode({ code, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: pkce.verifier });
  return { result, redirect, pkce };
}

/** A Graph client against the emulator with a static token; retries off unless asked. */
export function createTestGraphClient(env: MicrosoftTestEnv, accessToken: string | (() => Promise<string>), opts: { maxRetries?: number; timeoutMs?: number } = {}): Client {
  const fetch = opts.timeoutMs ? createCaFetch({ caPem: env.caPem, timeoutMs: opts.timeoutMs }) : env.fetch;
  return Client.initWithMiddleware({
    baseUrl: env.ms.graphBaseUrl,
    customHosts: new Set([new URL(env.ms.graphBaseUrl).hostname]),
    middleware: createGraphMiddleware({
      authProvider: { getAccessToken: async () => (typeof accessToken === 'string' ? accessToken : accessToken()) },
      fetch,
      maxRetries: opts.maxRetries ?? 0,
      retryDelaySeconds: 0,
    }),
  });
}

/** Signs an account in and returns a Graph client plus the raw token. */
export async function graphFor(env: MicrosoftTestEnv, account: string, opts: { maxRetries?: number; timeoutMs?: number } = {}) {
  const { msal } = createTestMsal(env);
  const { result } = await signIn(env, msal, account);
  return { graph: createTestGraphClient(env, result.accessToken, opts), token: result.accessToken, msal, result };
}
