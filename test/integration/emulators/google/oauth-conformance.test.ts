import { GaxiosError } from 'gaxios';
import type { Credentials } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountByEmail, authorize, calendarClient, oauthClient, SCOPES, startGoogleTestEmulator, TEST_CLIENT, type GoogleTestEnv } from '../../../helpers/google-emulator.js';
import { parseConsentForm, submitConsent } from '../../../helpers/google-consent.js';

let env: GoogleTestEnv;

beforeAll(async () => {
  env = await startGoogleTestEmulator();
});
afterAll(async () => {
  await env.close();
});
afterEach(() => {
  env.core.clock.reset();
  env.google.control.updateSettings({ autoConsent: false, refreshTokenLimit: 100, timeLimitedGrantSeconds: null });
});

/** The body of a failed token call as google-auth-library surfaces it. */
async function tokenError(p: Promise<unknown>): Promise<{ status: number | undefined; error: string; description: string | undefined }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof Error) || !('response' in e)) throw e;
    const res = (e as GaxiosError<{ error: string; error_description?: string }>).response;
    return { status: res?.status, error: res?.data.error ?? '', description: res?.data.error_description };
  }
  throw new Error('expected the call to fail');
}

describe('Google OAuth: authorization code flow through google-auth-library', () => {
  it('completes PKCE through the consent page and returns access, refresh and id tokens', async () => {
    const { tokens, redirect } = await authorize(env, { email: 'alice@example.com', prompt: 'consent' });
    expect(redirect.origin + redirect.pathname).toBe(TEST_CLIENT.redirectUri);
    expect(redirect.searchParams.get('state')).toBe('st-1');
    expect(redirect.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', SCOPES.calendar, 'https://www.googleapis.com/auth/userinfo.email']));
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.id_token?.split('.')).toHaveLength(3);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expiry_date).toBeGreaterThan(Date.now() + 3_500_000);
  });

  it('issues a refresh token again only when the consent screen is forced with prompt=consent', async () => {
    await authorize(env, { email: 'bob@example.com', prompt: 'consent' });
    const again = await authorize(env, { email: 'bob@example.com' });
    expect(again.tokens.access_token).toBeTruthy();
    expect(again.tokens.refresh_token).toBeUndefined();
    expect(again.redirect.searchParams.get('prompt')).toBe('none');
    const forced = await authorize(env, { email: 'bob@example.com', prompt: 'consent' });
    expect(forced.tokens.refresh_token).toBeTruthy();
  });

  it('gives no refresh token to online access even on first consent', async () => {
    const email = `online-${Date.now()}@example.com`;
    env.google.control.createAccount({ email });
    const { tokens } = await authorize(env, { email, accessType: 'online' });
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refreshes an expired access token by itself and keeps the refresh token (no rotation)', async () => {
    const { client, tokens } = await authorize(env, { email: 'carol@example.com', prompt: 'consent' });
    const emitted: Credentials[] = [];
    // Copy at emission: the library later adds the old refresh token to the same object.
    client.on('tokens', (t) => emitted.push({ ...t }));
    env.core.clock.advance(3_600_000);
    client.setCredentials({ ...tokens, expiry_date: Date.now() - 1000 });
    const cal = calendarClient(env, client);
    const res = await cal.calendarList.list();
    expect(res.status).toBe(200);
    expect(emitted).toHaveLength(1);
    expect(emitted[0]?.access_token).not.toBe(tokens.access_token);
    expect(emitted[0]?.refresh_token).toBeUndefined();
    expect(client.credentials.refresh_token).toBe(tokens.refresh_token);
    // The old access token is expired on the emulator clock.
    const stale = oauthClient(env);
    stale.setCredentials({ access_token: tokens.access_token ?? '' });
    await expect(calendarClient(env, stale).calendarList.list({}, { retry: false })).rejects.toMatchObject({ status: 401 });
  });

  it('verifyIdToken accepts the id_token against the emulator certificates', async () => {
    const { client, tokens } = await authorize(env, { email: 'alice@example.com', scopes: ['openid', 'email', 'profile', SCOPES.calendar] });
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token ?? '', audience: TEST_CLIENT.clientId });
    const payload = ticket.getPayload();
    expect(payload?.iss).toBe('https://accounts.google.com');
    expect(payload?.aud).toBe(TEST_CLIENT.clientId);
    expect(payload?.sub).toMatch(/^\d{21}$/);
    expect(payload?.sub).toBe(accountByEmail(env, 'alice@example.com').id);
    expect(payload?.email).toBe('alice@example.com');
    expect(payload?.email_verified).toBe(true);
    expect(payload?.name).toBe('Alice Sandbox');
    await expect(client.verifyIdToken({ idToken: tokens.id_token ?? '', audience: 'someone-else' })).rejects.toThrow(/Wrong recipient/);
  });

  it('describes a token through tokeninfo and userinfo', async () => {
    const { client, tokens } = await authorize(env, { email: 'alice@example.com' });
    const info = await client.getTokenInfo(tokens.access_token ?? '');
    expect(info.aud).toBe(TEST_CLIENT.clientId);
    expect(info.scopes).toContain(SCOPES.calendar);
    expect(info.email).toBe('alice@example.com');
    const me = await client.request<{ sub: string; email: string }>({ url: env.google.userInfoUrl });
    expect(me.data.email).toBe('alice@example.com');
  });

  it('sends the user back with error=access_denied when they deny', async () => {
    const client = oauthClient(env);
    const url = client.generateAuthUrl({ scope: [SCOPES.calendar], state: 'xyz', access_type: 'offline' });
    const redirect = await submitConsent(url, { decision: 'deny' });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe('xyz');
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it('shows the consent form with the login_hint account selected, and skips it with autoConsent', async () => {
    const client = oauthClient(env);
    const url = client.generateAuthUrl({ scope: [SCOPES.calendar], login_hint: 'bob@example.com' });
    const page = await fetch(url);
    const form = parseConsentForm(await page.text());
    expect(form.accounts.find((a) => a.selected)?.value).toBe(accountByEmail(env, 'bob@example.com').id);
    env.google.control.updateSettings({ autoConsent: true });
    const auto = await fetch(url, { redirect: 'manual' });
    expect(auto.status).toBe(302);
    expect(new URL(auto.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
  });

  it('refuses unregistered redirect URIs and unknown clients on an error page, without redirecting', async () => {
    const bad = oauthClient(env).generateAuthUrl({ scope: [SCOPES.calendar], redirect_uri: 'http://evil.example/cb' });
    const res = await fetch(bad, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri_mismatch');
    const unknown = await fetch(`${env.google.authUrl}?client_id=nope&redirect_uri=${encodeURIComponent(TEST_CLIENT.redirectUri)}&scope=openid&response_type=code`, { redirect: 'manual' });
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('invalid_client');
  });

  it('grants only the ticked scopes under granular consent, and all granted scopes with include_granted_scopes', async () => {
    const email = `granular-${Date.now()}@example.com`;
    env.google.control.createAccount({ email });
    const client = oauthClient(env);
    const url = client.generateAuthUrl({ scope: ['openid', SCOPES.events, SCOPES.calendarListReadonly], login_hint: email, enable_granular_consent: true });
    const redirect = await submitConsent(url, { scopes: [SCOPES.events] });
    expect(redirect.searchParams.get('scope')?.split(' ').sort()).toEqual(['openid', SCOPES.events].sort());
    const more = await authorize(env, { email, scopes: [SCOPES.calendarListReadonly], includeGrantedScopes: true });
    expect(more.tokens.scope?.split(' ').sort()).toEqual(['openid', SCOPES.events, SCOPES.calendarListReadonly].sort());
  });
});

describe('Google OAuth: token endpoint errors', () => {
  async function freshCode(): Promise<{ code: string; codeVerifier: string }> {
    const client = oauthClient(env);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({ scope: [SCOPES.calendar], code_challenge: codeChallenge, code_challenge_method: 'S256' as never, login_hint: 'alice@example.com' });
    const redirect = await submitConsent(url);
    return { code: redirect.searchParams.get('code') ?? '', codeVerifier };
  }

  it('rejects a wrong client secret with 401 invalid_client', async () => {
    const { code, codeVerifier } = await freshCode();
    const client = oauthClient(env);
    (client as unknown as { _clientSecret: string })._clientSecret = 'wrong';
    expect(await tokenError(client.getToken({ code, codeVerifier }))).toMatchObject({ status: 401, error: 'invalid_client' });
  });

  it('accepts the client secret in a Basic header', async () => {
    const { code, codeVerifier } = await freshCode();
    const { tokens } = await oauthClient(env, { clientAuthentication: 'ClientSecretBasic' }).getToken({ code, codeVerifier });
    expect(tokens.access_token).toBeTruthy();
  });

  it('needs the PKCE verifier, the exact redirect URI, and an unused, unexpired code', async () => {
    const a = await freshCode();
    expect(await tokenError(oauthClient(env).getToken({ code: a.code }))).toMatchObject({ status: 400, error: 'invalid_grant', description: 'Missing code verifier.' });
    expect(await tokenError(oauthClient(env).getToken({ code: a.code, codeVerifier: 'x'.repeat(43) }))).toMatchObject({ error: 'invalid_grant' });
    expect(await tokenError(oauthClient(env).getToken({ code: a.code, codeVerifier: a.codeVerifier, redirect_uri: 'http://127.0.0.1:9/other' }))).toMatchObject({
      error: 'redirect_uri_mismatch',
    });
    await oauthClient(env).getToken({ code: a.code, codeVerifier: a.codeVerifier });
    expect(await tokenError(oauthClient(env).getToken({ code: a.code, codeVerifier: a.codeVerifier }))).toMatchObject({ error: 'invalid_grant' });

    const b = await freshCode();
    env.core.clock.advance(11 * 60_000);
    expect(await tokenError(oauthClient(env).getToken({ code: b.code, codeVerifier: b.codeVerifier }))).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('Google OAuth: why refresh tokens die (invalid_grant)', () => {
  async function grant(email: string, scopes = [SCOPES.calendar]) {
    return authorize(env, { email, scopes, prompt: 'consent' });
  }

  for (const cause of ['revoked', 'unused', 'token_limit', 'time_limited', 'testing_mode', 'session_policy'] as const) {
    it(`surfaces "${cause}" as a GaxiosError with invalid_grant on refresh`, async () => {
      const email = `${cause}-${Date.now()}@example.com`;
      const account = env.google.control.createAccount({ email });
      const { client } = await grant(email);
      expect((await client.refreshAccessToken()).credentials.access_token).toBeTruthy();
      expect(env.google.control.expireRefreshTokens({ accountId: account.id, cause }).affected).toBeGreaterThan(0);
      const err = await client.refreshAccessToken().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GaxiosError);
      expect((err as GaxiosError<{ error: string }>).response?.data.error).toBe('invalid_grant');
      if (cause === 'session_policy') expect((err as GaxiosError).message).toMatch(/invalid_rapt/);
    });
  }

  it('kills Gmail-scoped grants on a password change and keeps Calendar-only grants', async () => {
    const email = `password-${Date.now()}@example.com`;
    const account = env.google.control.createAccount({ email });
    const calendarOnly = await grant(email);
    const otherClient = env.google.control.registerClient({ clientId: 'mail-app', clientSecret: 's', redirectUris: [TEST_CLIENT.redirectUri] });
    expect(otherClient.clientId).toBe('mail-app');
    env.google.control.changePassword(account.id);
    await expect(calendarOnly.client.refreshAccessToken()).resolves.toBeTruthy();
    const withGmail = await grant(email, [SCOPES.calendar, SCOPES.gmailReadonly]);
    env.google.control.changePassword(account.id);
    expect((await tokenError(withGmail.client.refreshAccessToken())).error).toBe('invalid_grant');
  });

  it('expires refresh tokens by the clock: six months unused, Testing apps after 7 days, time-limited grants', async () => {
    const idle = `idle-${Date.now()}@example.com`;
    env.google.control.createAccount({ email: idle });
    const a = await grant(idle);
    env.core.clock.advance(184 * 86_400_000);
    expect((await tokenError(a.client.refreshAccessToken())).description).toBe('Token has been expired or revoked.');
    env.core.clock.reset();

    env.google.control.registerClient({ clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, redirectUris: [TEST_CLIENT.redirectUri], publishingStatus: 'testing' });
    const testing = `testing-${Date.now()}@example.com`;
    env.google.control.createAccount({ email: testing });
    const b = await grant(testing);
    expect((b.tokens as { refresh_token_expires_in?: number }).refresh_token_expires_in).toBeGreaterThan(600_000);
    env.core.clock.advance(6 * 86_400_000);
    await expect(b.client.refreshAccessToken()).resolves.toBeTruthy();
    env.core.clock.advance(2 * 86_400_000);
    expect((await tokenError(b.client.refreshAccessToken())).error).toBe('invalid_grant');
    env.google.control.registerClient({ clientId: TEST_CLIENT.clientId, clientSecret: TEST_CLIENT.clientSecret, redirectUris: [TEST_CLIENT.redirectUri] });
    env.core.clock.reset();

    env.google.control.updateSettings({ timeLimitedGrantSeconds: 3600 });
    const limited = `limited-${Date.now()}@example.com`;
    env.google.control.createAccount({ email: limited });
    const c = await grant(limited);
    expect((c.tokens as { refresh_token_expires_in?: number }).refresh_token_expires_in).toBeLessThanOrEqual(3600);
    env.core.clock.advance(3601_000);
    expect((await tokenError(c.client.refreshAccessToken())).error).toBe('invalid_grant');
  });

  it('silently kills the oldest refresh token over the per-client limit', async () => {
    env.google.control.updateSettings({ refreshTokenLimit: 2 });
    const email = `limit-${Date.now()}@example.com`;
    env.google.control.createAccount({ email });
    const first = await grant(email);
    const second = await grant(email);
    await grant(email);
    expect((await tokenError(first.client.refreshAccessToken())).error).toBe('invalid_grant');
    await expect(second.client.refreshAccessToken()).resolves.toBeTruthy();
  });

  it('revoking either token kills the whole grant; unknown tokens get invalid_token', async () => {
    const email = `revoke-${Date.now()}@example.com`;
    env.google.control.createAccount({ email });
    const { client, tokens } = await grant(email);
    const other = await authorize(env, { email, scopes: [SCOPES.calendar] });
    await client.revokeToken(tokens.refresh_token ?? '');
    await expect(calendarClient(env, other.client).calendarList.list({}, { retry: false })).rejects.toMatchObject({ status: 401 });
    expect((await tokenError(client.refreshAccessToken())).error).toBe('invalid_grant');
    expect(await tokenError(client.revokeToken('not-a-token'))).toMatchObject({ status: 400, error: 'invalid_token' });
    const again = await authorize(env, { email, scopes: [SCOPES.calendar] });
    expect(again.tokens.refresh_token).toBeTruthy();
  });
});
