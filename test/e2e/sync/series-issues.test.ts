import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostProfile } from '../../../src/domain/tenant-settings.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { take } from '../../helpers/pubsub-helpers.js';
import { subscribe } from '../../helpers/ws-subscriptions.js';
import { linkAccount, sandboxKit, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, type SyncUser } from './sync-harness.js';

/**
 * The notices of series a side cannot hold, end to end for both providers: each raised with its
 * tip under the host profile it belongs to (blocking: nothing synced; warning: synced as
 * described), deduplicated per item, listed by `syncIssues` and announced on `syncIssueRaised`, and
 * resolved by itself (`syncIssueResolved`) once the user fixed the item.
 */

let t: LinkingHub;
beforeAll(async () => {
  t = await startLinkingHub({ SYNC_POLL_INTERVAL_MS: '3600000' });
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const HOUR = 3_600_000;
const iso = (d: Date) => d.toISOString();
const inDays = (days: number, hour = 9) => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * HOUR);
/** The next date on `weekday` (0 Sunday … 6 Saturday) at least `days` ahead, 09:00 UTC. */
const nextWeekday = (weekday: number, days = 3) => {
  const d = inDays(days);
  return new Date(d.getTime() + ((weekday - d.getUTCDay() + 7) % 7) * DAY);
};

interface IssueView {
  id: string;
  code: string;
  severity: string;
  message: string;
  tip: string | null;
  side: string | null;
  open: boolean;
  appointmentId: string | null;
  externalEventId: string | null;
  occurrences: number;
}
const ISSUE_FIELDS = 'id code severity message tip side open appointmentId externalEventId occurrences';

async function issues(u: SyncUser, filter: Record<string, unknown> = {}): Promise<IssueView[]> {
  const data = await u.gql<{ syncIssues: { edges: { node: IssueView }[] } }>(`query($f: SyncIssueFilter) { syncIssues(filter: $f, first: 100) { edges { node { ${ISSUE_FIELDS} } } } }`, {
    f: { userId: u.tenant.userId, ...filter },
  });
  return data.syncIssues.edges.map((e) => e.node);
}

async function setProfile(u: SyncUser, hostProfile: Partial<HostProfile>): Promise<void> {
  await u.gql(`mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { tenantId } }`, { i: { hostProfile } });
}

/** The one notice of the user with this code, open or not. */
async function only(u: SyncUser, code: string): Promise<IssueView> {
  const found = await issues(u, { code });
  expect(found).toHaveLength(1);
  return found[0]!;
}

for (const kind of ['MICROSOFT', 'GOOGLE'] as const) {
  describe(`series notices with ${kind}`, () => {
    const user = (name: string) => linkedUser(t, t.sandbox.emulators, kind, { name });

    it('HOST_NO_DAILY_RECURRENCE blocks a daily series until it repeats weekly on every day', async () => {
      const u = await user('no-daily');
      await setProfile(u, { supportsDaily: false });
      const id = u.provider.createSeries('Standup', inDays(3, 8), 'FREQ=DAILY;COUNT=10');
      await u.syncNow();
      await u.syncNow();
      expect(await u.appointments()).toEqual([]);
      const issue = await only(u, 'HOST_NO_DAILY_RECURRENCE');
      expect(issue).toMatchObject({ severity: 'BLOCKING', side: kind, open: true, appointmentId: null, externalEventId: id, occurrences: 1 });
      expect(issue.message).toContain('“Standup”');
      expect(issue.tip).toContain('weekly series on every day of the week');

      u.provider.setRecurrence(id, 'FREQ=WEEKLY;COUNT=10;BYDAY=MO,TU,WE,TH,FR,SA,SU');
      await u.syncNow();
      const [series] = await u.appointments();
      expect(series!.recurrence!.rrule).toContain('BYDAY=MO,TU,WE,TH,FR,SA,SU');
      expect(await only(u, 'HOST_NO_DAILY_RECURRENCE')).toMatchObject({ id: issue.id, open: false });
      expect(await issues(u, { open: true })).toEqual([]);
    });

    it('HOST_NO_EXCEPTIONS warns and syncs the regular series until the occurrence is back in line', async () => {
      const u = await user('no-exceptions');
      await setProfile(u, { supportsExceptions: false });
      const start = inDays(4, 10);
      const id = u.provider.createSeries('Retro', start, 'FREQ=WEEKLY;COUNT=5');
      await u.syncNow();
      const second = new Date(start.getTime() + 7 * DAY);
      u.provider.moveOccurrence(id, second, new Date(second.getTime() + HOUR));
      await u.syncNow();
      const all = await u.appointments();
      expect(all).toHaveLength(1);
      expect(all[0]!.recurrence!.exdates).toEqual([]);
      const issue = await only(u, 'HOST_NO_EXCEPTIONS');
      expect(issue).toMatchObject({ severity: 'WARNING', open: true, appointmentId: all[0]!.id, externalEventId: id });
      expect(issue.tip).toContain('separate appointment here as a reminder');

      u.provider.moveOccurrence(id, second, second);
      await u.syncNow();
      expect(await only(u, 'HOST_NO_EXCEPTIONS')).toMatchObject({ open: false });
    });

    it('HOST_WEEK_START_MISMATCH warns and still syncs an every-2-weeks rule on Tuesday and Sunday until it is split', async () => {
      const u = await user('week-start');
      await setProfile(u, { weekStart: 'SU' });
      const id = u.provider.createSeries('Rota', nextWeekday(2), 'FREQ=WEEKLY;INTERVAL=2;COUNT=6;BYDAY=TU,SU;WKST=MO');
      await u.syncNow();
      const [series] = await u.appointments();
      expect(series!.recurrence!.rrule).toBe('FREQ=WEEKLY;INTERVAL=2;COUNT=6;BYDAY=TU,SU;WKST=MO');
      const issue = await only(u, 'HOST_WEEK_START_MISMATCH');
      expect(issue).toMatchObject({ severity: 'WARNING', open: true, appointmentId: series!.id });
      expect(issue.tip).toContain('Split it into two weekly series');

      u.provider.setRecurrence(id, 'FREQ=WEEKLY;INTERVAL=2;COUNT=3;BYDAY=TU;WKST=MO');
      await u.syncNow();
      expect((await u.appointment(series!.id)).recurrence!.rrule).toBe('FREQ=WEEKLY;INTERVAL=2;COUNT=3;BYDAY=TU;WKST=MO');
      expect(await only(u, 'HOST_WEEK_START_MISMATCH')).toMatchObject({ open: false });
    });

    it('HOST_NO_SERIES blocks a series, announced and resolved over the subscriptions, until it is a single event', async () => {
      const u = await user('no-series');
      await setProfile(u, { recurrence: 'NONE' });
      const raised = await subscribe<{ syncIssueRaised: IssueView }>(t, t.wsClient(u.tenant.key), `subscription { syncIssueRaised { ${ISSUE_FIELDS} } }`);
      const resolved = await subscribe<{ syncIssueResolved: IssueView }>(t, t.wsClient(u.tenant.key), `subscription { syncIssueResolved { ${ISSUE_FIELDS} } }`);
      const id = u.provider.createSeries('Jour fixe', inDays(5), 'FREQ=WEEKLY;COUNT=4');
      await u.syncNow();
      const [event] = await take(raised.events, 1, 10_000);
      expect(event!.data!.syncIssueRaised).toMatchObject({ code: 'HOST_NO_SERIES', severity: 'BLOCKING', open: true, externalEventId: id });
      expect(event!.data!.syncIssueRaised.tip).toContain('separate appointments');
      // Seen again, it is the same notice, repeated.
      u.provider.rename(id, 'Jour fixe (renamed)');
      await u.syncNow();
      expect(await only(u, 'HOST_NO_SERIES')).toMatchObject({ open: true, occurrences: 2 });
      expect(await u.appointments()).toEqual([]);

      u.provider.setRecurrence(id, null);
      await u.syncNow();
      const [done] = await take(resolved.events, 1, 10_000);
      expect(done!.data!.syncIssueResolved).toMatchObject({ id: event!.data!.syncIssueRaised.id, code: 'HOST_NO_SERIES', open: false });
      expect((await u.appointments()).map((a) => [a.subject, a.recurrence])).toEqual([['Jour fixe (renamed)', null]]);
      await raised.stop();
      await resolved.stop();
    });

    it('HOST_FIRST_OCCURRENCE_ONLY syncs the first occurrence, refuses series from the host, and goes once the series is a single event', async () => {
      const u = await user('first-only');
      await setProfile(u, { recurrence: 'FIRST_OCCURRENCE_ONLY' });
      const start = inDays(6, 7);
      const id = u.provider.createSeries('Onboarding', start, 'FREQ=WEEKLY;COUNT=4');
      await u.syncNow();
      const [first] = await u.appointments();
      expect(first).toMatchObject({ subject: 'Onboarding', start: iso(start), recurrence: null, syncState: 'SYNCED' });
      const issue = await only(u, 'HOST_FIRST_OCCURRENCE_ONLY');
      expect(issue).toMatchObject({ severity: 'WARNING', open: true, appointmentId: first!.id });
      expect(issue.tip).toContain('later occurrences');

      // The host holds no series: it cannot send one either.
      const refused = await u.rawGql(`mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created } }`, {
        i: { hostAppointmentId: 'own-series', userId: u.tenant.userId, subject: 'x', start: iso(start), end: iso(new Date(start.getTime() + HOUR)), timeZone: 'UTC', recurrence: { rrule: 'FREQ=WEEKLY' } },
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recurrence' });
      const window = [new Date(start.getTime() - DAY), new Date(start.getTime() + 40 * DAY)] as const;
      expect(u.provider.instances(id, ...window)).toHaveLength(4);

      u.provider.setRecurrence(id, null);
      await u.syncNow();
      expect(await only(u, 'HOST_FIRST_OCCURRENCE_ONLY')).toMatchObject({ open: false });
      expect(await u.appointment(first!.id)).toMatchObject({ start: iso(start), recurrence: null, deleted: false });
    });

    it('ENDLESS_SERIES_CAPPED gives the host an end, keeps the calendar series endless, and goes once the series ends', async () => {
      const u = await user('endless');
      await setProfile(u, { supportsEndless: false, endlessHorizonYears: 2 });
      const start = inDays(3, 9);
      const id = u.provider.createSeries('Forever', start, 'FREQ=WEEKLY');
      await u.syncNow();
      const [series] = await u.appointments();
      expect(series!.recurrence!.rrule).toMatch(/UNTIL=\d{8}T\d{6}Z/);
      const issue = await only(u, 'ENDLESS_SERIES_CAPPED');
      expect(issue).toMatchObject({ severity: 'WARNING', open: true, appointmentId: series!.id });
      expect(issue.tip).toContain('end date');

      u.provider.setRecurrence(id, 'FREQ=WEEKLY;COUNT=10');
      await u.syncNow();
      expect((await u.appointment(series!.id)).recurrence!.rrule).toContain('COUNT=10');
      expect(await only(u, 'ENDLESS_SERIES_CAPPED')).toMatchObject({ open: false });
    });
  });
}

describe('RECURRENCE_NOT_REPRESENTABLE', () => {
  it('refuses a host series Outlook cannot hold, naming the part, writes nothing, and goes once the host changes the rule', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'MICROSOFT', { name: 'not-representable' });
    const first = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1, 9));
    const series = { subject: 'Payroll', start: iso(first), end: iso(new Date(first.getTime() + HOUR)), timeZone: 'UTC' };
    const saved = await u.upsert('payroll', { ...series, recurrence: { rrule: 'FREQ=MONTHLY;COUNT=4;BYMONTHDAY=1,15' } });
    await waitFor('the notice', async () => (await issues(u, { code: 'RECURRENCE_NOT_REPRESENTABLE' })).length === 1, 10_000);
    const issue = await only(u, 'RECURRENCE_NOT_REPRESENTABLE');
    expect(issue).toMatchObject({ severity: 'BLOCKING', side: 'HOST', open: true, appointmentId: saved.id, externalEventId: null });
    expect(issue.message).toContain('one day of the month only');
    expect(issue.tip).toContain('split it into several series');
    expect((await u.appointment(saved.id)).mappings[0]).toMatchObject({ state: 'UNSUPPORTED', externalEventId: null });
    expect(u.provider.events()).toEqual([]);

    await u.synced((await u.upsert('payroll', { ...series, recurrence: { rrule: 'FREQ=MONTHLY;COUNT=4;BYMONTHDAY=1' } })).id);
    expect(await only(u, 'RECURRENCE_NOT_REPRESENTABLE')).toMatchObject({ open: false });
  });

  it('refuses a host series whose first occurrence is on a day its rule does not repeat on (Outlook would drop it), and goes once it starts on one', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'MICROSOFT', { name: 'off-pattern' });
    const monday = nextWeekday(1);
    const series = (start: Date) => ({ subject: 'Clinic', start: iso(start), end: iso(new Date(start.getTime() + HOUR)), timeZone: 'UTC', recurrence: { rrule: 'FREQ=WEEKLY;COUNT=3;BYDAY=TU' } });
    const saved = await u.upsert('clinic', series(monday));
    await waitFor('the notice', async () => (await issues(u, { code: 'RECURRENCE_NOT_REPRESENTABLE' })).length === 1, 10_000);
    const issue = await only(u, 'RECURRENCE_NOT_REPRESENTABLE');
    expect(issue).toMatchObject({ severity: 'BLOCKING', side: 'HOST', open: true, appointmentId: saved.id });
    expect(issue.message).toContain(`first occurrence on a day the recurrence does not repeat on (${iso(monday).slice(0, 10)}, a Monday)`);
    expect(issue.tip).toContain('Start the series on a day it repeats on');
    expect(u.provider.events()).toEqual([]);

    const tuesday = new Date(monday.getTime() + DAY);
    const master = await u.synced((await u.upsert('clinic', series(tuesday))).id);
    expect(await only(u, 'RECURRENCE_NOT_REPRESENTABLE')).toMatchObject({ open: false });
    const instances = u.provider.instances(u.eventOf(master)!.id, monday, new Date(monday.getTime() + 30 * DAY));
    expect(instances.map((i) => i.start)).toEqual([0, 1, 2].map((w) => iso(new Date(tuesday.getTime() + w * 7 * DAY))));
  });

  it('holds back a Google series with extra dates (RDATE), which the host cannot hold, until they are gone', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'GOOGLE', { name: 'rdate' });
    const start = inDays(3);
    const id = u.provider.createSeries('Classes', start, 'FREQ=WEEKLY;COUNT=4');
    u.provider.setRecurrence(id, 'FREQ=WEEKLY;COUNT=4', [`RDATE:${iso(new Date(start.getTime() + 2 * DAY)).replace(/[-:]/g, '').replace('.000', '')}`]);
    await u.syncNow();
    expect(await u.appointments()).toEqual([]);
    const issue = await only(u, 'RECURRENCE_NOT_REPRESENTABLE');
    expect(issue).toMatchObject({ severity: 'BLOCKING', side: 'GOOGLE', open: true, externalEventId: id });
    expect(issue.message).toContain('extra dates outside the rule (RDATE)');

    u.provider.setRecurrence(id, 'FREQ=WEEKLY;COUNT=4');
    await u.syncNow();
    expect(await u.appointments()).toHaveLength(1);
    expect(await only(u, 'RECURRENCE_NOT_REPRESENTABLE')).toMatchObject({ open: false });
  });
});

describe('the syncIssues list', () => {
  it('filters by link, code and open, and pages oldest first', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'MICROSOFT', { name: 'issue-list' });
    const first = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 2, 1, 9));
    const series = (subject: string, rrule: string) => ({ subject, start: iso(first), end: iso(new Date(first.getTime() + HOUR)), timeZone: 'UTC', recurrence: { rrule } });
    const a = await u.upsert('list-a', series('A', 'FREQ=MONTHLY;COUNT=4;BYMONTHDAY=1,15'));
    await waitFor('the first notice', async () => (await issues(u)).length === 1, 10_000);
    const b = await u.upsert('list-b', series('B', 'FREQ=YEARLY;COUNT=4;BYMONTH=1,7'));
    await waitFor('the second notice', async () => (await issues(u)).length === 2, 10_000);
    // The same cause again on the same item: still one notice.
    await u.upsert('list-a', series('A', 'FREQ=MONTHLY;COUNT=5;BYMONTHDAY=1,15'));
    await waitFor('the repeat counted', async () => (await issues(u)).find((i) => i.appointmentId === a.id)?.occurrences === 2, 10_000);
    await u.synced((await u.upsert('list-b', series('B', 'FREQ=YEARLY;COUNT=4'))).id);

    const ids = (found: IssueView[]) => found.map((i) => i.appointmentId);
    expect(ids(await issues(u))).toEqual([a.id, b.id]);
    expect(ids(await issues(u, { open: true }))).toEqual([a.id]);
    expect(ids(await issues(u, { open: false }))).toEqual([b.id]);
    expect(ids(await issues(u, { connectionId: u.connectionId, code: 'RECURRENCE_NOT_REPRESENTABLE' }))).toEqual([a.id, b.id]);
    expect(await issues(u, { code: 'HOST_NO_SERIES' })).toEqual([]);

    type Page = { syncIssues: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { appointmentId: string } }[] } };
    const page = (after: string | null) =>
      u.gql<Page>(`query($after: String, $c: ID) { syncIssues(first: 1, after: $after, filter: { connectionId: $c }) { totalCount pageInfo { hasNextPage endCursor } edges { node { appointmentId } } } }`, { after, c: u.connectionId });
    const one = await page(null);
    expect(one.syncIssues).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(one.syncIssues.edges.map((e) => e.node.appointmentId)).toEqual([a.id]);
    const two = await page(one.syncIssues.pageInfo.endCursor);
    expect(two.syncIssues).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false } });
    expect(two.syncIssues.edges.map((e) => e.node.appointmentId)).toEqual([b.id]);
  });
});

describe('editing a whole series that has exceptions', () => {
  it('Outlook drops the exceptions when the series moves: the host follows and is told (SERIES_EXCEPTIONS_DROPPED)', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'MICROSOFT', { name: 'dropped' });
    const start = inDays(8);
    const series = (at: Date, subject = 'Board') => ({ subject, start: iso(at), end: iso(new Date(at.getTime() + HOUR)), timeZone: 'UTC', recurrence: { rrule: 'FREQ=WEEKLY;COUNT=4' } });
    const master = await u.synced((await u.upsert('board', series(start))).id);
    const second = new Date(start.getTime() + 7 * DAY);
    const moved = await u.synced(
      (await u.upsert('board-2', { subject: 'Board (moved)', start: iso(new Date(second.getTime() + 2 * HOUR)), end: iso(new Date(second.getTime() + 3 * HOUR)), timeZone: 'UTC', seriesMasterId: master.id, originalStart: iso(second) })).id,
    );

    const later = new Date(start.getTime() + HOUR);
    await u.synced((await u.upsert('board', series(later))).id);
    const issue = await only(u, 'SERIES_EXCEPTIONS_DROPPED');
    expect(issue).toMatchObject({ severity: 'WARNING', side: 'HOST', open: true, appointmentId: master.id });
    expect(issue.message).toContain('made Microsoft 365 / Outlook drop its changed occurrence');
    expect(issue.tip).toContain('Move or change those occurrences again');
    expect((await u.appointment(moved.id)).deleted).toBe(true);
    await u.syncNow();
    const instances = u.provider.instances(u.eventOf(master)!.id, start, new Date(start.getTime() + 30 * DAY));
    expect(instances.map((i) => i.start)).toEqual([0, 1, 2, 3].map((w) => iso(new Date(later.getTime() + w * 7 * DAY))));

    // The next save of the series that drops nothing ends the notice.
    await u.synced((await u.upsert('board', series(later, 'Board (agenda)'))).id);
    expect(await only(u, 'SERIES_EXCEPTIONS_DROPPED')).toMatchObject({ open: false });
  });

  it('Google keeps the exceptions when the series is renamed or extended, and so does the host', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'GOOGLE', { name: 'kept' });
    const start = inDays(8);
    const series = (rrule: string, subject = 'Board') => ({ subject, start: iso(start), end: iso(new Date(start.getTime() + HOUR)), timeZone: 'UTC', recurrence: { rrule } });
    const master = await u.synced((await u.upsert('board', series('FREQ=WEEKLY;COUNT=4'))).id);
    const second = new Date(start.getTime() + 7 * DAY);
    const moved = await u.synced(
      (await u.upsert('board-2', { subject: 'Board (moved)', start: iso(new Date(second.getTime() + 2 * HOUR)), end: iso(new Date(second.getTime() + 3 * HOUR)), timeZone: 'UTC', seriesMasterId: master.id, originalStart: iso(second) })).id,
    );
    await u.synced((await u.upsert('board', series('FREQ=WEEKLY;COUNT=6', 'Board (extended)'))).id);
    await u.syncNow();
    expect(await u.appointment(moved.id)).toMatchObject({ deleted: false, syncState: 'SYNCED' });
    const instances = u.provider.instances(u.eventOf(master)!.id, start, new Date(start.getTime() + 60 * DAY));
    expect(instances).toHaveLength(6);
    expect(instances.find((i) => i.originalStart === iso(second))).toMatchObject({ subject: 'Board (moved)', start: iso(new Date(second.getTime() + 2 * HOUR)) });
    expect(await issues(u)).toEqual([]);
  });
});

describe('RELINK_REQUIRED', () => {
  it('is raised when the grant dies and resolved, with syncIssueResolved, by the relink', async () => {
    const u = await linkedUser(t, t.sandbox.emulators, 'GOOGLE', { name: 'relink' });
    const resolved = await subscribe<{ syncIssueResolved: IssueView }>(t, t.wsClient(u.tenant.key), `subscription($u: ID) { syncIssueResolved(userId: $u) { ${ISSUE_FIELDS} } }`, { u: u.tenant.userId });
    sandboxKit(t, 'GOOGLE').revokeGrant(u.email);
    const run = await u.syncNow();
    expect(run.outcome).toBe('FAILED');
    const issue = await only(u, 'RELINK_REQUIRED');
    expect(issue).toMatchObject({ severity: 'BLOCKING', open: true, side: null });
    expect(issue.tip).toContain('Relink');

    await linkAccount(t, u.tenant.key, { userId: u.tenant.userId, provider: 'GOOGLE', account: u.email });
    const [event] = await take(resolved.events, 1, 10_000);
    expect(event!.data!.syncIssueResolved).toMatchObject({ id: issue.id, code: 'RELINK_REQUIRED', open: false });
    expect(await only(u, 'RELINK_REQUIRED')).toMatchObject({ open: false });
    await resolved.stop();
  });
});
