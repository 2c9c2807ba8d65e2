import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { CryptoProvider, InteractionRequiredAuthError, ServerError, type ICachePlugin } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestGraphClient, createTestMsal, driveConsent, signIn, startMicrosoftTestEnv, TEST_SCOPES, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

const ADELE = 'adele.vance@contoso.onmicrosoft.com';
const ALEX = 'alex.wilber@contoso.onmicrosoft.com';
const MEGAN = 'megan.bowen@outlook.com';

let env: MicrosoftTestEnv;
beforeAll(async () => {
  env = await startMicrosoftTestEnv();
});
afterAll(async () => env?.close());

function memoryCache(): ICachePlugin & { blob: string } {
  const plugin = {
    blob: '',
    async beforeCacheAccess(ctx: { tokenCache: { deserialize(s: string): void } }) {
      if (plugin.blob) ctx.tokenCache.deserialize(plugin.blob);
    },
    async afterCacheAccess(ctx: { cacheHasChanged: boolean; tokenCache: { serialize(): string } }) {
      if (ctx.cacheHasChanged) plugin.blob = ctx.tokenCache.serialize();
    },
  };
  return plugin as ICachePlugin & { blob: string };
}

const refreshSecrets = (blob: string): string[] => Object.values((JSON.parse(blob) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken).map((r) => r.secret);

async function codeFor(account: string, opts: { challenge?: string; method?: 'S256' | 'plain'; tenant?: string } = {}) {
  const { msal } = createTestMsal(env, { tenant: opts.tenant });
  const pkce = await new CryptoProvider().generatePkceCodes();
  const url = await msal.getAuthCodeUrl({
    scopes: TEST_SCOPES,
    redirectUri: env.client.redirectUri,
    codeChallenge: opts.challenge ?? pkce.challenge,
    codeChallengeMethod: opts.method ?? 'S256',
    loginHint: account,
  });
  const redirect = await driveConsent(env, url);
  return { msal, pkce, redirect, code: redirect.searchParams.get('code') };
}

describe('Microsoft identity emulator through MSAL node', () => {
  it('serves OpenID metadata, instance discovery and a JWKS that verifies the RS256 id_token', async () => {
    const meta = (await (await env.fetch(`${env.ms.authority('common')}v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(meta.authorization_endpoint).toBe(`${env.ms.origin}/common/oauth2/v2.0/authorize`);
    expect(meta.token_endpoint).toBe(`${env.ms.origin}/common/oauth2/v2.0/token`);
    const discovery = (await (await env.fetch(`${env.ms.origin}/common/discovery/instance?api-version=1.1&authorization_endpoint=x`)).json()) as { metadata: { aliases: string[] }[] };
    expect(discovery.metadata[0]!.aliases).toContain(env.ms.authorityHost);

    const { msal } = createTestMsal(env);
    const { result } = await signIn(env, msal, ADELE);
    const [header, payload, signature] = result.idToken.split('.');
    const jwks = (await (await env.fetch(meta.jwks_uri!)).json()) as { keys: (JsonWebKey & { kid: string })[] };
    const kid = (JSON.parse(Buffer.from(header!, 'base64url').toString()) as { kid: string }).kid;
    const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid)!, format: 'jwk' });
    expect(verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature!, 'base64url'))).toBe(true);
    expect(result.idTokenClaims).toMatchObject({ aud: env.client.clientId, preferred_username: ADELE, ver: '2.0', tid: env.ms.defaultTenantId });
    expect(result.account?.homeAccountId).toBe(`${(result.idTokenClaims as { oid: string }).oid}.${env.ms.defaultTenantId}`);
  });

  it('completes code + PKCE and checks the nonce MSAL passes along', async () => {
    const { msal } = createTestMsal(env);
    const pkce = await new CryptoProvider().generatePkceCodes();
    const url = await msal.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256', loginHint: ALEX, nonce: 'nonce-42', state: 'xyz' });
    const redirect = await driveConsent(env, url);
    expect(redirect.searchParams.get('state')).toBe('xyz');
    const code = redirect.searchParams.get('code')!;
    const result = await msal.acquireTokenByCode({ code, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: pkce.verifier, nonce: 'nonce-42' }, { code, nonce: 'nonce-42' });
    expect((result.idTokenClaims as { nonce?: string }).nonce).toBe('nonce-42');
    const me = await createTestGraphClient(env, result.accessToken).api('/me').get();
    expect(me.userPrincipalName).toBe(ALEX);
  });

  it('rotates the refresh token on a forced silent refresh (visible in the serialized cache)', async () => {
    const cache = memoryCache();
    const { msal } = createTestMsal(env, { cachePlugin: cache });
    const { result } = await signIn(env, msal, ADELE);
    const before = refreshSecrets(cache.blob);
    expect(before).toHaveLength(1);
    const account = (await msal.getTokenCache().getAccountByHomeId(result.account!.homeAccountId))!;
    const refreshed = await msal.acquireTokenSilent({ account, scopes: ['Calendars.ReadWrite'], forceRefresh: true });
    const after = refreshSecrets(cache.blob);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
    expect(refreshed.accessToken).not.toBe(result.accessToken);
  });

  it('fails the silent refresh with invalid_grant AADSTS50173 once the grant is revoked', async () => {
    const { msal } = createTestMsal(env);
    const { result } = await signIn(env, msal, MEGAN);
    env.ms.control.revokeGrant(MEGAN);
    const account = (await msal.getTokenCache().getAccountByHomeId(result.account!.homeAccountId))!;
    const error = await msal.acquireTokenSilent({ account, scopes: ['Calendars.ReadWrite'], forceRefresh: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: 'invalid_grant', errorNo: 50173 });
    // With continuous access evaluation the old access token dies too.
    const graphError = await createTestGraphClient(env, result.accessToken).api('/me').get().catch((e: unknown) => e);
    expect(graphError).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
  });

  it('surfaces forced refresh failures with their AADSTS codes (700082, 70008) and interaction_required as InteractionRequiredAuthError', async () => {
    const cases = [
      { cause: 'inactive', errorNo: 700082 },
      { cause: 'expired', errorNo: 70008 },
    ] as const;
    for (const c of cases) {
      const email = `refresh-${c.cause}@contoso.onmicrosoft.com`;
      env.ms.control.createAccount({ email });
      const { msal } = createTestMsal(env);
      const { result } = await signIn(env, msal, email);
      env.ms.control.failRefreshTokens(email, c.cause);
      const account = (await msal.getTokenCache().getAccountByHomeId(result.account!.homeAccountId))!;
      const error = await msal.acquireTokenSilent({ account, scopes: ['Calendars.ReadWrite'], forceRefresh: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: 'invalid_grant', errorNo: c.errorNo });
    }
    env.ms.control.createAccount({ email: 'mfa@contoso.onmicrosoft.com' });
    const { msal } = createTestMsal(env);
    const { result } = await signIn(env, msal, 'mfa@contoso.onmicrosoft.com');
    env.ms.control.failRefreshTokens('mfa@contoso.onmicrosoft.com', 'interaction_required');
    const account = (await msal.getTokenCache().getAccountByHomeId(result.account!.homeAccountId))!;
    const error = await msal.acquireTokenSilent({ account, scopes: ['Calendars.ReadWrite'], forceRefresh: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
  });

  it('expires refresh tokens after 90 days of inactivity on the emulator clock', async () => {
    const email = 'sleepy@contoso.onmicrosoft.com';
    env.ms.control.createAccount({ email });
    const { msal } = createTestMsal(env);
    const { result } = await signIn(env, msal, email);
    env.core.clock.advance(91 * 86_400_000);
    try {
      const account = (await msal.getTokenCache().getAccountByHomeId(result.account!.homeAccountId))!;
      const error = await msal.acquireTokenSilent({ account, scopes: ['Calendars.ReadWrite'], forceRefresh: true }).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: 'invalid_grant', errorNo: 700082 });
    } finally {
      env.core.clock.reset();
    }
  });

  it('rejects a PKCE verifier that does not match (AADSTS50148) and a reused code (AADSTS54005)', async () => {
    const { msal, code, pkce } = await codeFor(ADELE);
    const wrong = await msal.acquireTokenByCode({ code: code!, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: `${pkce.verifier}x` }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ errorCode: 'invalid_grant', errorNo: 50148 });

    const second = await codeFor(ADELE);
    await second.msal.acquireTokenByCode({ code: second.code!, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: second.pkce.verifier });
    const reused = await second.msal.acquireTokenByCode({ code: second.code!, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: second.pkce.verifier }).catch((e: unknown) => e);
    expect(reused).toMatchObject({ errorCode: 'invalid_grant', errorNo: 54005 });
  });

  it('accepts plain PKCE and expires codes after 10 minutes (AADSTS70008)', async () => {
    const plain = await codeFor(ADELE, { challenge: 'plain-verifier-0123456789-0123456789-0123456789', method: 'plain' });
    const ok = await plain.msal.acquireTokenByCode({ code: plain.code!, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: 'plain-verifier-0123456789-0123456789-0123456789' });
    expect(ok.accessToken).toBeTruthy();

    const late = await codeFor(ADELE);
    env.core.clock.advance(11 * 60_000);
    try {
      const error = await late.msal.acquireTokenByCode({ code: late.code!, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: late.pkce.verifier }).catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: 'invalid_grant', errorNo: 70008 });
    } finally {
      env.core.clock.reset();
    }
  });

  it('rejects a wrong client secret with invalid_client AADSTS7000215', async () => {
    const { code, pkce } = await codeFor(ADELE);
    const { msal } = createTestMsal(env, { clientSecret: 'not-the-secret' });
    const error = await msal.acquireTokenByCode({ code: code!, scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, codeVerifier: pkce.verifier }).catch((e: unknown) => e);
    expect(error).toMatchObject({ errorCode: 'invalid_client', errorNo: 7000215 });
  });

  it('shows an error page instead of redirecting to an unregistered redirect URI (AADSTS50011)', async () => {
    const { msal } = createTestMsal(env);
    const url = await msal.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: 'https://evil.example/callback' });
    const res = await env.fetch(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('AADSTS50011');
  });

  it('answers a denied consent with access_denied on the redirect', async () => {
    const { msal } = createTestMsal(env);
    const url = await msal.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, state: 's1', loginHint: ADELE });
    const redirect = await driveConsent(env, url, { decision: 'deny' });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
    expect(redirect.searchParams.get('state')).toBe('s1');
  });

  it('refuses a personal account on /organizations (AADSTS500200) and a work account on /consumers (AADSTS50020)', async () => {
    const org = createTestMsal(env, { tenant: 'organizations' }).msal;
    const orgUrl = await org.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, loginHint: MEGAN });
    const refused = await driveConsent(env, orgUrl);
    expect(refused.searchParams.get('error_description')).toMatch(/^AADSTS500200/);

    const consumers = createTestMsal(env, { tenant: 'consumers' }).msal;
    const consumersUrl = await consumers.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, loginHint: ADELE });
    expect((await driveConsent(env, consumersUrl)).searchParams.get('error_description')).toMatch(/^AADSTS50020/);

    const ok = await signIn(env, consumers, MEGAN);
    expect(ok.result.tenantId).toBe('9188040d-6c67-4c5b-b112-36a304b66dad');
  });

  it('skips the consent page when autoConsent is on, and answers prompt=none without consent with consent_required', async () => {
    env.ms.control.updateSettings({ autoConsent: true });
    try {
      const { msal } = createTestMsal(env);
      const url = await msal.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, loginHint: ALEX });
      const res = await env.fetch(url);
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    } finally {
      env.ms.control.updateSettings({ autoConsent: false });
    }
    env.ms.control.createAccount({ email: 'fresh@contoso.onmicrosoft.com' });
    const { msal } = createTestMsal(env);
    const url = await msal.getAuthCodeUrl({ scopes: TEST_SCOPES, redirectUri: env.client.redirectUri, loginHint: 'fresh@contoso.onmicrosoft.com', prompt: 'none' });
    const res = await env.fetch(url);
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('consent_required');
  });

  it('lets an account without a mailbox sign in but fails its calendar calls with MailboxNotEnabledForRESTAPI', async () => {
    const { msal } = createTestMsal(env);
    const { result } = await signIn(env, msal, 'lee.gu@contoso.onmicrosoft.com');
    const graph = createTestGraphClient(env, result.accessToken);
    expect((await graph.api('/me').get()).displayName).toBe('Lee Gu');
    const error = await graph.api('/me/calendars').get().catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 404, code: 'MailboxNotEnabledForRESTAPI' });
  });
});
