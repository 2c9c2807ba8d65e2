import type { RefreshTokenDeath } from '@calendar-sync-hub/emulators';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../../../src/providers/calendar-provider.js';
import { isLinkRefusedError, type LinkRefusedError } from '../../../src/providers/provider-auth.js';
import { createGoogleCalendarModule } from '../../../src/providers/google-calendar/google-calendar.module.js';
import type { GoogleCalendarProvider } from '../../../src/providers/google-calendar/google-calendar.provider.js';
import { SCOPES, TEST_CLIENT } from '../../helpers/google-emulator.js';
import {
  capturingLogger,
  consentAndRedeem,
  linkAccount,
  MemoryTokenStore,
  newAccount,
  pkcePair,
  startGoogleProviderEnv,
  type GoogleProviderEnv,
} from '../../helpers/google-provider-harness.js';
import { submitConsent } from '../../helpers/google-consent.js';

const HOUR = 3_600_000;

let p: GoogleProviderEnv;
beforeAll(async () => {
  p = await startGoogleProviderEnv();
});
afterAll(async () => {
  await p?.close();
});
afterEach(() => {
  // Id tokens carry the emulator's time; a clock left ahead would make the next link's token "used too early".
  p.env.core.clock.reset();
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const e = await failure(promise);
  if (!isProviderError(e)) throw new Error(`expected a ProviderError, got ${String(e)}`);
  return e;
}

async function refusal(promise: Promise<unknown>): Promise<LinkRefusedError> {
  const e = await failure(promise);
  if (!isLinkRefusedError(e)) throw new Error(`expected a LinkRefusedError, got ${String(e)}`);
  return e;
}

describe('GoogleAuth', () => {
  it('asks for offline access with forced consent, PKCE S256, least-privilege scopes and the exact redirect URI', async () => {
    const url = new URL(await p.module.auth.authorizationUrl({ state: 'st-42', codeChallenge: 'challenge-value', redirectUri: TEST_CLIENT.redirectUri, loginHint: 'a@example.com' }));
    expect(url.origin + url.pathname).toBe(p.env.google.authUrl);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      client_id: TEST_CLIENT.clientId,
      redirect_uri: TEST_CLIENT.redirectUri,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      state: 'st-42',
      login_hint: 'a@example.com',
      code_challenge: 'challenge-value',
      code_challenge_method: 'S256',
    });
    expect(q.scope?.split(' ').sort()).toEqual([SCOPES.calendarListReadonly, SCOPES.events, 'email', 'openid'].sort());
    expect(p.module.auth.slug).toBe('google-calendar');
  });

  it('links an account: identity from the verified id token, the granted scopes, and a token blob with a refresh token but no id token', async () => {
    const account = newAccount(p.env);
    const { redemption } = await consentAndRedeem(p, account.email);
    expect(redemption!.account).toEqual({ accountId: account.id, email: account.email, displayName: null, directoryId: null, homeAccountId: null });
    expect(redemption!.grantedScopes).toEqual(expect.arrayContaining([SCOPES.events, SCOPES.calendarListReadonly]));
    const blob = JSON.parse(redemption!.tokenBlob) as Record<string, unknown>;
    expect(blob).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), expiry_date: expect.any(Number), token_type: 'Bearer' });
    expect(blob).not.toHaveProperty('id_token');
  });

  it('gets a working refresh token on every consent, so a relink keeps working', async () => {
    const account = newAccount(p.env);
    const first = await linkAccount(p, { account });
    const second = await linkAccount(p, { account });
    expect(second.tokens.tokens.refresh_token).toBeTruthy();
    expect(second.tokens.tokens.refresh_token).not.toBe(first.tokens.tokens.refresh_token);
    p.env.core.clock.advance(2 * HOUR);
    expect((await second.provider.listCalendars()).length).toBeGreaterThan(0);
  });

  it('refuses the link with SCOPES_MISSING and a tip when the calendar permission is unticked on granular consent', async () => {
    const account = newAccount(p.env);
    const e = await refusal(
      consentAndRedeem(p, account.email, {
        editUrl: (url) => url.searchParams.set('enable_granular_consent', 'true'),
        scopes: [SCOPES.calendarListReadonly],
      }),
    );
    expect(e.reason).toBe('SCOPES_MISSING');
    expect(e.message).toMatch(/events/);
    expect(e.tip).toMatch(/ticked/);
  });

  it('refuses a grant that carries no refresh token, because the hub could not sync offline', async () => {
    const account = newAccount(p.env);
    await linkAccount(p, { account });
    // Without prompt=consent Google skips the consent screen for an existing grant and issues no refresh token (docs/providers.md#google-consent).
    const e = await refusal(consentAndRedeem(p, account.email, { editUrl: (url) => url.searchParams.delete('prompt') }));
    expect(e.reason).toBe('SCOPES_MISSING');
    expect(e.message).toMatch(/offline access/);
    expect(e.tip).toBeTruthy();
  });

  it('describes a declined consent as ACCESS_DENIED with a relink tip', async () => {
    const account = newAccount(p.env);
    const { redirect, redemption } = await consentAndRedeem(p, account.email, { decision: 'deny' });
    expect(redemption).toBeNull();
    const e = p.module.auth.describeCallbackError({ error: redirect.searchParams.get('error') ?? '', errorDescription: redirect.searchParams.get('error_description') });
    expect(e.reason).toBe('ACCESS_DENIED');
    expect(e.message).toMatch(/declined/);
    expect(e.tip).toBeTruthy();
    expect(p.module.auth.describeCallbackError({ error: 'admin_policy_enforced', errorDescription: null }).reason).toBe('ACCOUNT_UNSUPPORTED');
  });

  it('refuses a code redeemed with a verifier that does not match the challenge', async () => {
    const account = newAccount(p.env);
    const { codeChallenge } = pkcePair();
    const url = await p.module.auth.authorizationUrl({ state: 's', codeChallenge, redirectUri: TEST_CLIENT.redirectUri, loginHint: account.email });
    const code = (await submitConsent(url)).searchParams.get('code')!;
    const e = await refusal(p.module.auth.redeemCode({ code, codeVerifier: pkcePair().codeVerifier, redirectUri: TEST_CLIENT.redirectUri }));
    expect(e.reason).toBe('INVALID_REQUEST');
    expect(e.tip).toMatch(/linking again/);
  });

  it('revoke() kills the grant: the next call needs a relink, and revoking again is fine', async () => {
    const linked = await linkAccount(p);
    await linked.provider.listCalendars();
    await p.module.auth.revoke!(linked.tokens.blob!);
    const e = await providerError(linked.provider.listCalendars());
    expect(e.code).toBe('AUTH_REVOKED');
    await expect(p.module.auth.revoke!(linked.tokens.blob!)).resolves.toBeUndefined();
  });
});

describe('GoogleCalendarProvider credentials', () => {
  it('persists the library’s automatic refresh through the TokenStore, keeping the refresh token', async () => {
    const linked = await linkAccount(p);
    const before = linked.tokens.tokens;
    // The stored access token is past its expiry, at the emulator and for the library alike.
    linked.tokens.blob = JSON.stringify({ ...before, expiry_date: Date.now() - 1000 });
    p.env.core.clock.advance(2 * HOUR);
    const provider = p.module.connect({ connectionId: 'c1', accountId: linked.account.id, homeAccountId: null, tokens: linked.tokens, logger: p.logger }) as GoogleCalendarProvider;
    await provider.listCalendars();
    await provider.flushTokens();
    const after = linked.tokens.tokens;
    expect(linked.tokens.saves).toHaveLength(1);
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).toBe(before.refresh_token);
    expect(after.expiry_date).toBeGreaterThan(Date.now());
    expect(p.env.core.counters.total({ provider: 'google', route: 'google.calendarList.list', account: linked.account.id }).requests).toBe(1);
  });

  it('renews an access token Google stopped accepting before its expiry date, and saves it', async () => {
    const linked = await linkAccount(p);
    const before = linked.tokens.tokens;
    p.env.core.clock.advance(2 * HOUR);
    expect((await linked.provider.listCalendars()).length).toBeGreaterThan(0);
    await linked.provider.flushTokens();
    expect(linked.tokens.saves).toHaveLength(1);
    expect(linked.tokens.tokens.access_token).not.toBe(before.access_token);
    expect(linked.tokens.tokens.refresh_token).toBe(before.refresh_token);
  });

  for (const cause of ['revoked', 'unused', 'token_limit', 'time_limited', 'testing_mode', 'session_policy'] as RefreshTokenDeath[]) {
    it(`reports a refresh token dead from "${cause}" as AUTH_REVOKED (invalid_grant)`, async () => {
      const linked = await linkAccount(p);
      await linked.provider.listCalendars();
      p.env.google.control.expireRefreshTokens({ accountId: linked.account.id, clientId: TEST_CLIENT.clientId, cause });
      p.env.core.clock.advance(2 * HOUR);
      const e = await providerError(linked.provider.listCalendars());
      expect(e.code).toBe('AUTH_REVOKED');
      expect(e.details.providerCode).toBe('invalid_grant');
      expect(e.message).toMatch(/linked again/);
    });
  }

  it('keeps working after a password change, because the grant holds no Gmail scope', async () => {
    const linked = await linkAccount(p);
    p.env.google.control.expireRefreshTokens({ accountId: linked.account.id, clientId: TEST_CLIENT.clientId, cause: 'password_change' });
    p.env.core.clock.advance(2 * HOUR);
    expect((await linked.provider.listCalendars()).length).toBeGreaterThan(0);
  });

  it('reports a link without stored credentials as AUTH_REVOKED', async () => {
    const provider = p.module.connect({ connectionId: 'c0', accountId: 'x', homeAccountId: null, tokens: new MemoryTokenStore(null), logger: p.logger });
    expect((await providerError(provider.listCalendars())).code).toBe('AUTH_REVOKED');
    const garbled = p.module.connect({ connectionId: 'c0', accountId: 'x', homeAccountId: null, tokens: new MemoryTokenStore('not json'), logger: p.logger });
    expect((await providerError(garbled.listCalendars())).code).toBe('AUTH_REVOKED');
  });

  it('never puts a token in an error message or a log line', async () => {
    const { logger, lines } = capturingLogger('debug');
    const module = createGoogleCalendarModule(p.settings, { logger });
    const account = newAccount(p.env);
    const { redemption } = await consentAndRedeem({ ...p, module }, account.email);
    const tokens = new MemoryTokenStore(redemption!.tokenBlob);
    const secrets = [tokens.tokens.access_token!, tokens.tokens.refresh_token!];
    const provider = module.connect({ connectionId: 'c-log', accountId: account.id, homeAccountId: null, tokens, logger }) as GoogleCalendarProvider;
    const messages: string[] = [];
    const rule = p.env.google.control.injectUsageLimit({ account: account.id, route: 'google.calendarList.list', retryAfterSeconds: 0, trigger: { mode: 'times', count: 1 } });
    await provider.listCalendars();
    p.env.core.faults.remove(rule.id);
    p.env.core.clock.advance(2 * HOUR);
    await provider.listCalendars();
    await provider.flushTokens();
    secrets.push(tokens.tokens.access_token!);
    await module.auth.revoke!(tokens.blob!);
    const calls = [() => provider.listCalendars(), () => module.auth.redeemCode({ code: secrets[1]!, codeVerifier: pkcePair().codeVerifier, redirectUri: TEST_CLIENT.redirectUri })];
    for (const call of calls) {
      const e = (await failure(call())) as Error;
      messages.push(e.message, String((e as LinkRefusedError).tip ?? ''));
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const text of [...lines, ...messages]) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
