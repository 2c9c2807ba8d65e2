import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { DateTime } from 'luxon';
import { createLogger } from '../../src/logger.js';
import type { ProviderCalendarId, ProviderEventId } from '../../src/providers/calendar-provider.js';
import { createMicrosoftGraphModule, type GraphTuningOptions, type MicrosoftGraphModule, type MicrosoftGraphSettings } from '../../src/providers/microsoft-graph/microsoft-graph.module.js';
import type { CodeRedemption } from '../../src/providers/provider-auth.js';
import type { ContractHarness, SimpleEvent } from '../integration/providers/calendar-provider.contract.js';
import { driveConsent, type MicrosoftTestEnv } from './microsoft-emulator.js';
import { MemoryTokenStore, pkcePair } from './provider-auth-kit.js';

export { MemoryTokenStore, pkcePair };

export const silentLogger = createLogger({ level: 'silent' });

/** Retry waits short enough for tests; Retry-After values sent by the emulator are still honoured. */
export const TEST_TUNING: GraphTuningOptions = { retry: { maxAttempts: 3, baseDelayMs: 20, maxTotalWaitMs: 5_000 }, requestTimeoutMs: 10_000 };

export function settingsFor(env: MicrosoftTestEnv): MicrosoftGraphSettings {
  return {
    clientId: env.client.clientId,
    clientSecret: env.client.clientSecret,
    authorityHost: env.ms.origin,
    tenant: 'common',
    graphBaseUrl: env.ms.graphBaseUrl,
    caPem: env.caPem,
  };
}

let accountSeq = 0;
export const uniqueEmail = (prefix: string) => `${prefix}-${++accountSeq}-${randomBytes(3).toString('hex')}@contoso.onmicrosoft.com`;

/** Builds the consent URL through the adapter, consents like a browser, and returns the callback URL. */
export async function consent(env: MicrosoftTestEnv, module: MicrosoftGraphModule, email: string, opts: { rewriteUrl?: (url: URL) => void; decision?: 'accept' | 'deny' } = {}) {
  const pkce = pkcePair();
  const url = new URL(await module.auth.authorizationUrl({ state: `state-${randomBytes(4).toString('hex')}`, codeChallenge: pkce.codeChallenge, redirectUri: env.client.redirectUri, loginHint: email }));
  opts.rewriteUrl?.(url);
  const callback = await driveConsent(env, url.toString(), { account: env.ms.control.getAccount(email).id, decision: opts.decision ?? 'accept' });
  return { callback, pkce, authorizationUrl: url };
}

/** Links an emulator account through the adapter's own OAuth side and connects a provider to it. */
export async function linkAccount(env: MicrosoftTestEnv, module: MicrosoftGraphModule, email: string) {
  const { callback, pkce } = await consent(env, module, email);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.toString()}`);
  const redemption: CodeRedemption = await module.auth.redeemCode({ code, codeVerifier: pkce.codeVerifier, redirectUri: env.client.redirectUri });
  const tokens = new MemoryTokenStore(redemption.tokenBlob);
  const provider = module.connect({
    connectionId: `conn_${redemption.account.accountId.slice(0, 8)}`,
    accountId: redemption.account.accountId,
    homeAccountId: redemption.account.homeAccountId,
    tokens,
    logger: silentLogger,
  });
  return { redemption, tokens, provider };
}

/** A local endpoint that answers Graph's subscription validation handshake (docs/providers.md#graph-subscriptions) and accepts notifications. */
export async function startGraphWebhook(): Promise<{ url: string; notifications: string[]; close(): Promise<void> }> {
  const notifications: string[] = [];
  const server: Server = createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('validationToken');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (token !== null) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        return;
      }
      notifications.push(body);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/webhooks/microsoft-graph`, notifications, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const GRAPH_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function wallClock(instant: string, zone: string) {
  const dt = DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone);
  return { dateTime: dt.toFormat("yyyy-LL-dd'T'HH:mm:ss"), timeZone: zone, date: dt.toISODate()!, weekday: GRAPH_DAYS[dt.weekday - 1]! };
}

/**
 * The contract harness over the Microsoft emulator: a fresh account per test (default calendar,
 * "Secondary", read-only "Birthdays"), linked through `MicrosoftAuth` and driven through the real
 * MSAL and Graph SDKs. "The other side" is the emulator's control API; faults are emulator rules.
 */
export async function makeMicrosoftContractHarness(env: MicrosoftTestEnv, webhookUrl: string): Promise<ContractHarness> {
  const email = uniqueEmail('contract');
  const info = env.ms.control.createAccount({ email, calendars: ['Secondary'] });
  const calendars = env.ms.control.listCalendars(email);
  const idOf = (match: (c: Record<string, unknown>) => boolean) => {
    const cal = calendars.find(match);
    if (!cal) throw new Error('calendar missing in the emulator account');
    return cal.id as ProviderCalendarId;
  };
  const module = createMicrosoftGraphModule(settingsFor(env), { logger: silentLogger, tuning: TEST_TUNING });
  const { provider } = await linkAccount(env, module, email);
  const control = env.ms.control;
  const eventBody = (e: SimpleEvent) => {
    const start = wallClock(e.start, e.timeZone);
    const end = wallClock(e.end, e.timeZone);
    return { subject: e.subject, start: { dateTime: start.dateTime, timeZone: e.timeZone }, end: { dateTime: end.dateTime, timeZone: e.timeZone }, first: start };
  };
  return {
    provider,
    primary: idOf((c) => c.isDefaultCalendar === true),
    secondary: idOf((c) => c.name === 'Secondary'),
    readOnly: idOf((c) => c.name === 'Birthdays'),
    webhookUrl,
    other: {
      async createEvent(calendarId, event) {
        const { first: _first, ...body } = eventBody(event);
        return control.createEvent(email, calendarId, body).id as ProviderEventId;
      },
      async createWeeklySeries(calendarId, event) {
        const { first, ...body } = eventBody(event);
        const recurrence = {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: [first.weekday], firstDayOfWeek: 'monday' },
          range: { type: 'numbered', startDate: first.date, numberOfOccurrences: event.count },
        };
        return control.createEvent(email, calendarId, { ...body, recurrence }).id as ProviderEventId;
      },
      async renameEvent(_calendarId, eventId, subject) {
        control.updateEvent(email, eventId, { subject });
      },
      async deleteEvent(_calendarId, eventId) {
        control.deleteEvent(email, eventId);
      },
      async cancelOccurrence(calendarId, seriesMasterId, originalStart) {
        const at = Date.parse(originalStart);
        const instances = control.listInstances(email, calendarId, new Date(at - 60_000).toISOString(), new Date(at + 86_400_000).toISOString());
        const occurrence = instances.find((i) => i.seriesMasterId === seriesMasterId && Date.parse(String(i.originalStart)) === at);
        if (!occurrence) throw new Error(`no occurrence of ${seriesMasterId} at ${originalStart}`);
        control.deleteEvent(email, occurrence.id as string);
      },
      async listEventIds(calendarId) {
        return control.listEvents(email, calendarId).map((e) => e.id as string);
      },
    },
    faults: {
      dropNextCreateResponse() {
        env.core.faults.add({ provider: 'microsoft', route: 'graph.events.create', account: email, action: { kind: 'dropResponse' }, trigger: { mode: 'once' } });
      },
      rateLimitEventRequests({ retryAfterSeconds, times }) {
        env.core.faults.add({ provider: 'microsoft', route: 'graph.events.*', account: email, action: { kind: 'status', status: 429, retryAfterSeconds }, trigger: { mode: 'times', count: times } });
      },
      failEventRequests({ times }) {
        env.core.faults.add({ provider: 'microsoft', route: 'graph.events.*', account: email, action: { kind: 'status', status: 503 }, trigger: { mode: 'times', count: times } });
      },
      invalidateCursors() {
        control.invalidateDeltaTokens(email);
      },
      revokeGrant() {
        control.revokeGrant(email);
      },
    },
    providerRequests: () => env.core.counters.total({ provider: 'microsoft', account: info.id }).requests,
    providerTraffic: () => env.core.counters.total({ provider: 'microsoft', account: info.id }),
    async close() {
      env.core.faults.clear('microsoft');
      await module.close();
    },
  };
}
