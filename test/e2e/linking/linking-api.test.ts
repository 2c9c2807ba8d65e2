import { print, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import { OAuthState } from '../../../src/store/entities/index.js';
import {
  CalendarsDocument,
  ConnectionDocument,
  ConnectionsDocument,
  ConnectionStatusChangedDocument,
  LinkCalendarDocument,
  RefreshCalendarsDocument,
  RevokeAccessDocument,
  SetConflictCalendarsDocument,
  SetPrimaryCalendarDocument,
  UpsertHostUserDocument,
  type ConnectionStatusChangedSubscription,
} from '../../graphql/generated.js';
import { onlyError, startTestHub } from '../../helpers/hub-harness.js';
import { addUser, createTenantWithUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub, type TenantUser } from './linking-harness.js';

/** Input validation, tenant isolation and listing of the linking API. */
let t: LinkingHub;
let a: TenantUser;
let b: TenantUser;
const ids = { googleLink: '', microsoftLink: '', calendar: '' };

beforeAll(async () => {
  t = await startLinkingHub();
  const googleEmail = sandboxKit(t, 'GOOGLE').newAccount('api');
  const microsoftEmail = sandboxKit(t, 'MICROSOFT').newAccount('api');
  a = await createTenantWithUser(t, 'Tenant A', { hostUserId: 'alice', email: googleEmail });
  b = await createTenantWithUser(t, 'Tenant B', { hostUserId: 'bob', email: 'bob@b.example' });
  ids.googleLink = await linkOk(t, a.key, { userId: a.userId, provider: 'GOOGLE', account: googleEmail });
  ids.microsoftLink = await linkOk(t, a.key, { userId: a.userId, provider: 'MICROSOFT', account: microsoftEmail });
  ids.calendar = (await t.gql(CalendarsDocument, { connectionId: ids.googleLink }, a.key)).data!.calendars[0]!.id;
});
afterAll(async () => {
  await t?.close();
});

const oauthStates = () => t.hub.orm.em.fork().count(OAuthState, {});

describe('linkCalendar input', () => {
  it.each([
    ['not a url', 'must be an absolute http(s) URL'],
    ['ftp://files.example.com/x', 'must be an absolute http(s) URL'],
    ['javascript:alert(1)', 'must be an absolute http(s) URL'],
    ['/relative/path', 'must be an absolute http(s) URL'],
    ['https://user:secret@crm.example.com/', 'must not contain credentials'],
  ])('refuses returnTo %j with BAD_USER_INPUT on returnTo and writes nothing', async (returnTo, reason) => {
    const before = await oauthStates();
    const error = onlyError(await t.gql(LinkCalendarDocument, { input: { userId: a.userId, provider: 'GOOGLE', returnTo } }, a.key));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'returnTo' });
    expect(error.message).toContain(reason);
    expect(await oauthStates()).toBe(before);
  });

  it('refuses an empty userId with BAD_USER_INPUT and an unknown one with NOT_FOUND', async () => {
    expect(onlyError(await t.gql(LinkCalendarDocument, { input: { userId: ' ', provider: 'GOOGLE' } }, a.key)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect(onlyError(await t.gql(LinkCalendarDocument, { input: { userId: newId('hostUser'), provider: 'GOOGLE' } }, a.key)).extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses an inactive user with CONFLICT and a tip', async () => {
    const inactive = await addUser(t, a.key, { hostUserId: 'gone', email: 'gone@a.example', active: false });
    const error = onlyError(await t.gql(LinkCalendarDocument, { input: { userId: inactive, provider: 'MICROSOFT' } }, a.key));
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.extensions?.tip).toMatch(/Reactivate/);
  });

  it('answers with the authorization URL: PKCE S256, the exact redirect URI, a 10-minute expiry and the user as login hint', async () => {
    const before = Date.now();
    const started = (await t.gql(LinkCalendarDocument, { input: { userId: b.userId, provider: 'GOOGLE' } }, b.key)).data!.linkCalendar;
    const url = new URL(started.authorizationUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(`${t.hub.publicUrl()}/oauth/callback/google-calendar`);
    expect(url.searchParams.get('login_hint')).toBe('bob@b.example');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(started.expiresAt) - before).toBeGreaterThan(9 * 60_000);
    expect(Date.parse(started.expiresAt) - before).toBeLessThanOrEqual(10 * 60_000 + 5_000);
    expect(started.relink).toBe(false);
    // Only a hash of the state is stored; the verifier is sealed.
    const rows = await t.hub.orm.em.fork().find(OAuthState, { userId: b.userId });
    expect(rows.every((r) => r.stateHash !== url.searchParams.get('state') && r.codeVerifier.startsWith('v1.'))).toBe(true);
  });
});

describe('the OAuth callback URL', () => {
  // Without PUBLIC_URL the callback names the address the hub listens on (127.0.0.1 by default), not
  // `localhost`, which may resolve to ::1 first (RFC 8252 §8.3;
  // https://learn.microsoft.com/entra/identity-platform/reply-url#localhost-exceptions).
  it('is sent to both providers on the address and port the hub listens on, and the hub answers there', async () => {
    const listening = new URL(t.origin);
    for (const provider of ['GOOGLE', 'MICROSOFT'] as const) {
      const started = (await t.gql(LinkCalendarDocument, { input: { userId: b.userId, provider } }, b.key)).data!.linkCalendar;
      const callback = new URL(new URL(started.authorizationUrl).searchParams.get('redirect_uri')!);
      expect(callback.host).toBe(listening.host);
      const answer = await fetch(callback, { redirect: 'manual' });
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain('<html');
    }
  });
});

describe('a provider without credentials while the sandbox is off', () => {
  it('is refused with BAD_USER_INPUT on provider', async () => {
    const hub = await startTestHub({ SANDBOX_PROVIDERS: 'off' });
    try {
      const tenantId = hub.hub.bootstrap!.tenantId;
      const created = await hub.gql(UpsertHostUserDocument, { input: { tenantId, hostUserId: 'x', email: 'x@example.com' } }, hub.adminKey);
      const userId = created.data!.upsertHostUser.hostUser.id;
      const error = onlyError(await hub.gql(LinkCalendarDocument, { input: { userId, provider: 'MICROSOFT' } }, hub.adminKey));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'provider' });
      expect(error.message).toMatch(/MICROSOFT_CLIENT_ID/);
    } finally {
      await hub.close();
    }
  });
});

describe('connections', () => {
  it('lists a tenant’s links with filters and Relay pagination', async () => {
    const all = await t.gql(ConnectionsDocument, { first: 1 }, a.key);
    expect(all.data!.connections.totalCount).toBe(2);
    expect(all.data!.connections.pageInfo.hasNextPage).toBe(true);
    const next = await t.gql(ConnectionsDocument, { first: 1, after: all.data!.connections.pageInfo.endCursor }, a.key);
    expect(next.data!.connections.edges.map((e) => e.node.id)).not.toContain(all.data!.connections.edges[0]!.node.id);
    const google = await t.gql(ConnectionsDocument, { filter: { provider: 'GOOGLE', userId: a.userId, status: 'ACTIVE' } }, a.key);
    expect(google.data!.connections.edges.map((e) => e.node.id)).toEqual([ids.googleLink]);
    const revoked = await t.gql(ConnectionsDocument, { filter: { status: 'REVOKED' } }, a.key);
    expect(revoked.data!.connections.totalCount).toBe(0);
  });

  it('needs tenantId with an ADMIN key', async () => {
    expect(onlyError(await t.gql(ConnectionsDocument, {}, t.admin)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    expect((await t.gql(ConnectionsDocument, { tenantId: a.tenantId }, t.admin)).data!.connections.totalCount).toBe(2);
  });

  it('never exposes tokens: the Connection type has no such field', async () => {
    const result = await t.rawGql('{ __type(name: "Connection") { fields { name } } }', {}, a.key);
    const fields = (result.data as { __type: { fields: { name: string }[] } }).__type.fields.map((f) => f.name);
    expect(fields).toContain('grantedScopes');
    expect(fields.filter((f) => /token|secret|verifier/i.test(f))).toEqual([]);
  });
});

interface Probe {
  name: string;
  idOfA: () => string;
  unknownId: () => string;
  call: (id: string) => Promise<{ errors?: readonly GraphQLFormattedError[] | undefined }>;
}

const probes: Probe[] = [
  { name: 'connection(id)', idOfA: () => ids.googleLink, unknownId: () => newId('connection'), call: (id) => t.gql(ConnectionDocument, { id }, b.key) },
  { name: 'calendars(connectionId)', idOfA: () => ids.googleLink, unknownId: () => newId('connection'), call: (id) => t.gql(CalendarsDocument, { connectionId: id }, b.key) },
  { name: 'refreshCalendars(connectionId)', idOfA: () => ids.googleLink, unknownId: () => newId('connection'), call: (id) => t.gql(RefreshCalendarsDocument, { connectionId: id }, b.key) },
  { name: 'setPrimaryCalendar(calendarId)', idOfA: () => ids.calendar, unknownId: () => newId('calendar'), call: (id) => t.gql(SetPrimaryCalendarDocument, { calendarId: id }, b.key) },
  {
    name: 'setConflictCalendars(connectionId)',
    idOfA: () => ids.googleLink,
    unknownId: () => newId('connection'),
    call: (id) => t.gql(SetConflictCalendarsDocument, { connectionId: id, calendarIds: [] }, b.key),
  },
  { name: 'revokeAccess(connectionId)', idOfA: () => ids.microsoftLink, unknownId: () => newId('connection'), call: (id) => t.gql(RevokeAccessDocument, { connectionId: id, cleanup: true }, b.key) },
  { name: 'linkCalendar(input.userId)', idOfA: () => a.userId, unknownId: () => newId('hostUser'), call: (id) => t.gql(LinkCalendarDocument, { input: { userId: id, provider: 'GOOGLE' } }, b.key) },
  { name: 'connections(tenantId)', idOfA: () => a.tenantId, unknownId: () => newId('tenant'), call: (id) => t.gql(ConnectionsDocument, { tenantId: id }, b.key) },
  { name: 'connections(filter.userId)', idOfA: () => a.userId, unknownId: () => newId('hostUser'), call: (id) => t.gql(ConnectionsDocument, { filter: { userId: id } }, b.key) },
  {
    name: 'connectionStatusChanged(connectionId)',
    idOfA: () => ids.googleLink,
    unknownId: () => newId('connection'),
    call: (id) => subscriptionError({ connectionId: id }),
  },
  { name: 'connectionStatusChanged(userId)', idOfA: () => a.userId, unknownId: () => newId('hostUser'), call: (id) => subscriptionError({ userId: id }) },
];

/** The errors a subscription with tenant B's key is refused with. */
function subscriptionError(variables: Record<string, string>): Promise<{ errors?: readonly GraphQLFormattedError[] }> {
  return new Promise((resolve) => {
    t.wsClient(b.key).subscribe<ConnectionStatusChangedSubscription>(
      { query: print(ConnectionStatusChangedDocument), variables },
      {
        next: (message) => resolve({ errors: message.errors ?? [] }),
        error: (error) => resolve({ errors: Array.isArray(error) ? (error as GraphQLFormattedError[]) : [{ message: String(error) }] }),
        complete: () => resolve({ errors: [] }),
      },
    );
  });
}

describe("another tenant's ids behave as unknown ids", () => {
  it.each(probes)('$name answers NOT_FOUND with the message an unknown id gets', async (probe) => {
    const foreign = onlyError(await probe.call(probe.idOfA()));
    const unknownId = probe.unknownId();
    const unknown = onlyError(await probe.call(unknownId));
    expect(foreign.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.message.replace(probe.idOfA(), '<id>')).toBe(unknown.message.replace(unknownId, '<id>'));
  });

  it("leaves tenant A's links untouched after B's attempts", async () => {
    for (const probe of probes) await probe.call(probe.idOfA());
    const links = await t.gql(ConnectionsDocument, {}, a.key);
    expect(links.data!.connections.edges.map((e) => e.node.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect((await t.gql(ConnectionsDocument, {}, b.key)).data!.connections.totalCount).toBe(0);
  });
});
