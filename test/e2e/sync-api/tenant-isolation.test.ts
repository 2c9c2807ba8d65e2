import { print, type GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/domain/ids.js';
import {
  AppointmentChangedDocument,
  AppointmentChangesDocument,
  AppointmentDocument,
  AppointmentsDocument,
  CleanupSyncedEventsDocument,
  ConflictDetectedDocument,
  ConflictDocument,
  ConflictsDocument,
  ConnectionSyncDocument,
  DeleteAppointmentDocument,
  EnableTwoWaySyncDocument,
  ResolveConflictDocument,
  SyncMappingDocument,
  SyncMappingsDocument,
  SyncNowDocument,
  SyncRunDocument,
  SyncRunsDocument,
  SyncStatusDocument,
  UpsertAppointmentDocument,
  type AppointmentChangedSubscription,
  type SyncStatusSubscription,
} from '../../graphql/generated.js';
import { onlyError } from '../../helpers/hub-harness.js';
import { take } from '../../helpers/pubsub-helpers.js';
import { subscribe } from '../../helpers/ws-subscriptions.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import { bothSidesEdited, linkedUser, runToEnd, syncNowToEnd, timedInput, upsert, waitForLinkState, waitForRunsToEnd, waitForSynced, type LinkedUser } from './sync-api-harness.js';

/**
 * Every new query, mutation and subscription that takes an id, called with tenant B's key on
 * tenant A's ids, answers exactly as for an id that does not exist, and changes nothing; B's
 * lists and subscriptions never show A's records.
 */
let t: LinkingHub;
let a: LinkedUser;
let b: LinkedUser;
const ids = { appointment: '', mapping: '', conflict: '', run: '' };

beforeAll(async () => {
  t = await startLinkingHub();
  a = await linkedUser(t, 'MICROSOFT', 'tenant-a', { quiet: true, conflictPolicy: 'MANUAL' });
  b = await linkedUser(t, 'GOOGLE', 'tenant-b', { quiet: true });
  const appointment = await waitForSynced(t, a.key, (await upsert(t, a.key, timedInput(a, 'a-1', 'Only for A'))).id);
  ids.appointment = appointment.id;
  ids.mapping = appointment.mappings[0]!.id;
  ids.conflict = (await bothSidesEdited(t, a, 'a-conflict')).id;
  ids.run = (await t.gql(SyncRunsDocument, { filter: { connectionId: a.connectionId } }, a.key)).data!.syncRuns.edges[0]!.node.id;
  await waitForRunsToEnd(t, a);
  await waitForLinkState(t, a, 'IDLE');
});
afterAll(async () => {
  await t?.close();
});

type Result = Promise<{ errors?: readonly GraphQLFormattedError[] | undefined }>;

interface Probe {
  name: string;
  /** Which of A's ids it takes, and an id of the same kind that does not exist. */
  idOfA: () => string;
  unknownId: () => string;
  call: (id: string) => Result;
  /** NOT_FOUND, except where an id inside an input is checked as that input's field. */
  code?: 'BAD_USER_INPUT';
}

const tenant = { idOfA: () => a.tenantId, unknownId: () => newId('tenant') };
const link = { idOfA: () => a.connectionId, unknownId: () => newId('connection') };

const probes: Probe[] = [
  { name: 'appointment(id)', idOfA: () => ids.appointment, unknownId: () => newId('appointment'), call: (id) => t.gql(AppointmentDocument, { id }, b.key) },
  { name: 'appointments(tenantId)', ...tenant, call: (id) => t.gql(AppointmentsDocument, { tenantId: id }, b.key) },
  { name: 'appointments(filter.userId)', idOfA: () => a.userId, unknownId: () => newId('hostUser'), call: (id) => t.gql(AppointmentsDocument, { filter: { userId: id } }, b.key) },
  { name: 'appointmentChanges(tenantId)', ...tenant, call: (id) => t.gql(AppointmentChangesDocument, { tenantId: id }, b.key) },
  { name: 'syncMapping(id)', idOfA: () => ids.mapping, unknownId: () => newId('syncMapping'), call: (id) => t.gql(SyncMappingDocument, { id }, b.key) },
  { name: 'syncMappings(tenantId)', ...tenant, call: (id) => t.gql(SyncMappingsDocument, { tenantId: id }, b.key) },
  { name: 'syncMappings(filter.connectionId)', ...link, call: (id) => t.gql(SyncMappingsDocument, { filter: { connectionId: id } }, b.key) },
  { name: 'conflict(id)', idOfA: () => ids.conflict, unknownId: () => newId('conflict'), call: (id) => t.gql(ConflictDocument, { id }, b.key) },
  { name: 'conflicts(tenantId)', ...tenant, call: (id) => t.gql(ConflictsDocument, { tenantId: id }, b.key) },
  { name: 'conflicts(filter.connectionId)', ...link, call: (id) => t.gql(ConflictsDocument, { filter: { connectionId: id } }, b.key) },
  { name: 'syncRun(id)', idOfA: () => ids.run, unknownId: () => newId('syncRun'), call: (id) => t.gql(SyncRunDocument, { id }, b.key) },
  { name: 'syncRuns(tenantId)', ...tenant, call: (id) => t.gql(SyncRunsDocument, { tenantId: id }, b.key) },
  { name: 'syncRuns(filter.connectionId)', ...link, call: (id) => t.gql(SyncRunsDocument, { filter: { connectionId: id } }, b.key) },
  {
    name: 'upsertAppointment(input.tenantId)',
    ...tenant,
    call: (id) => t.gql(UpsertAppointmentDocument, { input: { ...timedInput(b, 'b-into-a', 'Intruder'), tenantId: id } }, b.key),
  },
  {
    name: 'upsertAppointment(input.userId)',
    idOfA: () => a.userId,
    unknownId: () => newId('hostUser'),
    call: (id) => t.gql(UpsertAppointmentDocument, { input: { ...timedInput(b, 'b-for-a', 'Intruder'), userId: id } }, b.key),
    code: 'BAD_USER_INPUT',
  },
  { name: 'deleteAppointment(id)', idOfA: () => ids.appointment, unknownId: () => newId('appointment'), call: (id) => t.gql(DeleteAppointmentDocument, { id }, b.key) },
  { name: 'deleteAppointment(hostAppointmentId, tenantId)', ...tenant, call: (id) => t.gql(DeleteAppointmentDocument, { hostAppointmentId: 'a-1', tenantId: id }, b.key) },
  { name: 'enableTwoWaySync(connectionId)', ...link, call: (id) => t.gql(EnableTwoWaySyncDocument, { connectionId: id, enabled: false }, b.key) },
  { name: 'syncNow(connectionId)', ...link, call: (id) => t.gql(SyncNowDocument, { connectionId: id, confirmDeletions: true }, b.key) },
  { name: 'cleanupSyncedEvents(connectionId)', ...link, call: (id) => t.gql(CleanupSyncedEventsDocument, { connectionId: id }, b.key) },
  { name: 'resolveConflict(id)', idOfA: () => ids.conflict, unknownId: () => newId('conflict'), call: (id) => t.gql(ResolveConflictDocument, { id, choice: 'DELETE' }, b.key) },
];

/** The first answer of a subscription B starts (an error when it is refused). */
async function firstSubscriptionError(query: string, variables: Record<string, unknown>): Promise<GraphQLFormattedError | undefined> {
  const { value } = await t.wsClient(b.key).iterate({ query, variables }).next();
  return value?.errors?.[0];
}

const subscriptionProbes: Probe[] = [
  { name: 'syncStatus(tenantId)', ...tenant, call: async (id) => ({ errors: [(await firstSubscriptionError(print(SyncStatusDocument), { tenantId: id }))!] }) },
  { name: 'syncStatus(connectionId)', ...link, call: async (id) => ({ errors: [(await firstSubscriptionError(print(SyncStatusDocument), { connectionId: id }))!] }) },
  { name: 'appointmentChanged(tenantId)', ...tenant, call: async (id) => ({ errors: [(await firstSubscriptionError(print(AppointmentChangedDocument), { tenantId: id }))!] }) },
  {
    name: 'appointmentChanged(userId)',
    idOfA: () => a.userId,
    unknownId: () => newId('hostUser'),
    call: async (id) => ({ errors: [(await firstSubscriptionError(print(AppointmentChangedDocument), { userId: id }))!] }),
  },
  { name: 'conflictDetected(tenantId)', ...tenant, call: async (id) => ({ errors: [(await firstSubscriptionError(print(ConflictDetectedDocument), { tenantId: id }))!] }) },
];

/** What A has, read with A's key. */
async function snapshotOfA() {
  const [appointments, mappings, conflicts, runs, changes, connection] = await Promise.all([
    t.gql(AppointmentsDocument, { filter: { includeDeleted: true }, first: 50 }, a.key),
    t.gql(SyncMappingsDocument, { first: 100 }, a.key),
    t.gql(ConflictsDocument, { first: 50 }, a.key),
    t.gql(SyncRunsDocument, { first: 100 }, a.key),
    t.gql(AppointmentChangesDocument, { first: 100 }, a.key),
    t.gql(ConnectionSyncDocument, { id: a.connectionId }, a.key),
  ]);
  return { appointments: appointments.data, mappings: mappings.data, conflicts: conflicts.data, runs: runs.data, changes: changes.data, connection: connection.data };
}

describe("another tenant's ids behave as unknown ids in the sync API", () => {
  it.each([...probes, ...subscriptionProbes])('$name answers as for an unknown id', async (probe) => {
    const foreign = onlyError(await probe.call(probe.idOfA()));
    const unknownId = probe.unknownId();
    const unknown = onlyError(await probe.call(unknownId));
    expect(foreign.extensions?.code).toBe(probe.code ?? 'NOT_FOUND');
    expect(unknown.extensions?.code).toBe(probe.code ?? 'NOT_FOUND');
    expect(foreign.message.replace(probe.idOfA(), '<id>')).toBe(unknown.message.replace(unknownId, '<id>'));
  });

  it("leaves tenant A's appointments, pairs, conflicts, runs and link untouched after B's attempts", async () => {
    const before = await snapshotOfA();
    for (const probe of probes) await probe.call(probe.idOfA());
    expect(await snapshotOfA()).toEqual(before);
    expect(before.appointments?.appointments.edges.map((e) => [e.node.id, e.node.deleted])).toContainEqual([ids.appointment, false]);
    expect(before.conflicts?.conflicts.edges.map((e) => [e.node.id, e.node.status])).toEqual([[ids.conflict, 'OPEN']]);
    expect(before.connection?.connection.twoWay).toBe(true);
  });

  it("keeps B's own lists free of A's records", async () => {
    const own = await upsert(t, b.key, timedInput(b, 'b-1', 'Only for B'));
    await waitForSynced(t, b.key, own.id);
    const appointments = await t.gql(AppointmentsDocument, { filter: { includeDeleted: true }, first: 50 }, b.key);
    expect(appointments.data!.appointments.edges.map((e) => e.node.id)).toEqual([own.id]);
    const mappings = await t.gql(SyncMappingsDocument, { first: 100 }, b.key);
    expect(mappings.data!.syncMappings.edges.every((e) => e.node.tenantId === b.tenantId && e.node.connectionId === b.connectionId)).toBe(true);
    const runs = await t.gql(SyncRunsDocument, { first: 100 }, b.key);
    expect(runs.data!.syncRuns.totalCount).toBeGreaterThan(0);
    expect(runs.data!.syncRuns.edges.every((e) => e.node.tenantId === b.tenantId)).toBe(true);
    expect((await t.gql(ConflictsDocument, {}, b.key)).data!.conflicts.totalCount).toBe(0);
    expect((await t.gql(AppointmentChangesDocument, {}, b.key)).data!.appointmentChanges.edges).toEqual([]);
  });

  it("delivers B's subscriptions only B's runs and appointments", async () => {
    await waitForRunsToEnd(t, b);
    const client = t.wsClient(b.key);
    const status = await subscribe<SyncStatusSubscription>(t, client, print(SyncStatusDocument));
    const changed = await subscribe<AppointmentChangedSubscription>(t, client, print(AppointmentChangedDocument));
    await syncNowToEnd(t, a);
    await upsert(t, a.key, timedInput(a, 'a-2', 'Also only for A'));
    await waitForRunsToEnd(t, a);
    const ownRun = await syncNowToEnd(t, b);
    const own = await upsert(t, b.key, timedInput(b, 'b-2', 'Also only for B'));

    const [started] = await take(status.events, 1, 10_000);
    expect(started?.data?.syncStatus).toMatchObject({ phase: 'STARTED', run: { id: ownRun.id, tenantId: b.tenantId } });
    const [appointmentEvent] = await take(changed.events, 1, 10_000);
    expect(appointmentEvent?.data?.appointmentChanged).toMatchObject({ kind: 'CREATED', source: 'HOST', appointment: { id: own.id, tenantId: b.tenantId } });
    await status.stop();
    await changed.stop();
  });

  it("lets an ADMIN key read and subscribe to both tenants, or to the one it names", async () => {
    expect((await t.gql(AppointmentDocument, { id: ids.appointment }, t.admin)).data?.appointment.tenantId).toBe(a.tenantId);
    expect((await t.gql(ConflictDocument, { id: ids.conflict }, t.admin)).data?.conflict.tenantId).toBe(a.tenantId);
    expect((await t.gql(SyncRunsDocument, { filter: { connectionId: b.connectionId } }, t.admin)).data?.syncRuns.totalCount).toBeGreaterThan(0);
    await Promise.all([waitForRunsToEnd(t, a), waitForRunsToEnd(t, b)]);
    const client = t.wsClient(t.admin);
    const all = await subscribe<SyncStatusSubscription>(t, client, print(SyncStatusDocument));
    const onlyB = await subscribe<SyncStatusSubscription>(t, client, print(SyncStatusDocument), { tenantId: b.tenantId });
    const runOfA = await t.gql(SyncNowDocument, { connectionId: a.connectionId }, t.admin);
    await runToEnd(t, t.admin, runOfA.data!.syncNow.id);
    const runOfB = await syncNowToEnd(t, b);
    const [first] = await take(all.events, 1, 10_000);
    expect(first?.data?.syncStatus).toMatchObject({ phase: 'STARTED', run: { id: runOfA.data!.syncNow.id } });
    const [firstOfB] = await take(onlyB.events, 1, 10_000);
    expect(firstOfB?.data?.syncStatus).toMatchObject({ phase: 'STARTED', run: { id: runOfB.id } });
    await all.stop();
    await onlyB.stop();
  });
});
