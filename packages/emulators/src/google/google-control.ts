import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorCore } from '../core/emulator-core.js';
import { FaultRuleError, type FaultRule, type FaultTrigger } from '../core/faults.js';
import type { EmulatorAccount } from '../types.js';
import { AccountInputError, type CreateAccountInput, type CreateCalendarInput, type GoogleCalendarListService } from './calendar/google-calendar-list.service.js';
import type { GoogleEventsService } from './calendar/google-events.service.js';
import type { DeliveryRecord, GooglePushService } from './calendar/google-push.service.js';
import { isCalendarApiError, isOAuthError, renderInjectedCalendarError } from './google-api.errors.js';
import type { GoogleContext } from './google-context.js';
import { mergeSettings, SettingsError, type GoogleEmulatorSettings } from './google-settings.js';
import type { ChannelRecord, OAuthClientRecord, RefreshTokenDeath } from './google-state.js';
import { REFRESH_TOKEN_DEATHS, type GoogleOAuthService } from './oauth/google-oauth.service.js';

type Json = Record<string, unknown>;

export type UsageLimitReason = 'rateLimitExceeded' | 'userRateLimitExceeded' | 'quotaExceeded' | 'dailyLimitExceeded';

/**
 * The in-process control API of the Google emulator; every method is also served as JSON under
 * `/_control/*` (see `registerControlRoutes`). Event methods play "the other side": they act as the
 * calendar's owner through the same code path as the API, so etags change, sync tokens see the
 * change and push channels fire. Wherever a method (or route) takes an account, it takes the
 * account id or its email, as the Microsoft emulator's control API does.
 */
export class GoogleEmulatorControl {
  constructor(
    private readonly ctx: GoogleContext,
    private readonly core: EmulatorCore,
    private readonly oauth: GoogleOAuthService,
    private readonly calendars: GoogleCalendarListService,
    private readonly events: GoogleEventsService,
    private readonly push: GooglePushService,
  ) {}

  /** The id of an account given by id or email (case-insensitive); an unknown value is passed on, to fail where it is used. */
  private accountId(account: string): string {
    const { accounts } = this.ctx.state;
    if (accounts[account]) return account;
    const email = account.toLowerCase();
    return Object.values(accounts).find((a) => a.email.toLowerCase() === email)?.id ?? account;
  }

  /** Registers an OAuth client; the emulator checks its id, secret and exact redirect URIs like Google. */
  registerClient(input: { clientId: string; clientSecret: string; redirectUris: string[]; publishingStatus?: 'production' | 'testing'; name?: string }): OAuthClientRecord {
    return this.oauth.registerClient(input);
  }

  createAccount(input: CreateAccountInput): EmulatorAccount {
    return this.calendars.createAccount(input);
  }

  listAccounts(): EmulatorAccount[] {
    return this.calendars.listAccounts();
  }

  /** Adds a calendar to an account's list: owned by default, or shared read-only with `accessRole: 'reader'`. */
  createCalendar(account: string, input: CreateCalendarInput): Json {
    return this.calendars.createCalendar(this.accountId(account), input);
  }

  removeCalendar(account: string, calendarId: string): void {
    this.calendars.removeCalendar(this.accountId(account), calendarId);
  }

  /** `invitedBy`: the event is an invitation from that organizer (the account's own attendee entry keeps its responseStatus). */
  createEvent(account: string, calendarId: string, event: Json, opts: { invitedBy?: string } = {}): Json {
    return this.events.insertEvent(this.accountId(account), calendarId, event, opts.invitedBy ? { invitedBy: opts.invitedBy } : {});
  }

  getEvent(account: string, calendarId: string, eventId: string): Json {
    const r = this.events.getEvent(this.accountId(account), calendarId, eventId);
    if ('notModified' in r) throw new Error('unreachable');
    return r;
  }

  /** Merges `changes` into the event (PATCH semantics). */
  updateEvent(account: string, calendarId: string, eventId: string, changes: Json): Json {
    return this.events.patchEvent(this.accountId(account), calendarId, eventId, changes);
  }

  /** Replaces the event (PUT semantics: omitted fields are cleared). */
  replaceEvent(account: string, calendarId: string, eventId: string, event: Json): Json {
    return this.events.updateEvent(this.accountId(account), calendarId, eventId, event);
  }

  deleteEvent(account: string, calendarId: string, eventId: string): void {
    this.events.deleteEvent(this.accountId(account), calendarId, eventId);
  }

  /** events.list with the API's query parameters (strings, as in a query string). */
  listEvents(account: string, calendarId: string, query: Json = {}): Json {
    return this.events.listEvents(this.accountId(account), calendarId, query);
  }

  /** The user removes the app in their account settings: the grant and all its tokens die. */
  revokeGrant(input: { accountId: string; clientId?: string }): { affected: number } {
    return this.oauth.revokeGrants(this.accountId(input.accountId), input.clientId);
  }

  /**
   * Kills refresh tokens for one of Google's `invalid_grant` causes
   * (docs/providers.md#google-tokens-and-revocation); see GoogleOAuthService.expireRefreshTokens.
   */
  expireRefreshTokens(input: { accountId: string; clientId?: string; cause: RefreshTokenDeath }): { affected: number } {
    if (!REFRESH_TOKEN_DEATHS.includes(input.cause)) throw new AccountInputError(`cause must be one of ${REFRESH_TOKEN_DEATHS.join(', ')}`);
    return this.oauth.expireRefreshTokens({ ...input, accountId: this.accountId(input.accountId) });
  }

  changePassword(account: string): { affected: number } {
    return this.oauth.changePassword(this.accountId(account));
  }

  listGrants(): ReturnType<GoogleOAuthService['listGrants']> {
    return this.oauth.listGrants();
  }

  /** Every events sync token issued so far for the calendar (or the account's calendars, or all) answers 410. */
  invalidateSyncTokens(input: { accountId?: string; calendarId?: string } = {}): { calendars: number } {
    return this.calendars.invalidateSyncTokens(input.accountId === undefined ? input : { ...input, accountId: this.accountId(input.accountId) });
  }

  listChannels(): ChannelRecord[] {
    return this.push.listChannels();
  }

  /** Drops a push channel without telling its owner (as when Google expires or loses it). */
  removeChannel(channelId: string): boolean {
    return this.push.removeChannel(channelId);
  }

  pushDeliveries(): DeliveryRecord[] {
    return this.push.deliveries.map((d) => ({ ...d }));
  }

  get settings(): GoogleEmulatorSettings {
    return { ...this.ctx.state.settings };
  }

  updateSettings(patch: Partial<GoogleEmulatorSettings>): GoogleEmulatorSettings {
    this.ctx.state.settings = mergeSettings(this.ctx.state.settings, patch);
    this.ctx.changed();
    return this.settings;
  }

  /**
   * A fault rule answering with Google's usage-limit error: 403 `rateLimitExceeded` (default),
   * `userRateLimitExceeded`, `quotaExceeded`, `dailyLimitExceeded`, or 429.
   */
  injectUsageLimit(input: { status?: 403 | 429; reason?: UsageLimitReason; route?: string; method?: string; account?: string; retryAfterSeconds?: number; trigger?: FaultTrigger }): FaultRule {
    const status = input.status ?? 403;
    const rendered = renderInjectedCalendarError(status, input.reason);
    return this.core.faults.add({
      provider: 'google',
      ...(input.route ? { route: input.route } : {}),
      ...(input.method ? { method: input.method } : {}),
      ...(input.account ? { account: input.account } : {}),
      action: { kind: 'status', status, body: rendered.body(), ...(input.retryAfterSeconds !== undefined ? { retryAfterSeconds: input.retryAfterSeconds } : {}) },
      ...(input.trigger ? { trigger: input.trigger } : {}),
    });
  }
}

/** `/_control/*` over HTTP: JSON in, JSON out; errors are `{ error }` (400/404) or the API's own error body. */
export function registerControlRoutes(app: FastifyInstance, control: GoogleEmulatorControl, exportState: () => unknown): void {
  const cfg = (id: string) => ({ config: { routeId: `control.${id}` } });
  const body = (b: unknown): Json => (b && typeof b === 'object' && !Array.isArray(b) ? (b as Json) : {});
  const run = async (reply: FastifyReply, fn: () => unknown, status = 200) => {
    try {
      const result = fn();
      return result === undefined ? reply.code(204).send() : reply.code(status).send(result);
    } catch (e) {
      if (isCalendarApiError(e)) return reply.code(e.status).send(e.body());
      if (isOAuthError(e)) return reply.code(e.status).send(e.body());
      if (e instanceof AccountInputError || e instanceof SettingsError || e instanceof FaultRuleError) return reply.code(400).send({ error: e.message });
      throw e;
    }
  };
  type P = Record<string, string>;

  app.get('/_control/settings', cfg('settings'), async () => control.settings);
  app.patch('/_control/settings', cfg('settings'), async (request, reply) => run(reply, () => control.updateSettings(body(request.body))));
  app.post('/_control/clients', cfg('clients'), async (request, reply) =>
    run(reply, () => control.registerClient(body(request.body) as unknown as Parameters<GoogleEmulatorControl['registerClient']>[0]), 201),
  );
  app.get('/_control/accounts', cfg('accounts'), async () => ({ value: control.listAccounts() }));
  app.post('/_control/accounts', cfg('accounts'), async (request, reply) => run(reply, () => control.createAccount(body(request.body) as unknown as CreateAccountInput), 201));
  app.post('/_control/accounts/:accountId/calendars', cfg('calendars'), async (request, reply) =>
    run(reply, () => control.createCalendar((request.params as P).accountId ?? '', body(request.body) as unknown as CreateCalendarInput), 201),
  );
  app.delete('/_control/accounts/:accountId/calendars/:calendarId', cfg('calendars'), async (request, reply) =>
    run(reply, () => control.removeCalendar((request.params as P).accountId ?? '', (request.params as P).calendarId ?? '')),
  );
  const events = '/_control/accounts/:accountId/calendars/:calendarId/events';
  app.get(events, cfg('events'), async (request, reply) => {
    const p = request.params as P;
    return run(reply, () => control.listEvents(p.accountId ?? '', p.calendarId ?? '', request.query as Json));
  });
  app.post(events, cfg('events'), async (request, reply) => {
    const p = request.params as P;
    return run(reply, () => control.createEvent(p.accountId ?? '', p.calendarId ?? '', body(request.body)));
  });
  app.get(`${events}/:eventId`, cfg('events'), async (request, reply) => {
    const p = request.params as P;
    return run(reply, () => control.getEvent(p.accountId ?? '', p.calendarId ?? '', p.eventId ?? ''));
  });
  app.patch(`${events}/:eventId`, cfg('events'), async (request, reply) => {
    const p = request.params as P;
    return run(reply, () => control.updateEvent(p.accountId ?? '', p.calendarId ?? '', p.eventId ?? '', body(request.body)));
  });
  app.put(`${events}/:eventId`, cfg('events'), async (request, reply) => {
    const p = request.params as P;
    return run(reply, () => control.replaceEvent(p.accountId ?? '', p.calendarId ?? '', p.eventId ?? '', body(request.body)));
  });
  app.delete(`${events}/:eventId`, cfg('events'), async (request, reply) => {
    const p = request.params as P;
    return run(reply, () => control.deleteEvent(p.accountId ?? '', p.calendarId ?? '', p.eventId ?? ''));
  });
  app.get('/_control/grants', cfg('grants'), async () => ({ value: control.listGrants() }));
  app.post('/_control/grants/revoke', cfg('grants'), async (request, reply) => run(reply, () => control.revokeGrant(body(request.body) as { accountId: string; clientId?: string })));
  app.post('/_control/grants/expire', cfg('grants'), async (request, reply) =>
    run(reply, () => control.expireRefreshTokens(body(request.body) as { accountId: string; clientId?: string; cause: RefreshTokenDeath })),
  );
  app.post('/_control/accounts/:accountId/password-change', cfg('grants'), async (request, reply) => run(reply, () => control.changePassword((request.params as P).accountId ?? '')));
  app.post('/_control/sync-tokens/invalidate', cfg('sync-tokens'), async (request, reply) => run(reply, () => control.invalidateSyncTokens(body(request.body))));
  app.get('/_control/channels', cfg('channels'), async () => ({ value: control.listChannels() }));
  app.delete('/_control/channels/:channelId', cfg('channels'), async (request, reply) =>
    control.removeChannel((request.params as P).channelId ?? '') ? reply.code(204).send() : reply.code(404).send({ error: 'no such channel' }),
  );
  app.get('/_control/push-deliveries', cfg('channels'), async () => ({ value: control.pushDeliveries() }));
  app.post('/_control/usage-limit', cfg('faults'), async (request, reply) =>
    run(reply, () => control.injectUsageLimit(body(request.body) as Parameters<GoogleEmulatorControl['injectUsageLimit']>[0]), 201),
  );
  app.get('/_control/state', cfg('state'), async () => exportState());
}
