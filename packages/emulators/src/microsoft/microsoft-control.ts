import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorAccount } from '../types.js';
import type { CalendarService } from './calendar-service.js';
import { DEFAULT_RENDER, renderCalendar, renderEvent } from './graph-event-view.js';
import { GraphError } from './graph-errors.js';
import { parseWindowBound } from './graph-time.js';
import type { IdentityService } from './identity-service.js';
import { applySettings, type MicrosoftEmulatorSettings } from './microsoft-settings.js';
import {
  DEFAULT_TENANT_ID,
  PERSONAL_TENANT_ID,
  type AccountRecord,
  type ClientRecord,
  type MicrosoftState,
  type RefreshFailureCause,
} from './microsoft-state.js';
import type { DeliveryRecord, LifecycleEvent, SubscriptionService } from './subscription-service.js';

/**
 * The Microsoft emulator's control API, in process (`handle.control`) and over HTTP under
 * `/_control/*` (JSON; errors are `{error}` with 400/404). It plays "the other side": event
 * changes go through the same service as Graph calls (new changeKey, delta, notifications).
 *
 * HTTP routes: `GET|PATCH /_control/settings`; `POST /_control/clients`;
 * `GET|POST /_control/accounts`; `GET /_control/accounts/:account`;
 * `POST /_control/accounts/:account/mailbox {enabled}`; `GET|POST /_control/accounts/:account/calendars`;
 * `GET /_control/accounts/:account/events?calendarId=`; `POST /_control/accounts/:account/events?calendarId=`;
 * `GET /_control/accounts/:account/instances?calendarId=&startDateTime=&endDateTime=`;
 * `PATCH|DELETE /_control/accounts/:account/events/:eventId`;
 * `POST /_control/accounts/:account/revoke-grant {clientId?}`;
 * `POST /_control/accounts/:account/fail-refresh {cause, clientId?}`;
 * `POST /_control/accounts/:account/invalidate-delta`;
 * `GET /_control/subscriptions`; `DELETE /_control/subscriptions/:id` (sends subscriptionRemoved);
 * `POST /_control/subscriptions/:id/lifecycle {event}`; `GET /_control/deliveries`.
 * `:account` is an account id or email.
 */

export interface CreateMicrosoftAccountInput {
  email: string;
  displayName?: string;
  /** Default: personal for outlook.com/hotmail.com/live.com addresses, else work. */
  kind?: 'work' | 'personal';
  /** Work accounts only; default: the emulator's contoso tenant. */
  tenantId?: string;
  /** false: no Exchange mailbox (Graph calendar calls → 404 MailboxNotEnabledForRESTAPI). */
  mailboxEnabled?: boolean;
  /** Extra calendars besides the default "Calendar" and the read-only "Birthdays". */
  calendars?: string[];
  /** Fixed object id (seeds); default random. */
  id?: string;
}

export interface MicrosoftAccountInfo extends EmulatorAccount {
  kind: 'work' | 'personal';
  tenantId: string;
  mailboxEnabled: boolean;
}

export interface MicrosoftControl {
  /** The live settings object; prefer `updateSettings`, which validates. */
  readonly settings: MicrosoftEmulatorSettings;
  updateSettings(patch: Partial<MicrosoftEmulatorSettings>): MicrosoftEmulatorSettings;
  registerClient(input: { clientId: string; clientSecret?: string | null; redirectUris: string[]; displayName?: string }): ClientRecord;
  createAccount(input: CreateMicrosoftAccountInput): MicrosoftAccountInfo;
  listAccounts(): MicrosoftAccountInfo[];
  getAccount(idOrEmail: string): MicrosoftAccountInfo;
  setMailboxEnabled(account: string, enabled: boolean): void;
  listCalendars(account: string): Record<string, unknown>[];
  createCalendar(account: string, name: string, opts?: { canEdit?: boolean }): Record<string, unknown>;
  /** Creates an event as Graph would (`calendarId` null = default calendar); returns it rendered in UTC. */
  createEvent(account: string, calendarId: string | null, event: Record<string, unknown>): Record<string, unknown>;
  updateEvent(account: string, eventId: string, patch: Record<string, unknown>): Record<string, unknown>;
  deleteEvent(account: string, eventId: string): void;
  /** Single events and series masters of a calendar (default calendar when omitted). */
  listEvents(account: string, calendarId?: string | null): Record<string, unknown>[];
  /** calendarView: instances in [start, end). */
  listInstances(account: string, calendarId: string | null, start: string, end: string): Record<string, unknown>[];
  /** Refreshes fail with AADSTS50173 from now on (and, per settings, access tokens die). */
  revokeGrant(account: string, clientId?: string): number;
  /** Refreshes fail with the error of `cause`: revoked 50173, inactive 700082, expired 70008, interaction_required 50076, consent_required 65001. */
  failRefreshTokens(account: string, cause: RefreshFailureCause, clientId?: string): number;
  /** Every delta token of the mailbox answers 410 SyncStateNotFound. */
  invalidateDeltaTokens(account: string): void;
  listSubscriptions(account?: string): Record<string, unknown>[];
  /** Deletes a subscription and sends `subscriptionRemoved` to its lifecycle URL. */
  removeSubscription(id: string): Promise<void>;
  triggerLifecycleEvent(id: string, event: LifecycleEvent): Promise<void>;
  /** Recent validation, notification and lifecycle deliveries (newest last). */
  deliveries(): DeliveryRecord[];
  /** Resolves when queued notifications have been delivered. */
  notificationsIdle(): Promise<void>;
}

const CONSUMER_DOMAINS = /@(outlook|hotmail|live|msn)\.[a-z.]+$/i;

export function createMicrosoftControl(deps: {
  state: MicrosoftState;
  settings: MicrosoftEmulatorSettings;
  calendar: CalendarService;
  identity: IdentityService;
  subscriptions: SubscriptionService;
  origin: () => string;
  changed: () => void;
  now: () => number;
}): MicrosoftControl {
  const { state, calendar, identity, subscriptions } = deps;

  const account = (idOrEmail: string): AccountRecord => {
    const key = idOrEmail.toLowerCase();
    const a = Object.values(state.accounts).find((x) => x.id.toLowerCase() === key || x.email.toLowerCase() === key);
    if (!a) throw new ControlError(404, `No account '${idOrEmail}'.`);
    return a;
  };

  const info = (a: AccountRecord): MicrosoftAccountInfo => ({
    id: a.id,
    email: a.email,
    displayName: a.displayName,
    calendarIds: calendar.calendars(a.id).map((c) => c.id),
    kind: a.kind,
    tenantId: a.tenantId,
    mailboxEnabled: a.mailboxEnabled,
  });

  const render = (a: AccountRecord, inst: ReturnType<CalendarService['getInstance']>) =>
    renderEvent(inst, { account: a, calendar: state.calendars[inst.master.calendarId]!, origin: deps.origin() }, DEFAULT_RENDER);

  return {
    settings: deps.settings,
    updateSettings(patch) {
      const rejected = applySettings(deps.settings, patch as Record<string, unknown>);
      if (rejected.length > 0) throw new ControlError(400, `Unknown or invalid settings: ${rejected.join(', ')}`);
      state.settings = { ...deps.settings };
      deps.changed();
      return { ...deps.settings };
    },
    registerClient: (input) => identity.registerClient(input),
    createAccount(input) {
      if (typeof input.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(input.email)) throw new ControlError(400, 'email must be an email address');
      if (Object.values(state.accounts).some((a) => a.email.toLowerCase() === input.email.toLowerCase())) throw new ControlError(409, `Account ${input.email} exists`);
      const kind = input.kind ?? (CONSUMER_DOMAINS.test(input.email) ? 'personal' : 'work');
      const tenantId = kind === 'personal' ? PERSONAL_TENANT_ID : (input.tenantId ?? DEFAULT_TENANT_ID);
      if (kind === 'work' && !state.tenants[tenantId]) {
        state.tenants[tenantId] = { id: tenantId, displayName: `Tenant ${tenantId.slice(0, 8)}`, domains: [input.email.split('@')[1]!.toLowerCase()] };
      }
      const displayName = input.displayName ?? input.email.split('@')[0]!.replace(/[._]/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
      const [givenName, ...rest] = displayName.split(' ');
      const a: AccountRecord = {
        id: input.id ?? randomUUID(),
        tenantId,
        kind,
        email: input.email,
        displayName,
        givenName: givenName ?? displayName,
        surname: rest.join(' '),
        mailboxEnabled: input.mailboxEnabled ?? true,
        syncGeneration: 0,
        createdAt: deps.now(),
      };
      state.accounts[a.id] = a;
      if (a.mailboxEnabled) {
        calendar.createCalendar(a.id, { name: 'Calendar', isDefault: true });
        for (const name of input.calendars ?? []) calendar.createCalendar(a.id, { name });
        calendar.createCalendar(a.id, { name: 'Birthdays', canEdit: false, color: 'lightGreen', hexColor: '#87d28e' });
      }
      deps.changed();
      return info(a);
    },
    listAccounts: () => Object.values(state.accounts).map(info),
    getAccount: (idOrEmail) => info(account(idOrEmail)),
    setMailboxEnabled(acc, enabled) {
      const a = account(acc);
      a.mailboxEnabled = enabled;
      if (enabled && calendar.calendars(a.id).length === 0) calendar.createCalendar(a.id, { name: 'Calendar', isDefault: true });
      deps.changed();
    },
    listCalendars(acc) {
      const a = account(acc);
      return calendar.calendars(a.id).map((c) => renderCalendar(c, a));
    },
    createCalendar(acc, name, opts) {
      const a = account(acc);
      return renderCalendar(calendar.createCalendar(a.id, { name, canEdit: opts?.canEdit }), a);
    },
    createEvent(acc, calendarId, event) {
      const a = account(acc);
      return render(a, calendar.createEvent(a.id, calendarId, event).instance);
    },
    updateEvent(acc, eventId, patch) {
      const a = account(acc);
      return render(a, calendar.updateEvent(a.id, eventId, patch));
    },
    deleteEvent(acc, eventId) {
      calendar.deleteEvent(account(acc).id, eventId);
    },
    listEvents(acc, calendarId = null) {
      const a = account(acc);
      return calendar.listMasters(a.id, calendarId).map((i) => render(a, i));
    },
    listInstances(acc, calendarId, start, end) {
      const a = account(acc);
      const from = parseWindowBound(start, 'startDateTime');
      const to = parseWindowBound(end, 'endDateTime');
      return calendar
        .instancesInWindow(a.id, calendarId, from, to)
        .sort((x, y) => x.startMs - y.startMs)
        .map((i) => render(a, i));
    },
    revokeGrant: (acc, clientId) => identity.revokeGrants(account(acc).id, clientId),
    failRefreshTokens(acc, cause, clientId) {
      if (!['revoked', 'inactive', 'expired', 'interaction_required', 'consent_required'].includes(cause)) throw new ControlError(400, `Unknown cause '${cause}'`);
      return identity.failRefreshTokens(account(acc).id, cause, clientId);
    },
    invalidateDeltaTokens(acc) {
      account(acc).syncGeneration += 1;
      deps.changed();
    },
    listSubscriptions: (acc) => subscriptions.list(acc ? account(acc).id : undefined).map((s) => subscriptions.render(s, s.clientId)),
    removeSubscription: (id) => subscriptions.lifecycle(id, 'subscriptionRemoved', tenantOfSubscription(state, id)),
    triggerLifecycleEvent(id, event) {
      if (!['subscriptionRemoved', 'reauthorizationRequired', 'missed'].includes(event)) throw new ControlError(400, `Unknown lifecycle event '${event}'`);
      return subscriptions.lifecycle(id, event, tenantOfSubscription(state, id));
    },
    deliveries: () => [...subscriptions.deliveries],
    notificationsIdle: () => subscriptions.idle(),
  };
}

function tenantOfSubscription(state: MicrosoftState, id: string): string {
  const sub = state.subscriptions[id];
  return (sub && state.accounts[sub.accountId]?.tenantId) ?? DEFAULT_TENANT_ID;
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function registerControlRoutes(app: FastifyInstance, control: MicrosoftControl): void {
  const config = (name: string) => ({ config: { routeId: `control.${name}` } });
  const body = (b: unknown) => (typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : {});
  const wrap =
    (fn: (params: Record<string, string>, b: Record<string, unknown>, query: Record<string, string>, reply: FastifyReply) => unknown) =>
    async (request: { params: unknown; body: unknown; query: unknown }, reply: FastifyReply) => {
      try {
        const out = await fn(request.params as Record<string, string>, body(request.body), (request.query ?? {}) as Record<string, string>, reply);
        return out === undefined ? reply.code(204).send() : out;
      } catch (e) {
        if (e instanceof ControlError) return reply.code(e.status).send({ error: e.message });
        if (e instanceof GraphError) return reply.code(e.status).send({ error: e.message, code: e.code });
        if (e instanceof TypeError) return reply.code(400).send({ error: e.message });
        throw e;
      }
    };
  const calendarOf = (q: Record<string, string>) => (q.calendarId ? q.calendarId : null);

  app.get('/_control/settings', config('settings'), wrap(() => ({ ...control.settings })));
  app.patch('/_control/settings', config('settings'), wrap((_p, b) => control.updateSettings(b)));
  app.post('/_control/clients', config('clients'), wrap((_p, b, _q, reply) => {
    const client = control.registerClient(b as unknown as Parameters<MicrosoftControl['registerClient']>[0]);
    reply.code(201);
    return { clientId: client.clientId, redirectUris: client.redirectUris, displayName: client.displayName };
  }));
  app.get('/_control/accounts', config('accounts'), wrap(() => ({ value: control.listAccounts() })));
  app.post('/_control/accounts', config('accounts'), wrap((_p, b, _q, reply) => {
    reply.code(201);
    return control.createAccount(b as unknown as CreateMicrosoftAccountInput);
  }));
  app.get('/_control/accounts/:account', config('accounts'), wrap((p) => control.getAccount(p.account!)));
  app.post('/_control/accounts/:account/mailbox', config('accounts'), wrap((p, b) => control.setMailboxEnabled(p.account!, b.enabled !== false)));
  app.get('/_control/accounts/:account/calendars', config('calendars'), wrap((p) => ({ value: control.listCalendars(p.account!) })));
  app.post('/_control/accounts/:account/calendars', config('calendars'), wrap((p, b, _q, reply) => {
    reply.code(201);
    return control.createCalendar(p.account!, String(b.name ?? ''), { canEdit: b.canEdit === undefined ? undefined : b.canEdit !== false });
  }));
  app.get('/_control/accounts/:account/events', config('events'), wrap((p, _b, q) => ({ value: control.listEvents(p.account!, calendarOf(q)) })));
  app.get('/_control/accounts/:account/instances', config('events'), wrap((p, _b, q) => ({
    value: control.listInstances(p.account!, calendarOf(q), q.startDateTime ?? '', q.endDateTime ?? ''),
  })));
  app.post('/_control/accounts/:account/events', config('events'), wrap((p, b, q, reply) => {
    reply.code(201);
    return control.createEvent(p.account!, calendarOf(q), b);
  }));
  app.patch('/_control/accounts/:account/events/:eventId', config('events'), wrap((p, b) => control.updateEvent(p.account!, p.eventId!, b)));
  app.delete('/_control/accounts/:account/events/:eventId', config('events'), wrap((p) => control.deleteEvent(p.account!, p.eventId!)));
  app.post('/_control/accounts/:account/revoke-grant', config('grants'), wrap((p, b) => ({
    revoked: control.revokeGrant(p.account!, typeof b.clientId === 'string' ? b.clientId : undefined),
  })));
  app.post('/_control/accounts/:account/fail-refresh', config('grants'), wrap((p, b) => ({
    affected: control.failRefreshTokens(p.account!, b.cause as RefreshFailureCause, typeof b.clientId === 'string' ? b.clientId : undefined),
  })));
  app.post('/_control/accounts/:account/invalidate-delta', config('delta'), wrap((p) => control.invalidateDeltaTokens(p.account!)));
  app.get('/_control/subscriptions', config('subscriptions'), wrap((_p, _b, q) => ({ value: control.listSubscriptions(q.account) })));
  app.delete('/_control/subscriptions/:id', config('subscriptions'), wrap((p) => control.removeSubscription(p.id!)));
  app.post('/_control/subscriptions/:id/lifecycle', config('subscriptions'), wrap((p, b) => control.triggerLifecycleEvent(p.id!, b.event as LifecycleEvent)));
  app.get('/_control/deliveries', config('deliveries'), wrap(() => ({ value: control.deliveries() })));
}
