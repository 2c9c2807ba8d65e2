import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubId } from '../../../src/domain/ids.js';
import type { ProviderKind } from '../../../src/domain/model.js';
import { Appointment, Calendar, Connection, PushSubscription, SyncRun } from '../../../src/store/entities/index.js';
import { OPERATOR } from '../../../src/tenancy/caller.js';
import { print } from 'graphql';
import {
  AppointmentChangedDocument,
  CreateWebhookEndpointDocument,
  EnableTwoWaySyncDocument,
  RefreshCalendarsDocument,
  RevokeAccessDocument,
  SetPrimaryCalendarDocument,
  type AppointmentChangedSubscription,
} from '../../graphql/generated.js';
import { onlyError, waitFor } from '../../helpers/hub-harness.js';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.js';
import { createTenantWithUser, linkOk, recurringJobsOf, sandboxKit, startLinkingHub, type LinkingHub, type SandboxKit, type TenantUser } from '../linking/linking-harness.js';

/**
 * Push notifications in, end to end, against the sandbox emulators (which deliver Graph change and
 * lifecycle notifications and Google channel messages to the hub's /webhooks routes). Polls run
 * every 3 minutes (the default), far beyond these tests: what arrives, arrives through push.
 */
let t: LinkingHub;

beforeAll(async () => {
  t = await startLinkingHub({ PUSH_NOTIFICATIONS: 'on' }, { push: { settleMs: 0 } });
});
afterAll(async () => {
  await t?.close();
});

const em = () => t.hub.orm.em.fork();
const primaryOf = async (connectionId: HubId<'connection'>) => em().findOneOrFail(Calendar, { connectionId, role: 'PRIMARY' });
const subscriptionOf = async (connectionId: HubId<'connection'>) => em().findOne(PushSubscription, { connectionId });
const runsOf = (connectionId: HubId<'connection'>, trigger?: SyncRun['trigger']) => em().find(SyncRun, { connectionId, ...(trigger ? { trigger } : {}) }, { orderBy: { id: 'asc' } });
const appointment = (subject: string) => em().findOne(Appointment, { subject });

/** Links a fresh sandbox account and waits until its primary calendar has an open channel and the first run is done. */
async function linkWithPush(provider: ProviderKind, name: string): Promise<{ kit: SandboxKit; email: string; tenant: TenantUser; connectionId: HubId<'connection'> }> {
  const kit = sandboxKit(t, provider);
  const email = kit.newAccount(name);
  const tenant = await createTenantWithUser(t, `Push ${name}`, { hostUserId: name, email });
  const connectionId = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
  await waitFor('an open push channel', async () => (await primaryOf(connectionId)).push !== null && (await subscriptionOf(connectionId))?.channelId != null, 10_000);
  await waitFor('no run in progress', async () => (await runsOf(connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
  return { kit, email, tenant, connectionId };
}

/** Makes an event at the provider and waits until it is a host appointment; returns the runs that ran meanwhile. */
async function changeArrives(link: { kit: SandboxKit; email: string; connectionId: HubId<'connection'> }, subject: string): Promise<SyncRun[]> {
  const before = (await runsOf(link.connectionId)).map((r) => r.id);
  const calendar = await primaryOf(link.connectionId);
  link.kit.createUserEvent(link.email, calendar.providerCalendarId, subject);
  await waitFor(`"${subject}" to arrive`, async () => (await appointment(subject)) !== null, 10_000);
  return (await runsOf(link.connectionId)).filter((r) => !before.includes(r.id));
}

describe.each(['MICROSOFT', 'GOOGLE'] as const)('push notifications from %s', (provider) => {
  let link: Awaited<ReturnType<typeof linkWithPush>>;

  beforeAll(async () => {
    link = await linkWithPush(provider, `push-${provider.toLowerCase()}`);
  });

  it('subscribes the primary calendar, and a change at the provider arrives through a PUSH run', async () => {
    const calendar = await primaryOf(link.connectionId);
    expect(Date.parse(calendar.push!.expiresAt)).toBeGreaterThan(Date.now() + 86_400_000);
    const runs = await changeArrives(link, `${provider} pushed change`);
    expect(runs.map((r) => r.trigger)).not.toContain('POLL');
    expect(runs.filter((r) => r.trigger === 'PUSH').some((r) => r.counts.inbound.created === 1)).toBe(true);
    expect(await recurringJobsOf(t, link.connectionId)).toContain('push.check');
  });

  it('discards forged notifications without a sync, and acts on a genuine one', async () => {
    const calendar = await primaryOf(link.connectionId);
    const channel = calendar.push!;
    const stats = t.hub.push.notifications.stats;
    const discarded = { ...stats.discarded };
    const pushRuns = async () => (await runsOf(link.connectionId, 'PUSH')).length;
    const before = await pushRuns();

    const send = (fields: { channelId: string; secret: string; resourceId?: string | null }) =>
      provider === 'MICROSOFT'
        ? fetch(`${t.origin}/webhooks/microsoft-graph`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ value: [{ subscriptionId: fields.channelId, clientState: fields.secret, changeType: 'updated', resource: 'Users/x/Events/y', tenantId: 't' }] }),
          })
        : fetch(`${t.origin}/webhooks/google-calendar`, {
            method: 'POST',
            headers: {
              'x-goog-channel-id': fields.channelId,
              'x-goog-channel-token': fields.secret,
              'x-goog-resource-id': fields.resourceId ?? channel.resourceId!,
              'x-goog-resource-state': 'exists',
              'x-goog-message-number': '99',
            },
          });
    const expectedStatus = provider === 'MICROSOFT' ? 202 : 200;

    expect((await send({ channelId: channel.channelId, secret: 'not-the-secret' })).status).toBe(expectedStatus);
    expect((await send({ channelId: 'no-such-channel', secret: channel.secret })).status).toBe(expectedStatus);
    if (provider === 'GOOGLE') expect((await send({ channelId: channel.channelId, secret: channel.secret, resourceId: 'another-resource' })).status).toBe(200);
    // The answer goes out once the notification was verified (and a run queued, for a genuine one).
    expect(await pushRuns()).toBe(before);
    expect(stats.discarded.wrong_secret).toBe(discarded.wrong_secret + 1);
    expect(stats.discarded.unknown_channel).toBe(discarded.unknown_channel + (provider === 'GOOGLE' ? 2 : 1));

    expect((await send({ channelId: channel.channelId, secret: channel.secret })).status).toBe(expectedStatus);
    expect(await pushRuns()).toBe(before + 1);
    await waitFor('the genuine run to end', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
  });

  it('stops the channels on revoke, with the link jobs', async () => {
    const other = await linkWithPush(provider, `push-revoke-${provider.toLowerCase()}`);
    const channel = (await primaryOf(other.connectionId)).push!;
    const open = () =>
      provider === 'MICROSOFT'
        ? t.sandbox.microsoft.control.listSubscriptions(other.email).map((s) => String(s.id))
        : t.sandbox.google.control.listChannels().map((c) => c.id);
    expect(open()).toContain(channel.channelId);
    const revoked = await t.gql(RevokeAccessDocument, { connectionId: other.connectionId }, other.tenant.key);
    expect(revoked.errors).toBeUndefined();
    expect(open()).not.toContain(channel.channelId);
    expect((await primaryOf(other.connectionId).catch(() => null))?.push ?? null).toBeNull();
    expect(await recurringJobsOf(t, other.connectionId)).not.toContain('push.check');
  });
});

describe('renewal', () => {
  it.each(['MICROSOFT', 'GOOGLE'] as const)('push.check renews a %s channel that gets close to its expiry, and push goes on', async (provider) => {
    const link = await linkWithPush(provider, `push-renew-${provider.toLowerCase()}`);
    const calendar = await primaryOf(link.connectionId);
    const old = calendar.push!;
    // As if most of the channel's life had passed: it expires in a minute.
    await em().nativeUpdate(Calendar, { id: calendar.id }, { push: { ...old, expiresAt: new Date(Date.now() + 60_000).toISOString() } });

    await t.hub.push.channels.check(link.connectionId);
    const renewed = (await primaryOf(link.connectionId)).push!;
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now() + 86_400_000);
    if (provider === 'MICROSOFT') {
      // Graph: PATCHed in place.
      expect(renewed.channelId).toBe(old.channelId);
      expect(t.sandbox.microsoft.control.listSubscriptions(link.email).map((s) => s.id)).toEqual([old.channelId]);
    } else {
      // Google channels cannot be renewed: a new one, and the old one stopped.
      expect(renewed.channelId).not.toBe(old.channelId);
      const open = t.sandbox.google.control.listChannels().map((c) => c.id);
      expect(open).toContain(renewed.channelId);
      expect(open).not.toContain(old.channelId);
    }
    expect((await subscriptionOf(link.connectionId))!.channelId).toBe(renewed.channelId);
    await waitFor('no run in progress', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
    const runs = await changeArrives(link, `${provider} after the renewal`);
    expect(runs.map((r) => r.trigger)).not.toContain('POLL');
  });
});

describe('the watched calendar', () => {
  it.each(['MICROSOFT', 'GOOGLE'] as const)('%s: the channel follows the primary calendar and the two-way switch at once', async (provider) => {
    const link = await linkWithPush(provider, `push-moves-${provider.toLowerCase()}`);
    const calendar = (id: HubId<'calendar'>) => em().findOneOrFail(Calendar, { id });
    const openAtProvider = () =>
      provider === 'MICROSOFT' ? t.sandbox.microsoft.control.listSubscriptions(link.email).map((s) => String(s.id)) : t.sandbox.google.control.listChannels().map((c) => c.id);
    const former = await primaryOf(link.connectionId);
    const next = (await em().find(Calendar, { connectionId: link.connectionId, role: 'NONE', canEdit: true, removedAt: null }, { orderBy: { id: 'asc' } }))[0]!;

    const moved = await t.gql(SetPrimaryCalendarDocument, { calendarId: next.id }, link.tenant.key);
    expect(moved.errors).toBeUndefined();
    await waitFor('the new primary watched and the former one not', async () => (await calendar(next.id)).push !== null && (await calendar(former.id)).push === null, 10_000);
    expect(openAtProvider()).toContain((await calendar(next.id)).push!.channelId);
    expect(openAtProvider()).not.toContain(former.push!.channelId);
    await waitFor('no run in progress', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 15_000);
    expect((await changeArrives(link, `${provider} in the new primary`)).map((r) => r.trigger)).not.toContain('POLL');

    const watched = (await calendar(next.id)).push!.channelId;
    expect((await t.gql(EnableTwoWaySyncDocument, { connectionId: link.connectionId, enabled: false }, link.tenant.key)).errors).toBeUndefined();
    await waitFor('the channel to stop with two-way sync', async () => (await calendar(next.id)).push === null, 10_000);
    expect(openAtProvider()).not.toContain(watched);

    expect((await t.gql(EnableTwoWaySyncDocument, { connectionId: link.connectionId, enabled: true }, link.tenant.key)).errors).toBeUndefined();
    await waitFor('a channel again', async () => (await calendar(next.id)).push !== null, 10_000);
    await waitFor('no run in progress', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 15_000);
    expect((await changeArrives(link, `${provider} with two-way on again`)).map((r) => r.trigger)).not.toContain('POLL');
  });
});

describe('push channels that the provider drops', () => {
  it('Graph subscriptionRemoved: the hub subscribes again and push resumes', async () => {
    const link = await linkWithPush('MICROSOFT', 'push-removed-ms');
    const old = (await primaryOf(link.connectionId)).push!.channelId;
    await t.sandbox.microsoft.control.removeSubscription(old);
    await waitFor('a new subscription', async () => {
      const id = (await primaryOf(link.connectionId)).push?.channelId;
      return id !== undefined && id !== old;
    }, 10_000);
    expect(t.sandbox.microsoft.control.listSubscriptions(link.email).map((s) => s.id)).toEqual([(await primaryOf(link.connectionId)).push!.channelId]);
    const runs = await changeArrives(link, 'after subscriptionRemoved');
    expect(runs.map((r) => r.trigger)).not.toContain('POLL');
  });

  it('Graph reauthorizationRequired: the hub renews (which reauthorizes) and push resumes', async () => {
    const link = await linkWithPush('MICROSOFT', 'push-reauth-ms');
    const channelId = (await primaryOf(link.connectionId)).push!.channelId;
    const renewedBefore = (await subscriptionOf(link.connectionId))!.subscribedAt!.getTime();
    await t.sandbox.microsoft.control.triggerLifecycleEvent(channelId, 'reauthorizationRequired');
    await waitFor('the renewal', async () => ((await subscriptionOf(link.connectionId))!.subscribedAt?.getTime() ?? 0) > renewedBefore, 10_000);
    // Renewed in place (same subscription); the emulator delivers again only because it was reauthorized.
    expect((await primaryOf(link.connectionId)).push!.channelId).toBe(channelId);
    await waitFor('the catch-up run to end', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
    const runs = await changeArrives(link, 'after reauthorization');
    expect(runs.map((r) => r.trigger)).not.toContain('POLL');
  });

  it('Graph subscriptionRemoved while the link waits for its relink: the relink subscribes again and push resumes', async () => {
    const link = await linkWithPush('MICROSOFT', 'push-relink-ms');
    const old = (await primaryOf(link.connectionId)).push!.channelId;
    link.kit.revokeGrant(link.email);
    expect(onlyError(await t.gql(RefreshCalendarsDocument, { connectionId: link.connectionId }, link.tenant.key)).extensions?.code).toBe('CONFLICT');
    expect((await em().findOneOrFail(Connection, { id: link.connectionId })).status).toBe('NEEDS_REAUTH');

    // Graph removes the subscription; the hub cannot act on it while the link needs its relink.
    await t.sandbox.microsoft.control.removeSubscription(old);
    expect(t.sandbox.microsoft.control.listSubscriptions(link.email)).toEqual([]);
    await waitFor('the lifecycle job to end', async () => (await t.hub.scheduler.agenda.queryJobs({ name: 'push.lifecycle', data: { connectionId: link.connectionId } })).jobs.length === 0, 10_000);
    expect((await primaryOf(link.connectionId)).push!.channelId).toBe(old);

    expect(await linkOk(t, link.tenant.key, { userId: link.tenant.userId, provider: 'MICROSOFT', account: link.email })).toBe(link.connectionId);
    await waitFor('a new subscription after the relink', async () => {
      const id = (await primaryOf(link.connectionId)).push?.channelId;
      return id !== undefined && id !== old;
    }, 10_000);
    expect(t.sandbox.microsoft.control.listSubscriptions(link.email).map((s) => s.id)).toEqual([(await primaryOf(link.connectionId)).push!.channelId]);
    await waitFor('no run in progress', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
    const runs = await changeArrives(link, 'after the relink');
    expect(runs.map((r) => r.trigger)).not.toContain('POLL');
  });

  it('Graph missed: the hub reads what it was not told about', async () => {
    const link = await linkWithPush('MICROSOFT', 'push-missed-ms');
    const before = (await runsOf(link.connectionId, 'PUSH')).length;
    await t.sandbox.microsoft.control.triggerLifecycleEvent((await primaryOf(link.connectionId)).push!.channelId, 'missed');
    // The lifecycle POST is answered once the run is queued.
    expect((await runsOf(link.connectionId, 'PUSH')).length).toBe(before + 1);
    await waitFor('no run in progress', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
  });

  it('Google channel dropped silently: a read that finds unannounced changes gets the channel re-created', async () => {
    const link = await linkWithPush('GOOGLE', 'push-silent-google');
    await changeArrives(link, 'google before the drop');
    const dropped = (await primaryOf(link.connectionId)).push!.channelId;
    expect(t.sandbox.google.control.removeChannel(dropped)).toBe(true);

    const calendar = await primaryOf(link.connectionId);
    link.kit.createUserEvent(link.email, calendar.providerCalendarId, 'made while nobody listens');
    const manual = await t.hub.services.sync.syncNow(OPERATOR, link.connectionId);
    await waitFor('the manual run', async () => (await em().findOneOrFail(SyncRun, { id: manual.id })).outcome !== 'RUNNING', 10_000);
    expect(await appointment('made while nobody listens')).not.toBeNull();

    await t.hub.push.channels.check(link.connectionId);
    const renewed = (await primaryOf(link.connectionId)).push!.channelId;
    expect(renewed).not.toBe(dropped);
    await waitFor('no run in progress', async () => (await runsOf(link.connectionId)).every((r) => r.outcome !== 'RUNNING'), 10_000);
    const runs = await changeArrives(link, 'google after the new channel');
    expect(runs.map((r) => r.trigger)).toEqual(expect.arrayContaining(['PUSH']));
    expect(runs.map((r) => r.trigger)).not.toContain('POLL');
  });
});

describe('from the provider to the host', () => {
  it.each(['MICROSOFT', 'GOOGLE'] as const)('a %s change reaches the appointmentChanged subscription and the signed appointment.changed webhook with the same object', async (provider) => {
    const receiver = await startWebhookReceiver();
    try {
      const link = await linkWithPush(provider, `push-webhook-${provider.toLowerCase()}`);
      const created = await t.gql(CreateWebhookEndpointDocument, { input: { url: receiver.url, events: ['appointment.changed'] } }, link.tenant.key);
      receiver.secret = created.data!.createWebhookEndpoint.secret;
      const before = t.hub.pubsub.subscriptionCount;
      const subscription = t.wsClient(link.tenant.key).iterate<AppointmentChangedSubscription>({ query: print(AppointmentChangedDocument) });
      const next = subscription.next();
      await waitFor('the subscription to reach the pubsub', () => t.hub.pubsub.subscriptionCount > before);

      const runs = await changeArrives(link, `${provider} to the host`);
      expect(runs.map((r) => r.trigger)).not.toContain('POLL');
      const event = (await next).value!.data!.appointmentChanged;
      expect(event).toMatchObject({ kind: 'CREATED', source: provider, appointment: { subject: `${provider} to the host` } });
      const [hook] = await receiver.waitFor(1);
      expect(hook!.verifyError).toBeNull();
      expect(hook!.verified).toMatchObject({ type: 'appointment.changed', timestamp: event.at, data: event });
      await subscription.return?.();
    } finally {
      await receiver.close();
    }
  });
});

describe('coalescing', () => {
  it('a burst of notifications queues one PUSH run; a notification after that run started queues the next', async () => {
    const link = await linkWithPush('GOOGLE', 'push-burst');
    const row = (await subscriptionOf(link.connectionId))!;
    const runs = t.hub.push.runs;

    let first: SyncRun | null = null;
    // While another run holds the link's lease, queued runs cannot start reading.
    await t.hub.sync.engine.withLease(link.connectionId, async () => {
      const burst = await Promise.all(Array.from({ length: 20 }, () => runs.request(row)));
      first = burst[0]!;
      expect(new Set(burst.map((r) => r!.id))).toEqual(new Set([first.id]));
      expect((await runs.request(row))!.id).toBe(first.id);
    });
    await waitFor('the shared run to end', async () => (await em().findOneOrFail(SyncRun, { id: first!.id })).outcome !== 'RUNNING', 10_000);
    expect((await subscriptionOf(link.connectionId))!.startedRunId).toBe(first!.id);

    // That run read already: the next notification may announce a change it did not see.
    const next = await runs.request(row);
    expect(next!.id).not.toBe(first!.id);
    expect((await runsOf(link.connectionId, 'PUSH')).filter((r) => r.id > first!.id).map((r) => r.id)).toEqual([next!.id]);
    await waitFor('the next run to end', async () => (await em().findOneOrFail(SyncRun, { id: next!.id })).outcome !== 'RUNNING', 10_000);
  });
});
