import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLinkRefusedError, type LinkRefusedError } from '../../../src/providers/provider-auth.js';
import { createMicrosoftGraphModule, type MicrosoftGraphModule } from '../../../src/providers/microsoft-graph/microsoft-graph.module.js';
import { startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../helpers/microsoft-emulator.js';
import { consent, settingsFor, silentLogger, TEST_TUNING, uniqueEmail } from '../../helpers/microsoft-provider-harness.js';

let env: MicrosoftTestEnv;
let module: MicrosoftGraphModule;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  module = createMicrosoftGraphModule(settingsFor(env), { logger: silentLogger, tuning: TEST_TUNING });
});
afterAll(async () => {
  await module?.close();
  await env?.close();
});

async function refusalOf(promise: Promise<unknown>): Promise<LinkRefusedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isLinkRefusedError(error)) throw new Error(`expected a LinkRefusedError, got ${String(error)}`);
  return error;
}

describe('MicrosoftAuth', () => {
  it('builds a consent URL with PKCE S256, the state, the exact redirect URI, least-privilege scopes and the account hint', async () => {
    const url = new URL(
      await module.auth.authorizationUrl({ state: 'st_123', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', redirectUri: env.client.redirectUri, loginHint: 'adele.vance@contoso.onmicrosoft.com' }),
    );
    expect(`${url.origin}${url.pathname}`).toBe(`${env.ms.origin}/common/oauth2/v2.0/authorize`);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe(env.client.clientId);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(env.client.redirectUri);
    expect(q.get('state')).toBe('st_123');
    expect(q.get('code_challenge')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('login_hint')).toBe('adele.vance@contoso.onmicrosoft.com');
    expect(q.get('prompt')).toBeNull();
    expect(q.get('scope')!.split(' ')).toEqual(expect.arrayContaining(['offline_access', 'User.Read', 'Calendars.ReadWrite', 'openid', 'profile']));
    expect(q.get('scope')!.split(' ')).not.toContain('Calendars.ReadWrite.Shared');
  });

  it('lets the user pick an account when no account is hinted', async () => {
    const url = new URL(await module.auth.authorizationUrl({ state: 'st_456', codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', redirectUri: env.client.redirectUri, loginHint: null }));
    expect(url.searchParams.get('prompt')).toBe('select_account');
    expect(url.searchParams.get('login_hint')).toBeNull();
  });

  it('redeems the code into the account identity, the granted scopes and MSAL’s whole token cache', async () => {
    const email = uniqueEmail('link');
    const info = env.ms.control.createAccount({ email, displayName: 'Link Tester' });
    const { callback, pkce } = await consent(env, module, email);
    const redemption = await module.auth.redeemCode({ code: callback.searchParams.get('code')!, codeVerifier: pkce.codeVerifier, redirectUri: env.client.redirectUri });
    expect(redemption.account).toEqual({
      accountId: info.id,
      email,
      displayName: 'Link Tester',
      directoryId: info.tenantId,
      homeAccountId: `${info.id}.${info.tenantId}`,
    });
    expect(redemption.grantedScopes).toEqual(expect.arrayContaining(['Calendars.ReadWrite', 'User.Read']));
    const cache = JSON.parse(redemption.tokenBlob) as Record<string, Record<string, { secret?: string; home_account_id?: string; credential_type?: string }>>;
    expect(Object.keys(cache)).toEqual(expect.arrayContaining(['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata']));
    const refresh = Object.values(cache.RefreshToken!);
    expect(refresh).toHaveLength(1);
    expect(refresh[0]).toMatchObject({ credential_type: 'RefreshToken', home_account_id: `${info.id}.${info.tenantId}` });
    // The blob is the cache, never a bare token.
    for (const entry of [...Object.values(cache.RefreshToken!), ...Object.values(cache.AccessToken!)]) expect(redemption.tokenBlob).not.toBe(entry.secret);
  });

  it('links a personal Microsoft account when the tenant is common', async () => {
    const email = `casey-${Date.now()}@outlook.com`;
    const info = env.ms.control.createAccount({ email });
    const { callback, pkce } = await consent(env, module, email);
    const redemption = await module.auth.redeemCode({ code: callback.searchParams.get('code')!, codeVerifier: pkce.codeVerifier, redirectUri: env.client.redirectUri });
    expect(redemption.account).toMatchObject({ accountId: info.id, email, directoryId: '9188040d-6c67-4c5b-b112-36a304b66dad' });
  });

  it('refuses an account without an Exchange mailbox with a tip', async () => {
    const email = uniqueEmail('nomailbox');
    env.ms.control.createAccount({ email, mailboxEnabled: false });
    const { callback, pkce } = await consent(env, module, email);
    const refusal = await refusalOf(module.auth.redeemCode({ code: callback.searchParams.get('code')!, codeVerifier: pkce.codeVerifier, redirectUri: env.client.redirectUri }));
    expect(refusal.reason).toBe('ACCOUNT_UNSUPPORTED');
    expect(refusal.message).toMatch(/no Exchange Online mailbox/);
    expect(refusal.tip).toMatch(/Exchange/);
  });

  it('refuses a grant without calendar write access', async () => {
    const email = uniqueEmail('noscope');
    env.ms.control.createAccount({ email });
    const { callback, pkce } = await consent(env, module, email, {
      rewriteUrl: (url) => url.searchParams.set('scope', url.searchParams.get('scope')!.split(' ').filter((s) => s !== 'Calendars.ReadWrite').join(' ')),
    });
    const refusal = await refusalOf(module.auth.redeemCode({ code: callback.searchParams.get('code')!, codeVerifier: pkce.codeVerifier, redirectUri: env.client.redirectUri }));
    expect(refusal.reason).toBe('SCOPES_MISSING');
    expect(refusal.tip).toMatch(/Read and write your calendars/);
  });

  it('refuses a replayed code and a wrong PKCE verifier as a restart-the-link refusal', async () => {
    const email = uniqueEmail('replay');
    env.ms.control.createAccount({ email });
    const first = await consent(env, module, email);
    const code = first.callback.searchParams.get('code')!;
    await module.auth.redeemCode({ code, codeVerifier: first.pkce.codeVerifier, redirectUri: env.client.redirectUri });
    const replayed = await refusalOf(module.auth.redeemCode({ code, codeVerifier: first.pkce.codeVerifier, redirectUri: env.client.redirectUri }));
    expect(replayed.reason).toBe('INVALID_REQUEST');
    expect(replayed.message).toMatch(/AADSTS54005/);

    const second = await consent(env, module, email);
    const mismatch = await refusalOf(module.auth.redeemCode({ code: second.callback.searchParams.get('code')!, codeVerifier: 'x'.repeat(43), redirectUri: env.client.redirectUri }));
    expect(mismatch.reason).toBe('INVALID_REQUEST');
    expect(mismatch.message).toMatch(/AADSTS50148/);
  });

  it('explains a declined consent from the callback error', async () => {
    const email = uniqueEmail('decline');
    env.ms.control.createAccount({ email });
    const { callback } = await consent(env, module, email, { decision: 'deny' });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const refusal = module.auth.describeCallbackError({ error: callback.searchParams.get('error')!, errorDescription: callback.searchParams.get('error_description') });
    expect(refusal.reason).toBe('ACCESS_DENIED');
    expect(refusal.message).toMatch(/declined/);
  });

  it('explains why a personal account cannot link where work accounts are required, and the reverse', async () => {
    const organizations = createMicrosoftGraphModule({ ...settingsFor(env), tenant: 'organizations' }, { logger: silentLogger });
    const consumers = createMicrosoftGraphModule({ ...settingsFor(env), tenant: 'consumers' }, { logger: silentLogger });
    try {
      const personal = `pat-${Date.now()}@hotmail.com`;
      env.ms.control.createAccount({ email: personal });
      const { callback: refusedPersonal } = await consent(env, organizations, personal);
      const personalRefusal = organizations.auth.describeCallbackError({ error: refusedPersonal.searchParams.get('error')!, errorDescription: refusedPersonal.searchParams.get('error_description') });
      expect(personalRefusal).toMatchObject({ reason: 'ACCOUNT_UNSUPPORTED' });
      expect(personalRefusal.message).toMatch(/Personal Microsoft accounts .* cannot be linked here \(AADSTS500200\)/);

      const work = uniqueEmail('work');
      env.ms.control.createAccount({ email: work });
      const { callback: refusedWork } = await consent(env, consumers, work);
      const workRefusal = consumers.auth.describeCallbackError({ error: refusedWork.searchParams.get('error')!, errorDescription: refusedWork.searchParams.get('error_description') });
      expect(workRefusal).toMatchObject({ reason: 'ACCOUNT_UNSUPPORTED' });
      expect(workRefusal.message).toMatch(/AADSTS50020/);
    } finally {
      await organizations.close();
      await consumers.close();
    }
  });
});
