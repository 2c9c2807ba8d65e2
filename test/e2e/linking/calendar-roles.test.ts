import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Calendar } from '../../../src/store/entities/index.js';
import {
  CalendarsDocument,
  ConnectionDocument,
  RefreshCalendarsDocument,
  RevokeAccessDocument,
  SetConflictCalendarsDocument,
  SetPrimaryCalendarDocument,
  type CalendarFieldsFragment,
} from '../../graphql/generated.js';
import { idOf, onlyError } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, sandboxAccountId, sandboxKit, startLinkingHub, type LinkingHub, type TenantUser } from './linking-harness.js';

/** PRIMARY (one per user over all links, writable) and CONFLICT_CHECK (a set per link) roles. */
let t: LinkingHub;
let tenant: TenantUser;
let googleId: string;
let microsoftId: string;
let googleEmail: string;

beforeAll(async () => {
  t = await startLinkingHub();
  googleEmail = sandboxKit(t, 'GOOGLE').newAccount('roles');
  const microsoftEmail = sandboxKit(t, 'MICROSOFT').newAccount('roles');
  tenant = await createTenantWithUser(t, 'Roles', { hostUserId: 'roles', email: googleEmail });
  googleId = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: googleEmail });
  microsoftId = await linkOk(t, tenant.key, { userId: tenant.userId, provider: 'MICROSOFT', account: microsoftEmail });
});
afterAll(async () => {
  await t?.close();
});

async function calendars(connectionId: string): Promise<CalendarFieldsFragment[]> {
  const result = await t.gql(CalendarsDocument, { connectionId }, tenant.key);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.calendars;
}

async function allRoles(): Promise<Record<string, string>> {
  const all = [...(await calendars(googleId)), ...(await calendars(microsoftId))];
  return Object.fromEntries(all.map((c) => [c.name, c.role]));
}

const named = async (connectionId: string, name: string) => (await calendars(connectionId)).find((c) => c.name === name)!;

describe('the primary calendar', () => {
  it("is the first link's default calendar; a second link's default stays NONE", async () => {
    const google = await calendars(googleId);
    const microsoft = await calendars(microsoftId);
    expect(google.filter((c) => c.role === 'PRIMARY').map((c) => c.isDefault)).toEqual([true]);
    expect(microsoft.filter((c) => c.role === 'PRIMARY')).toEqual([]);
  });

  it('moves atomically across links: the old primary becomes NONE', async () => {
    const target = await named(microsoftId, 'Calendar');
    const oldPrimary = (await calendars(googleId)).find((c) => c.role === 'PRIMARY')!;
    const moved = await t.gql(SetPrimaryCalendarDocument, { calendarId: target.id }, tenant.key);
    expect(moved.data!.setPrimaryCalendar.calendar).toMatchObject({ id: target.id, role: 'PRIMARY' });
    expect(moved.data!.setPrimaryCalendar.previousPrimary).toMatchObject({ id: oldPrimary.id, role: 'NONE' });
    const roles = Object.values(await allRoles());
    expect(roles.filter((r) => r === 'PRIMARY')).toHaveLength(1);
  });

  it('keeps one primary when two moves race', async () => {
    const a = await named(googleId, googleEmail);
    const b = await named(microsoftId, 'Team');
    await Promise.all([
      t.gql(SetPrimaryCalendarDocument, { calendarId: a.id }, tenant.key),
      t.gql(SetPrimaryCalendarDocument, { calendarId: b.id }, tenant.key),
    ]);
    const roles = Object.values(await allRoles());
    expect(roles.filter((r) => r === 'PRIMARY')).toHaveLength(1);
  });

  it('refuses a read-only calendar with BAD_USER_INPUT on calendarId, changing nothing', async () => {
    const before = await allRoles();
    const birthdays = await named(microsoftId, 'Birthdays');
    expect(birthdays.canEdit).toBe(false);
    const error = onlyError(await t.gql(SetPrimaryCalendarDocument, { calendarId: birthdays.id }, tenant.key));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'calendarId' });
    expect(error.message).toMatch(/read-only/);
    expect(await allRoles()).toEqual(before);
  });

  it('takes a CONFLICT_CHECK calendar out of the conflict set when it becomes primary', async () => {
    const team = await named(microsoftId, 'Team');
    await t.gql(SetPrimaryCalendarDocument, { calendarId: (await named(googleId, googleEmail)).id }, tenant.key);
    await t.gql(SetConflictCalendarsDocument, { connectionId: microsoftId, calendarIds: [team.id] }, tenant.key);
    await t.gql(SetPrimaryCalendarDocument, { calendarId: team.id }, tenant.key);
    expect((await named(microsoftId, 'Team')).role).toBe('PRIMARY');
    expect((await allRoles())[googleEmail]).toBe('NONE');
  });
});

describe('conflict-check calendars', () => {
  beforeAll(async () => {
    await t.gql(SetPrimaryCalendarDocument, { calendarId: (await named(googleId, googleEmail)).id }, tenant.key);
  });

  it("replace the link's set, accept read-only calendars, and clear with []", async () => {
    const [team, birthdays, calendar] = await Promise.all([named(microsoftId, 'Team'), named(microsoftId, 'Birthdays'), named(microsoftId, 'Calendar')]);
    const set = await t.gql(SetConflictCalendarsDocument, { connectionId: microsoftId, calendarIds: [team.id, birthdays.id] }, tenant.key);
    const roles = (ids: CalendarFieldsFragment[]) => Object.fromEntries(ids.map((c) => [c.name, c.role]));
    expect(roles(set.data!.setConflictCalendars.calendars)).toMatchObject({ Team: 'CONFLICT_CHECK', Birthdays: 'CONFLICT_CHECK', Calendar: 'NONE' });
    const replaced = await t.gql(SetConflictCalendarsDocument, { connectionId: microsoftId, calendarIds: [calendar.id] }, tenant.key);
    expect(roles(replaced.data!.setConflictCalendars.calendars)).toMatchObject({ Team: 'NONE', Birthdays: 'NONE', Calendar: 'CONFLICT_CHECK' });
    const cleared = await t.gql(SetConflictCalendarsDocument, { connectionId: microsoftId, calendarIds: [] }, tenant.key);
    expect(cleared.data!.setConflictCalendars.calendars.every((c) => c.role === 'NONE')).toBe(true);
    // The other link's roles are untouched.
    expect((await named(googleId, googleEmail)).role).toBe('PRIMARY');
  });

  it('refuses the primary calendar and calendars of another link, naming the entry, and changes nothing', async () => {
    const team = await named(microsoftId, 'Team');
    await t.gql(SetConflictCalendarsDocument, { connectionId: microsoftId, calendarIds: [team.id] }, tenant.key);
    const before = await allRoles();
    const primary = await named(googleId, googleEmail);
    const ownPrimary = onlyError(await t.gql(SetConflictCalendarsDocument, { connectionId: googleId, calendarIds: [primary.id] }, tenant.key));
    expect(ownPrimary.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'calendarIds[0]' });
    expect(ownPrimary.message).toMatch(/primary calendar/);
    const foreign = onlyError(await t.gql(SetConflictCalendarsDocument, { connectionId: microsoftId, calendarIds: [team.id, primary.id] }, tenant.key));
    expect(foreign.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'calendarIds[1]' });
    expect(await allRoles()).toEqual(before);
  });
});

describe('calendars that change at the provider', () => {
  it('drop out of the list and lose their role when removed; a removed calendar cannot become primary', async () => {
    const secondary = (await calendars(googleId)).find((c) => !c.isDefault && c.canEdit)!;
    await t.gql(SetConflictCalendarsDocument, { connectionId: googleId, calendarIds: [secondary.id] }, tenant.key);
    const providerId = (await t.hub.orm.em.fork().findOneOrFail(Calendar, { id: idOf('calendar', secondary.id) })).providerCalendarId;
    t.sandbox.google.control.removeCalendar(sandboxAccountId(t, 'GOOGLE', googleEmail), providerId);

    const refreshed = await t.gql(RefreshCalendarsDocument, { connectionId: googleId }, tenant.key);
    expect(refreshed.data!.refreshCalendars.calendars.map((c) => c.id)).not.toContain(secondary.id);
    const error = onlyError(await t.gql(SetPrimaryCalendarDocument, { calendarId: secondary.id }, tenant.key));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'calendarId' });
  });
});

describe('calendars of a revoked link', () => {
  it('lose their roles and refuse role changes with CONFLICT', async () => {
    const email = sandboxKit(t, 'GOOGLE').newAccount('revoked-roles');
    const other = await createTenantWithUser(t, 'Revoked roles', { hostUserId: 'rr', email });
    const id = await linkOk(t, other.key, { userId: other.userId, provider: 'GOOGLE', account: email });
    await t.gql(RevokeAccessDocument, { connectionId: id }, other.key);
    const link = (await t.gql(ConnectionDocument, { id }, other.key)).data!.connection;
    expect(link.calendars.every((c) => c.role === 'NONE')).toBe(true);
    const error = onlyError(await t.gql(SetPrimaryCalendarDocument, { calendarId: link.calendars[0]!.id }, other.key));
    expect(error.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(error.extensions?.tip).toMatch(/Link the calendar again/);
    expect(onlyError(await t.gql(SetConflictCalendarsDocument, { connectionId: id, calendarIds: [] }, other.key)).extensions?.code).toBe('CONFLICT');
  });
});
