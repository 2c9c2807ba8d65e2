import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { EmulatorCore } from '@calendar-sync-hub/emulators';
import type { ConflictPolicy, ProviderKind } from '../../../src/domain/model.js';
import { occurrenceKey, seriesOccurrences } from '../../../src/domain/recurrence/occurrences.js';
import { windowsToIana } from '../../../src/domain/windows-time-zones.js';
import { linkOk, sandboxAccountId } from '../linking/linking-harness.js';
import { APPOINTMENT_FIELDS, RUN_FIELDS, linkedUser, type AppointmentView, type RunView, type SyncUser } from '../sync/sync-harness.js';
import { emulatorProviderOf, type ChaosWorld } from './chaos-world.js';

/**
 * The model-based chaos test of the sync engine (issue 9): random sequences of edits on both sides
 * of one linked user — the host through the GraphQL API, the user's calendar through the
 * emulators' control API — interleaved with sync runs, waits, provider faults, cursor loss, token
 * revocation and relinking, and SIGKILLs of the hub process. After the sequence the system is left
 * to quiesce and the end state is checked against the model (`checkConverged`).
 *
 * The model does not predict the content a conflict ends with (that depends on timing, on purpose):
 * it knows which items exist, which subjects each was given, and which were deleted. What must hold
 * is convergence: every live appointment has exactly one event with equal content, every event maps
 * to exactly one appointment, every deletion took effect on both sides, and an idle poll writes
 * nothing.
 *
 * Recurring series are items too (`Item.series`): the host makes series (daily or weekly, COUNT
 * 3–5, through `upsertAppointment`'s `recurrence`), moves and renames occurrences (exception
 * appointments) and cancels them (EXDATEs, or deleting the exception); the user does the same in
 * the calendar; either side deletes whole series. The commands of single items leave series alone.
 * `checkSeries` compares each live series occurrence by occurrence — the host's (master, EXDATEs,
 * exceptions) against the calendar's instances — and against the model's cancelled and edited
 * occurrences.
 */

const DAY = 86_400_000;
type FaultAction = Parameters<EmulatorCore['faults']['add']>[0]['action'];
type FaultRule = ReturnType<EmulatorCore['faults']['add']>;
const ZONES = ['UTC', 'Europe/Berlin'] as const;

export interface ChaosStats {
  runs: number;
  operations: number;
  /** Of the operations, changes made to series (made, an occurrence edited or cancelled, deleted). */
  seriesChanges: number;
  /** Fault rules added, and how many requests they hit. */
  faults: number;
  faultsFired: number;
  kills: number;
  relinks: number;
  divergences: number;
}

/** How long one relink attempt may take before the user gives up the page and starts again. */
const RELINK_ATTEMPT_MS = 20_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  work.catch(() => undefined); // the abandoned attempt may still fail later
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export const emptyStats = (): ChaosStats => ({ runs: 0, operations: 0, seriesChanges: 0, faults: 0, faultsFired: 0, kills: 0, relinks: 0, divergences: 0 });

// -------------------------------------------------------------------------------------------------
// The model

export interface Item {
  /** `h<n>` (made in the host) or `p<n>` (made in the calendar). */
  key: string;
  origin: 'HOST' | 'PROVIDER';
  hostAppointmentId: string | null;
  /** The hub's id; known at once for host items, once imported for calendar items. */
  appointmentId: string | null;
  /** The event the user made in the calendar (calendar items). */
  userEventId: string | null;
  /** Every subject either side gave it: the converged subject is one of them. */
  subjects: string[];
  deleted: boolean;
  /**
   * Deleted on one side while the other side held an edit the hub had not carried over yet: an
   * edit/delete conflict, which the tenant's policy may decide either way (docs/sync.md,
   * "Conflicts"). Such an item must end deleted on both sides or live once on both — not in between.
   */
  contested: boolean;
  /** A recurring series (`HostSeriesCreate`, `ProviderSeriesCreate`); single appointments have none. */
  series?: SeriesModel;
}

/** One occurrence of a series, by where the rule places it. */
export interface OccurrenceModel {
  /** The original start (epoch ms, UTC). */
  at: number;
  cancelled: boolean;
  /** Moved or renamed on either side: it must end as an exception. */
  edited: boolean;
  /** Every subject it was given (the series' first): the converged one is one of them. */
  subjects: string[];
  /** Every start it was given (its original start first). */
  starts: number[];
}

export interface SeriesModel {
  freq: 'DAILY' | 'WEEKLY';
  count: number;
  minutes: number;
  occurrences: OccurrenceModel[];
  /**
   * An occurrence was edited or cancelled (or the series deleted) while the hub had not carried an
   * earlier change of the series over yet: a conflict on the master or an occurrence, which the
   * policy may decide either way (docs/sync.md, "Conflicts"). The occurrences may then end cancelled
   * or live — but equal on both sides.
   */
  loose: boolean;
}

export class ChaosModel {
  items: Item[] = [];
  seq = 0;
  revoked = false;
  constructor(readonly options: { kills: boolean; processes: number }) {}

  nextSubject(item: Item): string {
    this.seq += 1;
    return `${item.key} v${this.seq}`;
  }

  /** Live single items (the series have commands of their own). */
  live(origin?: Item['origin']): Item[] {
    return this.items.filter((i) => !i.deleted && !i.series && (!origin || i.origin === origin));
  }

  liveSeries(origin?: Item['origin']): Item[] {
    return this.items.filter((i) => !i.deleted && i.series && (!origin || i.origin === origin));
  }
}

// -------------------------------------------------------------------------------------------------
// The real system: a linked user on the chaos world's hubs

/** An event in the user's primary calendar, read straight from the emulator. */
export interface CalendarEvent {
  id: string;
  subject: string | null;
  start: number;
  end: number;
  /** The hub's tag (`<appointmentId>.<calendarId>[.<generation>]`), null for the user's own events. */
  tag: string | null;
  /** A series master (its occurrences are read with `ProviderHand.instances`). */
  series: boolean;
}

export const tagAppointmentId = (tag: string | null) => (tag ? tag.split('.')[0]! : null);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A line on the runner's stderr at once (vitest holds `console` output of a test until it ends; a
 * worker's own stderr is piped through as it comes), for the long runs' progress.
 */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export class ChaosSystem {
  readonly log: string[] = [];
  private faultRules: FaultRule[] = [];

  constructor(
    readonly world: ChaosWorld,
    public user: SyncUser,
    readonly stats: ChaosStats,
  ) {}

  get kind(): ProviderKind {
    return this.user.kind;
  }

  note(line: string): void {
    const entry = `${new Date().toISOString().slice(11, 23)} ${line}`;
    this.log.push(entry);
    if (process.env.CHAOS_TRACE === '1') progress(`  ${entry}`);
  }

  /** GraphQL as the tenant, through hub `via` (two-process runs spread the host's writes). */
  async gql<T>(query: string, variables: Record<string, unknown> = {}, via = 0): Promise<{ data: T | null; errors: { message: string; extensions?: { code?: string } }[] }> {
    const result = await this.world.hub(via).rawGql(query, variables, this.user.tenant.key);
    return { data: (result.data as T | undefined) ?? null, errors: (result.errors ?? []) as { message: string; extensions?: { code?: string } }[] };
  }

  async must<T>(query: string, variables: Record<string, unknown> = {}, via = 0): Promise<T> {
    const r = await this.gql<T>(query, variables, via);
    if (r.errors.length > 0 || !r.data) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}\n${query}`);
    return r.data;
  }

  async appointments(): Promise<AppointmentView[]> {
    const out: AppointmentView[] = [];
    let after: string | null = null;
    for (;;) {
      type Page = { appointments: { edges: { node: AppointmentView }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
      const page: Page = await this.must<Page>(
        `query($f: AppointmentFilter, $a: String) { appointments(filter: $f, first: 50, after: $a) { edges { node { ${APPOINTMENT_FIELDS} } } pageInfo { endCursor hasNextPage } } }`,
        { f: { userId: this.user.tenant.userId, includeDeleted: true }, a: after },
      );
      out.push(...page.appointments.edges.map((e) => e.node));
      if (!page.appointments.pageInfo.hasNextPage) return out;
      after = page.appointments.pageInfo.endCursor;
    }
  }

  async appointment(id: string): Promise<AppointmentView> {
    return (await this.must<{ appointment: AppointmentView }>(`query($id: ID!) { appointment(id: $id) { ${APPOINTMENT_FIELDS} } }`, { id })).appointment;
  }

  /** The primary calendar as the provider holds it (single events and series masters; cancelled ones and Google's instances left out). */
  events(): CalendarEvent[] {
    const { emulators } = this.world.providers;
    const calendarId = this.providerCalendarId();
    if (this.kind === 'MICROSOFT') {
      return emulators.microsoft.control.listEvents(this.user.email, calendarId).map((e) => {
        const tx = typeof e.transactionId === 'string' && e.transactionId.startsWith('synchub:') ? e.transactionId.slice('synchub:'.length) : null;
        return { id: String(e.id), subject: (e.subject as string | null) ?? null, start: graphInstant(e.start), end: graphInstant(e.end), tag: tx, series: e.type === 'seriesMaster' };
      });
    }
    const accountId = this.googleAccountId();
    return ((emulators.google.control.listEvents(accountId, calendarId).items ?? []) as Record<string, unknown>[])
      .filter((e) => e.status !== 'cancelled' && !e.recurringEventId)
      .map((e) => ({
        id: String(e.id),
        subject: (e.summary as string | undefined) ?? null,
        start: Date.parse((e.start as { dateTime: string }).dateTime),
        end: Date.parse((e.end as { dateTime: string }).dateTime),
        tag: (e.extendedProperties as { private?: Record<string, string> } | undefined)?.private?.syncHubMappingId ?? null,
        series: Array.isArray(e.recurrence) && e.recurrence.length > 0,
      }));
  }

  private providerCalendarId(): string {
    const { emulators } = this.world.providers;
    return this.kind === 'MICROSOFT'
      ? emulators.microsoft.control.getAccount(this.user.email).calendarIds[0]!
      : emulators.google.control.listAccounts().find((a) => a.id === this.googleAccountId())!.calendarIds[0]!;
  }

  private googleAccountId(): string {
    return sandboxAccountId(this.world.driver(), 'GOOGLE', this.user.email);
  }

  /** Starts a manual run and waits for it (null when the link refused it or it did not end in time). */
  async syncNow(timeoutMs = 45_000): Promise<RunView | null> {
    const started = await this.gql<{ syncNow: { id: string } }>(`mutation($c: ID!) { syncNow(connectionId: $c) { id } }`, { c: this.user.connectionId });
    if (!started.data) {
      this.note(`syncNow refused: ${started.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
      return null;
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const run = (await this.must<{ syncRun: RunView }>(`query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id: started.data.syncNow.id })).syncRun;
      if (run.outcome !== 'RUNNING') return run;
      await sleep(150);
    }
    return null;
  }

  async linkStatus(): Promise<string> {
    return (await this.must<{ connection: { status: string } }>(`query($id: ID!) { connection(id: $id) { status } }`, { id: this.user.connectionId })).connection.status;
  }

  // The user at the provider ------------------------------------------------------------------------

  providerCreate(subject: string, start: Date, minutes: number): string {
    return this.user.provider.create(subject, start, minutes);
  }

  /** False when the event is gone by now (the hub deleted it meanwhile). */
  providerEdit(eventId: string, change: { subject?: string; start?: Date; minutes?: number }): boolean {
    try {
      if (change.subject !== undefined) this.user.provider.rename(eventId, change.subject);
      if (change.start) this.user.provider.move(eventId, change.start, change.minutes ?? 60);
      return true;
    } catch {
      return false;
    }
  }

  providerDelete(eventId: string): boolean {
    try {
      this.user.provider.remove(eventId);
      return true;
    } catch {
      return false;
    }
  }

  addFault(route: string, action: FaultAction, times: number): void {
    const rule = this.world.providers.emulators.core.faults.add({ provider: emulatorProviderOf(this.kind), route, account: this.user.email, action, trigger: { mode: 'times', count: times } });
    this.faultRules.push(rule);
    this.stats.faults += 1;
  }

  /** Removes this user's fault rules that did not fire yet; counts what fired. */
  clearFaults(): void {
    const { faults } = this.world.providers.emulators.core;
    for (const rule of this.faultRules) {
      this.stats.faultsFired += rule.fired;
      faults.remove(rule.id);
    }
    this.faultRules = [];
  }

  revokeGrant(): void {
    const { emulators } = this.world.providers;
    if (this.kind === 'MICROSOFT') emulators.microsoft.control.revokeGrant(this.user.email);
    else emulators.google.control.revokeGrant({ accountId: this.googleAccountId() });
  }

  /** Links the account again, as a user would: a sign-in that fails (the provider busy, a fault) is tried again. */
  async relink(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A sign-in page that never loads (a `hang` fault on every request) is given up, as a user would, and tried again.
        const id = await withTimeout(
          linkOk(this.world.driver(), this.user.tenant.key, { userId: this.user.tenant.userId, provider: this.kind, account: this.user.email }),
          RELINK_ATTEMPT_MS,
          'the sign-in did not finish',
        );
        if (id !== this.user.connectionId) throw new Error(`relinking made a new link ${id} instead of reactivating ${this.user.connectionId}`);
        this.stats.relinks += 1;
        return;
      } catch (e) {
        if (attempt >= 5 || (e as Error).message.startsWith('relinking made')) throw e;
        this.note(`relink attempt ${attempt} failed: ${(e as Error).message.slice(0, 200)}`);
        await sleep(500);
      }
    }
  }

  invalidateCursor(): void {
    this.user.provider.invalidateCursor();
  }
}

/** A Graph `start`/`end` ({ dateTime, timeZone }) as epoch ms. */
function graphInstant(value: unknown): number {
  const { dateTime, timeZone } = value as { dateTime: string; timeZone: string };
  const zone = timeZone === 'UTC' || timeZone === 'tzone://Microsoft/Utc' ? 'UTC' : (windowsToIana(timeZone) ?? timeZone);
  const dt = DateTime.fromISO(dateTime, { zone });
  if (!dt.isValid) throw new Error(`unreadable Graph time ${JSON.stringify(value)}`);
  return dt.toMillis();
}

/** `days` ahead at `hour`:00 UTC. */
export function slotStart(days: number, hour: number): Date {
  return new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000);
}

// -------------------------------------------------------------------------------------------------
// Commands

type Cmd = fc.AsyncCommand<ChaosModel, ChaosSystem>;

const pickFrom = <T>(list: T[], pick: number): T | undefined => (list.length === 0 ? undefined : list[pick % list.length]);

async function count(real: ChaosSystem, what: string): Promise<void> {
  real.stats.operations += 1;
  real.note(what);
}

export class HostCreate implements Cmd {
  constructor(
    readonly day: number,
    readonly hour: number,
    readonly minutes: number,
    readonly zone: number,
    readonly via = 0,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const item: Item = { key: `h${model.items.length + 1}`, origin: 'HOST', hostAppointmentId: null, appointmentId: null, userEventId: null, subjects: [], deleted: false, contested: false };
    item.hostAppointmentId = `chaos-${item.key}`;
    const subject = model.nextSubject(item);
    const start = slotStart(this.day, this.hour);
    const data = await real.must<{ upsertAppointment: { appointment: { id: string } } }>(
      `mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { appointment { id } } }`,
      {
        i: {
          hostAppointmentId: item.hostAppointmentId,
          userId: real.user.tenant.userId,
          subject,
          start: start.toISOString(),
          end: new Date(start.getTime() + this.minutes * 60_000).toISOString(),
          timeZone: ZONES[this.zone % ZONES.length],
        },
      },
      this.via,
    );
    item.appointmentId = data.upsertAppointment.appointment.id;
    item.subjects.push(subject);
    model.items.push(item);
    await count(real, `host creates ${item.key} "${subject}" (${item.appointmentId})`);
  }
  toString = () => `new HostCreate(${this.day}, ${this.hour}, ${this.minutes}, ${this.zone}, ${this.via})`;
}

/** The host edits one of its appointments: reads it, changes the subject or the time, saves it whole. */
export class HostEdit implements Cmd {
  constructor(
    readonly pick: number,
    readonly change: 'subject' | 'move',
    readonly day: number,
    readonly hour: number,
    readonly via = 0,
  ) {}
  check = (model: Readonly<ChaosModel>) => (model as ChaosModel).live('HOST').length > 0;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const item = pickFrom(model.live('HOST'), this.pick)!;
    const current = await real.appointment(item.appointmentId!);
    if (current.deleted) {
      // Deleted by a sync the model did not ask for: left as it is, so the final check sees it.
      await count(real, `host edit of ${item.key} skipped: the appointment is deleted`);
      return;
    }
    const subject = this.change === 'subject' ? model.nextSubject(item) : current.subject;
    const start = this.change === 'move' ? slotStart(this.day, this.hour) : new Date(current.start!);
    const minutes = (Date.parse(current.end!) - Date.parse(current.start!)) / 60_000;
    const data = await real.must<{ upsertAppointment: { created: boolean } }>(
      `mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created } }`,
      {
        i: {
          hostAppointmentId: item.hostAppointmentId,
          userId: real.user.tenant.userId,
          subject,
          start: start.toISOString(),
          end: new Date(start.getTime() + minutes * 60_000).toISOString(),
          timeZone: (current as AppointmentView & { timeZone: string | null }).timeZone ?? 'UTC',
        },
      },
      this.via,
    );
    if (subject && !item.subjects.includes(subject)) item.subjects.push(subject);
    // Deleted by a sync between the read and the save: saving restored it, as the host asked.
    if (data.upsertAppointment.created) item.deleted = false;
    await count(real, `host ${this.change === 'subject' ? `renames ${item.key} to "${subject}"` : `moves ${item.key} to ${start.toISOString()}`}${data.upsertAppointment.created ? ' (restored)' : ''}`);
  }
  toString = () => `new HostEdit(${this.pick}, '${this.change}', ${this.day}, ${this.hour}, ${this.via})`;
}

/** The host deletes an appointment (its own, or one that came from the calendar once it is there). */
export class HostDelete implements Cmd {
  constructor(
    readonly pick: number,
    readonly via = 0,
  ) {}
  check = (model: Readonly<ChaosModel>) => (model as ChaosModel).live().length > 0;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const item = pickFrom(model.live(), this.pick)!;
    if (!item.appointmentId) {
      const imported = (await real.appointments()).find((a) => a.mappings.some((m) => m.externalEventId === item.userEventId));
      if (!imported) {
        await count(real, `host delete of ${item.key} skipped: not in the host yet`);
        return;
      }
      item.appointmentId = imported.id;
    }
    item.contested = await racesAnEdit(real, item);
    await real.must(`mutation($id: ID) { deleteAppointment(id: $id) { id } }`, { id: item.appointmentId }, this.via);
    item.deleted = true;
    await count(real, `host deletes ${item.key} (${item.appointmentId})${item.contested ? ', racing an edit of the calendar' : ''}`);
  }
  toString = () => `new HostDelete(${this.pick}, ${this.via})`;
}

export class ProviderCreate implements Cmd {
  constructor(
    readonly day: number,
    readonly hour: number,
    readonly minutes: number,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const item: Item = { key: `p${model.items.length + 1}`, origin: 'PROVIDER', hostAppointmentId: null, appointmentId: null, userEventId: null, subjects: [], deleted: false, contested: false };
    const subject = model.nextSubject(item);
    item.userEventId = real.providerCreate(subject, slotStart(this.day, this.hour), this.minutes);
    item.subjects.push(subject);
    model.items.push(item);
    await count(real, `calendar user creates ${item.key} "${subject}" (${item.userEventId})`);
  }
  toString = () => `new ProviderCreate(${this.day}, ${this.hour}, ${this.minutes})`;
}

/**
 * Whether deleting the item now races an edit of the other side that the hub has not carried over
 * yet: its pair is not SYNCED, or its event and appointment hold different content. An item that
 * exists on one side only (not imported, not written yet) races nothing.
 */
async function racesAnEdit(real: ChaosSystem, item: Item, deleting?: CalendarEvent): Promise<boolean> {
  const appointment = item.appointmentId
    ? await real.appointment(item.appointmentId)
    : (await real.appointments()).find((a) => !a.deleted && a.mappings.some((m) => m.closedAt === null && m.externalEventId === item.userEventId));
  const pair = appointment?.mappings.find((m) => m.closedAt === null);
  // The user deletes the hub's event before the hub heard back from its create (the answer was
  // lost): the hub cannot know the event it is sending again was deleted (Outlook keeps no trace of
  // it), so it writes the appointment again — the host's pending write wins (docs/sync.md, "Identity").
  if (deleting?.tag && appointment && !appointment.deleted && pair && pair.externalEventId !== deleting.id && pair.state !== 'SYNCED') return true;
  const event = pair?.externalEventId ? real.events().find((e) => e.id === pair.externalEventId) : undefined;
  if (!appointment || appointment.deleted || !pair || !event) return false;
  return pair.state !== 'SYNCED' || event.subject !== appointment.subject || event.start !== Date.parse(appointment.start!) || event.end !== Date.parse(appointment.end!);
}

/** The calendar's single events (the commands of single items pick among them). */
const singleEvents = (real: ChaosSystem) => real.events().filter((e) => !e.series);

/** The model item an event of the calendar stands for (by the user's event id, or the hub's tag). */
function itemOfEvent(model: ChaosModel, event: CalendarEvent): Item | undefined {
  const tagged = tagAppointmentId(event.tag);
  return model.items.find((i) => (tagged ? i.appointmentId === tagged : i.userEventId === event.id));
}

/** The user edits an event of the calendar — one they made, or one the hub wrote. */
export class ProviderEdit implements Cmd {
  constructor(
    readonly pick: number,
    readonly change: 'subject' | 'move',
    readonly day: number,
    readonly hour: number,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const event = pickFrom(singleEvents(real), this.pick);
    const item = event ? itemOfEvent(model, event) : undefined;
    if (!event || !item || item.deleted) {
      await count(real, `calendar edit skipped: ${event ? `event ${event.id} is not a live item` : 'no events'}`);
      return;
    }
    const subject = this.change === 'subject' ? model.nextSubject(item) : undefined;
    const done = real.providerEdit(event.id, this.change === 'subject' ? { subject: subject! } : { start: slotStart(this.day, this.hour), minutes: (event.end - event.start) / 60_000 });
    if (done && subject) item.subjects.push(subject);
    await count(real, `calendar user ${this.change === 'subject' ? `renames ${item.key} to "${subject}"` : `moves ${item.key}`} (event ${event.id})${done ? '' : ': gone already'}`);
  }
  toString = () => `new ProviderEdit(${this.pick}, '${this.change}', ${this.day}, ${this.hour})`;
}

export class ProviderDelete implements Cmd {
  constructor(readonly pick: number) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const event = pickFrom(singleEvents(real), this.pick);
    const item = event ? itemOfEvent(model, event) : undefined;
    if (!event || !item || item.deleted) {
      await count(real, `calendar delete skipped: ${event ? `event ${event.id} is not a live item` : 'no events'}`);
      return;
    }
    const contested = await racesAnEdit(real, item, event);
    const done = real.providerDelete(event.id);
    if (done) {
      item.deleted = true;
      item.contested = contested;
    }
    await count(real, `calendar user deletes ${item.key} (event ${event.id})${done ? '' : ': gone already'}${done && contested ? ', racing an edit of the host' : ''}`);
  }
  toString = () => `new ProviderDelete(${this.pick})`;
}

// Recurring series ---------------------------------------------------------------------------------

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const UPSERT = `mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { created } }`;

/** A change made to a series (an operation, counted apart too). */
async function seriesChange(real: ChaosSystem, what: string): Promise<void> {
  real.stats.seriesChanges += 1;
  await count(real, what);
}

function newSeries(freq: SeriesModel['freq'], count: number, start: number, minutes: number, subject: string): SeriesModel {
  const step = (freq === 'DAILY' ? 1 : 7) * DAY;
  const occurrences = Array.from({ length: count }, (_, n) => ({ at: start + n * step, cancelled: false, edited: false, subjects: [subject], starts: [start + n * step] }));
  return { freq, count, minutes, occurrences, loose: false };
}

/** The window the series' occurrences (and their moves) fall in. */
function seriesWindow(series: SeriesModel): [Date, Date] {
  return [new Date(series.occurrences[0]!.at - DAY), new Date(series.occurrences.at(-1)!.at + 2 * DAY)];
}

/** The appointments that stand for an item: by the host's id, or by the pair with the user's event. */
function appointmentsOf(item: Item, all: AppointmentView[]): AppointmentView[] {
  return item.origin === 'HOST' ? all.filter((a) => a.hostAppointmentId === item.hostAppointmentId) : all.filter((a) => a.mappings.some((m) => m.externalEventId === item.userEventId));
}

/** One occurrence as a side shows it. */
interface Shown {
  originalStart: string;
  start: string;
  subject: string | null;
}
const shownLine = (o: Shown) => `${o.originalStart} → ${o.start} "${o.subject}"`;

/** A series as the host and the calendar hold it now. */
interface SeriesView {
  master: AppointmentView;
  /** The master's live pair's event (null: no single live pair, or not written yet). */
  eventId: string | null;
  exceptions: AppointmentView[];
  /** The occurrences in the series' window, by original start: the host's (master, EXDATEs, exceptions) and the calendar's instances. */
  host: Shown[];
  provider: (Shown & { id: string })[];
}

/** The host's occurrences of a series (its master, its EXDATEs, its exception appointments). */
function hostOccurrences(master: AppointmentView, exceptions: AppointmentView[], [from, to]: [Date, Date], exdates = master.recurrence!.exdates): Shown[] {
  const timing = { allDay: false as const, start: master.start!, end: master.end!, timeZone: master.timeZone ?? 'UTC' };
  const byOriginal = new Map(exceptions.map((x) => [occurrenceKey(x.originalStart!), x]));
  return seriesOccurrences(timing, { rrule: master.recurrence!.rrule, exdates, rdates: [] }, { start: from.getTime(), end: to.getTime() })
    .filter((o) => !o.allDay)
    .map((o) => {
      const x = byOriginal.get(occurrenceKey(o.originalStart));
      return { originalStart: occurrenceKey(o.originalStart), start: x ? iso(Date.parse(x.start!)) : o.start, subject: x ? x.subject : master.subject };
    });
}

/** The series now, or why it cannot be read (no single live master in the host). */
function seriesView(real: ChaosSystem, item: Item, appointments: AppointmentView[]): SeriesView | string {
  const masters = appointmentsOf(item, appointments).filter((a) => !a.deleted);
  if (masters.length !== 1) return `${masters.length} live masters in the host`;
  const master = masters[0]!;
  if (!master.recurrence) return `the master ${master.id} has no recurrence`;
  const pairs = master.mappings.filter((m) => m.closedAt === null);
  const eventId = pairs.length === 1 ? pairs[0]!.externalEventId : null;
  const exceptions = appointments.filter((a) => a.seriesMasterId === master.id && !a.deleted);
  const window = seriesWindow(item.series!);
  const provider = eventId
    ? real.user.provider
        .instances(eventId, ...window)
        .map((i) => ({ id: i.id, originalStart: i.originalStart, start: i.start, subject: i.subject }))
        .sort((a, b) => a.originalStart.localeCompare(b.originalStart))
    : [];
  return { master, eventId, exceptions, host: hostOccurrences(master, exceptions, window), provider };
}

/** Both sides hold the series alike and every pair of it is SYNCED: a change made now races nothing. */
function seriesSettled(view: SeriesView): boolean {
  const synced = (a: AppointmentView) => {
    const pairs = a.mappings.filter((m) => m.closedAt === null);
    return pairs.length === 1 && pairs[0]!.state === 'SYNCED';
  };
  return synced(view.master) && view.exceptions.every(synced) && view.host.map(shownLine).join('\n') === view.provider.map(shownLine).join('\n');
}

/** Whether a change of the item's series made now races a change the hub has not carried over (a series not in the host yet races nothing of the host's). */
async function seriesRace(real: ChaosSystem, item: Item): Promise<{ view: SeriesView | null; racing: boolean }> {
  const all = await real.appointments();
  const view = seriesView(real, item, all);
  if (typeof view === 'string') return { view: null, racing: !(item.origin === 'PROVIDER' && appointmentsOf(item, all).length === 0) };
  return { view, racing: !seriesSettled(view) };
}

/** The host makes a recurring series (COUNT 3–5, daily or weekly, in UTC). */
export class HostSeriesCreate implements Cmd {
  constructor(
    readonly day: number,
    readonly hour: number,
    readonly freq: SeriesModel['freq'],
    readonly count: number,
    readonly via = 0,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const key = `h${model.items.length + 1}`;
    const item: Item = { key, origin: 'HOST', hostAppointmentId: `chaos-${key}`, appointmentId: null, userEventId: null, subjects: [], deleted: false, contested: false };
    const subject = model.nextSubject(item);
    const start = slotStart(this.day, this.hour).getTime();
    item.series = newSeries(this.freq, this.count, start, 60, subject);
    const data = await real.must<{ upsertAppointment: { appointment: { id: string } } }>(
      `mutation($i: UpsertAppointmentInput!) { upsertAppointment(input: $i) { appointment { id } } }`,
      {
        i: {
          hostAppointmentId: item.hostAppointmentId,
          userId: real.user.tenant.userId,
          subject,
          start: iso(start),
          end: iso(start + 60 * 60_000),
          timeZone: 'UTC',
          recurrence: { rrule: `FREQ=${this.freq};COUNT=${this.count}` },
        },
      },
      this.via,
    );
    item.appointmentId = data.upsertAppointment.appointment.id;
    item.subjects.push(subject);
    model.items.push(item);
    await seriesChange(real, `host creates series ${item.key} "${subject}" FREQ=${this.freq};COUNT=${this.count} from ${iso(start)} (${item.appointmentId})`);
  }
  toString = () => `new HostSeriesCreate(${this.day}, ${this.hour}, '${this.freq}', ${this.count}, ${this.via})`;
}

/** Picks a live series of the host and one of its occurrences the model does not hold cancelled. */
function pickOccurrence(items: Item[], pick: number, occurrence: number): { item: Item; occurrence: OccurrenceModel } | undefined {
  const item = pickFrom(items, pick);
  const o = item ? pickFrom(item.series!.occurrences.filter((x) => !x.cancelled), occurrence) : undefined;
  return item && o ? { item, occurrence: o } : undefined;
}

function noteEdit(item: Item, occurrence: OccurrenceModel, subject: string | null | undefined, start: number, racing: boolean): void {
  occurrence.edited = true;
  if (subject && !occurrence.subjects.includes(subject)) occurrence.subjects.push(subject);
  if (!occurrence.starts.includes(start)) occurrence.starts.push(start);
  if (racing) item.series!.loose = true;
}

/** The host moves or renames one occurrence of its series: an exception appointment (made, or saved again). */
/**
 * The host occurrence a command acts on, with its series as the host holds it now and the
 * occurrence's exception if it has one; `undefined` (counted as skipped) when there is none.
 */
async function hostOccurrence(model: ChaosModel, real: ChaosSystem, pick: number, index: number, what: string) {
  const picked = pickOccurrence(model.liveSeries('HOST'), pick, index);
  if (!picked) {
    await count(real, `${what} skipped: every occurrence is cancelled`);
    return undefined;
  }
  const { item, occurrence } = picked;
  const { view, racing } = await seriesRace(real, item);
  if (!view) {
    await count(real, `${what} of ${item.key} skipped: the series is not live in the host`);
    return undefined;
  }
  const existing = view.exceptions.find((x) => occurrenceKey(x.originalStart!) === iso(occurrence.at));
  return { item, occurrence, view, racing, existing };
}

export class HostOccurrenceEdit implements Cmd {
  constructor(
    readonly pick: number,
    readonly occurrence: number,
    readonly change: 'subject' | 'move',
    readonly hours: number,
    readonly via = 0,
  ) {}
  check = (model: Readonly<ChaosModel>) => (model as ChaosModel).liveSeries('HOST').length > 0;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const target = await hostOccurrence(model, real, this.pick, this.occurrence, 'host occurrence edit');
    if (!target) return;
    const { item, occurrence, view, racing, existing } = target;
    if (existing && !existing.hostAppointmentId) return count(real, `host occurrence edit of ${item.key} ${iso(occurrence.at)} skipped: its exception came from the calendar`);
    const subject = this.change === 'subject' ? model.nextSubject(item) : (existing?.subject ?? view.master.subject);
    const start = this.change === 'move' ? occurrence.at + this.hours * HOUR : existing ? Date.parse(existing.start!) : occurrence.at;
    const r = await real.gql(
      UPSERT,
      {
        i: {
          hostAppointmentId: existing?.hostAppointmentId ?? `${item.hostAppointmentId}-o${item.series!.occurrences.indexOf(occurrence) + 1}`,
          userId: real.user.tenant.userId,
          subject,
          start: iso(start),
          end: iso(start + item.series!.minutes * 60_000),
          timeZone: 'UTC',
          seriesMasterId: view.master.id,
          originalStart: iso(occurrence.at),
        },
      },
      this.via,
    );
    // The hub cancelled the occurrence or made its exception meanwhile (a change from the calendar): nothing was written.
    if (r.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT')) return count(real, `host occurrence edit of ${item.key} ${iso(occurrence.at)} refused: ${r.errors[0]!.message}`);
    if (r.errors.length > 0) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}`);
    noteEdit(item, occurrence, subject, start, racing);
    await seriesChange(real, `host ${this.change === 'subject' ? `renames occurrence ${iso(occurrence.at)} of ${item.key} to "${subject}"` : `moves occurrence ${iso(occurrence.at)} of ${item.key} to ${iso(start)}`}${racing ? ' (racing)' : ''}`);
  }
  toString = () => `new HostOccurrenceEdit(${this.pick}, ${this.occurrence}, '${this.change}', ${this.hours}, ${this.via})`;
}

/** The host cancels one occurrence of its series: an EXDATE on the master, or the deletion of the occurrence's exception. */
export class HostOccurrenceCancel implements Cmd {
  constructor(
    readonly pick: number,
    readonly occurrence: number,
    readonly via = 0,
  ) {}
  check = (model: Readonly<ChaosModel>) => (model as ChaosModel).liveSeries('HOST').length > 0;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const target = await hostOccurrence(model, real, this.pick, this.occurrence, 'host occurrence cancel');
    if (!target) return;
    const { item, occurrence, view, racing, existing } = target;
    const m = view.master;
    const r = existing
      ? await real.gql(`mutation($id: ID) { deleteAppointment(id: $id) { id } }`, { id: existing.id }, this.via)
      : await real.gql(
          UPSERT,
          {
            i: {
              hostAppointmentId: item.hostAppointmentId,
              userId: real.user.tenant.userId,
              subject: m.subject,
              start: m.start,
              end: m.end,
              timeZone: m.timeZone ?? 'UTC',
              recurrence: { rrule: m.recurrence!.rrule, exdates: [...m.recurrence!.exdates, iso(occurrence.at)] },
            },
          },
          this.via,
        );
    if (r.errors.some((e) => e.extensions?.code === 'BAD_USER_INPUT' || e.extensions?.code === 'NOT_FOUND')) return count(real, `host occurrence cancel of ${item.key} refused: ${r.errors[0]!.message}`);
    if (r.errors.length > 0) throw new Error(`GraphQL failed: ${JSON.stringify(r.errors)}`);
    occurrence.cancelled = true;
    if (racing) item.series!.loose = true;
    await seriesChange(real, `host cancels occurrence ${iso(occurrence.at)} of ${item.key}${existing ? ` (deletes its exception ${existing.id})` : ' (EXDATE)'}${racing ? ' (racing)' : ''}`);
  }
  toString = () => `new HostOccurrenceCancel(${this.pick}, ${this.occurrence}, ${this.via})`;
}

/** The host deletes a whole series (its own, or one from the calendar once it is there). */
export class HostSeriesDelete implements Cmd {
  constructor(
    readonly pick: number,
    readonly via = 0,
  ) {}
  check = (model: Readonly<ChaosModel>) => (model as ChaosModel).liveSeries().length > 0;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const item = pickFrom(model.liveSeries(), this.pick)!;
    const { view, racing } = await seriesRace(real, item);
    if (!view) return count(real, `host delete of series ${item.key} skipped: not live in the host`);
    await real.must(`mutation($id: ID) { deleteAppointment(id: $id) { id } }`, { id: view.master.id }, this.via);
    item.appointmentId = view.master.id;
    item.deleted = true;
    item.contested = racing;
    await seriesChange(real, `host deletes series ${item.key} (${view.master.id})${racing ? ', racing a change of the calendar' : ''}`);
  }
  toString = () => `new HostSeriesDelete(${this.pick}, ${this.via})`;
}

/** The user makes a recurring series in the calendar (COUNT 3–5, daily or weekly). */
export class ProviderSeriesCreate implements Cmd {
  constructor(
    readonly day: number,
    readonly hour: number,
    readonly freq: SeriesModel['freq'],
    readonly count: number,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const item: Item = { key: `p${model.items.length + 1}`, origin: 'PROVIDER', hostAppointmentId: null, appointmentId: null, userEventId: null, subjects: [], deleted: false, contested: false };
    const subject = model.nextSubject(item);
    const start = slotStart(this.day, this.hour);
    item.series = newSeries(this.freq, this.count, start.getTime(), 60, subject);
    item.userEventId = real.user.provider.createSeries(subject, start, `FREQ=${this.freq};COUNT=${this.count}`, 60);
    item.subjects.push(subject);
    model.items.push(item);
    await seriesChange(real, `calendar user creates series ${item.key} "${subject}" FREQ=${this.freq};COUNT=${this.count} from ${start.toISOString()} (${item.userEventId})`);
  }
  toString = () => `new ProviderSeriesCreate(${this.day}, ${this.hour}, '${this.freq}', ${this.count})`;
}

/** A series master of the calendar, the model's item for it, and one of its occurrences the model does not hold cancelled. */
function pickCalendarOccurrence(model: ChaosModel, real: ChaosSystem, pick: number, occurrence: number): { event: CalendarEvent; item: Item; occurrence: OccurrenceModel } | string {
  const event = pickFrom(
    real.events().filter((e) => e.series),
    pick,
  );
  const item = event ? itemOfEvent(model, event) : undefined;
  if (!event || !item?.series || item.deleted) return event ? `series ${event.id} is not a live item` : 'no series';
  const o = pickFrom(
    item.series.occurrences.filter((x) => !x.cancelled),
    occurrence,
  );
  return o ? { event, item, occurrence: o } : `every occurrence of ${item.key} is cancelled`;
}

/** The user moves or renames one occurrence of a series in the calendar (it becomes an exception there). */
export class ProviderOccurrenceEdit implements Cmd {
  constructor(
    readonly pick: number,
    readonly occurrence: number,
    readonly change: 'subject' | 'move',
    readonly hours: number,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const picked = pickCalendarOccurrence(model, real, this.pick, this.occurrence);
    if (typeof picked === 'string') return count(real, `calendar occurrence edit skipped: ${picked}`);
    const { event, item, occurrence } = picked;
    const { racing } = await seriesRace(real, item);
    const instance = real.user.provider.instances(event.id, ...seriesWindow(item.series!)).find((i) => i.originalStart === iso(occurrence.at));
    if (!instance) return count(real, `calendar occurrence edit of ${item.key} ${iso(occurrence.at)} skipped: not in the calendar`);
    const subject = this.change === 'subject' ? model.nextSubject(item) : instance.subject;
    const start = this.change === 'move' ? occurrence.at + this.hours * HOUR : Date.parse(instance.start);
    try {
      if (this.change === 'move') real.user.provider.moveOccurrence(event.id, new Date(occurrence.at), new Date(start), item.series!.minutes);
      else real.user.provider.rename(instance.id, subject!);
    } catch (e) {
      return count(real, `calendar occurrence edit of ${item.key} ${iso(occurrence.at)}: gone already (${(e as Error).message.slice(0, 120)})`);
    }
    noteEdit(item, occurrence, subject, start, racing);
    await seriesChange(real, `calendar user ${this.change === 'subject' ? `renames occurrence ${iso(occurrence.at)} of ${item.key} to "${subject}"` : `moves occurrence ${iso(occurrence.at)} of ${item.key} to ${iso(start)}`}${racing ? ' (racing)' : ''}`);
  }
  toString = () => `new ProviderOccurrenceEdit(${this.pick}, ${this.occurrence}, '${this.change}', ${this.hours})`;
}

/** The user deletes one occurrence of a series in the calendar. */
export class ProviderOccurrenceCancel implements Cmd {
  constructor(
    readonly pick: number,
    readonly occurrence: number,
  ) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const picked = pickCalendarOccurrence(model, real, this.pick, this.occurrence);
    if (typeof picked === 'string') return count(real, `calendar occurrence cancel skipped: ${picked}`);
    const { event, item, occurrence } = picked;
    const { racing } = await seriesRace(real, item);
    if (!real.user.provider.instances(event.id, ...seriesWindow(item.series!)).some((i) => i.originalStart === iso(occurrence.at))) {
      return count(real, `calendar occurrence cancel of ${item.key} ${iso(occurrence.at)} skipped: not in the calendar`);
    }
    try {
      real.user.provider.cancelOccurrence(event.id, new Date(occurrence.at));
    } catch (e) {
      return count(real, `calendar occurrence cancel of ${item.key} ${iso(occurrence.at)}: gone already (${(e as Error).message.slice(0, 120)})`);
    }
    occurrence.cancelled = true;
    if (racing) item.series!.loose = true;
    await seriesChange(real, `calendar user cancels occurrence ${iso(occurrence.at)} of ${item.key}${racing ? ' (racing)' : ''}`);
  }
  toString = () => `new ProviderOccurrenceCancel(${this.pick}, ${this.occurrence})`;
}

/** The user deletes a whole series in the calendar (one they made, or one the hub wrote). */
export class ProviderSeriesDelete implements Cmd {
  constructor(readonly pick: number) {}
  check = () => true;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    const event = pickFrom(
      real.events().filter((e) => e.series),
      this.pick,
    );
    const item = event ? itemOfEvent(model, event) : undefined;
    if (!event || !item?.series || item.deleted) return count(real, `calendar series delete skipped: ${event ? `series ${event.id} is not a live item` : 'no series'}`);
    const { racing } = await seriesRace(real, item);
    if (!real.providerDelete(event.id)) return count(real, `calendar series delete of ${item.key}: gone already`);
    item.deleted = true;
    item.contested = racing;
    await seriesChange(real, `calendar user deletes series ${item.key} (event ${event.id})${racing ? ', racing a change of the host' : ''}`);
  }
  toString = () => `new ProviderSeriesDelete(${this.pick})`;
}

export class SyncNow implements Cmd {
  check = () => true;
  async run(_model: ChaosModel, real: ChaosSystem): Promise<void> {
    const run = await real.syncNow();
    await count(real, `syncNow → ${run ? `${run.outcome}${run.error ? ` ${run.error.code}` : ''} ${JSON.stringify(run.counts)}` : 'refused or still running'}`);
  }
  toString = () => `new SyncNow()`;
}

/** Lets the hub's own jobs (outbound writes, polls) work for a while. */
export class Settle implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_model: ChaosModel, real: ChaosSystem): Promise<void> {
    await sleep(this.ms);
    await count(real, `waits ${this.ms} ms`);
  }
  toString = () => `new Settle(${this.ms})`;
}

export const FAULT_TARGETS = ['create', 'update', 'delete', 'read', 'get', 'token', 'any'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

const ROUTES: Record<ProviderKind, Record<FaultTarget, string>> = {
  MICROSOFT: {
    create: 'graph.events.create',
    update: 'graph.events.update',
    delete: 'graph.events.delete',
    read: 'graph.calendarView.delta',
    get: 'graph.events.get',
    token: 'identity.token',
    any: 'graph.*',
  },
  GOOGLE: {
    create: 'google.events.insert',
    update: 'google.events.update',
    delete: 'google.events.delete',
    read: 'google.events.list',
    get: 'google.events.get',
    token: 'google.oauth.token',
    any: 'google.*',
  },
};

export const FAULT_ACTIONS: FaultAction[] = [
  { kind: 'status', status: 429, retryAfterSeconds: 1 },
  { kind: 'status', status: 429, retryAfterSeconds: 3 },
  { kind: 'status', status: 503 },
  { kind: 'dropResponse' },
  { kind: 'hang' },
  { kind: 'hangAfterCommit' },
  { kind: 'reset' },
  { kind: 'latency', ms: 400 },
];

/** The next `times` requests of a kind fail (429 with Retry-After, 503, lost answers, hangs past the time-out…). */
export class Fault implements Cmd {
  constructor(
    readonly target: FaultTarget,
    readonly action: number,
    readonly times: number,
  ) {}
  check = () => true;
  async run(_model: ChaosModel, real: ChaosSystem): Promise<void> {
    const action = FAULT_ACTIONS[this.action % FAULT_ACTIONS.length]!;
    real.addFault(ROUTES[real.kind][this.target], action, this.times);
    await count(real, `fault: next ${this.times} ${this.target} request(s) → ${JSON.stringify(action)}`);
  }
  toString = () => `new Fault('${this.target}', ${this.action}, ${this.times})`;
}

/** The provider forgets the hub's cursor: the next read starts over with a full listing. */
export class InvalidateCursor implements Cmd {
  check = () => true;
  async run(_model: ChaosModel, real: ChaosSystem): Promise<void> {
    real.invalidateCursor();
    await count(real, 'the provider invalidates the sync cursor');
  }
  toString = () => `new InvalidateCursor()`;
}

/** The user removes the hub's access in their account; the hub finds out at its next call. */
export class Revoke implements Cmd {
  check = (model: Readonly<ChaosModel>) => !model.revoked;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    real.revokeGrant();
    model.revoked = true;
    await count(real, 'the user revokes the grant');
  }
  toString = () => `new Revoke()`;
}

/** The user links the same account again (the link is reactivated in place). */
export class Relink implements Cmd {
  check = (model: Readonly<ChaosModel>) => model.revoked;
  async run(model: ChaosModel, real: ChaosSystem): Promise<void> {
    await real.relink();
    model.revoked = false;
    await count(real, 'the user relinks');
  }
  toString = () => `new Relink()`;
}

/** SIGKILL of a hub process (after `delayMs`, so it can land in the middle of background writes), then a restart on the same database. */
export class Kill implements Cmd {
  constructor(
    readonly delayMs: number,
    readonly process = 0,
  ) {}
  check = (model: Readonly<ChaosModel>) => model.options.kills;
  async run(_model: ChaosModel, real: ChaosSystem): Promise<void> {
    await sleep(this.delayMs);
    await real.world.kill(this.process);
    real.stats.kills += 1;
    await count(real, `SIGKILL of hub ${this.process} after ${this.delayMs} ms, restarted`);
  }
  toString = () => `new Kill(${this.delayMs}, ${this.process})`;
}

/** The generator: host and calendar edits (single items and series) weigh most; faults, syncs and waits interleave; crashes and relinks are rarer. */
export function commandArbitraries(options: { processes: number }): fc.Arbitrary<Cmd>[] {
  const day = fc.integer({ min: 1, max: 20 });
  const hour = fc.integer({ min: 7, max: 18 });
  const via = fc.integer({ min: 0, max: options.processes - 1 });
  const pick = fc.nat({ max: 50 });
  const change = fc.constantFrom('subject' as const, 'move' as const);
  const hostCreate = fc.tuple(day, hour, fc.constantFrom(30, 60, 90), fc.nat({ max: 1 }), via).map(([d, h, m, z, v]) => new HostCreate(d, h, m, z, v));
  const hostEdit = fc.tuple(pick, change, day, hour, via).map(([p, c, d, h, v]) => new HostEdit(p, c, d, h, v));
  const hostDelete = fc.tuple(pick, via).map(([p, v]) => new HostDelete(p, v));
  const providerCreate = fc.tuple(day, hour, fc.constantFrom(30, 60)).map(([d, h, m]) => new ProviderCreate(d, h, m));
  const providerEdit = fc.tuple(pick, change, day, hour).map(([p, c, d, h]) => new ProviderEdit(p, c, d, h));
  const providerDelete = pick.map((p) => new ProviderDelete(p));
  const fault = fc.tuple(fc.constantFrom(...FAULT_TARGETS), fc.nat({ max: FAULT_ACTIONS.length - 1 }), fc.integer({ min: 1, max: 3 })).map(([t, a, n]) => new Fault(t, a, n));
  const settle = fc.constantFrom(200, 800, 2_000).map((ms) => new Settle(ms));
  const kill = fc.tuple(fc.constantFrom(0, 50, 300, 1_000), fc.nat({ max: options.processes - 1 })).map(([d, p]) => new Kill(d, p));
  const freq = fc.constantFrom('DAILY' as const, 'WEEKLY' as const);
  const occurrences = fc.integer({ min: 3, max: 5 });
  const occurrence = fc.nat({ max: 4 });
  const hours = fc.integer({ min: 1, max: 3 });
  const seriesHour = fc.integer({ min: 7, max: 17 });
  const hostSeriesCreate = fc.tuple(day, seriesHour, freq, occurrences, via).map(([d, h, f, n, v]) => new HostSeriesCreate(d, h, f, n, v));
  const hostOccurrenceEdit = fc.tuple(pick, occurrence, change, hours, via).map(([p, o, c, h, v]) => new HostOccurrenceEdit(p, o, c, h, v));
  const hostOccurrenceCancel = fc.tuple(pick, occurrence, via).map(([p, o, v]) => new HostOccurrenceCancel(p, o, v));
  const hostSeriesDelete = fc.tuple(pick, via).map(([p, v]) => new HostSeriesDelete(p, v));
  const providerSeriesCreate = fc.tuple(day, seriesHour, freq, occurrences).map(([d, h, f, n]) => new ProviderSeriesCreate(d, h, f, n));
  const providerOccurrenceEdit = fc.tuple(pick, occurrence, change, hours).map(([p, o, c, h]) => new ProviderOccurrenceEdit(p, o, c, h));
  const providerOccurrenceCancel = fc.tuple(pick, occurrence).map(([p, o]) => new ProviderOccurrenceCancel(p, o));
  const providerSeriesDelete = pick.map((p) => new ProviderSeriesDelete(p));
  return [
    hostCreate,
    hostCreate,
    hostEdit,
    hostEdit,
    hostDelete,
    providerCreate,
    providerCreate,
    providerEdit,
    providerEdit,
    providerDelete,
    hostSeriesCreate,
    hostSeriesCreate,
    hostOccurrenceEdit,
    hostOccurrenceCancel,
    hostSeriesDelete,
    providerSeriesCreate,
    providerSeriesCreate,
    providerOccurrenceEdit,
    providerOccurrenceCancel,
    providerSeriesDelete,
    fault,
    fault,
    fc.constant(new SyncNow()),
    settle,
    fc.constant(new InvalidateCursor()),
    fc.constant(new Revoke()),
    fc.constant(new Relink()),
    kill,
  ];
}

export const CONFLICT_POLICIES_UNDER_TEST: ConflictPolicy[] = ['LATEST_WINS', 'HOST_WINS', 'PROVIDER_WINS'];

// -------------------------------------------------------------------------------------------------
// One run: a fresh linked user, the commands, quiescence, the checks

export interface RunScenario {
  policy: ConflictPolicy;
  commands: Iterable<Cmd>;
}

let userSeq = 0;

export async function runScenario(world: ChaosWorld, kind: ProviderKind, scenario: RunScenario, stats: ChaosStats, options: { kills: boolean }): Promise<void> {
  userSeq += 1;
  const user = await linkUser(world, kind, `chaos${userSeq}`);
  await user.gql(`mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { conflictPolicy } }`, { i: { conflictPolicy: scenario.policy } });
  const real = new ChaosSystem(world, user, stats);
  const model = new ChaosModel({ kills: options.kills, processes: world.processes });
  stats.runs += 1;
  real.note(`run ${stats.runs}: ${kind}, ${scenario.policy}, link ${user.connectionId}`);
  try {
    await fc.asyncModelRun(() => ({ model, real }), scenario.commands);
    await quiesce(model, real);
    const divergences = await checkConverged(model, real);
    if (divergences.length > 0) {
      stats.divergences += 1;
      throw new Error(`${divergences.length} divergence(s):\n- ${divergences.join('\n- ')}\n\nmodel: ${JSON.stringify(model.items)}\n\nsteps:\n${real.log.join('\n')}`);
    }
  } finally {
    real.clearFaults();
    await retire(real);
  }
}

/**
 * The run's link is revoked once it is checked: a world serves hundreds of runs, and the links of
 * the runs before would otherwise go on polling (every 1.5 s) and slow every later run down.
 */
async function retire(real: ChaosSystem): Promise<void> {
  const r = await real.gql(`mutation($c: ID!) { revokeAccess(connectionId: $c) { connection { id } } }`, { c: real.user.connectionId }).catch((e: unknown) => ({ errors: [{ message: String(e) }] }));
  if (r.errors.length > 0) real.note(`revoking the link after the run failed: ${JSON.stringify(r.errors)}`);
}

/**
 * A fresh user linked to the calendar. No fault is set up yet, but a sign-in can still fail on a
 * loaded machine (a token request past the chaos time-out): the user signs in again, as anyone would.
 */
async function linkUser(world: ChaosWorld, kind: ProviderKind, name: string): Promise<SyncUser> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await linkedUser(world.driver(), world.providers.emulators, kind, { name: attempt === 1 ? name : `${name}-${attempt}` });
    } catch (e) {
      if (attempt >= 3) throw e;
      await sleep(1_000);
    }
  }
}

/** Faults cleared, the link ACTIVE, then manual runs until one finds nothing to do and every pair is SYNCED. */
export async function quiesce(model: ChaosModel, real: ChaosSystem): Promise<void> {
  real.clearFaults();
  if (model.revoked || (await real.linkStatus()) !== 'ACTIVE') {
    await real.relink();
    model.revoked = false;
    real.note('quiesce: relinked');
  }
  for (let round = 1; round <= 10; round++) {
    const run = await real.syncNow(60_000);
    const c = run?.counts;
    const busy = !run || run.outcome !== 'SUCCEEDED' || !c || [c.inbound, c.outbound].some((d) => d.created + d.updated + d.deleted + d.conflicts + d.errors > 0);
    const unsettled = (await real.appointments()).filter((a) => a.mappings.some((m) => m.closedAt === null && m.state !== 'SYNCED'));
    real.note(`quiesce round ${round}: ${run ? `${run.outcome} ${JSON.stringify(run.counts)}` : 'no run'}, ${unsettled.length} pair(s) not SYNCED`);
    if (!busy && unsettled.length === 0) return;
    await sleep(300);
  }
}

const fmt = (ms: number) => new Date(ms).toISOString();

/** The convergence properties after quiescence; returns what does not hold (empty: converged). */
export async function checkConverged(model: ChaosModel, real: ChaosSystem): Promise<string[]> {
  const problems: string[] = [];
  const all = await real.appointments();
  const live = all.filter((a) => !a.deleted);
  const events = real.events();
  const byId = new Map(events.map((e) => [e.id, e]));
  const liveMapping = (a: AppointmentView) => a.mappings.filter((m) => m.closedAt === null);

  // Every live appointment (series masters too; exceptions are checked with their series below): exactly one live pair, SYNCED, with an event of equal content.
  for (const a of live.filter((x) => x.seriesMasterId === null)) {
    const pairs = liveMapping(a);
    if (pairs.length !== 1) {
      problems.push(`appointment ${a.id} "${a.subject}" has ${pairs.length} live pairs`);
      continue;
    }
    const m = pairs[0]!;
    if (m.state !== 'SYNCED') problems.push(`appointment ${a.id} "${a.subject}": pair ${m.state}${m.lastError ? ` (${m.lastError.code}: ${m.lastError.message})` : ''}`);
    const e = m.externalEventId ? byId.get(m.externalEventId) : undefined;
    if (!e) {
      problems.push(`appointment ${a.id} "${a.subject}" has no event in the calendar (pair → ${m.externalEventId})`);
      continue;
    }
    if (e.subject !== a.subject || e.start !== Date.parse(a.start!) || e.end !== Date.parse(a.end!)) {
      problems.push(`appointment ${a.id} differs from event ${e.id}: host "${a.subject}" ${a.start}–${a.end}, calendar "${e.subject}" ${fmt(e.start)}–${fmt(e.end)}`);
    }
  }

  // Every event: exactly one live appointment; the hub's events carry the tag of that appointment, once.
  for (const e of events) {
    const owners = live.filter((a) => liveMapping(a).some((m) => m.externalEventId === e.id));
    if (owners.length !== 1) problems.push(`event ${e.id} "${e.subject}"${e.tag ? ` (hub tag ${e.tag})` : ''} maps to ${owners.length} live appointments`);
    else if (e.tag && tagAppointmentId(e.tag) !== owners[0]!.id) problems.push(`event ${e.id} carries the tag of ${e.tag} but pairs with ${owners[0]!.id}`);
  }
  const tagged = new Map<string, string[]>();
  for (const e of events) if (e.tag) tagged.set(tagAppointmentId(e.tag)!, [...(tagged.get(tagAppointmentId(e.tag)!) ?? []), e.id]);
  for (const [appointmentId, ids] of tagged) if (ids.length > 1) problems.push(`appointment ${appointmentId} has ${ids.length} tagged events: ${ids.join(', ')}`);

  // The model: live items exist once on both sides with a subject they were given; deleted ones are gone on both.
  const matched = new Set<string>();
  for (const item of model.items) {
    const mine = item.origin === 'HOST' ? all.filter((a) => a.hostAppointmentId === item.hostAppointmentId) : all.filter((a) => a.mappings.some((m) => m.externalEventId === item.userEventId));
    const liveMine = mine.filter((a) => !a.deleted);
    for (const a of liveMine) matched.add(a.id);
    if (!item.deleted) {
      if (liveMine.length !== 1) {
        problems.push(`${item.key} (${item.subjects.join(' | ')}) should be live once in the host, found ${liveMine.length}${mine.length > 0 ? ` (${mine.map((a) => `${a.id} deleted=${a.deleted}`).join(', ')})` : ''}`);
        continue;
      }
      const a = liveMine[0]!;
      if (!item.subjects.includes(a.subject ?? '')) problems.push(`${item.key} converged on "${a.subject}", a subject it was never given (${item.subjects.join(' | ')})`);
    } else if (item.contested && liveMine.length === 1) {
      // The edit won the conflict: the item lives on, on both sides (the checks above cover its event).
      if (!item.subjects.includes(liveMine[0]!.subject ?? '')) problems.push(`${item.key} converged on "${liveMine[0]!.subject}", a subject it was never given (${item.subjects.join(' | ')})`);
    } else {
      if (liveMine.length > 0) problems.push(`${item.key} was deleted but ${liveMine.map((a) => a.id).join(', ')} is live in the host`);
      const leftovers = events.filter((e) => (item.userEventId !== null && e.id === item.userEventId) || mine.some((a) => tagAppointmentId(e.tag) === a.id));
      if (leftovers.length > 0) problems.push(`${item.key} was deleted but the calendar still holds ${leftovers.map((e) => `${e.id} "${e.subject}"`).join(', ')}`);
    }
  }
  problems.push(...(await checkSeries(model, real, all, matched)));
  for (const a of live) if (!matched.has(a.id)) problems.push(`appointment ${a.id} "${a.subject}" (origin ${a.origin}) stands for no item of the model (a duplicate)`);

  // Once converged, an idle poll writes nothing.
  if (problems.length === 0) {
    const writes = real.user.provider.writes();
    const run = await real.syncNow(60_000);
    const c = run?.counts;
    if (!run || run.outcome !== 'SUCCEEDED') problems.push(`the idle run ended ${run ? `${run.outcome} ${JSON.stringify(run.error)}` : 'late'}`);
    else if ([c!.inbound, c!.outbound].some((d) => d.created + d.updated + d.deleted + d.conflicts + d.errors > 0)) problems.push(`the idle run changed something: ${JSON.stringify(c)}`);
    if (real.user.provider.writes() !== writes) problems.push(`the idle run wrote ${real.user.provider.writes() - writes} time(s) to the calendar`);
  }
  return problems;
}

/**
 * The series of the model, each live one held by one live master: its rule gives the model's
 * occurrences; the host's occurrences (master, EXDATEs, exception appointments) equal the calendar's
 * instances; every exception has one SYNCED pair with its occurrence's event; cancelled occurrences
 * are cancelled and edited ones are exceptions with a subject and start they were given (a `loose`
 * series may end either way for an occurrence, but alike on both sides). Adds its exceptions to `matched`.
 */
async function checkSeries(model: ChaosModel, real: ChaosSystem, all: AppointmentView[], matched: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const item of model.items) {
    const series = item.series;
    // A deleted series (or one not live once) is checked with the single items, above.
    if (!series || appointmentsOf(item, all).filter((a) => !a.deleted).length !== 1) continue;
    const view = seriesView(real, item, all);
    if (typeof view === 'string') {
      problems.push(`series ${item.key}: ${view}`);
      continue;
    }
    for (const x of view.exceptions) matched.add(x.id);
    const { master } = view;
    const rule = master.recurrence!.rrule.split(';');
    if (!rule.includes(`FREQ=${series.freq}`) || !rule.includes(`COUNT=${series.count}`)) problems.push(`series ${item.key} holds the rule ${master.recurrence!.rrule}, made as FREQ=${series.freq};COUNT=${series.count}`);
    const window = seriesWindow(series);
    const ruled = hostOccurrences(master, [], window, []).map((o) => o.originalStart);
    const expected = series.occurrences.map((o) => iso(o.at));
    if (ruled.join() !== expected.join()) problems.push(`series ${item.key}: the host's rule gives ${ruled.join(', ')}, the series was made with ${expected.join(', ')}`);

    // Both sides alike.
    const host = view.host.map(shownLine);
    const calendar = view.provider.map(shownLine);
    if (host.join('\n') !== calendar.join('\n')) {
      problems.push(`series ${item.key} differs: host [${host.join('; ')}], calendar ${view.eventId ?? '(no event)'} [${calendar.join('; ')}]`);
    }

    // Exceptions: one per occurrence, of a live occurrence, each with one SYNCED pair to the calendar's occurrence.
    const seen = new Set<string>();
    for (const x of view.exceptions) {
      const at = occurrenceKey(x.originalStart!);
      if (seen.has(at)) problems.push(`series ${item.key} has more than one exception for ${at}`);
      seen.add(at);
      if (!view.host.some((o) => o.originalStart === at)) problems.push(`series ${item.key}: exception ${x.id} "${x.subject}" is of ${at}, which the master does not hold (cancelled or off the rule)`);
      const pairs = x.mappings.filter((m) => m.closedAt === null);
      const occurrenceEvent = view.provider.find((o) => o.originalStart === at);
      if (pairs.length !== 1 || pairs[0]!.state !== 'SYNCED') problems.push(`series ${item.key}: exception ${x.id} of ${at} has ${pairs.length} live pairs (${pairs.map((m) => m.state).join(', ')})`);
      else if (!occurrenceEvent || pairs[0]!.externalEventId !== occurrenceEvent.id) problems.push(`series ${item.key}: exception ${x.id} of ${at} pairs with ${pairs[0]!.externalEventId}, the calendar's occurrence is ${occurrenceEvent?.id ?? 'missing'}`);
    }

    // The model.
    for (const o of series.occurrences) {
      const at = iso(o.at);
      const shown = view.host.find((x) => x.originalStart === at);
      const exception = view.exceptions.find((x) => occurrenceKey(x.originalStart!) === at);
      if (!shown) {
        if (!o.cancelled && !series.loose) problems.push(`series ${item.key}: occurrence ${at} is cancelled, but no side cancelled it`);
        continue;
      }
      if (o.cancelled && !series.loose) problems.push(`series ${item.key}: occurrence ${at} was cancelled but is live (${shownLine(shown)})`);
      if (!o.subjects.includes(shown.subject ?? '')) problems.push(`series ${item.key}: occurrence ${at} converged on "${shown.subject}", a subject it was never given (${o.subjects.join(' | ')})`);
      if (!o.starts.includes(Date.parse(shown.start))) problems.push(`series ${item.key}: occurrence ${at} converged on ${shown.start}, a start it was never given (${o.starts.map(iso).join(' | ')})`);
      if (o.edited && !exception && !series.loose) problems.push(`series ${item.key}: occurrence ${at} was edited but is no exception in the host`);
      if (!o.edited && exception) problems.push(`series ${item.key}: occurrence ${at} was never edited but has the exception ${exception.id} "${exception.subject}"`);
    }
  }

  // No exception outlives its series.
  const liveIds = new Set(all.filter((a) => !a.deleted).map((a) => a.id));
  for (const x of all.filter((a) => !a.deleted && a.seriesMasterId !== null && !liveIds.has(a.seriesMasterId))) {
    matched.add(x.id);
    const pairs = x.mappings.filter((m) => m.closedAt === null);
    problems.push(
      `exception ${x.id} "${x.subject}" (${x.originalStart}, origin ${x.origin}) is live but its series ${x.seriesMasterId} is deleted; its pair: ${pairs.map((m) => `${m.state}${m.externalEventId ? ` → ${m.externalEventId}` : ''}${m.lastError ? ` (${m.lastError.code}: ${m.lastError.message})` : ''}`).join(', ') || 'none'}`,
    );
  }
  return problems;
}
