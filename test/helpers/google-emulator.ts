import { createEmulatorCore, ensureEmulatorTls, startGoogleEmulator, type EmulatorCore, type GoogleEmulatorHandle, type GoogleEmulatorSettings } from '@calendar-sync-hub/emulators';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client, type Credentials } from 'google-auth-library';
import { submitConsent } from './google-consent.js';

export const TEST_CLIENT = {
  clientId: 'hub-test.apps.googleusercontent.com',
  clientSecret: 'hub-test-secret',
  redirectUri: 'http://127.0.0.1:9/oauth/google/callback',
};

export const SCOPES = {
  calendar: 'https://www.googleapis.com/auth/calendar',
  events: 'https://www.googleapis.com/auth/calendar.events',
  calendarListReadonly: 'https://www.googleapis.com/auth/calendar.calendarlist.readonly',
  gmailReadonly: 'https://www.googleapis.com/auth/gmail.readonly',
};

export interface GoogleTestEnv {
  core: EmulatorCore;
  google: GoogleEmulatorHandle;
  close(): Promise<void>;
}

export async function startGoogleTestEmulator(opts: { seed?: boolean; settings?: Partial<GoogleEmulatorSettings>; initialState?: unknown; core?: EmulatorCore } = {}): Promise<GoogleTestEnv> {
  const core = opts.core ?? createEmulatorCore();
  const google = await startGoogleEmulator({ core, tls: await ensureEmulatorTls(), seed: opts.seed ?? true, ...(opts.initialState ? { initialState: opts.initialState } : {}) });
  if (!opts.initialState) google.control.registerClient({ clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, redirectUris: [TEST_CLIENT.redirectUri] });
  google.control.updateSettings({ pushDeliveryDelayMs: 20, pushRetryBaseMs: 20, ...opts.settings });
  return { core, google, close: () => google.close() };
}

export function oauthClient(env: GoogleTestEnv, opts: { clientAuthentication?: 'ClientSecretPost' | 'ClientSecretBasic' } = {}): OAuth2Client {
  return new OAuth2Client({
    clientId: TEST_CLIENT.clientId,
    clientSecret: TEST_CLIENT.clientSecret,
    redirectUri: TEST_CLIENT.redirectUri,
    endpoints: env.google.oauthEndpoints,
    ...(opts.clientAuthentication ? { clientAuthentication: opts.clientAuthentication as never } : {}),
  });
}

export function calendarClient(env: GoogleTestEnv, auth: OAuth2Client): calendar_v3.Calendar {
  // googleapis-common pins its own google-auth-library (10.5), so the types differ; at run time any OAuth2Client works.
  return calendar({ version: 'v3', auth: auth as unknown as calendar_v3.Options['auth'], rootUrl: env.google.calendarRootUrl });
}

/** Runs the whole browser flow (PKCE, consent page, code exchange) and returns a client holding the tokens. */
export async function authorize(
  env: GoogleTestEnv,
  opts: { email: string; scopes?: string[]; prompt?: string; accessType?: 'online' | 'offline'; includeGrantedScopes?: boolean },
): Promise<{ client: OAuth2Client; tokens: Credentials; redirect: URL }> {
  const client = oauthClient(env);
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: opts.accessType ?? 'offline',
    scope: opts.scopes ?? ['openid', 'email', SCOPES.calendar],
    code_challenge: codeChallenge,
    code_challenge_method: 'S256' as never,
    state: 'st-1',
    login_hint: opts.email,
    ...(opts.prompt ? { prompt: opts.prompt } : {}),
    ...(opts.includeGrantedScopes ? { include_granted_scopes: true } : {}),
  });
  const redirect = await submitConsent(url);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect ${redirect.toString()}`);
  const { tokens } = await client.getToken({ code, codeVerifier });
  client.setCredentials(tokens);
  return { client, tokens, redirect };
}

export function accountByEmail(env: GoogleTestEnv, email: string): { id: string; email: string; calendarIds: string[] } {
  const a = env.google.listAccounts().find((x) => x.email === email);
  if (!a) throw new Error(`no account ${email}`);
  return a;
}

/** Retry settings that keep gaxios' own retries fast in tests. */
export const FAST_RETRY = { retryConfig: { retryDelay: 1, maxRetryDelay: 5, retryDelayMultiplier: 1 } };

/** Status and first error item of a failed Calendar API call made through the SDK. */
export async function apiError(p: Promise<unknown>): Promise<{ status: number | undefined; reason: string | undefined; message: string | undefined; domain: string | undefined }> {
  try {
    await p;
  } catch (e) {
    const res = (e as { response?: { status: number; data?: { error?: { errors?: { reason: string; message: string; domain: string }[] } } } }).response;
    if (!res) throw e;
    const item = res.data?.error?.errors?.[0];
    return { status: res.status, reason: item?.reason, message: item?.message, domain: item?.domain };
  }
  throw new Error('expected the call to fail');
}
