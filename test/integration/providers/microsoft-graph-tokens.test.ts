import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderError } from '../../../src/providers/calendar-provider.js';
import { createMicrosoftGraphModule, type MicrosoftGraphModule } from '../../../src/providers/microsoft-graph/microsoft-graph.module.js';
import { startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../helpers/microsoft-emulator.js';
import { linkAccount, MemoryTokenStore, settingsFor, silentLogger, TEST_TUNING, uniqueEmail } from '../../helpers/microsoft-provider-harness.js';

let env: MicrosoftTestEnv;
let module: MicrosoftGraphModule;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  module = createMicrosoftGraphModule(settingsFor(env), { logger: silentLogger, tuning: TEST_TUNING });
});
afterEach(() => {
  env.core.faults.clear();
  // MSAL renews tokens that expire within 5 minutes, so 60-second tokens make every call refresh.
  env.ms.control.updateSettings({ accessTokenLifetimeSeconds: 3599 });
});
afterAll(async () => {
  await module?.close();
  await env?.close();
});

type Cache = Record<string, Record<string, { secret?: string }>>;
const secretsOf = (blob: string, kind: 'RefreshToken' | 'AccessToken') => Object.values((JSON.parse(blob) as Cache)[kind] ?? {}).map((e) => e.secret!);

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

async function linked(prefix: string, opts: { shortLivedTokens?: boolean } = {}) {
  if (opts.shortLivedTokens) env.ms.control.updateSettings({ accessTokenLifetimeSeconds: 60 });
  const email = uniqueEmail(prefix);
  const info = env.ms.control.createAccount({ email });
  const link = await linkAccount(env, module, email);
  return { email, info, ...link };
}

const tokenRequests = (accountId: string) => env.core.counters.total({ provider: 'microsoft', route: 'identity.token', account: accountId }).requests;

describe('Microsoft tokens through the connection’s TokenStore', () => {
  it('refreshes silently, rotating the refresh token, and persists MSAL’s whole cache through the TokenStore', async () => {
    const { info, tokens, provider, redemption } = await linked('rotate', { shortLivedTokens: true });
    const firstRefresh = secretsOf(redemption.tokenBlob, 'RefreshToken');

    await provider.listCalendars();
    await provider.listCalendars();

    expect(tokens.saves.length).toBeGreaterThanOrEqual(2);
    const rotations = tokens.saves.map((blob) => secretsOf(blob, 'RefreshToken')[0]);
    expect(new Set([firstRefresh[0], ...rotations]).size).toBe(rotations.length + 1);
    for (const blob of tokens.saves) {
      expect(Object.keys(JSON.parse(blob) as Cache)).toEqual(expect.arrayContaining(['Account', 'AccessToken', 'RefreshToken']));
      for (const secret of [...secretsOf(blob, 'RefreshToken'), ...secretsOf(blob, 'AccessToken')]) expect(blob).not.toBe(secret);
    }
    await expect.poll(() => tokenRequests(info.id)).toBe(1 + tokens.saves.length);
  });

  it('serves a burst of calls from the cached access token without touching the token endpoint', async () => {
    const { info, tokens, provider } = await linked('cached');
    const before = tokenRequests(info.id);
    await Promise.all([provider.listCalendars(), provider.listCalendars(), provider.listCalendars()]);
    expect(tokenRequests(info.id)).toBe(before);
    expect(tokens.saves).toEqual([]);
  });

  it('lets another hub instance continue from the stored cache with the latest rotated refresh token', async () => {
    const { info, tokens, provider, redemption } = await linked('handover', { shortLivedTokens: true });
    await provider.listCalendars();
    const other = module.connect({ connectionId: 'conn_other', accountId: info.id, homeAccountId: redemption.account.homeAccountId, tokens, logger: silentLogger });
    const calendars = await other.listCalendars();
    expect(calendars.filter((c) => c.isDefault)).toHaveLength(1);
    env.ms.control.updateSettings({ allowRefreshTokenReuse: false });
    try {
      // Strict rotation: only the newest refresh token works, and both instances read it from the store.
      await provider.listCalendars();
      await other.listCalendars();
    } finally {
      env.ms.control.updateSettings({ allowRefreshTokenReuse: true });
    }
  });

  it('reports a revoked grant as AUTH_REVOKED with the AADSTS code and no token in the message', async () => {
    const { email, tokens, provider } = await linked('revoked');
    await provider.listCalendars();
    env.ms.control.revokeGrant(email);
    const error = await failureOf(provider.listCalendars());
    expect(error).toMatchObject({ code: 'AUTH_REVOKED', details: { providerCode: 'AADSTS50173' } });
    expect(error.message).toMatch(/revoked/);
    for (const secret of [...secretsOf(tokens.blob!, 'RefreshToken'), ...secretsOf(tokens.blob!, 'AccessToken')]) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.details)).not.toContain(secret);
    }
  });

  it.each([
    ['inactive', 'AADSTS700082'],
    ['expired', 'AADSTS70008'],
    ['interaction_required', 'AADSTS50076'],
    ['consent_required', 'AADSTS65001'],
  ] as const)('reports a refresh failing as %s as AUTH_REVOKED (%s)', async (cause, code) => {
    const { email, provider } = await linked(`fail-${cause}`, { shortLivedTokens: true });
    env.ms.control.failRefreshTokens(email, cause);
    expect(await failureOf(provider.listCalendars())).toMatchObject({ code: 'AUTH_REVOKED', details: { providerCode: code } });
  });

  it('reports a token endpoint outage as TRANSIENT and keeps working once it is back', async () => {
    const { email, provider } = await linked('outage', { shortLivedTokens: true });
    env.core.faults.add({ provider: 'microsoft', route: 'identity.token', account: email, action: { kind: 'status', status: 503 }, trigger: { mode: 'once' } });
    expect((await failureOf(provider.listCalendars())).code).toBe('TRANSIENT');
    expect((await provider.listCalendars()).length).toBeGreaterThan(0);
  });

  it('reports a connection whose stored cache holds no account as AUTH_REVOKED', async () => {
    const { info } = await linked('empty');
    const provider = module.connect({ connectionId: 'conn_empty', accountId: info.id, homeAccountId: null, tokens: new MemoryTokenStore(null), logger: silentLogger });
    expect((await failureOf(provider.listCalendars())).code).toBe('AUTH_REVOKED');
  });
});
