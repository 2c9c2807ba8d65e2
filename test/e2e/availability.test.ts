import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubId } from '../../src/domain/ids.js';
import { Calendar } from '../../src/store/entities/index.js';
import type { Caller } from '../../src/tenancy/caller.js';
import { AvailabilityDocument, CreateApiKeyDocument, CreateTenantDocument, SetConflictCalendarsDocument } from '../graphql/generated.js';
import { onlyError, waitFor } from '../helpers/hub-harness.js';
import { addUser, createTenantWithUser, linkOk, sandboxAccountId, startLinkingHub, type LinkingHub, type TenantUser } from './linking/linking-harness.js';

describe('availability', () => {
  let t: LinkingHub;
  let ann: TenantUser;
  let caller: Caller;
  let microsoftLink: HubId<'connection'>;
  let googleLink: HubId<'connection'>;
  let microsoftEmail: string;
  let googleAccount: string;
  let outlookCalendar: HubId<'calendar'>;
  let googleCalendar: HubId<'calendar'>;
  /** A weekday a few days ahead, 00:00 UTC: every event of the test is on it or on the weeks after it. */
  let day: DateTime;
  const at = (h: number, m = 0, weeks = 0) => day.plus({ weeks, hours: h, minutes: m });
  const iso = (d: DateTime) => d.toUTC().toISO({ suppressMilliseconds: true })!;
  const graphTime = (d: DateTime) => ({ dateTime: d.toUTC().toFormat("yyyy-LL-dd'T'HH:mm:ss"), timeZone: 'UTC' });

  beforeAll(async () => {
    t = await startLinkingHub({ JOBS_POLL_INTERVAL_MS: '100' });
    day = DateTime.utc().startOf('day').plus({ days: 5 });
    const ms = t.sandbox.microsoft.control;
    const google = t.sandbox.google.control;
    microsoftEmail = ms.createAccount({ email: `ann.avail@contoso.onmicrosoft.com` }).email;
    const googleEmail = google.createAccount({ email: 'ann.avail@example.com' }).email;
    googleAccount = sandboxAccountId(t, 'GOOGLE', googleEmail);

    // Outlook (the primary calendar): overlapping busy, a free and a tentative event, a weekly series.
    ms.createEvent(microsoftEmail, null, { subject: 'Standup', start: graphTime(at(9)), end: graphTime(at(10)) });
    ms.createEvent(microsoftEmail, null, { subject: 'Review', start: graphTime(at(9, 30)), end: graphTime(at(11)) });
    ms.createEvent(microsoftEmail, null, { subject: 'Focus (free)', showAs: 'free', start: graphTime(at(14)), end: graphTime(at(15)) });
    ms.createEvent(microsoftEmail, null, { subject: 'Maybe lunch', showAs: 'tentative', start: graphTime(at(16)), end: graphTime(at(17)) });
    ms.createEvent(microsoftEmail, null, {
      subject: 'Weekly 1:1',
      start: graphTime(at(7)),
      end: graphTime(at(7, 30)),
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: [day.toFormat('cccc').toLowerCase()], firstDayOfWeek: 'monday' },
        range: { type: 'numbered', startDate: day.toISODate(), numberOfOccurrences: 4 },
      },
    });
    // Google (a conflict-check calendar): adjacent busy, free, a tentative answer, out of office, a weekly series with a cancelled occurrence.
    const g = (body: Record<string, unknown>, invitedBy?: string) => google.createEvent(googleAccount, 'primary', body, invitedBy ? { invitedBy } : {}) as { id: string };
    g({ summary: 'Customer call', start: { dateTime: iso(at(11)) }, end: { dateTime: iso(at(12)) } });
    g({ summary: 'Free slot', transparency: 'transparent', start: { dateTime: iso(at(12, 30)) }, end: { dateTime: iso(at(13)) } });
    g({
      summary: 'Invitation',
      start: { dateTime: iso(at(15, 30)) },
      end: { dateTime: iso(at(16, 30)) },
      attendees: [{ email: 'boss@example.com', responseStatus: 'accepted' }, { email: googleEmail, responseStatus: 'tentative' }],
    }, 'boss@example.com');
    g({ summary: 'Declined', start: { dateTime: iso(at(13)) }, end: { dateTime: iso(at(13, 30)) }, attendees: [{ email: googleEmail, responseStatus: 'declined' }] }, 'boss@example.com');
    g({ summary: 'Away', eventType: 'outOfOffice', start: { dateTime: iso(at(20)) }, end: { dateTime: iso(at(21)) } });
    const series = g({ summary: 'Gym', start: { dateTime: iso(at(18)), timeZone: 'UTC' }, end: { dateTime: iso(at(19)), timeZone: 'UTC' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'] });
    google.deleteEvent(googleAccount, 'primary', `${series.id}_${at(18, 0, 2).toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'")}`);

    ann = await createTenantWithUser(t, 'Availability', { hostUserId: 'ann', email: 'ann@crm.example' });
    caller = { role: 'TENANT', tenantId: ann.tenantId, apiKeyId: null as never };
    microsoftLink = await linkOk(t, ann.key, { userId: ann.userId, provider: 'MICROSOFT', account: microsoftEmail });
    googleLink = await linkOk(t, ann.key, { userId: ann.userId, provider: 'GOOGLE', account: googleEmail });
    const em = t.hub.orm.em.fork();
    outlookCalendar = (await em.findOneOrFail(Calendar, { connectionId: microsoftLink, role: 'PRIMARY' })).id;
    googleCalendar = (await em.findOneOrFail(Calendar, { connectionId: googleLink, isDefault: true })).id;
    const set = await t.gql(SetConflictCalendarsDocument, { connectionId: googleLink, calendarIds: [googleCalendar] }, ann.key);
    expect(set.errors).toBeUndefined();
    await syncNow(microsoftLink);
    await syncNow(googleLink);
  });

  afterAll(() => t?.close());

  /** syncNow, then waits for the run to end. */
  async function syncNow(connectionId: HubId<'connection'>): Promise<void> {
    const run = await t.hub.services.sync.syncNow(caller, connectionId);
    await waitFor('the run to end', async () => (await t.hub.services.sync.syncRun(caller, run.id)).outcome !== 'RUNNING', 15_000);
    expect((await t.hub.services.sync.syncRun(caller, run.id)).outcome).toBe('SUCCEEDED');
  }

  const query = async (from: DateTime, to: DateTime, key = ann.key) => t.gql(AvailabilityDocument, { userId: ann.userId, start: iso(from), end: iso(to) }, key);
  const busyOf = async (from: DateTime, to: DateTime) => {
    const result = await query(from, to);
    expect(result.errors).toBeUndefined();
    return result.data!.availability;
  };
  const block = (from: DateTime, to: DateTime, showAs: string, calendarIds: string[]) => ({ start: iso(from).replace('Z', '.000Z'), end: iso(to).replace('Z', '.000Z'), showAs, calendarIds: [...calendarIds].sort() });

  it('merges the primary and conflict-check calendars: overlapping and adjacent joined, free left out, tentative marked, series expanded', async () => {
    const { asOf, busy } = await busyOf(day, day.plus({ weeks: 4 }));
    expect(asOf).not.toBeNull();
    expect(busy).toEqual([
      block(at(7), at(7, 30), 'BUSY', [outlookCalendar]),
      // 09–10 and 09:30–11 overlap (Outlook), 11–12 is adjacent (Google).
      block(at(9), at(12), 'BUSY', [outlookCalendar, googleCalendar]),
      // A tentative Outlook event and a tentative answer to a Google invitation; the declined one and the free ones are left out.
      block(at(15, 30), at(17), 'TENTATIVE', [outlookCalendar, googleCalendar]),
      block(at(18), at(19), 'BUSY', [googleCalendar]),
      block(at(20), at(21), 'OUT_OF_OFFICE', [googleCalendar]),
      block(at(7, 0, 1), at(7, 30, 1), 'BUSY', [outlookCalendar]),
      block(at(18, 0, 1), at(19, 0, 1), 'BUSY', [googleCalendar]),
      // The third Gym occurrence was cancelled at Google.
      block(at(7, 0, 2), at(7, 30, 2), 'BUSY', [outlookCalendar]),
      block(at(7, 0, 3), at(7, 30, 3), 'BUSY', [outlookCalendar]),
    ]);
  });

  it('follows changes through the incremental reads of polls and syncNow, from the cache', async () => {
    const before = (await busyOf(day, day.plus({ weeks: 4 }))).asOf!;
    // At Outlook: the second 1:1 is cancelled (Graph names no series for it). At Google: the customer call moves.
    const ms = t.sandbox.microsoft.control;
    const second = ms.listInstances(microsoftEmail, null, iso(at(0, 0, 1)), iso(at(23, 0, 1))).find((i) => i.subject === 'Weekly 1:1')!;
    ms.deleteEvent(microsoftEmail, String(second.id));
    const call = (t.sandbox.google.control.listEvents(googleAccount, 'primary').items as { id: string; summary: string }[]).find((e) => e.summary === 'Customer call')!;
    t.sandbox.google.control.updateEvent(googleAccount, 'primary', call.id, { start: { dateTime: iso(at(12)) }, end: { dateTime: iso(at(12, 30)) } });

    // Nothing changes until the hub reads again: availability is served from the cache, not asked of the providers.
    expect((await busyOf(day, day.plus({ weeks: 4 }))).busy).toContainEqual(block(at(9), at(12), 'BUSY', [outlookCalendar, googleCalendar]));

    await syncNow(microsoftLink);
    await syncNow(googleLink);
    const after = await busyOf(day, day.plus({ weeks: 4 }));
    expect(Date.parse(after.asOf!)).toBeGreaterThan(Date.parse(before));
    expect(after.busy.slice(0, 3)).toEqual([
      block(at(7), at(7, 30), 'BUSY', [outlookCalendar]),
      block(at(9), at(11), 'BUSY', [outlookCalendar]),
      block(at(12), at(12, 30), 'BUSY', [googleCalendar]),
    ]);
    expect(after.busy.map((b) => b.start)).not.toContain(iso(at(7, 0, 1)).replace('Z', '.000Z'));
  });

  it('reads a one-way link\'s primary calendar itself (the engine does not read it then)', async () => {
    await t.hub.services.sync.enableTwoWaySync(caller, microsoftLink, false);
    t.sandbox.microsoft.control.createEvent(microsoftEmail, null, { subject: 'Late call', start: graphTime(at(22)), end: graphTime(at(23)) });
    await syncNow(microsoftLink);
    expect((await busyOf(at(21), at(24))).busy).toEqual([block(at(22), at(23), 'BUSY', [outlookCalendar])]);
  });

  it('clips blocks to the window', async () => {
    const { busy } = await busyOf(at(9, 30), at(10, 30));
    expect(busy).toEqual([block(at(9, 30), at(10, 30), 'BUSY', [outlookCalendar])]);
  });

  it('refuses a window longer than 62 days or ending before it starts, and other tenants’ users', async () => {
    expect(onlyError(await query(day, day.plus({ days: 62, minutes: 1 }))).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'end' });
    expect(onlyError(await query(day, day.minus({ minutes: 1 }))).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'end' });
    expect((await query(day, day.plus({ days: 62 }))).errors).toBeUndefined();
    const other = await t.gql(CreateTenantDocument, { input: { name: 'Other' } }, t.admin);
    const otherKey = (await t.gql(CreateApiKeyDocument, { input: { tenantId: other.data!.createTenant.id, name: 'k' } }, t.admin)).data!.createApiKey.key;
    expect(onlyError(await query(day, day.plus({ days: 1 }), otherKey)).extensions?.code).toBe('NOT_FOUND');
    // A user without calendars is simply free, with no read to date it.
    const bob = await addUser(t, ann.key, { hostUserId: 'bob', email: null });
    const free = await t.gql(AvailabilityDocument, { userId: bob, start: iso(day), end: iso(day.plus({ days: 1 })) }, ann.key);
    expect(free.data?.availability).toEqual({ asOf: null, busy: [] });
  });
});
