import { print } from 'graphql';
import type { FormattedExecutionResult } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import {
  AppointmentChangedDocument,
  AppointmentDocument,
  ConflictDetectedDocument,
  ResolveConflictDocument,
  SyncNowDocument,
  ViewerDocument,
  type AppointmentChangedSubscription,
  type ConflictDetectedSubscription,
  type SyncStatusSubscription,
  SyncStatusDocument,
} from '../../graphql/generated.js';
import { onlyError, waitFor } from '../../helpers/hub-harness.js';
import { take } from '../../helpers/pubsub-helpers.js';
import { subscribe } from '../../helpers/ws-subscriptions.js';
import { startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';
import {
  bothSidesEdited,
  createAtProvider,
  deleteAtProvider,
  linkedUser,
  renameAtProvider,
  RUN_TIMEOUT_MS,
  subjectAtProvider,
  syncNowToEnd,
  timedInput,
  upsert,
  waitForRunsToEnd,
  waitForSynced,
  type LinkedUser,
} from './sync-api-harness.js';

/** syncStatus, appointmentChanged and conflictDetected over graphql-ws, driven by real runs against both sandbox providers. */
let t: LinkingHub;

beforeAll(async () => {
  t = await startLinkingHub();
});
afterAll(async () => {
  await t?.close();
});

/** Reads events until `last` holds for one; returns all read. */
async function until<T>(events: AsyncIterator<FormattedExecutionResult<T, unknown>>, last: (event: FormattedExecutionResult<T, unknown>) => boolean): Promise<FormattedExecutionResult<T, unknown>[]> {
  const seen: FormattedExecutionResult<T, unknown>[] = [];
  for (;;) {
    const [event] = await take(events, 1, RUN_TIMEOUT_MS);
    seen.push(event!);
    if (last(event!)) return seen;
  }
}

const providers: ProviderKind[] = ['MICROSOFT', 'GOOGLE'];

describe.each(providers)('%s', (provider) => {
  let u: LinkedUser;

  beforeAll(async () => {
    u = await linkedUser(t, provider, `subs-${provider.toLowerCase()}`, { conflictPolicy: 'MANUAL' });
  });

  it('syncStatus streams STARTED, then PROGRESS (if any), then FINISHED for a syncNow, with the run as it is', async () => {
    await waitForRunsToEnd(t, u);
    const sub = await subscribe<SyncStatusSubscription>(t, t.wsClient(u.key), print(SyncStatusDocument), { connectionId: u.connectionId });
    const started = await t.gql(SyncNowDocument, { connectionId: u.connectionId }, u.key);
    const runId = started.data!.syncNow.id;
    const events = (await until(sub.events, (e) => e.data?.syncStatus.run.id === runId && ['FINISHED', 'FAILED'].includes(e.data.syncStatus.phase))).filter(
      (e) => e.data?.syncStatus.run.id === runId,
    );
    await sub.stop();

    expect(events.every((e) => e.errors === undefined)).toBe(true);
    const phases = events.map((e) => e.data!.syncStatus.phase);
    expect(phases[0]).toBe('STARTED');
    expect(phases.at(-1)).toBe('FINISHED');
    expect(phases.slice(1, -1).every((p) => p === 'PROGRESS')).toBe(true);
    const finished = events.at(-1)!.data!.syncStatus;
    expect(finished.run).toMatchObject({ id: runId, connectionId: u.connectionId, trigger: 'MANUAL', outcome: 'SUCCEEDED', error: null });
    expect(finished.run.finishedAt).not.toBeNull();
    expect(Date.parse(finished.at)).toBeGreaterThanOrEqual(Date.parse(events[0]!.data!.syncStatus.at));
  });

  it('appointmentChanged delivers what the user changed in the calendar once a sync applied it: created, updated, deleted', async () => {
    const sub = await subscribe<AppointmentChangedSubscription>(t, t.wsClient(u.key), print(AppointmentChangedDocument), { userId: u.userId });

    const eventId = createAtProvider(u, 'Made in the calendar');
    await syncNowToEnd(t, u);
    const [created] = await take(sub.events, 1, RUN_TIMEOUT_MS);
    expect(created?.data?.appointmentChanged).toMatchObject({
      kind: 'CREATED',
      source: provider,
      appointment: { userId: u.userId, subject: 'Made in the calendar', origin: provider, hostAppointmentId: null, deleted: false, mappings: [{ externalEventId: eventId, state: 'SYNCED' }] },
    });
    const appointmentId = created!.data!.appointmentChanged.appointment.id;

    renameAtProvider(t, u, eventId, 'Renamed in the calendar');
    await syncNowToEnd(t, u);
    const [updated] = await take(sub.events, 1, RUN_TIMEOUT_MS);
    expect(updated?.data?.appointmentChanged).toMatchObject({ kind: 'UPDATED', source: provider, appointment: { id: appointmentId, subject: 'Renamed in the calendar' } });

    deleteAtProvider(t, u, eventId);
    await syncNowToEnd(t, u);
    const [deleted] = await take(sub.events, 1, RUN_TIMEOUT_MS);
    expect(deleted?.data?.appointmentChanged).toMatchObject({ kind: 'DELETED', source: provider, appointment: { id: appointmentId, deleted: true } });
    await sub.stop();
  });

  it("appointmentChanged reports the host's own writes with source HOST", async () => {
    const sub = await subscribe<AppointmentChangedSubscription>(t, t.wsClient(u.key), print(AppointmentChangedDocument));
    const a = await upsert(t, u.key, timedInput(u, 'host-write', 'Written by the host'));
    const [event] = await take(sub.events, 1);
    expect(event?.data?.appointmentChanged).toMatchObject({ kind: 'CREATED', source: 'HOST', appointment: { id: a.id, origin: 'HOST' } });
    await sub.stop();
    await waitForSynced(t, u.key, a.id);
  });

  it('conflictDetected delivers a MANUAL conflict with both versions; resolveConflict applies the choice once', async () => {
    const sub = await subscribe<ConflictDetectedSubscription>(t, t.wsClient(u.key), print(ConflictDetectedDocument));
    const conflict = await bothSidesEdited(t, u, 'both-sides');
    const [event] = await take(sub.events, 1, RUN_TIMEOUT_MS);
    await sub.stop();
    expect(event?.data?.conflictDetected).toEqual(conflict);
    expect(conflict).toMatchObject({
      connectionId: u.connectionId,
      kind: 'EDIT_EDIT',
      policy: 'MANUAL',
      status: 'OPEN',
      decision: null,
      resolvedAt: null,
      hostVersion: { subject: 'Planning (host)', allDay: false },
      providerVersion: { subject: 'Planning (calendar)', allDay: false },
    });
    const held = (await t.gql(AppointmentDocument, { id: conflict.appointmentId }, u.key)).data!.appointment;
    expect(held.syncState).toBe('CONFLICT');

    const resolved = await t.gql(ResolveConflictDocument, { id: conflict.id, choice: 'HOST' }, u.key);
    expect(resolved.errors).toBeUndefined();
    const keyId = (await t.gql(ViewerDocument, {}, u.key)).data!.viewer.apiKeyId;
    expect(resolved.data?.resolveConflict).toMatchObject({ id: conflict.id, status: 'RESOLVED', decision: 'HOST', resolvedBy: keyId });
    expect(resolved.data!.resolveConflict.resolvedAt).not.toBeNull();
    const eventId = held.mappings[0]!.externalEventId!;
    await waitFor('the host version in the calendar', () => subjectAtProvider(t, u, eventId) === 'Planning (host)', RUN_TIMEOUT_MS);
    expect((await waitForSynced(t, u.key, conflict.appointmentId)).subject).toBe('Planning (host)');

    const again = onlyError(await t.gql(ResolveConflictDocument, { id: conflict.id, choice: 'PROVIDER' }, u.key));
    expect(again.extensions).toMatchObject({ code: 'CONFLICT' });
  });
});
