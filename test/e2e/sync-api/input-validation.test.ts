import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import {
  AppointmentChangesDocument,
  AppointmentsDocument,
  CleanupSyncedEventsDocument,
  ConflictsDocument,
  ConnectionSyncDocument,
  DeleteAppointmentDocument,
  EnableTwoWaySyncDocument,
  ResolveConflictDocument,
  RevokeAccessDocument,
  SyncMappingsDocument,
  SyncNowDocument,
  SyncRunsDocument,
  UpsertAppointmentDocument,
  type UpsertAppointmentInput,
} from '../../graphql/generated.js';
import { onlyError } from '../../helpers/hub-harness.js';
import { addUser, linkOk, sandboxKit, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { bothSidesEdited, linkedUser, timedInput, upsert, waitForLinkState, waitForRunsToEnd, type LinkedUser } from './sync-api-harness.js';

/**
 * Every new mutation (and the new lists' arguments) with bad input: a typed error — BAD_USER_INPUT
 * naming the field, NOT_FOUND for unknown ids, CONFLICT where the state forbids it — and nothing
 * written, checked through every list the API has of the sync data.
 */
let t: LinkingHub;
let u: LinkedUser;
let revokedConnectionId: string;
let resolvedConflictId: string;
let appointmentId: string;

/** Everything the operations below could write, read through the API. */
async function snapshot() {
  const [appointments, mappings, runs, conflicts, changes, link, revoked] = await Promise.all([
    t.gql(AppointmentsDocument, { filter: { includeDeleted: true }, first: 50 }, u.key),
    t.gql(SyncMappingsDocument, { first: 100 }, u.key),
    t.gql(SyncRunsDocument, { first: 100 }, u.key),
    t.gql(ConflictsDocument, { first: 50 }, u.key),
    t.gql(AppointmentChangesDocument, { first: 100 }, u.key),
    t.gql(ConnectionSyncDocument, { id: u.connectionId }, u.key),
    t.gql(ConnectionSyncDocument, { id: revokedConnectionId }, u.key),
  ]);
  for (const r of [appointments, mappings, runs, conflicts, changes, link, revoked]) expect(r.errors).toBeUndefined();
  return { appointments: appointments.data, mappings: mappings.data, runs: runs.data, conflicts: conflicts.data, changes: changes.data, link: link.data, revoked: revoked.data };
}

beforeAll(async () => {
  t = await startLinkingHub();
  u = await linkedUser(t, 'MICROSOFT', 'validation', { quiet: true });
  appointmentId = (await upsert(t, u.key, timedInput(u, 'existing', 'Existing'))).id;
  resolvedConflictId = (await bothSidesEdited(t, u, 'conflicted')).id;
  // A second user of the tenant whose link is revoked.
  const kit = sandboxKit(t, 'MICROSOFT');
  const email = kit.newAccount('revoked');
  const userId = await addUser(t, u.key, { hostUserId: 'revoked', email });
  revokedConnectionId = await linkOk(t, u.key, { userId, provider: 'MICROSOFT', account: email });
  await t.gql(RevokeAccessDocument, { connectionId: revokedConnectionId }, u.key);
  await waitForRunsToEnd(t, u);
  await waitForLinkState(t, u, 'IDLE');
});
afterAll(async () => {
  await t?.close();
});

type Result = Promise<{ errors?: readonly GraphQLFormattedError[] | undefined }>;

const upsertWith = (patch: Partial<UpsertAppointmentInput>): Result => t.gql(UpsertAppointmentDocument, { input: { ...timedInput(u, 'new-one', 'New'), ...patch } }, u.key);
const start = '2031-05-05T09:00:00.000Z';

const badInput: { name: string; field: string; run: () => Result }[] = [
  { name: 'upsertAppointment with a blank hostAppointmentId', field: 'hostAppointmentId', run: () => upsertWith({ hostAppointmentId: '  ' }) },
  { name: 'upsertAppointment for a user the tenant does not have', field: 'userId', run: () => upsertWith({ userId: newId('hostUser') }) },
  { name: 'upsertAppointment ending before it starts', field: 'end', run: () => upsertWith({ start, end: '2031-05-05T08:00:00.000Z' }) },
  { name: 'upsertAppointment ending when it starts', field: 'end', run: () => upsertWith({ start, end: start }) },
  { name: 'upsertAppointment with a zone that does not exist', field: 'timeZone', run: () => upsertWith({ timeZone: 'Mars/Olympus_Mons' }) },
  { name: 'upsertAppointment with an offset instead of a zone', field: 'timeZone', run: () => upsertWith({ timeZone: '+02:00' }) },
  { name: 'upsertAppointment timed without a zone', field: 'timeZone', run: () => upsertWith({ timeZone: null }) },
  { name: 'upsertAppointment with a subject over 1,000 characters', field: 'subject', run: () => upsertWith({ subject: 'x'.repeat(1_001) }) },
  { name: 'upsertAppointment with a NUL in the subject', field: 'subject', run: () => upsertWith({ subject: 'a\u0000b' }) },
  { name: 'upsertAppointment with a body over 1 MB', field: 'body.content', run: () => upsertWith({ body: { contentType: 'TEXT', content: 'é'.repeat(524_289) } }) },
  {
    name: 'upsertAppointment with 501 attendees',
    field: 'attendees',
    run: () => upsertWith({ attendees: Array.from({ length: 501 }, (_, i) => ({ email: `guest${i}@example.com` })) }),
  },
  { name: 'upsertAppointment with an attendee email that is not one', field: 'attendees[1].email', run: () => upsertWith({ attendees: [{ email: 'a@example.com' }, { email: 'not-an-email' }] }) },
  { name: 'upsertAppointment with a startDate that does not exist', field: 'startDate', run: () => upsertWith({ start: null, end: null, startDate: '2031-02-30', endDate: '2031-03-02' }) },
  { name: 'upsertAppointment all-day ending on its start day (endDate is exclusive)', field: 'endDate', run: () => upsertWith({ start: null, end: null, startDate: '2031-03-02', endDate: '2031-03-02' }) },
  { name: 'upsertAppointment both timed and all-day', field: 'startDate', run: () => upsertWith({ startDate: '2031-03-02', endDate: '2031-03-03' }) },
  { name: 'upsertAppointment with no time at all', field: 'start', run: () => upsertWith({ start: null, end: null }) },
  { name: 'upsertAppointment with an RRULE that does not parse', field: 'recurrence.rrule', run: () => upsertWith({ recurrence: { rrule: 'FREQ=SOMETIMES' } }) },
  { name: 'upsertAppointment with a negative reminder', field: 'reminders[0].minutesBefore', run: () => upsertWith({ reminders: [{ minutesBefore: -5 }] }) },
  { name: 'upsertAppointment with six reminders', field: 'reminders', run: () => upsertWith({ reminders: Array.from({ length: 6 }, (_, i) => ({ minutesBefore: i })) }) },
  { name: 'upsertAppointment with hostOnly over 64 KB', field: 'hostOnly', run: () => upsertWith({ hostOnly: { blob: 'x'.repeat(70_000) } }) },
  {
    name: 'upsertAppointment with an ADMIN key and no tenantId',
    field: 'tenantId',
    run: () => t.gql(UpsertAppointmentDocument, { input: timedInput(u, 'admin-one', 'Admin') }, t.admin),
  },
  { name: 'deleteAppointment without id or hostAppointmentId', field: 'id', run: () => t.gql(DeleteAppointmentDocument, {}, u.key) },
  { name: 'deleteAppointment with both id and hostAppointmentId', field: 'hostAppointmentId', run: () => t.gql(DeleteAppointmentDocument, { id: appointmentId, hostAppointmentId: 'existing' }, u.key) },
  {
    name: 'appointments with a window ending before it starts',
    field: 'filter.to',
    run: () => t.gql(AppointmentsDocument, { filter: { from: '2031-01-02T00:00:00Z', to: '2031-01-01T00:00:00Z' } }, u.key),
  },
  { name: 'appointments with first above the maximum', field: 'first', run: () => t.rawGql('{ appointments(first: 101) { totalCount } }', {}, u.key) },
  { name: 'appointmentChanges with a forged cursor', field: 'after', run: () => t.gql(AppointmentChangesDocument, { after: 'c2VxOm5vcGU' }, u.key) },
  { name: 'appointmentChanges with a cursor of another list', field: 'after', run: () => t.gql(AppointmentChangesDocument, { after: Buffer.from(`id:${appointmentId}`).toString('base64url') }, u.key) },
  { name: 'syncRuns with a forged cursor', field: 'after', run: () => t.gql(SyncRunsDocument, { after: 'b2Zmc2V0OjEw' }, u.key) },
  { name: 'syncMappings with a negative first', field: 'first', run: () => t.gql(SyncMappingsDocument, { first: -1 }, u.key) },
  { name: 'conflicts with an ADMIN key and no tenantId', field: 'tenantId', run: () => t.gql(ConflictsDocument, {}, t.admin) },
];

const refused: { name: string; code: 'NOT_FOUND' | 'CONFLICT'; run: () => Result }[] = [
  { name: 'deleteAppointment with an unknown id', code: 'NOT_FOUND', run: () => t.gql(DeleteAppointmentDocument, { id: newId('appointment') }, u.key) },
  { name: 'deleteAppointment with an unknown hostAppointmentId', code: 'NOT_FOUND', run: () => t.gql(DeleteAppointmentDocument, { hostAppointmentId: 'never-saved' }, u.key) },
  { name: 'deleteAppointment with an id of another kind', code: 'NOT_FOUND', run: () => t.gql(DeleteAppointmentDocument, { id: u.connectionId }, u.key) },
  { name: 'syncNow with an unknown link', code: 'NOT_FOUND', run: () => t.gql(SyncNowDocument, { connectionId: newId('connection') }, u.key) },
  { name: 'syncNow with a malformed id', code: 'NOT_FOUND', run: () => t.gql(SyncNowDocument, { connectionId: 'nope' }, u.key) },
  { name: 'cleanupSyncedEvents with an unknown link', code: 'NOT_FOUND', run: () => t.gql(CleanupSyncedEventsDocument, { connectionId: newId('connection') }, u.key) },
  { name: 'enableTwoWaySync with an unknown link', code: 'NOT_FOUND', run: () => t.gql(EnableTwoWaySyncDocument, { connectionId: newId('connection'), enabled: false }, u.key) },
  { name: 'resolveConflict with an unknown conflict', code: 'NOT_FOUND', run: () => t.gql(ResolveConflictDocument, { id: newId('conflict'), choice: 'HOST' }, u.key) },
  { name: 'syncNow on a revoked link', code: 'CONFLICT', run: () => t.gql(SyncNowDocument, { connectionId: revokedConnectionId, confirmDeletions: true }, u.key) },
  { name: 'cleanupSyncedEvents on a revoked link', code: 'CONFLICT', run: () => t.gql(CleanupSyncedEventsDocument, { connectionId: revokedConnectionId }, u.key) },
  { name: 'enableTwoWaySync on a revoked link', code: 'CONFLICT', run: () => t.gql(EnableTwoWaySyncDocument, { connectionId: revokedConnectionId, enabled: false }, u.key) },
  { name: 'resolveConflict on a conflict the policy resolved', code: 'CONFLICT', run: () => t.gql(ResolveConflictDocument, { id: resolvedConflictId, choice: 'PROVIDER' }, u.key) },
];

describe('the sync API refuses bad input with a typed error and writes nothing', () => {
  it.each(badInput)('$name → BAD_USER_INPUT naming "$field"', async ({ field, run }) => {
    const before = await snapshot();
    const error = onlyError(await run());
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it.each(refused)('$name → $code', async ({ code, run }) => {
    const before = await snapshot();
    const error = onlyError(await run());
    expect(error.extensions?.code).toBe(code);
    if (code === 'CONFLICT') expect(error.extensions?.tip).toEqual(expect.any(String));
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a start that is not a date-time', 'mutation($v: DateTime) { upsertAppointment(input: { hostAppointmentId: "x", userId: "u", start: $v }) { created } }', 'next tuesday'],
    ['a showAs outside the enum', 'mutation($v: ShowAs) { upsertAppointment(input: { hostAppointmentId: "x", userId: "u", showAs: $v }) { created } }', 'SOMETIMES'],
    ['a hostOnly that is not an object', 'mutation($v: JSONObject) { upsertAppointment(input: { hostAppointmentId: "x", userId: "u", hostOnly: $v }) { created } }', [1, 2]],
    ['a reminder method outside the enum', 'mutation($v: ReminderMethod) { upsertAppointment(input: { hostAppointmentId: "x", userId: "u", reminders: [{ minutesBefore: 5, method: $v }] }) { created } }', 'SMS'],
    ['a conflict choice outside the enum', 'mutation($v: ConflictChoice!) { resolveConflict(id: "x", choice: $v) { id } }', 'BOTH'],
    ['a confirmDeletions that is not a boolean', 'mutation($v: Boolean) { syncNow(connectionId: "x", confirmDeletions: $v) { id } }', 'yes'],
  ])('refuses %s before any resolver runs', async (_name, query, value) => {
    const before = await snapshot();
    const error = onlyError(await t.rawGql(query, { v: value }, u.key));
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('$v');
    expect(await snapshot()).toEqual(before);
  });
});
