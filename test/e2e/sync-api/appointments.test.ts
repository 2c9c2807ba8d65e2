import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import {
  AppointmentDocument,
  AppointmentsDocument,
  CleanupSyncedEventsDocument,
  ConnectionSyncDocument,
  DeleteAppointmentDocument,
  EnableTwoWaySyncDocument,
  RevokeAccessDocument,
  SyncMappingDocument,
  SyncMappingsDocument,
  SyncNowDocument,
  SyncRunsDocument,
  UpsertAppointmentDocument,
} from '../../graphql/generated.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { createAtProvider, linkedUser, runToEnd, RUN_TIMEOUT_MS, subjectAtProvider, syncNowToEnd, timedInput, upsert, waitForLinkState, waitForSynced, type LinkedUser } from './sync-api-harness.js';

/** Appointments, pairs, runs and the link's sync fields through GraphQL, against both sandbox providers. */
let t: LinkingHub;

beforeAll(async () => {
  t = await startLinkingHub();
});
afterAll(async () => {
  await t?.close();
});

const providers: ProviderKind[] = ['MICROSOFT', 'GOOGLE'];

describe.each(providers)('%s', (provider) => {
  let u: LinkedUser;

  beforeAll(async () => {
    u = await linkedUser(t, provider, `apt-${provider.toLowerCase()}`);
  });

  it("upsertAppointment writes the appointment to the owner's primary calendar: its pair turns SYNCED with the event's id", async () => {
    const input = {
      ...timedInput(u, 'out-1', 'Kick-off'),
      body: { contentType: 'TEXT' as const, content: 'Agenda: scope and dates' },
      location: 'Room 4',
      attendees: [{ email: 'Guest@Example.com', name: 'Guest' }, { email: u.email, optional: true }],
      reminders: [{ minutesBefore: 15 }],
      sensitivity: 'PRIVATE' as const,
      hostRecordId: 'lead-42',
      hostOnly: { visibleForAll: true },
    };
    const result = await t.gql(UpsertAppointmentDocument, { input }, u.key);
    expect(result.errors).toBeUndefined();
    const { created, appointment } = result.data!.upsertAppointment;
    expect(created).toBe(true);
    expect(appointment).toMatchObject({
      hostAppointmentId: 'out-1',
      userId: u.userId,
      user: { id: u.userId },
      origin: 'HOST',
      subject: 'Kick-off',
      body: { contentType: 'TEXT', content: 'Agenda: scope and dates' },
      allDay: false,
      start: input.start,
      end: input.end,
      timeZone: 'Europe/Zurich',
      startDate: null,
      endDate: null,
      location: 'Room 4',
      reminders: [{ minutesBefore: 15, method: 'POPUP' }],
      showAs: 'BUSY',
      sensitivity: 'PRIVATE',
      hostRecordId: 'lead-42',
      hostOnly: { visibleForAll: true },
      deleted: false,
      deletedAt: null,
    });
    expect(appointment.attendees).toEqual([
      { email: 'guest@example.com', name: 'Guest', optional: false, resource: false, response: 'NEEDS_ACTION', hostUserId: null },
      { email: u.email.toLowerCase(), name: null, optional: true, resource: false, response: 'NEEDS_ACTION', hostUserId: u.userId },
    ]);

    const synced = await waitForSynced(t, u.key, appointment.id);
    expect(synced.mappings).toHaveLength(1);
    const [mapping] = synced.mappings;
    expect(mapping).toMatchObject({ appointmentId: appointment.id, connectionId: u.connectionId, state: 'SYNCED', lastError: null, closedAt: null });
    expect(mapping!.externalEventId).toEqual(expect.any(String));
    expect(mapping!.lastSyncedAt).not.toBeNull();
    expect(subjectAtProvider(t, u, mapping!.externalEventId!)).toBe('Kick-off');

    // The same pair through syncMapping(id) and the syncMappings filters.
    expect((await t.gql(SyncMappingDocument, { id: mapping!.id }, u.key)).data?.syncMapping).toEqual(mapping);
    const byAppointment = await t.gql(SyncMappingsDocument, { filter: { appointmentId: appointment.id } }, u.key);
    expect(byAppointment.data?.syncMappings.edges.map((e) => e.node.id)).toEqual([mapping!.id]);
    const synced2 = await t.gql(SyncMappingsDocument, { filter: { connectionId: u.connectionId, state: 'SYNCED' } }, u.key);
    expect(synced2.data?.syncMappings.edges.map((e) => e.node.id)).toContain(mapping!.id);
    const inError = await t.gql(SyncMappingsDocument, { filter: { connectionId: u.connectionId, state: 'ERROR' } }, u.key);
    expect(inError.data?.syncMappings.totalCount).toBe(0);

    // Saving it again updates it (same appointment, new version) and the event follows.
    const again = await t.gql(UpsertAppointmentDocument, { input: { ...input, subject: 'Kick-off (moved room)' } }, u.key);
    expect(again.data?.upsertAppointment).toMatchObject({ created: false, appointment: { id: appointment.id, subject: 'Kick-off (moved room)' } });
    expect(again.data!.upsertAppointment.appointment.version).toBeGreaterThan(appointment.version);
    await waitFor('the new subject at the provider', () => subjectAtProvider(t, u, mapping!.externalEventId!) === 'Kick-off (moved room)', RUN_TIMEOUT_MS);
  });

  it('keeps an all-day appointment as startDate and an exclusive endDate', async () => {
    const a = await upsert(t, u.key, { hostAppointmentId: 'all-day-1', userId: u.userId, subject: 'Offsite', startDate: '2031-03-03', endDate: '2031-03-05' });
    expect(a).toMatchObject({ allDay: true, startDate: '2031-03-03', endDate: '2031-03-05', start: null, end: null });
    const synced = await waitForSynced(t, u.key, a.id);
    expect(subjectAtProvider(t, u, synced.mappings[0]!.externalEventId!)).toBe('Offsite');
  });

  it('deleteAppointment deletes the event and leaves a tombstone that lists show only with includeDeleted', async () => {
    const a = await upsert(t, u.key, timedInput(u, 'del-1', 'To be cancelled', 4));
    const eventId = (await waitForSynced(t, u.key, a.id)).mappings[0]!.externalEventId!;

    const deleted = await t.gql(DeleteAppointmentDocument, { hostAppointmentId: 'del-1' }, u.key);
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteAppointment).toMatchObject({ id: a.id, deleted: true });
    expect(deleted.data!.deleteAppointment.deletedAt).not.toBeNull();
    await waitFor('the event to be gone at the provider', () => subjectAtProvider(t, u, eventId) === null, RUN_TIMEOUT_MS);

    expect((await t.gql(AppointmentDocument, { id: a.id }, u.key)).data?.appointment).toMatchObject({ id: a.id, deleted: true, subject: 'To be cancelled' });
    const listed = await t.gql(AppointmentsDocument, { first: 50 }, u.key);
    expect(listed.data!.appointments.edges.map((e) => e.node.id)).not.toContain(a.id);
    const withDeleted = await t.gql(AppointmentsDocument, { filter: { includeDeleted: true }, first: 50 }, u.key);
    expect(withDeleted.data!.appointments.edges.map((e) => e.node.id)).toContain(a.id);
    // Deleting again (by hub id this time) returns the tombstone unchanged.
    const twice = await t.gql(DeleteAppointmentDocument, { id: a.id }, u.key);
    expect(twice.data?.deleteAppointment).toMatchObject({ id: a.id, deleted: true, version: deleted.data!.deleteAppointment.version });
  });

  it('appointments filters by owner, window, origin and sync state', async () => {
    const inWindow = await upsert(t, u.key, timedInput(u, 'win-1', 'In the window', 20));
    await waitForSynced(t, u.key, inWindow.id);
    const from = new Date(Date.now() + 19 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 21 * 86_400_000).toISOString();
    const windowed = await t.gql(AppointmentsDocument, { filter: { userId: u.userId, from, to } }, u.key);
    expect(windowed.data!.appointments.edges.map((e) => e.node.id)).toEqual([inWindow.id]);
    const hostMade = await t.gql(AppointmentsDocument, { filter: { origin: 'HOST', syncState: 'SYNCED' }, first: 50 }, u.key);
    expect(hostMade.data!.appointments.edges.map((e) => e.node.id)).toContain(inWindow.id);
    const fromCalendar = await t.gql(AppointmentsDocument, { filter: { origin: provider } }, u.key);
    expect(fromCalendar.data!.appointments.edges.map((e) => e.node.id)).not.toContain(inWindow.id);
    const pending = await t.gql(AppointmentsDocument, { filter: { syncState: 'PENDING' } }, u.key);
    expect(pending.data!.appointments.totalCount).toBe(0);
  });

  it('syncNow returns its run while RUNNING; the run ends, is listed by trigger, and imports an event made in the calendar', async () => {
    const eventId = createAtProvider(u, 'Dentist');
    const started = await t.gql(SyncNowDocument, { connectionId: u.connectionId }, u.key);
    expect(started.errors).toBeUndefined();
    expect(started.data?.syncNow).toMatchObject({ connectionId: u.connectionId, trigger: 'MANUAL', direction: 'BOTH', confirmDeletions: false, outcome: 'RUNNING', finishedAt: null });
    const run = await runToEnd(t, u.key, started.data!.syncNow.id);
    expect(run).toMatchObject({ outcome: 'SUCCEEDED', error: null });
    expect(run.finishedAt).not.toBeNull();
    expect(run.durationMs).toEqual(expect.any(Number));
    expect(run.counts.inbound.created).toBe(1);
    expect(run.providerRequests).toBeGreaterThan(0);

    const manual = await t.gql(SyncRunsDocument, { filter: { connectionId: u.connectionId, trigger: 'MANUAL' }, first: 100 }, u.key);
    expect(manual.data!.syncRuns.edges.map((e) => e.node.id)).toContain(run.id);
    expect(manual.data!.syncRuns.edges.every((e) => e.node.trigger === 'MANUAL')).toBe(true);
    // Newest first (the console's recent runs), paged back in time; MANUAL runs only, so a poll cannot slip in between.
    const manualFilter = { connectionId: u.connectionId, trigger: 'MANUAL' as const };
    const newest = await t.gql(SyncRunsDocument, { filter: manualFilter, first: 1, newestFirst: true }, u.key);
    const older = await t.gql(SyncRunsDocument, { filter: manualFilter, first: 100, after: newest.data!.syncRuns.pageInfo.endCursor, newestFirst: true }, u.key);
    expect(newest.data!.syncRuns.edges.map((e) => e.node.id)).toEqual([run.id]);
    expect([...newest.data!.syncRuns.edges, ...older.data!.syncRuns.edges].map((e) => e.node.id)).toEqual(manual.data!.syncRuns.edges.map((e) => e.node.id).reverse());
    const failed = await t.gql(SyncRunsDocument, { filter: { connectionId: u.connectionId, outcome: 'FAILED' } }, u.key);
    expect(failed.data!.syncRuns.totalCount).toBe(0);

    const imported = await t.gql(AppointmentsDocument, { filter: { origin: provider } }, u.key);
    expect(imported.data!.appointments.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ subject: 'Dentist', hostAppointmentId: null, origin: provider, syncState: 'SYNCED', mappings: [expect.objectContaining({ externalEventId: eventId })] }),
    ]);
  });

  it('shows the link IDLE with its next poll after a run, and enableTwoWaySync switches twoWay (on starts a MANUAL run)', async () => {
    await syncNowToEnd(t, u);
    const link = await waitForLinkState(t, u, 'IDLE');
    expect(link).toMatchObject({ status: 'ACTIVE', twoWay: true, deletionsHeld: null, lastError: null });
    expect(Date.parse(link.nextSyncAt!)).toBeGreaterThan(Date.now());
    expect(link.lastSyncAt).not.toBeNull();

    const off = await t.gql(EnableTwoWaySyncDocument, { connectionId: u.connectionId, enabled: false }, u.key);
    expect(off.errors).toBeUndefined();
    expect(off.data?.enableTwoWaySync).toMatchObject({ id: u.connectionId, twoWay: false });
    const manualRuns = async () => (await t.gql(SyncRunsDocument, { filter: { connectionId: u.connectionId, trigger: 'MANUAL' } }, u.key)).data!.syncRuns.totalCount;
    const before = await manualRuns();
    const on = await t.gql(EnableTwoWaySyncDocument, { connectionId: u.connectionId, enabled: true }, u.key);
    expect(on.data?.enableTwoWaySync).toMatchObject({ id: u.connectionId, twoWay: true });
    expect(await manualRuns()).toBe(before + 1);
    expect((await t.gql(ConnectionSyncDocument, { id: u.connectionId }, u.key)).data!.connection.twoWay).toBe(true);
  });

  it("cleanupSyncedEvents runs CLEANUP: the hub's events are gone, the pairs closed, host data and the user's own events kept", async () => {
    const own = await linkedUser(t, provider, `cleanup-${provider.toLowerCase()}`);
    const a = await upsert(t, own.key, timedInput(own, 'clean-1', 'Written by the hub', 5));
    const eventId = (await waitForSynced(t, own.key, a.id)).mappings[0]!.externalEventId!;
    const userEvent = createAtProvider(own, 'Made by the user');

    const started = await t.gql(CleanupSyncedEventsDocument, { connectionId: own.connectionId }, own.key);
    expect(started.errors).toBeUndefined();
    expect(started.data?.cleanupSyncedEvents).toMatchObject({ trigger: 'CLEANUP', connectionId: own.connectionId });
    const run = await runToEnd(t, own.key, started.data!.cleanupSyncedEvents.id);
    expect(run).toMatchObject({ outcome: 'SUCCEEDED', trigger: 'CLEANUP' });
    expect(run.counts.outbound.deleted).toBe(1);

    expect(subjectAtProvider(t, own, eventId)).toBeNull();
    expect(subjectAtProvider(t, own, userEvent)).toBe('Made by the user');
    const after = (await t.gql(AppointmentDocument, { id: a.id }, own.key)).data!.appointment;
    expect(after).toMatchObject({ deleted: false, subject: 'Written by the hub', syncState: 'NONE' });
    expect(after.mappings.every((m) => m.closedAt !== null)).toBe(true);
  });

  it('shows a revoked link PAUSED, with no poll due', async () => {
    const own = await linkedUser(t, provider, `paused-${provider.toLowerCase()}`);
    await t.gql(RevokeAccessDocument, { connectionId: own.connectionId }, own.key);
    expect((await t.gql(ConnectionSyncDocument, { id: own.connectionId }, own.key)).data?.connection).toMatchObject({ status: 'REVOKED', syncState: 'PAUSED', nextSyncAt: null });
  });
});

describe('a failing run', () => {
  it('shows its error on the run, and the link ERROR until a run succeeds again', async () => {
    const u = await linkedUser(t, 'GOOGLE', 'failing');
    const account = t.sandbox.google.control.listAccounts().find((x) => x.email === u.email)!;
    const rule = t.sandbox.emulators.core.faults.add({ provider: 'google', route: 'google.events.*', account: account.id, action: { kind: 'status', status: 503 }, trigger: { mode: 'always' } });
    try {
      const failed = await syncNowToEnd(t, u);
      expect(failed).toMatchObject({ outcome: 'FAILED', error: { code: 'TRANSIENT' } });
      expect(failed.error!.message).toEqual(expect.any(String));
      await waitForLinkState(t, u, 'ERROR');
      const listed = await t.gql(SyncRunsDocument, { filter: { connectionId: u.connectionId, outcome: 'FAILED' } }, u.key);
      expect(listed.data!.syncRuns.edges.map((e) => e.node.id)).toEqual([failed.id]);
    } finally {
      t.sandbox.emulators.core.faults.remove(rule.id);
    }
    expect(await syncNowToEnd(t, u)).toMatchObject({ outcome: 'SUCCEEDED', error: null });
    await waitForLinkState(t, u, 'IDLE');
  });
});
