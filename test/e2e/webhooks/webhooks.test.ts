import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncIssue, WebhookDelivery, WebhookEndpoint } from '../../../src/store/entities/index.js';
import {
  ConflictDetectedDocument,
  ConnectionStatusChangedDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  RedeliverWebhookDocument,
  RevokeAccessDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  SyncStatusDocument,
  type ConflictDetectedSubscription,
  type ConnectionStatusChangedSubscription,
  type SyncStatusSubscription,
  type UpdateWebhookEndpointInput,
} from '../../graphql/generated.js';
import { onlyError, waitFor } from '../../helpers/hub-harness.js';
import { take } from '../../helpers/pubsub-helpers.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { subscribe } from '../../helpers/ws-subscriptions.js';
import { bothSidesEdited, linkedUser, RUN_TIMEOUT_MS, syncNowToEnd } from '../sync-api/sync-api-harness.js';
import { addUser, createTenantWithUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub, type TenantUser } from '../linking/linking-harness.js';

/**
 * Webhooks out, end to end: endpoints through GraphQL, events of the hub turned into signed
 * deliveries, a receiver that verifies them with the `standardwebhooks` package, retries with
 * backoff (shortened here), the endpoint disabled with a notice, redelivery with the same id.
 */
let t: LinkingHub;
let tenant: TenantUser;
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  t = await startLinkingHub({}, { webhooks: { retryDelaysMs: [50, 100], timeoutMs: 2_000 } });
  tenant = await createTenantWithUser(t, 'Webhooks', { hostUserId: 'webhooks', email: null });
});
afterAll(async () => {
  await t?.close();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}

async function endpointFor(r: WebhookReceiver, events: string[], key = tenant.key) {
  const created = await t.gql(CreateWebhookEndpointDocument, { input: { url: r.url, events } }, key);
  if (!created.data) throw new Error(JSON.stringify(created.errors));
  r.secret = created.data.createWebhookEndpoint.secret;
  return created.data.createWebhookEndpoint.endpoint;
}

async function deliveriesOf(endpointId: string) {
  const result = await t.gql(WebhookDeliveriesDocument, { endpointId }, tenant.key);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.webhookDeliveries.edges.map((e) => e.node);
}

/** A new link of a fresh Google sandbox account, for a new user of the tenant: publishes connection.status_changed (→ ACTIVE). */
async function newLink(name: string): Promise<string> {
  const email = sandboxKit(t, 'GOOGLE').newAccount(name);
  const userId = await addUser(t, tenant.key, { hostUserId: name, email });
  return linkOk(t, tenant.key, { userId, provider: 'GOOGLE', account: email });
}

describe('webhook endpoints', () => {
  it('creates an endpoint and shows its secret once', async () => {
    const r = await receiver();
    const created = await t.gql(CreateWebhookEndpointDocument, { input: { url: r.url, events: ['appointment.changed', 'connection.status_changed', 'appointment.changed'] } }, tenant.key);
    expect(created.errors).toBeUndefined();
    const { endpoint, secret } = created.data!.createWebhookEndpoint;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ tenantId: tenant.tenantId, url: r.url, events: ['appointment.changed', 'connection.status_changed'], enabled: true, disabledReason: null });
    const listed = await t.gql(WebhookEndpointsDocument, {}, tenant.key);
    expect(listed.data!.webhookEndpoints.edges.map((e) => e.node.id)).toContain(endpoint.id);
    expect(JSON.stringify(listed.data)).not.toContain(secret);

    const updated = await t.gql(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, events: ['sync_run.finished'] } }, tenant.key);
    expect(updated.data!.updateWebhookEndpoint).toMatchObject({ id: endpoint.id, url: r.url, events: ['sync_run.finished'] });
    const deleted = await t.gql(DeleteWebhookEndpointDocument, { id: endpoint.id }, tenant.key);
    expect(deleted.data!.deleteWebhookEndpoint.id).toBe(endpoint.id);
    expect(onlyError(await t.gql(DeleteWebhookEndpointDocument, { id: endpoint.id }, tenant.key)).extensions?.code).toBe('NOT_FOUND');
  });

  it.each([
    ['', 'url'],
    ['not a url', 'url'],
    ['ftp://hooks.example.com/in', 'url'],
    ['http://hooks.example.com/in', 'url'],
    ['https://user:secret@hooks.example.com/in', 'url'],
    ['https://hooks.example.com/in#part', 'url'],
  ])('refuses the URL %j with BAD_USER_INPUT on url, writing nothing', async (url, field) => {
    const before = (await t.gql(WebhookEndpointsDocument, {}, tenant.key)).data!.webhookEndpoints.totalCount;
    const error = onlyError(await t.gql(CreateWebhookEndpointDocument, { input: { url, events: ['appointment.changed'] } }, tenant.key));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await t.gql(WebhookEndpointsDocument, {}, tenant.key)).data!.webhookEndpoints.totalCount).toBe(before);
  });

  it('refuses unknown or no event types with BAD_USER_INPUT on events', async () => {
    const r = await receiver();
    for (const events of [[], ['appointment.deleted'], ['appointment.changed', 'nope']]) {
      const error = onlyError(await t.gql(CreateWebhookEndpointDocument, { input: { url: r.url, events } }, tenant.key));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
    }
  });

  it('refuses a bad update field by field, changing nothing, and an ADMIN create without tenantId', async () => {
    const r = await receiver();
    const endpoint = await endpointFor(r, ['sync_run.finished']);
    const cases: [UpdateWebhookEndpointInput, string][] = [
      [{ id: endpoint.id, url: 'http://hooks.example.com/in' }, 'url'],
      [{ id: endpoint.id, url: r.url, events: ['nope'] }, 'events'],
      [{ id: '', enabled: false }, 'id'],
    ];
    for (const [input, field] of cases) {
      expect(onlyError(await t.gql(UpdateWebhookEndpointDocument, { input }, tenant.key)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const listed = (await t.gql(WebhookEndpointsDocument, {}, tenant.key)).data!.webhookEndpoints.edges.find((e) => e.node.id === endpoint.id)!.node;
    expect(listed).toEqual(endpoint);
    expect(onlyError(await t.gql(CreateWebhookEndpointDocument, { input: { url: r.url, events: ['sync_run.finished'] } }, t.admin)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
    expect(onlyError(await t.gql(RedeliverWebhookDocument, { deliveryId: 'whd_nope' }, tenant.key)).extensions?.code).toBe('NOT_FOUND');
    await t.gql(DeleteWebhookEndpointDocument, { id: endpoint.id }, tenant.key);
  });

  it("reads another tenant's endpoint as unknown", async () => {
    const r = await receiver();
    const endpoint = await endpointFor(r, ['sync_run.finished']);
    const other = await createTenantWithUser(t, 'Webhooks other', { hostUserId: 'other', email: null });
    expect(onlyError(await t.gql(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: false } }, other.key)).extensions?.code).toBe('NOT_FOUND');
    expect(onlyError(await t.gql(WebhookDeliveriesDocument, { endpointId: endpoint.id }, other.key)).extensions?.code).toBe('NOT_FOUND');
    await t.gql(DeleteWebhookEndpointDocument, { id: endpoint.id }, tenant.key);
  });
});

describe('deliveries', () => {
  it('signs each event per Standard Webhooks; data is the object the GraphQL subscription delivers', async () => {
    const r = await receiver();
    const endpoint = await endpointFor(r, ['connection.status_changed']);
    const client = t.wsClient(tenant.key);
    const subscription = client.iterate<ConnectionStatusChangedSubscription>({ query: print(ConnectionStatusChangedDocument) });
    const next = subscription.next();
    await waitFor('the subscription', () => t.hub.pubsub.subscriptionCount > 0);

    const connectionId = await newLink('signed');
    const [hook] = await r.waitFor(1);
    expect(hook!.verifyError).toBeNull();
    expect(hook!.headers['content-type']).toBe('application/json');
    expect(hook!.webhookId).toMatch(/^msg_/);
    expect(hook!.verified).toMatchObject({ type: 'connection.status_changed', timestamp: expect.any(String) });
    const fromSubscription = (await next).value!.data!.connectionStatusChanged;
    expect(fromSubscription.connection.id).toBe(connectionId);
    expect(hook!.verified!.data).toMatchObject(fromSubscription);
    expect(hook!.verified!.timestamp).toBe(fromSubscription.at);
    await subscription.return?.();

    // A receiver with another secret, or a body changed on the way, fails verification.
    r.secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    await t.gql(RevokeAccessDocument, { connectionId }, tenant.key);
    const [, second] = await r.waitFor(2);
    expect(second!.verifyError).not.toBeNull();

    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ eventType: 'connection.status_changed', status: 'DELIVERED', attempts: 1, lastResponseCode: 200, nextAttemptAt: null, webhookId: hook!.webhookId });
  });

  it('conflict.detected and sync_run.finished carry the objects the conflictDetected and syncStatus subscriptions deliver', async () => {
    const u = await linkedUser(t, 'MICROSOFT', 'hooks-conflict', { conflictPolicy: 'MANUAL' });
    const r = await receiver();
    await endpointFor(r, ['conflict.detected', 'sync_run.finished'], u.key);
    const conflicts = await subscribe<ConflictDetectedSubscription>(t, t.wsClient(u.key), print(ConflictDetectedDocument));
    const runs = await subscribe<SyncStatusSubscription>(t, t.wsClient(u.key), print(SyncStatusDocument), { connectionId: u.connectionId });

    const conflict = await bothSidesEdited(t, u, 'hooked');
    const [detected] = await take(conflicts.events, 1, RUN_TIMEOUT_MS);
    await conflicts.stop();
    await waitFor('the conflict.detected webhook', () => r.received.some((h) => h.verified?.type === 'conflict.detected'), RUN_TIMEOUT_MS);
    const conflictHook = r.received.find((h) => h.verified?.type === 'conflict.detected')!;
    expect(conflictHook.verifyError).toBeNull();
    expect(conflictHook.verified!.data).toMatchObject({ ...detected!.data!.conflictDetected, id: conflict.id, status: 'OPEN' });

    // Every run that ended while the endpoint existed is one sync_run.finished webhook with the FINISHED event's object.
    const last = await syncNowToEnd(t, u);
    const finished: SyncStatusSubscription['syncStatus'][] = [];
    while (!finished.some((e) => e.run.id === last.id)) {
      const [event] = await take(runs.events, 1, RUN_TIMEOUT_MS);
      const status = event!.data!.syncStatus;
      if (status.phase === 'FINISHED' || status.phase === 'FAILED') finished.push(status);
    }
    await runs.stop();
    await waitFor('a sync_run.finished webhook per run', () => finished.every((e) => r.received.some((h) => (h.verified?.data as { run?: { id: string } } | undefined)?.run?.id === e.run.id)), RUN_TIMEOUT_MS);
    for (const event of finished) {
      const hook = r.received.find((h) => (h.verified?.data as { run?: { id: string } } | undefined)?.run?.id === event.run.id)!;
      expect(hook.verified).toMatchObject({ type: 'sync_run.finished', timestamp: event.at, data: event });
    }
    expect(r.received.filter((h) => h.verified?.type === 'sync_run.finished').every((h) => ['FINISHED', 'FAILED'].includes((h.verified!.data as { phase: string }).phase))).toBe(true);
  });

  it('retries a failing endpoint with the same webhook-id, disables it with a notice, and a later redelivery succeeds', async () => {
    const r = await receiver();
    const endpoint = await endpointFor(r, ['connection.status_changed']);
    r.respondWith.push(500, 503, 500);
    await newLink('failing');
    const attempts = await r.waitFor(3);
    expect(new Set(attempts.map((a) => a.webhookId)).size).toBe(1);
    expect(attempts.every((a) => a.verifyError === null)).toBe(true);

    await waitFor('the endpoint to be disabled', async () => (await t.gql(WebhookEndpointsDocument, {}, tenant.key)).data!.webhookEndpoints.edges.some((e) => e.node.id === endpoint.id && !e.node.enabled));
    const [failed] = await deliveriesOf(endpoint.id);
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3, lastResponseCode: 500, nextAttemptAt: null });
    const notice = await t.hub.orm.em.fork().findOne(SyncIssue, { tenantId: tenant.tenantId, code: 'WEBHOOK_ENDPOINT_DISABLED', resolvedAt: null });
    expect(notice?.details).toMatchObject({ endpointId: endpoint.id });

    expect(onlyError(await t.gql(RedeliverWebhookDocument, { deliveryId: failed!.id }, tenant.key)).extensions?.code).toBe('CONFLICT');
    const enabled = await t.gql(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: true } }, tenant.key);
    expect(enabled.data!.updateWebhookEndpoint).toMatchObject({ enabled: true, disabledReason: null });
    expect((await t.hub.orm.em.fork().findOneOrFail(SyncIssue, { id: notice!.id })).resolvedAt).not.toBeNull();

    const redelivered = await t.gql(RedeliverWebhookDocument, { deliveryId: failed!.id }, tenant.key);
    expect(redelivered.data!.redeliverWebhook).toMatchObject({ id: failed!.id, status: 'PENDING' });
    const all = await r.waitFor(4);
    expect(all[3]!.webhookId).toBe(attempts[0]!.webhookId);
    expect(all[3]!.verified).not.toBeNull();
    await waitFor('the redelivery to be recorded', async () => (await deliveriesOf(endpoint.id))[0]!.status === 'DELIVERED');
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ attempts: 4, lastResponseCode: 200, lastError: null });
  });

  it('holds the pending deliveries of an endpoint the host disabled, and sends them once it is enabled again', async () => {
    const r = await receiver();
    const endpoint = await endpointFor(r, ['connection.status_changed']);
    await t.gql(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: false } }, tenant.key);
    const row = await t.hub.orm.em.fork().findOneOrFail(WebhookEndpoint, { id: endpoint.id as WebhookEndpoint['id'] });
    // A delivery recorded just before the host disabled the endpoint.
    await t.hub.webhooks.deliveries.create(row, { webhookId: 'msg_held', eventType: 'connection.status_changed', payload: '{"type":"connection.status_changed","timestamp":"2026-01-01T00:00:00.000Z","data":{}}', orderingKey: null });
    // Its job ran and did nothing (a finished attempt job is removed).
    await waitFor('the attempt job to end', async () => (await t.hub.scheduler.agenda.queryJobs({ name: 'webhook.deliver', data: { endpointId: endpoint.id } })).jobs.length === 0);
    expect(r.received).toEqual([]);
    expect((await deliveriesOf(endpoint.id))[0]).toMatchObject({ status: 'PENDING', attempts: 0 });

    await t.gql(UpdateWebhookEndpointDocument, { input: { id: endpoint.id, enabled: true } }, tenant.key);
    const [held] = await r.waitFor(1);
    expect(held).toMatchObject({ webhookId: 'msg_held', verifyError: null });
  });

  it('delivers the events of one link in order, an earlier one retried first', async () => {
    const r = await receiver();
    const endpoint = await endpointFor(r, ['connection.status_changed']);
    r.respondWith.push(500);
    const connectionId = await newLink('ordered');
    await t.gql(RevokeAccessDocument, { connectionId }, tenant.key);
    const received = await r.waitFor(3);
    const statuses = received.map((h) => (h.verified?.data as { status: string } | undefined)?.status);
    expect(received.map((h) => h.status)).toEqual([500, 200, 200]);
    expect(statuses).toEqual(['ACTIVE', 'ACTIVE', 'REVOKED']);
    const rows = await t.hub.orm.em.fork().find(WebhookDelivery, { endpointId: endpoint.id as WebhookDelivery['endpointId'] }, { orderBy: { id: 'asc' } });
    expect(rows.map((d) => d.orderingKey)).toEqual([`connection:${connectionId}`, `connection:${connectionId}`]);
  });
});
