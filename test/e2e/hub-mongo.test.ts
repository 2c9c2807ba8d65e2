import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import {
  CreateApiKeyDocument,
  CreateTenantDocument,
  HostUserChangedDocument,
  HostUserDocument,
  HostUsersDocument,
  RevokeApiKeyDocument,
  UpsertHostUserDocument,
  ViewerDocument,
  type HostUserChangedSubscription,
} from '../graphql/generated.js';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub-harness.js';
import { take } from '../helpers/pubsub-helpers.js';

const MONGODB_TEST_URL = process.env.MONGODB_TEST_URL;

/** A fresh database on the test server, so runs never see each other's data. */
function freshDatabaseUrl(base: string): string {
  const url = new URL(base);
  url.pathname = `/hub_e2e_${randomBytes(6).toString('hex')}`;
  return url.toString();
}

describe.skipIf(!MONGODB_TEST_URL)('the hub on MongoDB (MONGODB_TEST_URL)', () => {
  let databaseUrl: string;
  let dataDir: string;
  let adminKey: string;
  let one: TestHub;
  let two: TestHub;

  beforeAll(async () => {
    databaseUrl = freshDatabaseUrl(MONGODB_TEST_URL!);
    dataDir = mkdtempSync(path.join(tmpdir(), 'hub-mongo-'));
    let out = '';
    const code = await runCli(
      ['create-api-key', '--name', 'ops', '--role', 'ADMIN', '--json'],
      { stdout: (s) => (out += s), stderr: () => undefined },
      { DATABASE_URL: databaseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    );
    expect(code).toBe(0);
    adminKey = (JSON.parse(out) as { key: string }).key;
    one = await startTestHub({ DATABASE_URL: databaseUrl });
    two = await startTestHub({ DATABASE_URL: databaseUrl });
  });

  afterAll(async () => {
    await two?.close();
    if (one) {
      await one.hub.mongoDb?.dropDatabase();
      await one.close();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('never bootstraps a key itself; the operator makes the first one with the CLI', async () => {
    expect(one.hub.bootstrap).toBeNull();
    expect(two.hub.bootstrap).toBeNull();
    expect((await one.gql(ViewerDocument, {}, adminKey)).data?.viewer.role).toBe('ADMIN');
  });

  it('reports both instances ready (database and Agenda mongo backend)', async () => {
    for (const hub of [one, two]) {
      const ready = await fetch(`${hub.origin}/readyz`);
      expect(ready.status).toBe(200);
    }
  });

  it('shares data between instances, upserts into one row, and keeps tenants apart', async () => {
    const tenantId = (await one.gql(CreateTenantDocument, { input: { name: 'Mongo Co' } }, adminKey)).data!.createTenant.id;
    const key = (await one.gql(CreateApiKeyDocument, { input: { tenantId, name: 'k' } }, adminKey)).data!.createApiKey.key;
    const created = await one.gql(UpsertHostUserDocument, { input: { hostUserId: 'm1', email: 'm1@mongo.example' } }, key);
    const updated = await two.gql(UpsertHostUserDocument, { input: { hostUserId: 'm1', name: 'Updated on two' } }, key);
    expect(updated.data!.upsertHostUser).toMatchObject({ created: false, hostUser: { id: created.data!.upsertHostUser.hostUser.id } });
    const listed = await one.gql(HostUsersDocument, {}, key);
    expect(listed.data!.hostUsers.totalCount).toBe(1);
    expect(listed.data!.hostUsers.edges[0]?.node.name).toBe('Updated on two');

    const otherTenant = (await one.gql(CreateTenantDocument, { input: { name: 'Other' } }, adminKey)).data!.createTenant.id;
    const otherKey = (await one.gql(CreateApiKeyDocument, { input: { tenantId: otherTenant, name: 'k' } }, adminKey)).data!.createApiKey.key;
    const foreign = await two.gql(HostUserDocument, { id: created.data!.upsertHostUser.hostUser.id }, otherKey);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('delivers an event published by one instance to a subscriber on the other', async () => {
    const tenantId = (await one.gql(CreateTenantDocument, { input: { name: 'Fan-out Co' } }, adminKey)).data!.createTenant.id;
    const key = (await one.gql(CreateApiKeyDocument, { input: { tenantId, name: 'k' } }, adminKey)).data!.createApiKey.key;
    const before = two.hub.pubsub.subscriptionCount;
    const events = two.wsClient(key).iterate<HostUserChangedSubscription>({ query: print(HostUserChangedDocument) });
    const next = events.next();
    await waitFor('the subscription on instance two', () => two.hub.pubsub.subscriptionCount > before);
    await two.hub.pubsub.ping();
    await one.gql(UpsertHostUserDocument, { input: { hostUserId: 'fan-out' } }, key);
    const [event] = await take({ next: () => next }, 1, 10_000);
    expect(event?.data?.hostUserChanged).toMatchObject({ change: 'CREATED', hostUser: { hostUserId: 'fan-out', tenantId } });
    await events.return?.();
  });

  it("closes a revoked key's WebSocket connections on the other instance too", async () => {
    const tenantId = (await one.gql(CreateTenantDocument, { input: { name: 'Revoke Co' } }, adminKey)).data!.createTenant.id;
    const created = (await one.gql(CreateApiKeyDocument, { input: { tenantId, name: 'k' } }, adminKey)).data!.createApiKey;
    let closed: { code: number } | null = null;
    const before = two.hub.pubsub.subscriptionCount;
    const events = two.wsClient(created.key, (event) => (closed = event)).iterate<HostUserChangedSubscription>({ query: print(HostUserChangedDocument) });
    void events.next().catch(() => undefined);
    await waitFor('the subscription on instance two', () => two.hub.pubsub.subscriptionCount > before);
    await one.gql(RevokeApiKeyDocument, { id: created.apiKey.id }, adminKey);
    await waitFor('the socket on instance two to close', () => closed !== null, 10_000);
    expect(closed).toMatchObject({ code: 4401 });
  });
});
