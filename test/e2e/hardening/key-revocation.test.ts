import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../../../src/events/hub-pubsub.js';
import { idOf, startTestHub, waitFor, type TestHub } from '../../helpers/hub-harness.js';
import { CreateApiKeyDocument, CreateTenantDocument, HostUserChangedDocument, RevokeApiKeyDocument, UpsertHostUserDocument } from '../../graphql/generated.js';

/** Issue 15, finding 6: a revoked key's open subscriptions kept receiving events. */
let t: TestHub;
let tenantId: string;
beforeAll(async () => {
  t = await startTestHub();
  tenantId = (await t.gql(CreateTenantDocument, { input: { name: 'Revoked' } }, t.adminKey)).data!.createTenant.id;
});
afterAll(async () => {
  await t.close();
});

async function newKey(name: string) {
  const created = (await t.gql(CreateApiKeyDocument, { input: { tenantId, name } }, t.adminKey)).data!.createApiKey;
  return { key: created.key, id: created.apiKey.id };
}

/** A socket of `key` with one open hostUserChanged subscription; `closed` holds its close event once it closes. */
async function subscribed(key: string) {
  const state: { closed: { code: number; reason: string } | null } = { closed: null };
  const client = t.wsClient(key, (event) => (state.closed = event));
  const before = t.hub.pubsub.subscriptionCount;
  const events = client.iterate({ query: print(HostUserChangedDocument) });
  const next = events.next().then(
    (r) => r,
    (e: unknown) => e,
  );
  await waitFor('the subscription to start', () => t.hub.pubsub.subscriptionCount > before);
  return { state, next };
}

describe('revoking an API key', () => {
  it("closes its open WebSocket connections with 4401 at once, ending their subscriptions, and leaves other keys' connections open", async () => {
    const doomed = await newKey('doomed');
    const other = await newKey('other');
    const gone = await subscribed(doomed.key);
    const kept = await subscribed(other.key);

    await t.gql(RevokeApiKeyDocument, { id: doomed.id }, t.adminKey);
    await waitFor('the revoked key’s socket to close', () => gone.state.closed !== null);
    expect(gone.state.closed).toMatchObject({ code: 4401, reason: 'UNAUTHENTICATED: the API key was revoked' });

    // The other key's subscription still gets events.
    await t.gql(UpsertHostUserDocument, { input: { tenantId, hostUserId: 'after-revoke' } }, t.adminKey);
    const event = (await kept.next) as { value?: { data?: { hostUserChanged?: { hostUser: { hostUserId: string } } } } };
    expect(event.value?.data?.hostUserChanged?.hostUser.hostUserId).toBe('after-revoke');
    expect(kept.state.closed).toBeNull();
  });

  it('closes the connections of a key revoked on another instance, when the revocation arrives through the pubsub', async () => {
    const key = await newKey('revoked elsewhere');
    const socket = await subscribed(key.key);
    // What another instance's revokeApiKey publishes; the shared transport (MongoDB) brings it here.
    await t.hub.pubsub.publishTyped(TOPICS.API_KEY_REVOKED, { apiKeyId: idOf('apiKey', key.id), tenantId: idOf('tenant', tenantId), at: new Date().toISOString() });
    await waitFor('the socket to close', () => socket.state.closed !== null);
    expect(socket.state.closed?.code).toBe(4401);
  });
});
