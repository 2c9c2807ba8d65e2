import type { ProviderKind } from '../../../src/domain/model.js';
import type { HubId } from '../../../src/domain/ids.js';
import { Calendar } from '../../../src/store/entities/index.js';
import {
  AppointmentDocument,
  ConflictsDocument,
  ConnectionSyncDocument,
  SyncNowDocument,
  SyncRunDocument,
  SyncRunsDocument,
  UpdateTenantSettingsDocument,
  UpsertAppointmentDocument,
  type AppointmentFieldsFragment,
  type ConflictFieldsFragment,
  type ConnectionSyncFieldsFragment,
  type SyncRunFieldsFragment,
  type UpsertAppointmentInput,
} from '../../graphql/generated.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, sandboxAccountId, sandboxKit, type LinkingHub, type SandboxKit, type TenantUser } from '../linking/linking-harness.js';

/** How long the tests give a sync run (a few provider round trips against the in-process emulators). */
export const RUN_TIMEOUT_MS = 15_000;

/** A tenant with a host user whose sandbox calendar is linked, its first run finished. */
export interface LinkedUser extends TenantUser {
  provider: ProviderKind;
  connectionId: HubId<'connection'>;
  kit: SandboxKit;
  /** The provider's id of the link's PRIMARY calendar (for the emulators' control APIs). */
  providerCalendarId: string;
}

/**
 * Links a fresh sandbox account for a fresh tenant and waits until the link's first run ended.
 * `quiet` sets the longest poll intervals, so no poll runs while a test compares snapshots.
 */
export async function linkedUser(t: LinkingHub, provider: ProviderKind, label: string, options: { quiet?: boolean; conflictPolicy?: 'LATEST_WINS' | 'HOST_WINS' | 'PROVIDER_WINS' | 'MANUAL' } = {}): Promise<LinkedUser> {
  const kit = sandboxKit(t, provider);
  const email = kit.newAccount(label);
  const tenant = await createTenantWithUser(t, `${provider} ${label}`, { hostUserId: label, email });
  const settings = {
    ...(options.quiet ? { polling: { activeIntervalMinutes: 1440, inactiveIntervalMinutes: 10080 } } : {}),
    ...(options.conflictPolicy ? { conflictPolicy: options.conflictPolicy } : {}),
  };
  if (Object.keys(settings).length > 0) {
    const updated = await t.gql(UpdateTenantSettingsDocument, { input: settings }, tenant.key);
    if (!updated.data) throw new Error(`updateTenantSettings failed: ${JSON.stringify(updated.errors)}`);
  }
  const connectionId = await linkOk(t, tenant.key, { userId: tenant.userId, provider, account: email });
  const user: LinkedUser = { ...tenant, provider, connectionId, kit, providerCalendarId: await primaryProviderCalendarId(t, connectionId) };
  await waitForRunsToEnd(t, user);
  return user;
}

async function primaryProviderCalendarId(t: LinkingHub, connectionId: HubId<'connection'>): Promise<string> {
  return (await t.hub.orm.em.fork().findOneOrFail(Calendar, { connectionId, role: 'PRIMARY' })).providerCalendarId;
}

/** Waits until the link has run at least once and no run of it is RUNNING. */
export async function waitForRunsToEnd(t: LinkingHub, u: LinkedUser): Promise<void> {
  await waitFor(
    'the link to have no run in progress',
    async () => {
      const runs = await t.gql(SyncRunsDocument, { filter: { connectionId: u.connectionId }, first: 100 }, u.key);
      const edges = runs.data?.syncRuns.edges ?? [];
      return edges.length > 0 && edges.every((e) => e.node.outcome !== 'RUNNING');
    },
    RUN_TIMEOUT_MS,
  );
}

/**
 * Waits until the link shows `state`; returns the link. A run's lease is released just after the
 * run is stored as ended, so a link reads SYNCING for a moment after its run finished.
 */
export async function waitForLinkState(t: LinkingHub, u: Pick<LinkedUser, 'key' | 'connectionId'>, state: ConnectionSyncFieldsFragment['syncState']): Promise<ConnectionSyncFieldsFragment> {
  let link: ConnectionSyncFieldsFragment | null = null;
  await waitFor(
    `the link to be ${state}`,
    async () => {
      link = (await t.gql(ConnectionSyncDocument, { id: u.connectionId }, u.key)).data?.connection ?? null;
      return link?.syncState === state;
    },
    RUN_TIMEOUT_MS,
  );
  return link!;
}

/** Polls syncRun until the run has ended; returns it. */
export async function runToEnd(t: LinkingHub, key: string, runId: string): Promise<SyncRunFieldsFragment> {
  let run: SyncRunFieldsFragment | null = null;
  await waitFor(
    `run ${runId} to end`,
    async () => {
      run = (await t.gql(SyncRunDocument, { id: runId }, key)).data?.syncRun ?? null;
      return run !== null && run.outcome !== 'RUNNING';
    },
    RUN_TIMEOUT_MS,
  );
  return run!;
}

/** syncNow through the API, then waits for its run to end. */
export async function syncNowToEnd(t: LinkingHub, u: LinkedUser): Promise<SyncRunFieldsFragment> {
  const started = await t.gql(SyncNowDocument, { connectionId: u.connectionId }, u.key);
  if (!started.data) throw new Error(`syncNow failed: ${JSON.stringify(started.errors)}`);
  return runToEnd(t, u.key, started.data.syncNow.id);
}

/** A timed appointment of one hour, `days` days ahead at 09:00 UTC. */
export function timedInput(u: Pick<TenantUser, 'userId'>, hostAppointmentId: string, subject: string, days = 2): UpsertAppointmentInput {
  const start = new Date(Date.now() + days * 86_400_000);
  start.setUTCHours(9, 0, 0, 0);
  return { hostAppointmentId, userId: u.userId, subject, start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), timeZone: 'Europe/Zurich' };
}

export async function upsert(t: LinkingHub, key: string, input: UpsertAppointmentInput): Promise<AppointmentFieldsFragment> {
  const result = await t.gql(UpsertAppointmentDocument, { input }, key);
  if (!result.data) throw new Error(`upsertAppointment failed: ${JSON.stringify(result.errors)}`);
  return result.data.upsertAppointment.appointment;
}

/** Waits until the appointment's pair with the link is SYNCED; returns the appointment as the API shows it. */
export async function waitForSynced(t: LinkingHub, key: string, appointmentId: string): Promise<AppointmentFieldsFragment> {
  let appointment: AppointmentFieldsFragment | null = null;
  await waitFor(
    `appointment ${appointmentId} to be SYNCED`,
    async () => {
      appointment = (await t.gql(AppointmentDocument, { id: appointmentId }, key)).data?.appointment ?? null;
      return appointment?.syncState === 'SYNCED';
    },
    RUN_TIMEOUT_MS,
  );
  return appointment!;
}

/** The subject of an event in the user's calendar, read through the emulator's control API; null when it is not there. */
export function subjectAtProvider(t: LinkingHub, u: LinkedUser, eventId: string): string | null {
  switch (u.provider) {
    case 'MICROSOFT': {
      const event = t.sandbox.microsoft.control.listEvents(u.email, u.providerCalendarId).find((e) => e.id === eventId);
      return event ? String(event.subject) : null;
    }
    case 'GOOGLE': {
      const items = (t.sandbox.google.control.listEvents(sandboxAccountId(t, 'GOOGLE', u.email), u.providerCalendarId).items ?? []) as { id: string; summary?: string; status?: string }[];
      const event = items.find((e) => e.id === eventId && e.status !== 'cancelled');
      return event ? (event.summary ?? '') : null;
    }
  }
}

/** The user renames an event in their calendar (the emulator's control API plays Outlook / Google Calendar). */
export function renameAtProvider(t: LinkingHub, u: LinkedUser, eventId: string, subject: string): void {
  switch (u.provider) {
    case 'MICROSOFT':
      t.sandbox.microsoft.control.updateEvent(u.email, eventId, { subject });
      return;
    case 'GOOGLE':
      t.sandbox.google.control.updateEvent(sandboxAccountId(t, 'GOOGLE', u.email), u.providerCalendarId, eventId, { summary: subject });
      return;
  }
}

/** The user deletes an event in their calendar. */
export function deleteAtProvider(t: LinkingHub, u: LinkedUser, eventId: string): void {
  switch (u.provider) {
    case 'MICROSOFT':
      t.sandbox.microsoft.control.deleteEvent(u.email, eventId);
      return;
    case 'GOOGLE':
      t.sandbox.google.control.deleteEvent(sandboxAccountId(t, 'GOOGLE', u.email), u.providerCalendarId, eventId);
      return;
  }
}

/** The user creates an event in their calendar (three days ahead, so after the link's activation). */
export function createAtProvider(u: LinkedUser, subject: string): string {
  return u.kit.createUserEvent(u.email, u.providerCalendarId, subject);
}

/**
 * Makes the appointment change on both sides between two syncs: the user renames its event in the
 * calendar, then the host saves another subject — the hub's write meets the calendar's change
 * (If-Match fails) and the tenant's conflict policy decides. Returns the conflict.
 */
export async function bothSidesEdited(t: LinkingHub, u: LinkedUser, hostAppointmentId: string): Promise<ConflictFieldsFragment> {
  const input = timedInput(u, hostAppointmentId, 'Planning', 6);
  const a = await upsert(t, u.key, input);
  const eventId = (await waitForSynced(t, u.key, a.id)).mappings[0]!.externalEventId!;
  renameAtProvider(t, u, eventId, 'Planning (calendar)');
  await upsert(t, u.key, { ...input, subject: 'Planning (host)' });
  let conflict: ConflictFieldsFragment | undefined;
  await waitFor(
    `a conflict on ${hostAppointmentId}`,
    async () => {
      const page = await t.gql(ConflictsDocument, { filter: { connectionId: u.connectionId }, first: 50 }, u.key);
      conflict = page.data?.conflicts.edges.map((e) => e.node).find((c) => c.appointmentId === a.id);
      return conflict !== undefined;
    },
    RUN_TIMEOUT_MS,
  );
  await waitForRunsToEnd(t, u);
  return conflict!;
}
