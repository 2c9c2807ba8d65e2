import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HubId } from '../../../src/domain/ids.js';
import { TOPICS, type SyncIssueRaisedPayload } from '../../../src/events/pubsub-topics.js';
import { ProviderError } from '../../../src/providers/calendar-provider.js';
import { Connection, SyncIssue } from '../../../src/store/entities/index.js';
import { ConnectionDocument, ConnectionStatusChangedDocument, RefreshCalendarsDocument, type ConnectionStatusChangedSubscription } from '../../graphql/generated.js';
import { onlyError, waitFor } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, recurringJobsOf, sandboxKit, startLinkingHub, type LinkingHub, type TenantUser } from './linking-harness.js';

/**
 * Token failures become link state in one place (the connection guard): a revoked grant stops only
 * that link; transient failures are retried and counted while the link stays ACTIVE.
 */
let t: LinkingHub;

beforeAll(async () => {
  // A fast `connection.refresh` cadence so the links' recurring jobs run during the test.
  t = await startLinkingHub({ CONNECTION_REFRESH_INTERVAL_MS: '1000', JOBS_POLL_INTERVAL_MS: '100' }, { connections: { guardRetry: { baseDelayMs: 10 } } });
});
afterAll(async () => {
  await t?.close();
});

const row = (id: HubId<'connection'>) => t.hub.orm.em.fork().findOneOrFail(Connection, { id });

/** The link is ACTIVE through the API, with no open notice and its recurring jobs scheduled. */
async function expectLinkActive(tenantKey: string, id: HubId<'connection'>): Promise<void> {
  const after = (await t.gql(ConnectionDocument, { id }, tenantKey)).data!.connection;
  expect(after).toMatchObject({ status: 'ACTIVE', statusReason: null, lastError: null });
  expect(await t.hub.orm.em.fork().count(SyncIssue, { connectionId: id, resolvedAt: null })).toBe(0);
  await waitFor("the link's jobs", async () => (await recurringJobsOf(t, id)).length === 2, 15_000);
}

describe('a revoked grant', () => {
  let tenant: TenantUser;
  let googleId: HubId<'connection'>;
  let microsoftId: HubId<'connection'>;
  let googleEmail: string;

  beforeAll(async () => {
    googleEmail = sandboxKit(t, 'GOOGLE').newAccount('both');
    const microsoftEmail = sandboxKit(t, 'MICROSOFT').newAccount('both');
    tenant = await createTenantWithUser(t, 'Two links', { hostUserId: 'both', email: googleEmail });
    googleId = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: googleEmail });
    microsoftId = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'MICROSOFT', account: microsoftEmail });
  });

  it("turns only that link NEEDS_REAUTH with one relink notice, while the user's other link keeps syncing", async () => {
    const events: ConnectionStatusChangedSubscription['connectionStatusChanged'][] = [];
    const ws = t.wsClient(tenant.key);
    const before = t.hub.pubsub.subscriptionCount;
    const unsubscribe = ws.subscribe<ConnectionStatusChangedSubscription>(
      { query: print(ConnectionStatusChangedDocument), variables: { userId: tenant.userId } },
      { next: (m) => void (m.data && events.push(m.data.connectionStatusChanged)), error: () => undefined, complete: () => undefined },
    );
    await waitFor('the subscription to reach the pubsub', () => t.hub.pubsub.subscriptionCount > before);

    const raised: SyncIssueRaisedPayload[] = [];
    const issueEvents = t.hub.pubsub.subscribeTyped(TOPICS.SYNC_ISSUE_RAISED, { tenantId: tenant.tenantId });
    const collecting = (async () => {
      for await (const e of issueEvents) {
        raised.push(e);
        break;
      }
    })();

    sandboxKit(t, 'GOOGLE').revokeGrant(googleEmail);
    await waitFor('the Google link to need re-authorisation', async () => (await row(googleId)).status === 'NEEDS_REAUTH', 15_000);
    const revokedAt = Date.now();

    const google = (await t.gql(ConnectionDocument, { id: googleId }, tenant.key)).data!.connection;
    expect(google.status).toBe('NEEDS_REAUTH');
    expect(google.statusReason).toMatch(/Google Calendar no longer accepts/);
    expect(google.lastError?.code).toBe('AUTH_REVOKED');
    const issues = await t.hub.orm.em.fork().find(SyncIssue, { connectionId: googleId, resolvedAt: null });
    expect(issues.map((i) => [i.code, i.severity])).toEqual([['RELINK_REQUIRED', 'BLOCKING']]);
    expect(issues[0]!.userId).toBe(tenant.userId);
    expect(issues[0]!.tip).toMatch(/Relink/);
    expect((await t.hub.scheduler.agenda.queryJobs({ data: { connectionId: googleId } })).total).toBe(0);
    await collecting;
    expect(raised[0]).toMatchObject({ code: 'RELINK_REQUIRED', severity: 'BLOCKING', connectionId: googleId, hostUserId: tenant.userId, syncIssueId: issues[0]!.id });

    // The Microsoft link's own job keeps running and succeeding after the Google failure.
    await waitFor('the Microsoft link to refresh again', async () => ((await row(microsoftId)).lastSyncAt?.getTime() ?? 0) > revokedAt, 15_000);
    const microsoft = (await t.gql(ConnectionDocument, { id: microsoftId }, tenant.key)).data!.connection;
    expect(microsoft).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 0 });
    // Nothing else of the user changed: the primary calendar stays where it was (on the Google link).
    expect(google.calendars.filter((c) => c.role === 'PRIMARY')).toHaveLength(1);
    expect(microsoft.calendars.filter((c) => c.role === 'PRIMARY')).toHaveLength(0);
    expect(await recurringJobsOf(t, microsoftId)).toEqual(['connection.refresh', 'sync.poll']);

    await waitFor('the status event', () => events.length > 0);
    expect(events[0]).toMatchObject({ status: 'NEEDS_REAUTH', previousStatus: 'ACTIVE', connection: { id: googleId, provider: 'GOOGLE' } });
    unsubscribe();

    // Failing again (a manual refresh) repeats the notice instead of adding one.
    expect(onlyError(await t.gql(RefreshCalendarsDocument, { connectionId: googleId }, tenant.key)).extensions?.code).toBe('CONFLICT');
    expect(await t.hub.orm.em.fork().count(SyncIssue, { connectionId: googleId, resolvedAt: null })).toBe(1);
  });
});

describe('a transient provider failure', () => {
  it('is retried, counted in consecutiveFailures and lastError while the link stays ACTIVE, and reset by the next success', async () => {
    const email = sandboxKit(t, 'GOOGLE').newAccount('flaky');
    const tenant = await createTenantWithUser(t, 'Flaky', { hostUserId: 'flaky', email });
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
    const rule = t.sandbox.emulators.core.faults.add({
      provider: 'google',
      route: 'google.calendarList.list',
      account: email,
      action: { kind: 'status', status: 503, retryAfterSeconds: 0 },
      trigger: { mode: 'always' },
    });
    try {
      const failed = onlyError(await t.gql(RefreshCalendarsDocument, { connectionId: id }, tenant.key));
      expect(failed.extensions?.code).toBe('CONFLICT');
      expect(failed.extensions?.tip).toMatch(/Try again/);
      const link = (await t.gql(ConnectionDocument, { id }, tenant.key)).data!.connection;
      expect(link.status).toBe('ACTIVE');
      expect(link.consecutiveFailures).toBeGreaterThanOrEqual(1);
      expect(link.lastError?.code).toBe('TRANSIENT');
      // The guard tried the whole operation twice (each attempt with the adapter's own retries).
      expect(t.sandbox.emulators.core.faults.list().find((r) => r.id === rule.id)!.fired).toBeGreaterThan(1);
    } finally {
      t.sandbox.emulators.core.faults.remove(rule.id);
    }
    const recovered = await t.gql(RefreshCalendarsDocument, { connectionId: id }, tenant.key);
    expect(recovered.data!.refreshCalendars).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 0 });
  });

  it('ends at once when the provider asks to wait longer than the guard may (Retry-After honoured, the next run tries again)', async () => {
    const email = sandboxKit(t, 'GOOGLE').newAccount('throttled');
    const tenant = await createTenantWithUser(t, 'Throttled', { hostUserId: 'throttled', email });
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
    const rule = t.sandbox.emulators.core.faults.add({
      provider: 'google',
      route: 'google.calendarList.list',
      account: email,
      action: { kind: 'status', status: 429, retryAfterSeconds: 120 },
      trigger: { mode: 'always' },
    });
    try {
      const failed = onlyError(await t.gql(RefreshCalendarsDocument, { connectionId: id }, tenant.key));
      expect(failed.extensions?.code).toBe('CONFLICT');
      expect(t.sandbox.emulators.core.faults.list().find((r) => r.id === rule.id)!.fired).toBe(1);
      const link = (await t.gql(ConnectionDocument, { id }, tenant.key)).data!.connection;
      expect(link).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 1, lastError: { code: 'RATE_LIMITED' } });
    } finally {
      t.sandbox.emulators.core.faults.remove(rule.id);
    }
  });
});

describe('a relink racing a run of the old grant', () => {
  it('leaves the link ACTIVE with its jobs when the old grant is found dead while the relink reads the calendars', async () => {
    const email = sandboxKit(t, 'GOOGLE').newAccount('racer');
    const tenant = await createTenantWithUser(t, 'Racer', { hostUserId: 'racer', email });
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
    // The relink's calendar read is slow; meanwhile a run of the old grant is refused and marks the link.
    const rule = t.sandbox.emulators.core.faults.add({
      provider: 'google',
      route: 'google.calendarList.list',
      account: email,
      action: { kind: 'latency', ms: 1_500 },
      trigger: { mode: 'once' },
    });
    try {
      const relinking = linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
      // A fired `once` rule leaves the list.
      await waitFor('the relink to read the calendars', () => !t.sandbox.emulators.core.faults.list().some((r) => r.id === rule.id), 15_000);
      const link = await row(id);
      expect(await t.hub.connections.guard.markNeedsReauth(link, new ProviderError('AUTH_REVOKED', 'the old grant was refused'))).toBe(true);
      expect((await row(id)).status).toBe('NEEDS_REAUTH');
      expect(await relinking).toBe(id);
    } finally {
      t.sandbox.emulators.core.faults.remove(rule.id);
    }
    await expectLinkActive(tenant.key, id);
    expect(await recurringJobsOf(t, id)).toEqual(['connection.refresh', 'sync.poll']);
  });

  it('leaves the link ACTIVE when the old grant is found dead after the relink read the link, just before it stores the new grant', async () => {
    const email = sandboxKit(t, 'MICROSOFT').newAccount('late-racer');
    const tenant = await createTenantWithUser(t, 'Late racer', { hostUserId: 'late-racer', email });
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'MICROSOFT', account: email });
    const old = await row(id);
    // A run of the old grant (another hub process) marks the link between the relink's last read of
    // the row and its write: the relink's copy still says ACTIVE.
    const { calendarLists } = t.hub.linking;
    const apply = calendarLists.apply.bind(calendarLists);
    let marked = false;
    const spy = vi.spyOn(calendarLists, 'apply').mockImplementation(async (em, link, listed, now) => {
      if (link.id === id && link.tokens !== old.tokens && !marked) {
        marked = await t.hub.connections.guard.markNeedsReauth(old, new ProviderError('AUTH_REVOKED', 'the old grant was refused'));
      }
      return apply(em, link, listed, now);
    });
    try {
      expect(await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'MICROSOFT', account: email })).toBe(id);
    } finally {
      spy.mockRestore();
    }
    expect(marked).toBe(true);
    await expectLinkActive(tenant.key, id);
  });

  it('leaves no relink notice when the relink finishes while a run of the old grant is marking the link', async () => {
    const email = sandboxKit(t, 'GOOGLE').newAccount('slow-marker');
    const tenant = await createTenantWithUser(t, 'Slow marker', { hostUserId: 'slow-marker', email });
    const id = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
    const old = await row(id);
    // The mark has turned the link NEEDS_REAUTH; while it cancels the link's jobs, the user relinks.
    const { jobs } = t.hub.connections;
    const stop = jobs.stop.bind(jobs);
    let relinked: HubId<'connection'> | null = null;
    const spy = vi.spyOn(jobs, 'stop').mockImplementation(async (connectionId, options) => {
      if (connectionId === id && relinked === null) relinked = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: email });
      return stop(connectionId, options);
    });
    try {
      expect(await t.hub.connections.guard.markNeedsReauth(old, new ProviderError('AUTH_REVOKED', 'the old grant was refused'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(relinked).toBe(id);
    await expectLinkActive(tenant.key, id);
  });
});
