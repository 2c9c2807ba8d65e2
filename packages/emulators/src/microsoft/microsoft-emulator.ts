import { randomUUID } from 'node:crypto';
import http from 'node:http';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { instrumentEmulator } from '../core/instrument.js';
import { sharedRsaPrivateKeyPem } from '../core/rsa-key.js';
import type { EmulatorHandle, EmulatorStartOptions } from '../types.js';
import { aadstsBody, AadstsError, isAadstsError } from './aadsts-errors.js';
import { CalendarService } from './calendar-service.js';
import { registerBatchRoute } from './graph-batch-routes.js';
import { defaultGraphError, GraphError, graphErrorBody, isGraphError, methodNotAllowed } from './graph-errors.js';
import { bearerOf, registerGraphRoutes, type GraphDeps } from './graph-routes.js';
import { registerSubscriptionRoutes } from './graph-subscription-routes.js';
import { IdentityService } from './identity-service.js';
import { identityAccountsOf, registerIdentityRoutes } from './identity-routes.js';
import { createMicrosoftControl, registerControlRoutes, type MicrosoftControl } from './microsoft-control.js';
import { DEFAULT_MICROSOFT_SETTINGS, type MicrosoftEmulatorSettings } from './microsoft-settings.js';
import { DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_ID, emptyState, isMicrosoftState, type MicrosoftState } from './microsoft-state.js';
import { registerSandboxRoutes } from './sandbox-page.js';
import { SubscriptionService } from './subscription-service.js';

/**
 * The Microsoft emulator: Microsoft identity platform (v2 endpoints) and Microsoft Graph calendar
 * over HTTPS on one port. Identity lives under `/{tenant}/...`, Graph under `/v1.0/...`, the
 * control API under `/_control/...` and the sandbox pages under `/sandbox/...`.
 *
 * Pointing the real SDKs at it (docs/providers.md#msal-authority-and-discovery,
 * docs/providers.md#graph-requests-and-preferences): MSAL needs the https authority
 * `handle.authority(tenant)` plus `knownAuthorities: [handle.authorityHost]` (host with port) so it
 * skips instance discovery, and a `system.networkClient` that trusts the emulator CA
 * (`createMsalNetworkClient` in providers/microsoft-graph); the Graph client needs
 * `baseUrl: handle.graphBaseUrl`, `customHosts: new Set([hostname])` and a CA-trusting fetch
 * (`graph-fetch.ts`).
 */
export interface MicrosoftEmulatorHandle extends EmulatorHandle {
  /** `https://127.0.0.1:<port>/<tenant>/` — an MSAL authority (default tenant `common`). */
  authority(tenant?: string): string;
  /** `127.0.0.1:<port>`: what MSAL's `knownAuthorities` must contain. */
  authorityHost: string;
  /** Base URL for the Graph client (`Client.init({ baseUrl })` appends `/v1.0/...`). */
  graphBaseUrl: string;
  /** Tenant id of the seeded work accounts. */
  defaultTenantId: string;
  /**
   * `http://127.0.0.1:<port>`: the pages a person opens in a browser — sign-in and consent
   * (`/{tenant}/oauth2/v2.0/authorize`) and the sandbox pages — over plain HTTP on a second port,
   * so a fresh browser shows no certificate warning. Everything the SDKs call (token, metadata,
   * keys, Graph) and the control API answer on `origin` (HTTPS) only.
   */
  browserOrigin: string;
  control: MicrosoftControl;
}

export interface MicrosoftEmulatorStartOptions extends EmulatorStartOptions {
  /** Port of `browserOrigin`; 0 (default) picks a free one. */
  browserPort?: number;
}

/** What the plain-HTTP listener serves: the pages a browser opens (see `browserOrigin`). */
const BROWSER_PATHS = [/^\/[^/?]+\/oauth2\/v2\.0\/(authorize(\/consent)?|logout)(\?|$)/, /^\/sandbox(\/|\?|$)/, /^\/(\?|$)/];

/** Fixed ids of the seeded sandbox accounts, so docs and manual testing can name them. */
export const SEEDED_MICROSOFT_ACCOUNTS = {
  adele: 'b1a4c2d3-5e6f-4a1b-9c8d-0e1f2a3b4c5d',
  alex: 'c2b5d3e4-6f7a-4b2c-8d9e-1f2a3b4c5d6e',
  megan: '00000000-0000-0000-5b1e-8f7a6c3d2e11',
  lee: 'd3c6e4f5-7a8b-4c3d-9e0f-2a3b4c5d6e7f',
} as const;

function seed(control: MicrosoftControl, state: MicrosoftState): void {
  state.tenants[DEFAULT_TENANT_ID] = { id: DEFAULT_TENANT_ID, displayName: 'Contoso', domains: [DEFAULT_TENANT_DOMAIN, 'contoso.com'] };
  const adele = control.createAccount({ id: SEEDED_MICROSOFT_ACCOUNTS.adele, email: `adele.vance@${DEFAULT_TENANT_DOMAIN}`, displayName: 'Adele Vance', calendars: ['Team events'] });
  control.createAccount({ id: SEEDED_MICROSOFT_ACCOUNTS.alex, email: `alex.wilber@${DEFAULT_TENANT_DOMAIN}`, displayName: 'Alex Wilber', calendars: ['Projects'] });
  control.createAccount({ id: SEEDED_MICROSOFT_ACCOUNTS.megan, email: 'megan.bowen@outlook.com', displayName: 'Megan Bowen', kind: 'personal', calendars: ['Family'] });
  control.createAccount({ id: SEEDED_MICROSOFT_ACCOUNTS.lee, email: `lee.gu@${DEFAULT_TENANT_DOMAIN}`, displayName: 'Lee Gu', mailboxEnabled: false });
  for (const a of [adele, control.getAccount(SEEDED_MICROSOFT_ACCOUNTS.alex), control.getAccount(SEEDED_MICROSOFT_ACCOUNTS.megan)]) {
    const holidays = control.createCalendar(a.id, 'United States holidays');
    for (const [subject, month, day] of [
      ["New Year's Day", 1, 1],
      ['Independence Day', 7, 4],
      ['Christmas Day', 12, 25],
    ] as const) {
      const date = `2020-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
      const next = `2020-${String(month).padStart(2, '0')}-${String(day + 1).padStart(2, '0')}`;
      control.createEvent(a.id, holidays.id as string, {
        subject,
        isAllDay: true,
        showAs: 'free',
        start: { dateTime: `${date}T00:00:00`, timeZone: 'UTC' },
        end: { dateTime: `${next}T00:00:00`, timeZone: 'UTC' },
        recurrence: { pattern: { type: 'absoluteYearly', interval: 1, month, dayOfMonth: day }, range: { type: 'noEnd', startDate: date } },
      });
    }
    // Holidays are published by Microsoft, not editable by the user.
    state.calendars[holidays.id as string]!.canEdit = false;
    state.calendars[holidays.id as string]!.isRemovable = false;
  }
}

export async function startMicrosoftEmulator(opts: MicrosoftEmulatorStartOptions): Promise<MicrosoftEmulatorHandle> {
  const { core } = opts;
  const state: MicrosoftState = isMicrosoftState(opts.initialState) ? structuredClone(opts.initialState) : emptyState();
  const settings: MicrosoftEmulatorSettings = { ...DEFAULT_MICROSOFT_SETTINGS, ...state.settings };
  let origin = '';
  let seeding = false;
  const changed = () => {
    if (!seeding) opts.onStateChange?.();
  };
  const getOrigin = () => origin;

  state.signingKey ??= { kid: randomUUID().replace(/-/g, '').slice(0, 27), privateKeyPem: await sharedRsaPrivateKeyPem() };
  const identity = new IdentityService(state, { clock: core.clock, settings, changed });
  const calendar = new CalendarService(state, { clock: core.clock, settings, changed });
  const subscriptions = new SubscriptionService(state, { clock: core.clock, settings, changed, logger: opts.logger });
  calendar.onChange((change) => {
    const account = state.accounts[change.accountId];
    if (!account) return;
    const defaultCalendar = calendar.calendars(account.id).find((c) => c.isDefault);
    subscriptions.onEventChange(change, defaultCalendar?.id ?? '', account.tenantId);
  });
  const control = createMicrosoftControl({ state, settings, calendar, identity, subscriptions, origin: getOrigin, changed, now: () => core.clock.now() });

  if (Object.keys(state.accounts).length === 0 && (opts.seed ?? true)) {
    seeding = true;
    seed(control, state);
    seeding = false;
  }

  const app = Fastify({ https: { key: opts.tls.keyPem, cert: opts.tls.certPem }, logger: false, forceCloseConnections: true, bodyLimit: 4 * 1024 * 1024 });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(String(body))) if (!(k in out)) out[k] = v;
    done(null, out);
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  const isGraph = (request: FastifyRequest) => request.url.startsWith('/v1.0/') || request.url.startsWith('/beta/');
  const isIdentity = (request: FastifyRequest) => (request.routeOptions.config?.routeId ?? '').startsWith('identity.');

  const accountNames = (id: string | undefined): string[] => {
    const a = id ? state.accounts[id] : undefined;
    return a ? [a.id, a.email] : [];
  };

  instrumentEmulator(app, {
    provider: 'microsoft',
    core,
    resolveAccounts: (request) => {
      if (isGraph(request)) {
        const bearer = bearerOf(request);
        return accountNames(bearer ? identity.accountOfAccessToken(bearer) : undefined);
      }
      if (isIdentity(request)) return identityAccountsOf(request, state, identity);
      const key = (request.params as { account?: string } | undefined)?.account?.toLowerCase();
      const a = key ? Object.values(state.accounts).find((x) => x.id.toLowerCase() === key || x.email.toLowerCase() === key) : undefined;
      return a ? [a.id, a.email] : [];
    },
    renderError: (status, request) => {
      if (isIdentity(request)) {
        const error = status >= 500 || status === 429 ? 'temporarily_unavailable' : 'invalid_request';
        return { body: aadstsBody(new AadstsError(status, error, status >= 500 ? 90033 : 90000, 'The service is temporarily unavailable. Try again later.'), origin, core.clock.date()) };
      }
      const { code, message } = defaultGraphError(status);
      return { body: graphErrorBody(code, message, headerString(request, 'client-request-id'), core.clock.date(), status) };
    },
  });

  // More than `mailboxConcurrencyLimit` requests in flight against one mailbox → 429
  // (docs/providers.md#graph-throttling-and-batching).
  const inflight = new Map<string, number>();
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isGraph(request) || request.url.startsWith('/v1.0/$batch')) return;
    const bearer = bearerOf(request);
    const accountId = bearer ? identity.accountOfAccessToken(bearer) : undefined;
    if (!accountId) return;
    const current = inflight.get(accountId) ?? 0;
    if (current >= settings.mailboxConcurrencyLimit) {
      request.emulatorAccounts = accountNames(accountId);
      return reply
        .code(429)
        .header('retry-after', String(settings.throttleRetryAfterSeconds))
        .send(graphErrorBody('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', headerString(request, 'client-request-id'), core.clock.date(), 429));
    }
    inflight.set(accountId, current + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (inflight.get(accountId) ?? 1) - 1;
      if (n <= 0) inflight.delete(accountId);
      else inflight.set(accountId, n);
    };
    reply.raw.once('close', release);
    reply.raw.once('finish', release);
    request.raw.once('close', () => {
      if (reply.raw.writableEnded || request.raw.destroyed) release();
    });
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    if (isGraphError(error)) {
      for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
      return reply.code(error.status).send(graphErrorBody(error.code, error.message, headerString(request, 'client-request-id'), core.clock.date(), error.status));
    }
    if (isAadstsError(error)) return reply.code(error.status).send(aadstsBody(error, origin, core.clock.date()));
    const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status < 500) {
      const message = status === 415 ? 'Unsupported Content-Type.' : (error as Error).message;
      return reply.code(status).send(isGraph(request) ? graphErrorBody('BadRequest', message, undefined, core.clock.date()) : { error: 'invalid_request', error_description: message });
    }
    opts.logger?.error({ err: error, route: request.routeOptions.config?.routeId }, 'microsoft emulator: unexpected error');
    return reply.code(500).send(graphErrorBody('InternalServerError', 'An internal server error occurred.', undefined, core.clock.date()));
  });

  app.setNotFoundHandler((request, reply) => {
    if (isGraph(request)) {
      const segment = request.url.split('?')[0]!.split('/').filter(Boolean).pop() ?? '';
      return reply.code(400).send(graphErrorBody('BadRequest', `Resource not found for the segment '${decodeURIComponent(segment)}'.`, undefined, core.clock.date()));
    }
    return reply.code(404).send({ error: 'not_found', error_description: `No route ${request.method} ${request.url.split('?')[0]}` });
  });

  // Graph's response headers: Cache-Control on every answer; OData-Version and the OData JSON media
  // type on successful JSON answers, plain application/json on errors (https://learn.microsoft.com/graph/json-batching).
  app.addHook('onSend', async (request, reply, payload) => {
    if (!isGraph(request)) return payload;
    reply.header('cache-control', 'no-cache');
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json')) {
      if (reply.statusCode < 400) reply.header('content-type', ODATA_JSON).header('odata-version', '4.0');
      else reply.header('content-type', 'application/json');
    }
    return payload;
  });

  // Every Graph path answers the methods it does not support with 405 (not the 400 of an unknown segment).
  const graphMethods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1.0/')) return;
    const methods = graphMethods.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    graphMethods.set(route.url, methods);
  });

  const graphDeps: GraphDeps = { state, settings, calendar, identity, subscriptions, origin: getOrigin };
  registerIdentityRoutes(app, { state, settings, identity, clock: core.clock, origin: getOrigin });
  registerGraphRoutes(app, graphDeps);
  registerSubscriptionRoutes(app, graphDeps);
  registerBatchRoute(app, settings);
  for (const [url, methods] of [...graphMethods]) {
    const unsupported = GRAPH_METHODS.filter((m) => !methods.has(m));
    if (unsupported.length === 0) continue;
    app.route({
      method: unsupported,
      url,
      config: { routeId: 'graph.methodNotAllowed' },
      handler: async () => {
        throw methodNotAllowed();
      },
    });
  }
  registerControlRoutes(app, control);
  registerSandboxRoutes(app, { state, calendar, now: () => core.clock.now() });
  app.get('/', { config: { routeId: 'sandbox' } }, async (_request, reply) => reply.redirect('/sandbox', 302));

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port ?? 0;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  origin = `https://${displayHost}:${port}`;

  // The browser pages over plain HTTP, through the same routes, hooks and faults as on HTTPS.
  const browserServer = http.createServer((request, response) => {
    if (BROWSER_PATHS.some((re) => re.test(request.url ?? ''))) return app.routing(request, response);
    response.writeHead(421, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'https_required', error_description: `Only the sign-in and sandbox pages answer over http; call ${origin}${request.url ?? '/'}` }));
  });
  await new Promise<void>((resolve, reject) => {
    browserServer.once('error', reject);
    browserServer.listen({ host, port: opts.browserPort ?? 0 }, () => resolve());
  });
  const browserAddress = browserServer.address();
  const browserOrigin = `http://${displayHost}:${typeof browserAddress === 'object' && browserAddress ? browserAddress.port : 0}`;

  return {
    origin,
    authority: (tenant = 'common') => `${origin}/${tenant}/`,
    authorityHost: `${displayHost}:${port}`,
    graphBaseUrl: origin,
    defaultTenantId: DEFAULT_TENANT_ID,
    browserOrigin,
    control,
    exportState: () => structuredClone({ ...state, settings: { ...settings } }),
    listAccounts: () =>
      control.listAccounts().map(({ id, email, displayName, calendarIds, mailboxEnabled }) => ({
        id,
        email,
        displayName,
        calendarIds,
        ...(mailboxEnabled ? {} : { calendarUnavailable: 'no Exchange Online mailbox (Graph answers MailboxNotEnabledForRESTAPI)' }),
      })),
    sandboxUrl: (accountId: string) => `${browserOrigin}/sandbox/${encodeURIComponent(accountId)}`,
    async close() {
      subscriptions.close();
      browserServer.closeAllConnections();
      await new Promise<void>((resolve) => browserServer.close(() => resolve()));
      await app.close();
    },
  };
}

const GRAPH_METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];
/** The media type Graph gives its JSON answers. */
const ODATA_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

function headerString(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}
