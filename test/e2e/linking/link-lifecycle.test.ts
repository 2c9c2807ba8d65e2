import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type HubId } from '../../../src/domain/ids.js';
import type { ProviderKind } from '../../../src/domain/model.js';
import { asProviderCalendarId } from '../../../src/providers/calendar-provider.js';
import { Calendar, Connection, SyncIssue, SyncMapping } from '../../../src/store/entities/index.js';
import type { CleanupProgressPayload } from '../../../src/events/pubsub-topics.js';
import { TOPICS } from '../../../src/events/pubsub-topics.js';
import { ConnectionDocument, LinkCalendarDocument, RefreshCalendarsDocument, RevokeAccessDocument, SetConflictCalendarsDocument, type ConnectionFieldsFragment } from '../../graphql/generated.js';
import { startPushReceiver } from '../../helpers/google-push-receiver.js';
import { idOf, onlyError } from '../../helpers/hub-harness.js';
import { formatHubTag } from '../../../src/domain/sync/hub-tag.js';
import { createTenantWithUser, linkAccount, linkOk, pageMessage, recurringJobsOf, sandboxAccountId, sandboxKit, startLinkingHub, type LinkingHub, type SandboxKit, type TenantUser } from './linking-harness.js';

/** Relink, revoke (with and without cleanup) and linking again, for both providers. */
let t: LinkingHub;

beforeAll(async () => {
  t = await startLinkingHub();
});
afterAll(async () => {
  await t?.close();
});

const providers: ProviderKind[] = ['MICROSOFT', 'GOOGLE'];

async function connection(tenant: TenantUser, id: string): Promise<ConnectionFieldsFragment> {
  const result = await t.gql(ConnectionDocument, { id }, tenant.key);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.connection;
}

const primaryOf = (link: ConnectionFieldsFragment) => link.calendars.find((c) => c.role === 'PRIMARY')!;

/** Creates an event through the hub's own adapter for the link, as the sync engine does (it carries the hub's tag). */
async function createHubEvent(connectionId: HubId<'connection'>, providerCalendarId: string, subject: string): Promise<string> {
  const start = new Date(Date.now() + 2 * 86_400_000);
  start.setUTCHours(9, 0, 0, 0);
  // The engine's tag: the appointment and the hub calendar the event was written for.
  const calendar = await t.hub.orm.em.fork().findOneOrFail(Calendar, { connectionId, providerCalendarId });
  const event = await t.hub.connections.guard.run(connectionId, 'test: create an event', (provider) =>
    provider.createEvent({
      calendarId: asProviderCalendarId(providerCalendarId),
      idempotencyKey: formatHubTag({ appointmentId: newId('appointment'), calendarId: calendar.id, generation: 0 }),
      data: {
        subject,
        body: null,
        timing: { allDay: false, start: start.toISOString(), end: new Date(start.getTime() + 1_800_000).toISOString(), timeZone: 'UTC' },
        location: null,
        attendees: [],
        reminders: null,
        recurrence: null,
        showAs: 'BUSY',
        sensitivity: 'NORMAL',
      },
    }),
  );
  return event.id;
}

async function providerCalendarIdOf(calendarId: string): Promise<string> {
  return (await t.hub.orm.em.fork().findOneOrFail(Calendar, { id: idOf('calendar', calendarId) })).providerCalendarId;
}

describe.each(providers)('%s link lifecycle', (provider) => {
  let kit: SandboxKit;
  let tenant: TenantUser;
  let email: string;

  beforeAll(async () => {
    kit = sandboxKit(t, provider);
  });

  async function freshUser(label: string): Promise<void> {
    email = kit.newAccount(label);
    tenant = await createTenantWithUser(t, `${provider} ${label}`, { hostUserId: label, email });
  }

  it('relinks a NEEDS_REAUTH link in place, keeping its id, calendars, roles, mappings and activatedAt', async () => {
    await freshUser('relink');
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
    const before = await connection(tenant, id);
    const other = before.calendars.find((c) => c.role === 'NONE')!;
    await t.gql(SetConflictCalendarsDocument, { connectionId: id, calendarIds: [other.id] }, tenant.key);
    const em = t.hub.orm.em.fork();
    const mapping = new SyncMapping({ tenantId: tenant.tenantId, appointmentId: newId('appointment'), calendarId: idOf('calendar', primaryOf(before).id), connectionId: id });
    mapping.externalEventId = 'evt-kept-1';
    mapping.state = 'SYNCED';
    mapping.deriveKeys();
    await em.persistAndFlush(mapping);

    kit.revokeGrant(email);
    const refused = onlyError(await t.gql(RefreshCalendarsDocument, { connectionId: id }, tenant.key));
    expect(refused.extensions?.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/stopped/);
    const broken = await connection(tenant, id);
    expect(broken.status).toBe('NEEDS_REAUTH');
    expect(broken.statusReason).toMatch(/no longer accepts/);
    const issue = await t.hub.orm.em.fork().findOneOrFail(SyncIssue, { connectionId: id, code: 'RELINK_REQUIRED', resolvedAt: null });
    expect(issue.tip).toMatch(/Relink/);

    const started = await t.gql(LinkCalendarDocument, { input: { userId: tenant.userId, provider } }, tenant.key);
    expect(started.data!.linkCalendar.relink).toBe(true);
    const relinked = await linkAccount(t, tenant.key, { userId: tenant.userId, provider, account: email, returnTo: 'https://crm.example.com/back' });
    expect(relinked.location?.searchParams.get('connectionId')).toBe(id);

    const after = await connection(tenant, id);
    expect(after).toMatchObject({ id, status: 'ACTIVE', statusReason: null, activatedAt: before.activatedAt, accountEmail: email });
    expect(after.calendars.map((c) => [c.id, c.role]).sort()).toEqual(before.calendars.map((c) => [c.id, c.id === other.id ? 'CONFLICT_CHECK' : c.role]).sort());
    const kept = await t.hub.orm.em.fork().findOneOrFail(SyncMapping, { id: mapping.id });
    expect(kept).toMatchObject({ connectionId: id, externalEventId: 'evt-kept-1', state: 'SYNCED', closedAt: null });
    expect(await t.hub.orm.em.fork().count(SyncIssue, { connectionId: id, code: 'RELINK_REQUIRED', resolvedAt: null })).toBe(0);
  });

  it('refuses a relink with another account and says to revoke first', async () => {
    await freshUser('switch');
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
    const otherAccount = kit.newAccount('switch-other');
    const result = await linkAccount(t, tenant.key, { userId: tenant.userId, provider, account: otherAccount });
    expect(result.status).toBe(409);
    expect(pageMessage(result.html).tip).toMatch(/revoke the current .* link first/);
    expect((await connection(tenant, id)).accountEmail).toBe(email);
  });

  it('revokes without cleanup: REVOKED, roles cleared, tokens and jobs gone, events left in place; linking again reuses the link', async () => {
    await freshUser('revoke');
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
    const linked = await connection(tenant, id);
    const primary = primaryOf(linked);
    const eventId = await createHubEvent(id, await providerCalendarIdOf(primary.id), 'Made by the hub');
    expect(await recurringJobsOf(t, id)).toEqual(['connection.refresh', 'sync.poll']);

    const revoked = await t.gql(RevokeAccessDocument, { connectionId: id }, tenant.key);
    const payload = revoked.data!.revokeAccess;
    expect(payload.cleanup).toBeNull();
    expect(payload.providerGrantRevoked).toBe(provider === 'GOOGLE');
    expect(payload.connection.status).toBe('REVOKED');
    expect(payload.connection.revokedAt).not.toBeNull();
    expect(payload.connection.calendars.every((c) => c.role === 'NONE')).toBe(true);
    const row = await t.hub.orm.em.fork().findOneOrFail(Connection, { id });
    expect(row.tokens).toBeNull();
    expect((await t.hub.scheduler.agenda.queryJobs({ data: { connectionId: id } })).total).toBe(0);
    expect(kit.eventIds(email, await providerCalendarIdOf(primary.id))).toContain(eventId);
    if (provider === 'GOOGLE') {
      // Revoked at Google: the grant is gone from the account.
      const accountId = sandboxAccountId(t, 'GOOGLE', email);
      expect(t.sandbox.google.control.listGrants().filter((g) => g.accountId === accountId)).toEqual([]);
    }

    // The revoked link is reused, id included, and linkCalendar says so.
    const restart = await t.gql(LinkCalendarDocument, { input: { userId: tenant.userId, provider } }, tenant.key);
    expect(restart.data!.linkCalendar.relink).toBe(true);
    const again = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
    expect(again).toBe(id);
    const relinked = await connection(tenant, id);
    expect(relinked).toMatchObject({ status: 'ACTIVE', revokedAt: null });
    expect(Date.parse(relinked.activatedAt!)).toBeGreaterThanOrEqual(Date.parse(payload.connection.revokedAt!));
    expect(relinked.calendars.filter((c) => c.role === 'PRIMARY').map((c) => c.id)).toEqual([primary.id]);
    expect(await recurringJobsOf(t, id)).toEqual(['connection.refresh', 'sync.poll']);
  });

  it('revokes with cleanup: deletes every event the hub created and nothing else, with progress events', async () => {
    await freshUser('cleanup');
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
    const linked = await connection(tenant, id);
    const primaryCal = await providerCalendarIdOf(primaryOf(linked).id);
    const secondCal = await providerCalendarIdOf(linked.calendars.find((c) => c.role === 'NONE' && c.canEdit)!.id);
    const hubEvents = [await createHubEvent(id, primaryCal, 'Hub 1'), await createHubEvent(id, primaryCal, 'Hub 2'), await createHubEvent(id, secondCal, 'Hub 3')];
    const userEvent = kit.createUserEvent(email, primaryCal, 'Made by the user');
    const mapping = new SyncMapping({ tenantId: tenant.tenantId, appointmentId: newId('appointment'), calendarId: idOf('calendar', primaryOf(linked).id), connectionId: id });
    await t.hub.orm.em.fork().persistAndFlush(mapping);
    const progress: CleanupProgressPayload[] = [];
    const events = t.hub.pubsub.subscribeTyped(TOPICS.CLEANUP_PROGRESS, { tenantId: tenant.tenantId });
    const collecting = (async () => {
      for await (const e of events) {
        progress.push(e);
        if (e.done) break;
      }
    })();

    const revoked = await t.gql(RevokeAccessDocument, { connectionId: id, cleanup: true }, tenant.key);
    const payload = revoked.data!.revokeAccess;
    expect(payload.connection.status).toBe('REVOKED');
    expect(payload.cleanup).toMatchObject({ status: 'COMPLETED', eventsDeleted: 3, eventsFailed: 0, failures: [], reason: null });
    await collecting;
    expect(progress.at(-1)).toMatchObject({ connectionId: id, done: true, processed: 3 });

    const remaining = [...kit.eventIds(email, primaryCal), ...kit.eventIds(email, secondCal)];
    expect(remaining).toContain(userEvent);
    for (const hubEvent of hubEvents) expect(remaining).not.toContain(hubEvent);
    expect((await t.hub.orm.em.fork().findOneOrFail(SyncMapping, { id: mapping.id })).closedAt).not.toBeNull();
  });

  it('still revokes when the grant is already dead, and says why the cleanup could not run', async () => {
    await freshUser('dead');
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
    kit.revokeGrant(email);
    const revoked = await t.gql(RevokeAccessDocument, { connectionId: id, cleanup: true }, tenant.key);
    const payload = revoked.data!.revokeAccess;
    expect(payload.connection.status).toBe('REVOKED');
    expect(payload.cleanup).toMatchObject({ status: 'NOT_RUN', eventsDeleted: 0 });
    expect(payload.cleanup!.reason).toMatch(/no longer accepts/);
  });
});

describe('revoking a link with push notifications', () => {
  it('stops the push channels recorded on its calendars', async () => {
    const receiver = await startPushReceiver();
    try {
      const kit = sandboxKit(t, 'GOOGLE');
      const email = kit.newAccount('push');
      const tenant = await createTenantWithUser(t, 'Push', { hostUserId: 'push', email });
      const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
      const primary = primaryOf(await connection(tenant, id));
      const em = t.hub.orm.em.fork();
      const calendar = await em.findOneOrFail(Calendar, { id: idOf('calendar', primary.id) });
      calendar.push = await t.hub.connections.guard.run(id, 'test: watch', (provider) =>
        provider.push!.subscribe({
          calendarId: asProviderCalendarId(calendar.providerCalendarId),
          notificationUrl: receiver.url,
          secret: 'channel-token-for-the-test',
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        }),
      );
      await em.flush();
      expect(t.sandbox.google.control.listChannels().map((c) => c.id)).toContain(calendar.push.channelId);

      await t.gql(RevokeAccessDocument, { connectionId: id }, tenant.key);
      expect(t.sandbox.google.control.listChannels().map((c) => c.id)).not.toContain(calendar.push.channelId);
      expect((await t.hub.orm.em.fork().findOneOrFail(Calendar, { id: idOf('calendar', primary.id) })).push).toBeNull();
    } finally {
      await receiver.close();
    }
  });
});

