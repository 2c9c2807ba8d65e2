import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import type { HostProfile } from '../../../src/domain/tenant-settings.js';
import { onlyError, waitFor } from '../../helpers/hub-harness.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { linkedUser, type AppointmentView, type SyncUser } from './sync-harness.js';

/**
 * What the host sends about series is checked against the series it names and against what the
 * tenant's host profile says the host can hold: BAD_USER_INPUT naming the field, nothing written;
 * another tenant's series and notices read as unknown.
 */

let t: LinkingHub;
let u: SyncUser;
let other: SyncUser;
let series: AppointmentView;
let single: AppointmentView;
let otherSeries: AppointmentView;

const HOUR = 3_600_000;
const WEEK = 7 * 86_400_000;
const first = new Date(Date.UTC(2031, 4, 5, 9));
const at = (weeks: number, hours = 0) => new Date(first.getTime() + weeks * WEEK + hours * HOUR).toISOString();
const timed = (weeks: number, hours = 0) => ({ start: at(weeks, hours), end: at(weeks, hours + 1), timeZone: 'UTC' });

beforeAll(async () => {
  t = await startLinkingHub({ SYNC_POLL_INTERVAL_MS: '3600000' });
  u = await linkedUser(t, t.sandbox.emulators, 'GOOGLE', { name: 'series-input' });
  other = await linkedUser(t, t.sandbox.emulators, 'MICROSOFT', { name: 'series-input-other' });
  series = await u.synced((await u.upsert('series', { ...timed(0), recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6', exdates: [at(2)] } })).id);
  single = await u.synced((await u.upsert('single', timed(0, 3))).id);
  await u.synced((await u.upsert('exception', { ...timed(1, 2), seriesMasterId: series.id, originalStart: at(1) })).id);
  otherSeries = await other.synced((await other.upsert('series', { ...timed(0), recurrence: { rrule: 'FREQ=WEEKLY;COUNT=6' } })).id);
});
afterAll(async () => {
  await t?.close();
});

async function setProfile(hostProfile: Partial<HostProfile>): Promise<void> {
  await u.gql(`mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { tenantId } }`, { i: { hostProfile } });
}

const upsertWith = (hostAppointmentId: string, fields: Record<string, unknown>) =>
  u.rawGql(`mutation($input: UpsertAppointmentInput!) { upsertAppointment(input: $input) { created } }`, { input: { hostAppointmentId, userId: u.tenant.userId, subject: 'x', ...fields } });

const FULL: HostProfile = { recurrence: 'FULL', supportsDaily: true, supportsExceptions: true, weekStart: 'MO', supportsEndless: true, endlessHorizonYears: 10 };

const cases: { name: string; field: string; profile?: Partial<HostProfile>; fields: () => Record<string, unknown>; id?: string }[] = [
  { name: 'an exception of an unknown series', field: 'seriesMasterId', fields: () => ({ ...timed(1), seriesMasterId: newId('appointment'), originalStart: at(1) }) },
  { name: "an exception of another tenant's series", field: 'seriesMasterId', fields: () => ({ ...timed(1), seriesMasterId: otherSeries.id, originalStart: at(1) }) },
  { name: 'an exception of a single appointment', field: 'seriesMasterId', fields: () => ({ ...timed(1), seriesMasterId: single.id, originalStart: single.start }) },
  { name: 'an exception of no occurrence', field: 'originalStart', fields: () => ({ ...timed(1), seriesMasterId: series.id, originalStart: at(1, 1) }) },
  { name: 'an exception of a cancelled occurrence', field: 'originalStart', fields: () => ({ ...timed(2), seriesMasterId: series.id, originalStart: at(2) }) },
  { name: 'an exception past the end of the series', field: 'originalStart', fields: () => ({ ...timed(6), seriesMasterId: series.id, originalStart: at(6) }) },
  { name: 'a second exception of one occurrence', field: 'originalStart', fields: () => ({ ...timed(1, 4), seriesMasterId: series.id, originalStart: at(1) }) },
  { name: 'an original start without its series', field: 'seriesMasterId', fields: () => ({ ...timed(1), originalStart: at(1) }) },
  { name: 'a series without the original start', field: 'originalStart', fields: () => ({ ...timed(1), seriesMasterId: series.id }) },
  { name: 'an exception with a recurrence of its own', field: 'recurrence', fields: () => ({ ...timed(1), seriesMasterId: series.id, originalStart: at(3), recurrence: { rrule: 'FREQ=DAILY' } }) },
  { name: 'an all-day exception of a timed series', field: 'start', fields: () => ({ startDate: at(3).slice(0, 10), endDate: at(3, 24).slice(0, 10), seriesMasterId: series.id, originalStart: at(3).slice(0, 10) }) },
  { name: 'an appointment turned into an exception', field: 'seriesMasterId', id: 'single', fields: () => ({ ...timed(3), seriesMasterId: series.id, originalStart: at(3) }) },
  { name: 'an exception turned into a single appointment', field: 'seriesMasterId', id: 'exception', fields: () => timed(1, 2) },
  { name: 'a daily series for a host without daily recurrence', field: 'recurrence.rrule', profile: { supportsDaily: false }, fields: () => ({ ...timed(0), recurrence: { rrule: 'FREQ=DAILY;COUNT=3' } }) },
  { name: 'an endless series for a host that needs an end', field: 'recurrence.rrule', profile: { supportsEndless: false }, fields: () => ({ ...timed(0), recurrence: { rrule: 'FREQ=WEEKLY' } }) },
  { name: 'cancelled occurrences for a host without exceptions', field: 'recurrence.exdates', profile: { supportsExceptions: false }, fields: () => ({ ...timed(0), recurrence: { rrule: 'FREQ=WEEKLY;COUNT=3', exdates: [at(1)] } }) },
  { name: 'an exception for a host without exceptions', field: 'seriesMasterId', profile: { supportsExceptions: false }, fields: () => ({ ...timed(3), seriesMasterId: series.id, originalStart: at(3) }) },
  { name: 'a series for a host without series', field: 'recurrence', profile: { recurrence: 'NONE' }, fields: () => ({ ...timed(0), recurrence: { rrule: 'FREQ=WEEKLY;COUNT=3' } }) },
  { name: 'a series for a host that takes first occurrences only', field: 'recurrence', profile: { recurrence: 'FIRST_OCCURRENCE_ONLY' }, fields: () => ({ ...timed(0), recurrence: { rrule: 'FREQ=WEEKLY;COUNT=3' } }) },
];

describe('series from the host', () => {
  it.each(cases)('refuses $name → BAD_USER_INPUT naming "$field", writing nothing', async ({ field, profile, fields, id }) => {
    await setProfile({ ...FULL, ...profile });
    const before = await u.appointments(true);
    const error = onlyError(await upsertWith(id ?? 'refused', fields()));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(await u.appointments(true)).toEqual(before);
    await setProfile(FULL);
  });

  it("gives a weekly rule without WKST the host's first day of the week", async () => {
    await setProfile({ weekStart: 'SU' });
    const saved = await u.upsert('sunday-weeks', { ...timed(0), recurrence: { rrule: 'RRULE:BYDAY=TU,MO;FREQ=WEEKLY;INTERVAL=2;COUNT=4' } });
    expect(saved.recurrence!.rrule).toBe('FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=MO,TU;WKST=SU');
    await setProfile(FULL);
  });

  it('lists the exceptions of a series, and deletes them with it', async () => {
    const exceptions = await u.gql<{ appointments: { edges: { node: { hostAppointmentId: string } }[] } }>(
      `query($f: AppointmentFilter) { appointments(filter: $f) { edges { node { hostAppointmentId } } } }`,
      { f: { seriesMasterId: series.id } },
    );
    expect(exceptions.appointments.edges.map((e) => e.node.hostAppointmentId)).toEqual(['exception']);
    await u.remove('series');
    expect((await u.appointments(true)).filter((a) => a.deleted).map((a) => a.hostAppointmentId).sort()).toEqual(['exception', 'series']);
  });
});

describe("another tenant's notices", () => {
  it('read as unknown', async () => {
    await other.upsert('payroll', { ...timed(0), recurrence: { rrule: 'FREQ=MONTHLY;COUNT=2;BYMONTHDAY=1,15' } });
    let notice = '';
    await waitFor('the other tenant\'s notice', async () => {
      const own = await other.gql<{ syncIssues: { edges: { node: { id: string } }[] } }>(`{ syncIssues { edges { node { id } } } }`);
      notice = own.syncIssues.edges[0]?.node.id ?? '';
      return notice !== '';
    }, 10_000);
    expect(onlyError(await u.rawGql(`query($id: ID!) { syncIssue(id: $id) { id } }`, { id: notice })).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(onlyError(await u.rawGql(`query($c: ID) { syncIssues(filter: { connectionId: $c }) { totalCount } }`, { c: other.connectionId })).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(onlyError(await u.rawGql(`query($u: ID) { syncIssues(filter: { userId: $u }) { totalCount } }`, { u: other.tenant.userId })).extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect(await u.gql(`{ syncIssues { totalCount } }`)).toEqual({ syncIssues: { totalCount: 0 } });
  });
});
