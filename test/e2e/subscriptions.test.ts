import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CreateApiKeyDocument,
  CreateTenantDocument,
  HostUserChangedDocument,
  TenantChangedDocument,
  UpdateTenantSettingsDocument,
  UpsertHostUserDocument,
  type HostUserChangedSubscription,
  type TenantChangedSubscription,
} from '../graphql/generated.js';
import { newId } from '../../src/domain/ids.js';
import { ApiKey } from '../../src/store/entities/index.js';
import { idOf, startTestHub, type TestHub } from '../helpers/hub-harness.js';
import { take } from '../helpers/pubsub-helpers.js';
import { subscribe as subscribeOn } from '../helpers/ws-subscriptions.js';

let t: TestHub;
let admin: string;
const a = { tenantId: '', key: '' };
const b = { tenantId: '', key: '' };

beforeAll(async () => {
  t = await startTestHub();
  admin = t.adminKey!;
  for (const [target, name] of [[a, 'Sub A'], [b, 'Sub B']] as const) {
    target.tenantId = (await t.gql(CreateTenantDocument, { input: { name } }, admin)).data!.createTenant.id;
    target.key = (await t.gql(CreateApiKeyDocument, { input: { tenantId: target.tenantId, name: 'ws' } }, admin)).data!.createApiKey.key;
  }
});
afterAll(async () => {
  await t.close();
});

/** test/helpers/ws-subscriptions.ts, bound to this file's hub. */
const subscribe = <T>(client: Client, query: string, variables: Record<string, unknown> = {}) => subscribeOn<T>(t, client, query, variables);

/** The close event of a socket the server refused. */
function closedClient(key: string | null): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => t.wsClient(key, resolve));
}

describe('graphql-ws subscriptions', () => {
  it('delivers the hostUserChanged event that an upsertHostUser mutation published', async () => {
    const sub = await subscribe<HostUserChangedSubscription>(t.wsClient(a.key), print(HostUserChangedDocument));
    const upsert = await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'ws-user', email: 'ws@a.example', name: 'WS' } }, a.key);
    const [event] = await take(sub.events, 1);
    expect(event?.errors).toBeUndefined();
    expect(event?.data?.hostUserChanged).toMatchObject({
      change: 'CREATED',
      hostUser: { id: upsert.data!.upsertHostUser.hostUser.id, hostUserId: 'ws-user', email: 'ws@a.example', tenantId: a.tenantId },
    });
    await sub.stop();
  });

  it('accepts the key under "Authorization" too (names are case-insensitive, as HTTP headers)', async () => {
    const client = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${a.key}` }, retryAttempts: 0 });
    try {
      const sub = await subscribe<HostUserChangedSubscription>(client, print(HostUserChangedDocument));
      await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'ws-capital', email: 'capital@a.example' } }, a.key);
      const [event] = await take(sub.events, 1);
      expect(event?.errors).toBeUndefined();
      expect(event?.data?.hostUserChanged.hostUser.hostUserId).toBe('ws-capital');
      await sub.stop();
    } finally {
      await client.dispose();
    }
  });

  it("only delivers the subscriber's own tenant's events to a tenant key", async () => {
    const sub = await subscribe<HostUserChangedSubscription>(t.wsClient(b.key), print(HostUserChangedDocument));
    await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'only-in-a' } }, a.key);
    await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'only-in-b' } }, b.key);
    const [event] = await take(sub.events, 1);
    expect(event?.data?.hostUserChanged.hostUser).toMatchObject({ hostUserId: 'only-in-b', tenantId: b.tenantId });
    await sub.stop();
  });

  it('delivers tenantChanged for every tenant to an ADMIN key, and for one tenant when it names it', async () => {
    const client = t.wsClient(admin);
    const all = await subscribe<TenantChangedSubscription>(client, print(TenantChangedDocument));
    const onlyB = await subscribe<TenantChangedSubscription>(client, print(TenantChangedDocument), { tenantId: b.tenantId });
    const created = await t.gql(CreateTenantDocument, { input: { name: 'Announced' } }, admin);
    await t.gql(UpdateTenantSettingsDocument, { input: { conflictPolicy: 'HOST_WINS' } }, b.key);
    const events = await take(all.events, 2);
    expect(events.map((e) => [e.data?.tenantChanged.change, e.data?.tenantChanged.tenant.id])).toEqual([
      ['CREATED', created.data!.createTenant.id],
      ['UPDATED', b.tenantId],
    ]);
    const [bEvent] = await take(onlyB.events, 1);
    expect(bEvent?.data?.tenantChanged).toMatchObject({ change: 'UPDATED', tenant: { id: b.tenantId, settings: { conflictPolicy: 'HOST_WINS' } } });
    await all.stop();
    await onlyB.stop();
  });

  it.each([
    ['hostUserChanged', HostUserChangedDocument],
    ['tenantChanged', TenantChangedDocument],
  ] as const)("refuses a tenant key's %s subscription to another tenant with NOT_FOUND, as for an unknown tenant", async (_name, document) => {
    const client = t.wsClient(b.key);
    const firstError = async (tenantId: string) => {
      const { value } = await client.iterate({ query: print(document), variables: { tenantId } }).next();
      return value?.errors?.[0];
    };
    const foreign = await firstError(a.tenantId);
    const unknownId = newId('tenant');
    const unknown = await firstError(unknownId);
    expect(foreign?.extensions?.code).toBe('NOT_FOUND');
    expect(unknown?.extensions?.code).toBe('NOT_FOUND');
    expect(foreign?.message.replace(a.tenantId, '<id>')).toBe(unknown?.message.replace(unknownId, '<id>'));
  });

  it('closes a connection without a key, or with an unknown key, with 4401 UNAUTHENTICATED', async () => {
    for (const key of [null, 'hub_not-a-real-key']) {
      const closed = await closedClient(key);
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(/^UNAUTHENTICATED: /);
    }
  });

  it('refuses new subscriptions on a connection whose key was revoked after connecting, also when no revocation event reached the hub', async () => {
    const created = await t.gql(CreateApiKeyDocument, { input: { tenantId: a.tenantId, name: 'short-lived' } }, admin);
    const client = t.wsClient(created.data!.createApiKey.key);
    const sub = await subscribe<HostUserChangedSubscription>(client, print(HostUserChangedDocument));
    await sub.stop();
    // As the CLI revokes on SQLite: straight in the database, without the event that closes the key's sockets.
    await t.hub.orm.em.fork().nativeUpdate(ApiKey, { id: idOf('apiKey', created.data!.createApiKey.apiKey.id) }, { revokedAt: new Date() });
    await expect(client.iterate({ query: print(HostUserChangedDocument) }).next()).rejects.toSatisfy(
      (errors: unknown) => Array.isArray(errors) && (errors as { extensions?: { code?: string } }[])[0]?.extensions?.code === 'UNAUTHENTICATED',
    );
  });

  it('applies the depth limit to subscriptions too', async () => {
    const deep = `subscription { tenantChanged { tenant { settings { polling { activeIntervalMinutes } } } } }`;
    const limited = await startTestHub({ GRAPHQL_MAX_DEPTH: '4' });
    try {
      const client = limited.wsClient(limited.adminKey!);
      await expect(client.iterate({ query: deep }).next()).rejects.toSatisfy(
        (errors: unknown) => Array.isArray(errors) && /Query depth 5 exceeds the limit of 4/.test((errors as { message: string }[])[0]?.message ?? ''),
      );
    } finally {
      await limited.close();
    }
  });
});

describe('graphql-ws validation', () => {
  it('reports an invalid operation with GRAPHQL_VALIDATION_FAILED, as over HTTP', async () => {
    await expect(t.wsClient(admin).iterate({ query: 'subscription { noSuchField }' }).next()).rejects.toSatisfy(
      (errors: unknown) => Array.isArray(errors) && (errors as { extensions?: { code?: string } }[])[0]?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED',
    );
  });

  it('refuses introspection over WebSocket when GRAPHQL_INTROSPECTION=false', async () => {
    const closed = await startTestHub({ GRAPHQL_INTROSPECTION: 'false' });
    try {
      await expect(closed.wsClient(closed.adminKey!).iterate({ query: '{ __schema { queryType { name } } }' }).next()).rejects.toSatisfy(
        (errors: unknown) => Array.isArray(errors) && /introspection/i.test((errors as { message: string }[])[0]?.message ?? ''),
      );
    } finally {
      await closed.close();
    }
  });
});
