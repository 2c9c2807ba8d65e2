import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import { OAuthState } from '../../../src/store/entities/index.js';
import { CreateApiKeyDocument, CreateTenantDocument, LinkCalendarDocument, UpsertHostUserDocument } from '../../graphql/generated.js';
import { onlyError } from '../../helpers/hub-harness.js';
import { openCallback, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';

/**
 * Issue 15, finding 8: `returnTo` accepted any origin, and the provider's `error_description` from
 * the callback URL went raw into the redirect: anyone could make the hub send a user to a page of
 * theirs, carrying their text. Return origins are now a per-tenant allow-list, and the redirect's
 * message is the hub's own text.
 */
let t: LinkingHub;
let tenantId: string;
let key: string;
let userId: string;
const setOrigins = (origins: string[] | null) =>
  t.rawGql('mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { returnToOrigins } }', { input: { tenantId, returnToOrigins: origins } }, t.admin);
const link = (returnTo: string | null, provider: ProviderKind = 'GOOGLE') => t.gql(LinkCalendarDocument, { input: { userId, provider, returnTo } }, key);
const oauthStates = () => t.hub.orm.em.fork().count(OAuthState, {});

beforeAll(async () => {
  t = await startLinkingHub();
  tenantId = (await t.gql(CreateTenantDocument, { input: { name: 'Return origins' } }, t.admin)).data!.createTenant.id;
  key = (await t.gql(CreateApiKeyDocument, { input: { tenantId, name: 'k' } }, t.admin)).data!.createApiKey.key;
  userId = (await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'r', email: 'alice@example.com' } }, key)).data!.upsertHostUser.hostUser.id;
});
afterAll(async () => {
  await t.close();
});

describe('returnTo', () => {
  it('is refused with BAD_USER_INPUT unless its origin is in the tenant’s returnToOrigins, and nothing is written', async () => {
    const before = await oauthStates();
    expect(onlyError(await link('https://crm.example.com/settings')).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'returnTo' });
    expect(await oauthStates()).toBe(before);

    expect((await setOrigins(['https://crm.example.com', 'http://localhost:3000'])).errors).toBeUndefined();
    expect((await link('https://crm.example.com/settings?tab=calendars')).errors).toBeUndefined();
    expect((await link('http://localhost:3000/back')).errors).toBeUndefined();
    for (const elsewhere of ['https://evil.example/phish', 'https://crm.example.com.evil.example/', 'http://crm.example.com/settings', 'https://crm.example.com:8443/']) {
      const refused = onlyError(await link(elsewhere));
      expect(refused.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'returnTo' });
      expect(refused.message).toContain('returnToOrigins');
    }
    expect((await link(null)).errors).toBeUndefined();
  });

  it('takes only origins in returnToOrigins (scheme, host and port), naming the bad entry', async () => {
    for (const [origins, field] of [
      [['https://crm.example.com/path'], 'returnToOrigins[0]'],
      [['https://ok.example', 'javascript:alert(1)'], 'returnToOrigins[1]'],
      [['crm.example.com'], 'returnToOrigins[0]'],
    ] as const) {
      expect(onlyError(await setOrigins([...origins])).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(onlyError(await setOrigins(Array.from({ length: 21 }, (_, i) => `https://o${i}.example`))).extensions).toMatchObject({ field: 'returnToOrigins' });
    expect(((await setOrigins(null)).data as { updateTenantSettings: { returnToOrigins: string[] } }).updateTenantSettings.returnToOrigins).toEqual(['https://crm.example.com', 'http://localhost:3000']);
  });
});

describe('the redirect after a failed sign-in', () => {
  beforeAll(async () => {
    await setOrigins(['https://crm.example.com']);
  });

  for (const provider of ['GOOGLE', 'MICROSOFT'] as const) {
    it(`carries the hub's own message, never the provider's error text from the callback URL (${provider})`, async () => {
      const slug = provider === 'GOOGLE' ? 'google-calendar' : 'microsoft-graph';
      for (const [error, description] of [
        ['access_denied', 'Your account is locked. Call +1 555 0100 or visit https://evil.example/unlock'],
        ['visit_evil_example_now', 'see https://evil.example'],
      ] as const) {
        const state = new URL((await link('https://crm.example.com/settings', provider)).data!.linkCalendar.authorizationUrl).searchParams.get('state')!;
        const callback = new URL(`/oauth/callback/${slug}`, t.origin);
        callback.search = new URLSearchParams({ state, error, error_description: description }).toString();
        const result = await openCallback(callback);
        expect(result.status).toBe(303);
        expect(result.location!.origin).toBe('https://crm.example.com');
        const shown = `${result.location!.searchParams.get('message')} ${result.location!.searchParams.get('tip')}`;
        expect(shown).not.toMatch(/evil|555|locked/);
        expect(shown).not.toContain(error === 'access_denied' ? 'Call' : 'visit_evil');
      }
    });
  }
});
