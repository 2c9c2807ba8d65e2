import type { Emulators } from '@calendar-sync-hub/emulators';
import type { ProviderKind } from '../../../src/domain/model.js';
import { createCaFetch } from '../../../src/providers/microsoft-graph/graph-fetch.js';
import type { HubProcess, ProviderSide } from '../../helpers/hub-process.js';
import { waitFor, type GqlResult } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, sandboxAccountId, type LinkDriver, type TenantUser } from '../linking/linking-harness.js';

/**
 * The sync e2e tests' view of a linked user: the host side through the GraphQL API (as an
 * integrator scripts it), the provider side through the emulators' control APIs (the user editing
 * in Outlook or Google), and the emulators' request counters (what the hub cost).
 */

const DAY = 86_400_000;

export const APPOINTMENT_FIELDS = `id hostAppointmentId subject location deleted origin version syncState start end allDay startDate endDate timeZone
  attendees { email response hostUserId } recurrence { rrule exdates }
  mappings { id state externalEventId lastError { code message } closedAt }`;

export const RUN_FIELDS = `id trigger outcome providerRequests error { code message }
  counts { outbound { created updated deleted unchanged conflicts skipped errors } inbound { created updated deleted unchanged conflicts skipped errors } }`;

export interface Mapping {
  id: string;
  state: string;
  externalEventId: string | null;
  lastError: { code: string; message: string } | null;
  closedAt: string | null;
}

export interface AppointmentView {
  id: string;
  hostAppointmentId: string | null;
  subject: string | null;
  location: string | null;
  deleted: boolean;
  origin: string;
  version: number;
  syncState: string;
  start: string | null;
  end: string | null;
  allDay: boolean;
  attendees: { email: string; response: string; hostUserId: string | null }[];
  mappings: Mapping[];
}

type Counts = Record<'created' | 'updated' | 'deleted' | 'unchanged' | 'conflicts' | 'skipped' | 'errors', number>;
export interface RunView {
  id: string;
  trigger: string;
  outcome: string;
  providerRequests: number;
  error: { code: string; message: string } | null;
  counts: { outbound: Counts; inbound: Counts };
}

/** An event as the provider holds it (the fields the tests look at). */
export interface ProviderEvent {
  id: string;
  subject: string | null;
  start: string | null;
  tagged: boolean;
}

/** The user at the provider: reads and edits through the emulator, counts what the hub did. */
export interface ProviderHand {
  kind: ProviderKind;
  events(): ProviderEvent[];
  /** An event the user makes in Outlook / Google (no hub tag). */
  create(subject: string, start: Date, minutes?: number): string;
  rename(eventId: string, subject: string): void;
  move(eventId: string, start: Date, minutes?: number): void;
  remove(eventId: string): void;
  /** Event writes (creates, updates, deletes; alone or as batch parts) the hub sent for this account so far. */
  writes(): number;
  /** All requests the hub sent for this account so far. */
  requests(): number;
  /** The provider forgets the hub's sync cursor (Graph delta tokens / Google sync tokens). */
  invalidateCursor(): void;
}

export function providerHand(emulators: Pick<Emulators, 'microsoft' | 'google' | 'core'>, kind: ProviderKind, email: string, providerCalendarId: string): ProviderHand {
  const counters = emulators.core.counters;
  const iso = (d: Date) => d.toISOString();
  switch (kind) {
    case 'MICROSOFT': {
      const control = emulators.microsoft.control;
      const account = control.getAccount(email);
      const names = [account.id.toLowerCase(), email.toLowerCase()];
      const sum = (route: string, withBatched = false) =>
        names.reduce((n, a) => {
          const c = counters.total({ provider: 'microsoft', route, account: a });
          return n + c.requests + (withBatched ? c.batchedRequests : 0);
        }, 0);
      const slot = (start: Date, minutes: number) => ({
        start: { dateTime: iso(start).slice(0, 19), timeZone: 'UTC' },
        end: { dateTime: iso(new Date(start.getTime() + minutes * 60_000)).slice(0, 19), timeZone: 'UTC' },
      });
      return {
        kind,
        events: () =>
          control.listEvents(email, providerCalendarId).map((e) => ({
            id: String(e.id),
            subject: (e.subject as string | null) ?? null,
            start: ((e.start as { dateTime?: string } | undefined)?.dateTime ?? null) as string | null,
            tagged: typeof e.transactionId === 'string' && e.transactionId.startsWith('synchub:'),
          })),
        create: (subject, start, minutes = 60) => String(control.createEvent(email, providerCalendarId, { subject, ...slot(start, minutes) }).id),
        rename: (eventId, subject) => void control.updateEvent(email, eventId, { subject }),
        move: (eventId, start, minutes = 60) => void control.updateEvent(email, eventId, slot(start, minutes)),
        remove: (eventId) => control.deleteEvent(email, eventId),
        // Event writes, sent alone or as parts of a $batch (a batch of reads writes nothing).
        writes: () => ['graph.events.create', 'graph.events.update', 'graph.events.delete', 'graph.events.cancel'].reduce((n, r) => n + sum(r, true), 0),
        requests: () => sum('graph.*'),
        invalidateCursor: () => control.invalidateDeltaTokens(email),
      };
    }
    case 'GOOGLE': {
      const control = emulators.google.control;
      const accountId = control.listAccounts().find((a) => a.email.toLowerCase() === email.toLowerCase())!.id;
      const names = [accountId.toLowerCase(), email.toLowerCase()];
      const sum = (route: string, withBatched = false) =>
        names.reduce((n, a) => {
          const c = counters.total({ provider: 'google', route, account: a });
          return n + c.requests + (withBatched ? c.batchedRequests : 0);
        }, 0);
      const slot = (start: Date, minutes: number) => ({ start: { dateTime: iso(start) }, end: { dateTime: iso(new Date(start.getTime() + minutes * 60_000)) } });
      return {
        kind,
        events: () =>
          ((control.listEvents(accountId, providerCalendarId).items ?? []) as Record<string, unknown>[])
            .filter((e) => e.status !== 'cancelled')
            .map((e) => ({
              id: String(e.id),
              subject: (e.summary as string | undefined) ?? null,
              start: ((e.start as { dateTime?: string; date?: string } | undefined)?.dateTime ?? (e.start as { date?: string } | undefined)?.date ?? null) as string | null,
              tagged: Boolean((e.extendedProperties as { private?: Record<string, string> } | undefined)?.private?.syncHubMappingId),
            })),
        create: (subject, start, minutes = 60) => String(control.createEvent(accountId, providerCalendarId, { summary: subject, ...slot(start, minutes) }).id),
        rename: (eventId, subject) => void control.updateEvent(accountId, providerCalendarId, eventId, { summary: subject }),
        move: (eventId, start, minutes = 60) => void control.updateEvent(accountId, providerCalendarId, eventId, slot(start, minutes)),
        remove: (eventId) => control.deleteEvent(accountId, providerCalendarId, eventId),
        writes: () => ['google.events.insert', 'google.events.update', 'google.events.patch', 'google.events.delete'].reduce((n, r) => n + sum(r, true), 0),
        requests: () => sum('google.*'),
        invalidateCursor: () => void control.invalidateSyncTokens({ accountId }),
      };
    }
  }
}

/** A host user with a linked calendar, seen through the GraphQL API. */
export interface SyncUser {
  kind: ProviderKind;
  tenant: TenantUser;
  email: string;
  connectionId: string;
  provider: ProviderHand;
  /** Raw GraphQL as the tenant's key; throws on errors unless `allowErrors`. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  rawGql(query: string, variables?: Record<string, unknown>): Promise<GqlResult<Record<string, unknown>>>;
  upsert(hostAppointmentId: string, fields?: Record<string, unknown>): Promise<AppointmentView>;
  remove(hostAppointmentId: string): Promise<AppointmentView>;
  appointment(id: string): Promise<AppointmentView>;
  appointments(includeDeleted?: boolean): Promise<AppointmentView[]>;
  /** Starts a sync of the link and waits until it finished. */
  syncNow(options?: { confirmDeletions?: boolean }): Promise<RunView>;
  /** Waits until every live pair of the appointment is SYNCED (outbound is asynchronous). */
  synced(id: string, timeoutMs?: number): Promise<AppointmentView>;
  /** The provider event of the appointment's live pair. */
  eventOf(a: AppointmentView): ProviderEvent | undefined;
}

/** A timed slot `days` ahead at 09:00 UTC. */
export function slot(days: number, hour = 9, minutes = 60): { start: string; end: string; timeZone: string } {
  const start = new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000);
  return { start: start.toISOString(), end: new Date(start.getTime() + minutes * 60_000).toISOString(), timeZone: 'Europe/Berlin' };
}

export interface SyncUserOptions {
  /** A hostUserId unique in the test run. */
  name: string;
  /** Before the link is made: something to do with the tenant (e.g. host appointments that predate it). */
  beforeLink?: (tenant: TenantUser, gql: SyncUser['gql']) => Promise<void>;
  /** The provider account's email; a new one by default. */
  email?: string;
}

let seq = 0;

export async function linkedUser(driver: LinkDriver, emulators: Pick<Emulators, 'microsoft' | 'google' | 'core'>, kind: ProviderKind, options: SyncUserOptions): Promise<SyncUser> {
  seq += 1;
  const email =
    options.email ??
    (kind === 'MICROSOFT'
      ? emulators.microsoft.control.createAccount({ email: `${options.name}.${seq}@contoso.onmicrosoft.com` }).email
      : emulators.google.control.createAccount({ email: `${options.name}.${seq}@example.com` }).email);
  const tenant = await createTenantWithUser(driver, `${options.name}-${seq}`, { hostUserId: `${options.name}-${seq}`, email });
  const rawGql = (query: string, variables: Record<string, unknown> = {}) => driver.rawGql(query, variables, tenant.key);
  const gql = async <T,>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await rawGql(query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}\n${query}`);
    return result.data as T;
  };
  if (options.beforeLink) await options.beforeLink(tenant, gql);
  const connectionId = await linkOk(driver, tenant.key, { userId: tenant.userId, provider: kind, account: email });
  // The link's first run (INITIAL) runs at once; tests start from the state it leaves.
  await waitFor(
    'the link\'s first sync run',
    async () => {
      const runs = await gql<{ syncRuns: { edges: { node: { outcome: string } }[] } }>(`query($c: ID) { syncRuns(filter: { connectionId: $c }) { edges { node { outcome } } } }`, { c: connectionId });
      return runs.syncRuns.edges.length > 0 && runs.syncRuns.edges.every((e) => e.node.outcome !== 'RUNNING');
    },
    20_000,
  );
  const accountId = sandboxAccountId(driver, kind, email);
  const providerCalendarId = kind === 'MICROSOFT' ? emulators.microsoft.control.getAccount(accountId).calendarIds[0]! : emulators.google.control.listAccounts().find((a) => a.id === accountId)!.calendarIds[0]!;
  const provider = providerHand(emulators, kind, email, providerCalendarId);

  const run = async (id: string) => (await gql<{ syncRun: RunView }>(`query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id })).syncRun;
  const appointment = async (id: string) => (await gql<{ appointment: AppointmentView }>(`query($id: ID!) { appointment(id: $id) { ${APPOINTMENT_FIELDS} } }`, { id })).appointment;
  const user: SyncUser = {
    kind,
    tenant,
    email,
    connectionId,
    provider,
    gql,
    rawGql,
    async upsert(hostAppointmentId, fields = {}) {
      const input = { hostAppointmentId, userId: tenant.userId, subject: hostAppointmentId, ...slot(3), ...fields };
      const data = await gql<{ upsertAppointment: { appointment: AppointmentView } }>(
        `mutation($input: UpsertAppointmentInput!) { upsertAppointment(input: $input) { created appointment { ${APPOINTMENT_FIELDS} } } }`,
        { input },
      );
      return data.upsertAppointment.appointment;
    },
    async remove(hostAppointmentId) {
      return (await gql<{ deleteAppointment: AppointmentView }>(`mutation($h: String) { deleteAppointment(hostAppointmentId: $h) { ${APPOINTMENT_FIELDS} } }`, { h: hostAppointmentId })).deleteAppointment;
    },
    appointment,
    async appointments(includeDeleted = false) {
      const data = await gql<{ appointments: { edges: { node: AppointmentView }[] } }>(
        `query($f: AppointmentFilter) { appointments(filter: $f, first: 100) { edges { node { ${APPOINTMENT_FIELDS} } } } }`,
        { f: { userId: tenant.userId, includeDeleted } },
      );
      return data.appointments.edges.map((e) => e.node);
    },
    async syncNow(opts = {}) {
      const started = await gql<{ syncNow: { id: string } }>(`mutation($c: ID!, $d: Boolean) { syncNow(connectionId: $c, confirmDeletions: $d) { id } }`, {
        c: connectionId,
        d: opts.confirmDeletions ?? false,
      });
      let finished: RunView | null = null;
      await waitFor(
        'the sync run to finish',
        async () => {
          const r = await run(started.syncNow.id);
          if (r.outcome === 'RUNNING') return false;
          finished = r;
          return true;
        },
        20_000,
      );
      return finished!;
    },
    async synced(id, timeoutMs = 15_000) {
      let last: AppointmentView | null = null;
      await waitFor(
        `appointment ${id} to be synced`,
        async () => {
          last = await appointment(id);
          const live = last.mappings.filter((m) => m.closedAt === null);
          return live.length > 0 && live.every((m) => m.state === 'SYNCED');
        },
        timeoutMs,
      ).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}: ${JSON.stringify(last)}`);
      });
      return last!;
    },
    eventOf(a) {
      const live = a.mappings.find((m) => m.closedAt === null && m.externalEventId);
      return live ? provider.events().find((e) => e.id === live.externalEventId) : undefined;
    },
  };
  return user;
}

/**
 * A LinkDriver for hubs in other processes, against the test's emulators. `hub` gives the process
 * to talk to now, so a test can kill a hub and keep going with the one it started in its place.
 */
export function processDriver(hub: () => HubProcess, providers: ProviderSide, admin: string): LinkDriver {
  return {
    gql: (document, variables, key) => hub().gql(document, variables, key),
    rawGql: (query, variables, key) => hub().rawGql(query, variables, key),
    admin,
    sandbox: { microsoft: providers.emulators.microsoft, google: providers.emulators.google },
    browser: createCaFetch({ caPem: providers.emulators.caCertPem }),
  };
}
