import Fastify, { type FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { instrumentEmulator } from '../core/instrument.js';
import type { EmulatorHandle, EmulatorStartOptions } from '../types.js';
import { registerBatchRoutes } from './calendar/google-batch.routes.js';
import { GoogleCalendarListService } from './calendar/google-calendar-list.service.js';
import { registerCalendarRoutes } from './calendar/google-calendar.routes.js';
import { GoogleEventsService } from './calendar/google-events.service.js';
import { GooglePushService } from './calendar/google-push.service.js';
import { renderInjectedCalendarError, renderInjectedOAuthError } from './google-api.errors.js';
import { GoogleContext } from './google-context.js';
import { GoogleEmulatorControl, registerControlRoutes } from './google-control.js';
import { bearerToken, formFields, installErrorHandling, installParsers } from './google-http.js';
import { createEmptyState, importState, listKey, type GoogleState } from './google-state.js';
import { createSigningKey } from './oauth/id-token-signer.js';
import { GOOGLE_OAUTH_PATHS, registerOAuthRoutes } from './oauth/google-oauth.routes.js';
import { GoogleOAuthService } from './oauth/google-oauth.service.js';
import { registerSandboxRoutes, sandboxPath } from './sandbox/google-sandbox.routes.js';

/**
 * A local Google: OAuth 2.0 (accounts.google.com, oauth2.googleapis.com) and Calendar API v3 on
 * one plain-http origin, driven by the real google-auth-library and @googleapis/calendar:
 *
 *   const auth = new OAuth2Client({ clientId, clientSecret, redirectUri, endpoints: handle.oauthEndpoints });
 *   const cal = calendar({ version: 'v3', auth, rootUrl: handle.calendarRootUrl });
 *
 * Behaviour follows docs/providers.md#google-calendar-srcprovidersgoogle-calendar and the Google
 * sections after it; switches for the points the documentation leaves open are in `google-settings.ts`.
 */
export interface GoogleEmulatorHandle extends EmulatorHandle {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  tokenInfoUrl: string;
  userInfoUrl: string;
  certsUrls: { pem: string; jwk: string };
  /** `origin + '/'`: pass as `rootUrl` to `calendar({ version: 'v3', rootUrl })`. */
  calendarRootUrl: string;
  /** The `endpoints` option of google-auth-library's `OAuth2Client`. */
  oauthEndpoints: {
    oauth2AuthBaseUrl: string;
    oauth2TokenUrl: string;
    oauth2RevokeUrl: string;
    tokenInfoUrl: string;
    oauth2FederatedSignonPemCertsUrl: string;
    oauth2FederatedSignonJwkCertsUrl: string;
  };
  control: GoogleEmulatorControl;
}

export async function startGoogleEmulator(opts: EmulatorStartOptions): Promise<GoogleEmulatorHandle> {
  const state: GoogleState = opts.initialState ? importState(opts.initialState) : createEmptyState(await createSigningKey());
  const ctx = new GoogleContext(state, opts.core.clock, opts.onStateChange, opts.logger);
  const oauth = new GoogleOAuthService(ctx);
  const calendarList = new GoogleCalendarListService(ctx);
  const events = new GoogleEventsService(ctx);
  const push = new GooglePushService(ctx, events);
  const control = new GoogleEmulatorControl(ctx, opts.core, oauth, calendarList, events, push);

  // Event ids are up to 1024 characters, and an instance id adds `_<original start>` to its
  // series' id (events.insert `id`, docs/providers.md#google-event-ids): path parameters must fit.
  const app = Fastify({ logger: false, bodyLimit: 32 * 1024 * 1024, forceCloseConnections: true, routerOptions: { maxParamLength: 1100 } });
  installParsers(app);
  installErrorHandling(app);

  const accountNames = (accountId: string | undefined): string[] => {
    const a = accountId ? ctx.state.accounts[accountId] : undefined;
    return a ? [a.id, a.email] : [];
  };
  instrumentEmulator(app, {
    provider: 'google',
    core: opts.core,
    resolveAccounts(request: FastifyRequest) {
      const routeId = request.routeOptions.config?.routeId ?? '';
      if (routeId === 'google.oauth.token') return oauth.accountsOfTokenRequest(formFields(request.body));
      if (routeId === 'google.oauth.authorize') return accountNames(oauth.findAccount(formFields(request.query).login_hint)?.id);
      if (routeId === 'google.oauth.consent') return accountNames(formFields(request.body).account);
      const token = bearerToken(request);
      return token ? accountNames(ctx.state.accessTokens[token]?.accountId) : [];
    },
    renderError(status, request) {
      const routeId = request.routeOptions.config?.routeId ?? '';
      if (routeId.startsWith('google.oauth')) return { body: renderInjectedOAuthError(status).body() };
      return { body: renderInjectedCalendarError(status).body() };
    },
  });

  registerOAuthRoutes(app, ctx, oauth);
  registerCalendarRoutes(app, { oauth, events, calendarList, push });
  registerBatchRoutes(app);
  registerSandboxRoutes(app, ctx, events);
  const exportState = (): unknown => structuredClone(ctx.state);
  registerControlRoutes(app, control, exportState);

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 0);
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.origin = origin;

  if (!opts.initialState && (opts.seed ?? true)) seedSandbox(ctx, control, calendarList, events);

  const oauthEndpoints = {
    oauth2AuthBaseUrl: `${origin}${GOOGLE_OAUTH_PATHS.authorize}`,
    oauth2TokenUrl: `${origin}${GOOGLE_OAUTH_PATHS.token}`,
    oauth2RevokeUrl: `${origin}${GOOGLE_OAUTH_PATHS.revoke}`,
    tokenInfoUrl: `${origin}${GOOGLE_OAUTH_PATHS.tokenInfo}`,
    oauth2FederatedSignonPemCertsUrl: `${origin}${GOOGLE_OAUTH_PATHS.pemCerts}`,
    oauth2FederatedSignonJwkCertsUrl: `${origin}${GOOGLE_OAUTH_PATHS.jwkCerts}`,
  };
  return {
    origin,
    authUrl: oauthEndpoints.oauth2AuthBaseUrl,
    tokenUrl: oauthEndpoints.oauth2TokenUrl,
    revokeUrl: oauthEndpoints.oauth2RevokeUrl,
    tokenInfoUrl: oauthEndpoints.tokenInfoUrl,
    userInfoUrl: `${origin}${GOOGLE_OAUTH_PATHS.userInfo}`,
    certsUrls: { pem: oauthEndpoints.oauth2FederatedSignonPemCertsUrl, jwk: oauthEndpoints.oauth2FederatedSignonJwkCertsUrl },
    calendarRootUrl: `${origin}/`,
    oauthEndpoints,
    control,
    exportState,
    listAccounts: () => control.listAccounts(),
    sandboxUrl: (accountId: string) => `${origin}${sandboxPath(accountId)}`,
    async close() {
      push.close();
      await app.close();
    },
  };
}

export const HOLIDAYS_CALENDAR_ID = 'en.usa#holiday@group.v.calendar.google.com';

/**
 * Three sandbox accounts (each with a primary and a second calendar, plus a shared read-only
 * holidays calendar) and a few events relative to "now", including a `workingLocation` and an
 * `outOfOffice` event so the hub's event-type filtering can be exercised.
 */
function seedSandbox(ctx: GoogleContext, control: GoogleEmulatorControl, calendarList: GoogleCalendarListService, events: GoogleEventsService): void {
  const people = [
    { email: 'alice@example.com', displayName: 'Alice Sandbox', timeZone: 'Europe/Berlin' },
    { email: 'bob@example.com', displayName: 'Bob Sandbox', timeZone: 'America/New_York' },
    { email: 'carol@example.com', displayName: 'Carol Sandbox', timeZone: 'UTC' },
  ];
  const accounts = people.map((p) => control.createAccount(p));
  for (const a of accounts) {
    const record = ctx.state.accounts[a.id];
    if (record) calendarList.addCalendar(record, { id: HOLIDAYS_CALENDAR_ID, summary: 'Holidays in United States', timeZone: 'America/New_York' }, 'reader', false, false);
  }
  const holidays = ctx.state.calendars[HOLIDAYS_CALENDAR_ID];
  const firstAccount = accounts[0];
  if (holidays && firstAccount) {
    // Holidays belong to nobody: write them with a temporary owner entry, then make the list read-only again.
    const entry = ctx.state.calendarList[listKey(firstAccount.id, HOLIDAYS_CALENDAR_ID)];
    if (entry) entry.accessRole = 'owner';
    const year = DateTime.fromMillis(ctx.now(), { zone: 'America/New_York' }).year;
    for (const y of [year, year + 1]) {
      for (const [summary, month, day] of [
        ["New Year's Day", 1, 1],
        ['Independence Day', 7, 4],
        ['Christmas Day', 12, 25],
      ] as const) {
        const start = DateTime.fromObject({ year: y, month, day }, { zone: 'UTC' });
        events.insertEvent(firstAccount.id, HOLIDAYS_CALENDAR_ID, {
          summary,
          description: 'Public holiday',
          transparency: 'transparent',
          visibility: 'public',
          start: { date: start.toISODate() },
          end: { date: start.plus({ days: 1 }).toISODate() },
        });
      }
    }
    if (entry) entry.accessRole = 'reader';
  }

  const [alice, bob] = accounts;
  if (alice) {
    const zone = 'Europe/Berlin';
    const today = DateTime.fromMillis(ctx.now(), { zone }).startOf('day');
    const at = (d: DateTime, h: number, m = 0) => ({ dateTime: d.set({ hour: h, minute: m }).toISO({ suppressMilliseconds: true }), timeZone: zone });
    const tomorrow = today.plus({ days: 1 });
    events.insertEvent(alice.id, 'primary', { summary: 'Project kickoff', location: 'Room 4.02', description: 'Agenda to follow.', start: at(tomorrow, 10), end: at(tomorrow, 11) });
    const monday = today.plus({ days: ((8 - today.weekday) % 7) || 7 });
    events.insertEvent(alice.id, 'primary', { summary: 'Weekly team sync', start: at(monday, 9, 30), end: at(monday, 10), recurrence: ['RRULE:FREQ=WEEKLY;WKST=SU;BYDAY=MO'] });
    events.insertEvent(alice.id, 'primary', {
      summary: 'Home',
      eventType: 'workingLocation',
      visibility: 'public',
      transparency: 'transparent',
      start: { date: today.toISODate() },
      end: { date: today.plus({ days: 1 }).toISODate() },
      workingLocationProperties: { type: 'homeOffice', homeOffice: {} },
    });
    const away = today.plus({ days: 14 });
    events.insertEvent(alice.id, 'primary', {
      summary: 'Out of office',
      eventType: 'outOfOffice',
      transparency: 'opaque',
      start: at(away, 9),
      end: at(away, 17),
      outOfOfficeProperties: { autoDeclineMode: 'declineOnlyNewConflictingInvitations', declineMessage: 'I am out of office.' },
    });
  }
  if (bob) {
    const zone = 'America/New_York';
    const day = DateTime.fromMillis(ctx.now(), { zone }).startOf('day').plus({ days: 2 });
    events.insertEvent(bob.id, 'primary', {
      summary: 'Dentist',
      start: { dateTime: day.set({ hour: 15 }).toISO({ suppressMilliseconds: true }), timeZone: zone },
      end: { dateTime: day.set({ hour: 16 }).toISO({ suppressMilliseconds: true }), timeZone: zone },
    });
  }
}
