import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateTenantDocument, HostUserChangedDocument, HostUsersDocument } from '../../graphql/generated.js';
import { onlyError, startTestHub, waitFor, type TestHub } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';

/**
 * Issue 15, finding 2: with a key, one request amplified into 1,000 provider calls (500 aliased
 * refreshCalendars) or 1,000 rows, and one socket held 5,000 subscriptions. Mutations now carry a
 * declared cost, keys a rate limit, sockets a subscription cap.
 */
const aliased = (count: number, field: (i: number) => string) => `mutation { ${Array.from({ length: count }, (_, i) => `m${i}: ${field(i)}`).join(' ')} }`;
const upserts = (count: number, prefix: string) => aliased(count, (i) => `upsertHostUser(input: { hostUserId: "${prefix}-${i}" }) { created }`);

describe('the declared cost of mutations with side effects', () => {
  let t: LinkingHub;
  let key: string;
  let connectionId: string;
  beforeAll(async () => {
    t = await startLinkingHub();
    const tenant = await createTenantWithUser(t, 'Costs', { hostUserId: 'c', email: 'alice@example.com' });
    key = tenant.key;
    connectionId = await linkOk(t, key, { userId: tenant.userId, provider: 'GOOGLE', account: 'alice@example.com' });
  });
  afterAll(async () => {
    await t.close();
  });

  // Calendar list reads: what refreshCalendars does (sync runs in the background read events).
  const googleRequests = () => t.sandbox.emulators.core.counters.snapshot({ provider: 'google', route: 'google.calendarList.*' }).reduce((n, row) => n + row.requests, 0);

  it('refuses six aliased refreshCalendars before a single provider call, and lets one through', async () => {
    const before = googleRequests();
    const refused = await t.rawGql(aliased(6, () => `refreshCalendars(connectionId: "${connectionId}") { id }`), {}, key);
    expect(refused.status).toBe(400);
    expect(onlyError(refused).extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', maxComplexity: 5000 });
    expect(googleRequests()).toBe(before);
    const one = await t.rawGql(aliased(1, () => `refreshCalendars(connectionId: "${connectionId}") { id }`), {}, key);
    expect(one.errors).toBeUndefined();
    expect(googleRequests()).toBeGreaterThan(before);
  });

  it('refuses fifty aliased writes without writing a row, and accepts forty', async () => {
    const refused = await t.rawGql(upserts(50, 'bulk'), {}, key);
    expect(onlyError(refused).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await t.gql(HostUsersDocument, { filter: { hostUserIds: ['bulk-0', 'bulk-49'] } }, key)).data?.hostUsers.totalCount).toBe(0);
    expect((await t.rawGql(upserts(40, 'bulk'), {}, key)).errors).toBeUndefined();
  });
});

describe('the rate limit of an API key', () => {
  let t: TestHub;
  const keys: string[] = [];
  beforeAll(async () => {
    t = await startTestHub({ GRAPHQL_MAX_COMPLEXITY: '1000', GRAPHQL_RATE_LIMIT_PER_MINUTE: '1000' });
    const tenantId = (await t.gql(CreateTenantDocument, { input: { name: 'Rates' } }, t.adminKey)).data!.createTenant.id;
    for (const name of ['one', 'two']) keys.push((await t.gql(CreateApiKeyDocument, { input: { tenantId, name } }, t.adminKey)).data!.createApiKey.key);
  });
  afterAll(async () => {
    await t.close();
  });

  it("answers 429 RATE_LIMITED with Retry-After once a key spent its minute's points, writes nothing, and leaves other keys alone", async () => {
    expect((await t.rawGql(upserts(6, 'first'), {}, keys[0])).errors).toBeUndefined();
    const limited = await t.rawGql(upserts(6, 'second'), {}, keys[0]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(onlyError(limited).extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await t.gql(HostUsersDocument, { filter: { hostUserIds: ['second-0'] } }, keys[1])).data?.hostUsers.totalCount).toBe(0);
    expect((await t.rawGql(upserts(6, 'other'), {}, keys[1])).errors).toBeUndefined();
  });
});

describe('subscriptions per socket', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  const open = async (client: Client) => {
    const before = t.hub.pubsub.subscriptionCount;
    const iterator = client.iterate({ query: print(HostUserChangedDocument) });
    const first = iterator.next();
    await Promise.race([waitFor('the subscription to start', () => t.hub.pubsub.subscriptionCount > before), first]);
    return { iterator, first };
  };

  it('are capped (GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET): one more is refused with LIMIT_EXCEEDED, other sockets and freed slots still work', async () => {
    // The hub's own listeners (e.g. for key revocations) are counted too.
    const base = t.hub.pubsub.subscriptionCount;
    const client = t.wsClient(t.adminKey!);
    const subs = [await open(client), await open(client), await open(client)];
    const extra = client.iterate({ query: print(HostUserChangedDocument) });
    const outcome = await Promise.race([
      extra.next().then(() => 'an event', (errors: unknown) => errors),
      waitFor('a fourth subscription', () => t.hub.pubsub.subscriptionCount > base + 3).then(() => 'accepted'),
    ]);
    expect((outcome as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(t.hub.pubsub.subscriptionCount).toBe(base + 3);

    await open(t.wsClient(t.adminKey!));
    await subs[0]!.iterator.return?.();
    await waitFor('the freed slot', () => t.hub.pubsub.subscriptionCount === base + 3);
    await open(client);
    expect(t.hub.pubsub.subscriptionCount).toBe(base + 4);
  });
});
