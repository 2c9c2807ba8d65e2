import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import { ConnectionDocument, ConnectionsDocument } from '../../graphql/generated.js';
import {
  addUser,
  consent,
  createTenantWithUser,
  linkAccount,
  linkOk,
  openCallback,
  pageMessage,
  startLink,
  startLinkingHub,
  type LinkingHub,
  type TenantUser,
} from './linking-harness.js';

/**
 * The OAuth flow end to end, as a browser does it: linkCalendar → the provider's consent page
 * (the sandbox emulators) → the 302 to the hub's callback → the hub's answer.
 */
let t: LinkingHub;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

beforeAll(async () => {
  t = await startLinkingHub({}, { linking: { clock } });
});
afterAll(async () => {
  await t?.close();
});

const RETURN_TO = 'https://crm.example.com/settings/calendar?tab=links';

interface ProviderCase {
  provider: ProviderKind;
  slug: string;
  /** Sandbox accounts the cases link. */
  accounts: [string, string];
  defaultCalendarName: string;
}

const cases: ProviderCase[] = [
  { provider: 'MICROSOFT', slug: 'microsoft-graph', accounts: ['adele.vance@contoso.onmicrosoft.com', 'alex.wilber@contoso.onmicrosoft.com'], defaultCalendarName: 'Calendar' },
  { provider: 'GOOGLE', slug: 'google-calendar', accounts: ['alice@example.com', 'bob@example.com'], defaultCalendarName: 'alice@example.com' },
];

async function connectionCount(tenant: TenantUser): Promise<number> {
  const result = await t.gql(ConnectionsDocument, {}, tenant.key);
  return result.data!.connections.totalCount;
}

describe.each(cases)('linking $provider', ({ provider, slug, accounts }) => {
  let tenant: TenantUser;
  beforeAll(async () => {
    tenant = await createTenantWithUser(t, `Flow ${provider}`, { hostUserId: 'u1', email: accounts[0] });
  });

  it('links the account, lists its calendars, makes the default one PRIMARY and returns to returnTo', async () => {
    const before = Date.now();
    const result = await linkAccount(t, tenant.key, { userId: tenant.userId, provider, returnTo: RETURN_TO, account: accounts[0] });
    expect(result.status).toBe(303);
    const location = result.location!;
    expect(`${location.origin}${location.pathname}`).toBe('https://crm.example.com/settings/calendar');
    expect(location.searchParams.get('tab')).toBe('links');
    expect(location.searchParams.get('linked')).toBe(provider);
    const connectionId = location.searchParams.get('connectionId')!;

    const link = (await t.gql(ConnectionDocument, { id: connectionId }, tenant.key)).data!.connection;
    expect(link).toMatchObject({ status: 'ACTIVE', provider, userId: tenant.userId, accountEmail: accounts[0], statusReason: null });
    expect(Date.parse(link.activatedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(link.grantedScopes.length).toBeGreaterThan(0);
    expect(link.calendars.length).toBeGreaterThanOrEqual(2);
    const primary = link.calendars.filter((c) => c.role === 'PRIMARY');
    expect(primary).toHaveLength(1);
    expect(primary[0]).toMatchObject({ isDefault: true, canEdit: true });
    expect(link.calendars.some((c) => !c.canEdit)).toBe(true);
  });

  it('shows "Linked — you can close this window" when there is no returnTo', async () => {
    const other = await createTenantWithUser(t, `Flow page ${provider}`, { hostUserId: 'u2', email: accounts[1] });
    const result = await linkAccount(t, other.key, { userId: other.userId, provider, account: accounts[1] });
    expect(result.status).toBe(200);
    expect(pageMessage(result.html).title).toBe('Linked — you can close this window');
    expect(pageMessage(result.html).message).toContain(accounts[1]);
    expect(await connectionCount(other)).toBe(1);
  });

  it('reports denied consent readably and stores nothing', async () => {
    const other = await createTenantWithUser(t, `Flow deny ${provider}`, { hostUserId: 'u3', email: accounts[1] });
    const redirected = await linkAccount(t, other.key, { userId: other.userId, provider, returnTo: RETURN_TO, account: accounts[1], decision: 'deny' });
    expect(redirected.status).toBe(303);
    expect(redirected.location!.searchParams.get('error')).toBe('ACCESS_DENIED');
    expect(redirected.location!.searchParams.get('message')).toMatch(/not linked|declined|denied/i);
    expect(redirected.location!.searchParams.get('provider')).toBe(provider);

    const page = await linkAccount(t, other.key, { userId: other.userId, provider, account: accounts[1], decision: 'deny' });
    expect(page.status).toBe(400);
    expect(pageMessage(page.html).code).toBe('ACCESS_DENIED');
    expect(pageMessage(page.html).tip).toBeTruthy();
    expect(await connectionCount(other)).toBe(0);
  });

  it('shows the same result again when the result page is reloaded, and refuses any other use of the state', async () => {
    const other = await createTenantWithUser(t, `Flow reload ${provider}`, { hostUserId: 'u4', email: accounts[1] });
    const first = await linkAccount(t, other.key, { userId: other.userId, provider, account: accounts[1] });
    expect(first.status).toBe(200);
    const reload = await openCallback(first.callbackUrl);
    expect(reload.status).toBe(200);
    expect(pageMessage(reload.html)).toEqual(pageMessage(first.html));
    expect(await connectionCount(other)).toBe(1);

    const tampered = new URL(first.callbackUrl);
    tampered.searchParams.set('code', `${tampered.searchParams.get('code')}x`);
    const reused = await openCallback(tampered);
    expect(reused.status).toBe(400);
    expect(pageMessage(reused.html).message).toBe('This sign-in link has expired or was already used — start linking again.');

    // With a returnTo, a reload (back-navigation) redirects to the same place again.
    const viaReturn = await linkAccount(t, other.key, { userId: other.userId, provider, account: accounts[1], returnTo: RETURN_TO });
    expect(viaReturn.status).toBe(303);
    const again = await openCallback(viaReturn.callbackUrl);
    expect(again.status).toBe(303);
    expect(again.location?.toString()).toBe(viaReturn.location?.toString());
    expect(await connectionCount(other)).toBe(1);
  });

  it('lets only one of two concurrent deliveries of the same callback through', async () => {
    const other = await createTenantWithUser(t, `Flow race ${provider}`, { hostUserId: 'u5', email: accounts[1] });
    const url = await startLink(t, other.key, { userId: other.userId, provider });
    const callback = await consent(t, provider, url, { account: accounts[1] });
    const answers = await Promise.all([openCallback(callback), openCallback(callback)]);
    // One links; the other arrives while it is in progress (refused) or after it (shown the same result).
    expect(answers.filter((a) => a.status === 200)).not.toHaveLength(0);
    for (const answer of answers.filter((a) => a.status !== 200)) {
      expect(answer.status).toBe(400);
      expect(pageMessage(answer.html).code).toBe('STATE_INVALID');
    }
    expect(await connectionCount(other)).toBe(1);
  });

  it('refuses a state that expired (10 minutes)', async () => {
    const other = await createTenantWithUser(t, `Flow expiry ${provider}`, { hostUserId: 'u6', email: accounts[1] });
    const url = await startLink(t, other.key, { userId: other.userId, provider });
    const callback = await consent(t, provider, url, { account: accounts[1] });
    offsetMs = 10 * 60_000 + 1_000;
    try {
      const expired = await openCallback(callback);
      expect(expired.status).toBe(400);
      expect(pageMessage(expired.html).code).toBe('STATE_INVALID');
    } finally {
      offsetMs = 0;
    }
    expect(await connectionCount(other)).toBe(0);
  });

  it("refuses a code delivered with another attempt's state (PKCE verifier mismatch) and stores nothing", async () => {
    const other = await createTenantWithUser(t, `Flow pkce ${provider}`, { hostUserId: 'u7', email: accounts[1] });
    const attemptA = await startLink(t, other.key, { userId: other.userId, provider });
    const attemptB = await startLink(t, other.key, { userId: other.userId, provider });
    const callbackA = await consent(t, provider, attemptA, { account: accounts[1] });
    const stateB = new URL(attemptB).searchParams.get('state')!;
    const crossed = new URL(callbackA);
    crossed.searchParams.set('state', stateB);
    const result = await openCallback(crossed);
    expect(result.status).toBe(400);
    const page = pageMessage(result.html);
    expect(page).toMatchObject({ title: 'The calendar was not linked', code: 'INVALID_REQUEST' });
    expect(page.message).toMatch(/does not belong to this linking attempt/);
    expect(page.tip).toMatch(/linking again/i);
    expect(result.html).not.toMatch(/at .*\.ts:\d+/);
    expect(await connectionCount(other)).toBe(0);
  });

  it('refuses an account already linked to another user of the tenant, with a tip', async () => {
    const secondUser = await addUser(t, tenant.key, { hostUserId: `other-${provider}`, email: 'someone.else@example.org' });
    const result = await linkAccount(t, tenant.key, { userId: secondUser, provider, account: accounts[0] });
    expect(result.status).toBe(409);
    const page = pageMessage(result.html);
    expect(page.code).toBe('CONFLICT');
    expect(page.message).toContain('already linked to another user');
    expect(page.tip).toMatch(/share it/);
    const links = await t.gql(ConnectionsDocument, { filter: { userId: secondUser } }, tenant.key);
    expect(links.data!.connections.totalCount).toBe(0);
  });

  it("refuses a state used at another provider's callback", async () => {
    const other = await createTenantWithUser(t, `Flow cross ${provider}`, { hostUserId: 'u8', email: accounts[1] });
    const url = await startLink(t, other.key, { userId: other.userId, provider });
    const callback = await consent(t, provider, url, { account: accounts[1] });
    const wrong = new URL(callback);
    wrong.pathname = `/oauth/callback/${slug === 'microsoft-graph' ? 'google-calendar' : 'microsoft-graph'}`;
    const result = await openCallback(wrong);
    expect(result.status).toBe(400);
    expect(pageMessage(result.html).code).toBe('STATE_INVALID');
  });
});

describe('the callback', () => {
  it('answers 404 with a readable page for an unknown provider', async () => {
    const result = await openCallback(`${t.origin}/oauth/callback/outlook?code=x&state=y`);
    expect(result.status).toBe(404);
    expect(pageMessage(result.html).title).toBe('Unknown calendar provider');
  });

  it('refuses a missing or unknown state', async () => {
    for (const query of ['code=abc', 'code=abc&state=not-a-state']) {
      const result = await openCallback(`${t.origin}/oauth/callback/google-calendar?${query}`);
      expect(result.status).toBe(400);
      expect(pageMessage(result.html).message).toBe('This sign-in link has expired or was already used — start linking again.');
    }
  });

  it('refuses a Microsoft account without a mailbox as ACCOUNT_UNSUPPORTED, storing nothing', async () => {
    const tenant = await createTenantWithUser(t, 'No mailbox', { hostUserId: 'lee', email: 'lee.gu@contoso.onmicrosoft.com' });
    const result = await linkAccount(t, tenant.key, { userId: tenant.userId, provider: 'MICROSOFT', account: 'lee.gu@contoso.onmicrosoft.com', returnTo: RETURN_TO });
    expect(result.status).toBe(303);
    expect(result.location!.searchParams.get('error')).toBe('ACCOUNT_UNSUPPORTED');
    expect(result.location!.searchParams.get('message')).toMatch(/mailbox/i);
    expect(result.location!.searchParams.get('tip')).toBeTruthy();
    expect(await connectionCount(tenant)).toBe(0);
  });

  it('lets the same person link an account in another tenant, recognised by the same user email, and refuses anyone else', async () => {
    const email = 'carol@example.com';
    const home = await createTenantWithUser(t, 'Carol at home', { hostUserId: 'carol', email: 'Carol@Example.com' });
    const work = await createTenantWithUser(t, 'Carol at work', { hostUserId: 'c.sandbox', email: 'carol@example.com' });
    const stranger = await createTenantWithUser(t, 'Someone else', { hostUserId: 'dave', email: 'dave@example.com' });
    await linkOk(t, home.key, { userId: home.userId, provider: 'GOOGLE', account: email });
    await linkOk(t, work.key, { userId: work.userId, provider: 'GOOGLE', account: email });
    const refused = await linkAccount(t, stranger.key, { userId: stranger.userId, provider: 'GOOGLE', account: email });
    expect(refused.status).toBe(409);
    expect(pageMessage(refused.html).message).toMatch(/different person in another organisation/);
    expect(pageMessage(refused.html).message).not.toMatch(/Carol at/);
    expect(await connectionCount(stranger)).toBe(0);
  });
});
