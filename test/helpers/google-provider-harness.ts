import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { HOLIDAYS_CALENDAR_ID } from '@calendar-sync-hub/emulators';
import type { ContractHarness, SimpleEvent } from '../integration/providers/calendar-provider.contract.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { asProviderCalendarId, asProviderEventId, type ProviderCalendarId } from '../../src/providers/calendar-provider.js';
import type { CodeRedemption } from '../../src/providers/provider-auth.js';
import { createGoogleCalendarModule, type GoogleCalendarModule, type GoogleCalendarSettings } from '../../src/providers/google-calendar/google-calendar.module.js';
import type { GoogleCalendarProvider } from '../../src/providers/google-calendar/google-calendar.provider.js';
import { startGoogleTestEmulator, TEST_CLIENT, type GoogleTestEnv } from './google-emulator.js';
import { submitConsent } from './google-consent.js';
import { startPushReceiver, type PushReceiver } from './google-push-receiver.js';
import { MemoryTokenStore as KitMemoryTokenStore, pkcePair } from './provider-auth-kit.js';

export { pkcePair };

/**
 * Links the Google adapter to fresh emulator accounts the way the hub does (auth URL, consent form
 * driven like a browser, code redemption, an in-memory TokenStore) and builds the contract harness.
 */

/** Retry settings that keep the adapter's own retry layer fast in tests (Retry-After is still honoured). */
export const FAST_PROVIDER_RETRY = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxTotalWaitMs: 5_000 };

/** The kit's token store, reading the stored blob as Google's token set. */
export class MemoryTokenStore extends KitMemoryTokenStore {
  get tokens(): { access_token: string | null; refresh_token: string | null; expiry_date: number | null; scope: string | null } {
    return JSON.parse(this.blob ?? '{}') as never;
  }
}

/** A logger whose output a test can read (to prove no token is ever logged). */
export function capturingLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level, name: 'google-adapter-test' }, stream), lines };
}

export function providerSettings(env: GoogleTestEnv, over: Partial<GoogleCalendarSettings> = {}): GoogleCalendarSettings {
  const g = env.google;
  return {
    clientId: TEST_CLIENT.clientId,
    clientSecret: TEST_CLIENT.clientSecret,
    authUrl: g.authUrl,
    tokenUrl: g.tokenUrl,
    revokeUrl: g.revokeUrl,
    calendarRootUrl: g.calendarRootUrl,
    pemCertsUrl: g.certsUrls.pem,
    jwkCertsUrl: g.certsUrls.jwk,
    userInfoUrl: g.userInfoUrl,
    tokenInfoUrl: g.tokenInfoUrl,
    requestTimeoutMs: 5_000,
    retry: FAST_PROVIDER_RETRY,
    ...over,
  };
}


export interface GoogleProviderEnv {
  env: GoogleTestEnv;
  settings: GoogleCalendarSettings;
  module: GoogleCalendarModule;
  logger: Logger;
  receiver: PushReceiver;
  close(): Promise<void>;
}

export async function startGoogleProviderEnv(opts: { settings?: Partial<GoogleCalendarSettings>; logger?: Logger } = {}): Promise<GoogleProviderEnv> {
  const env = await startGoogleTestEmulator({ seed: false });
  const settings = providerSettings(env, opts.settings);
  const logger = opts.logger ?? createLogger({ level: 'silent' });
  const module = createGoogleCalendarModule(settings, { logger });
  const receiver = await startPushReceiver();
  return {
    env,
    settings,
    module,
    logger,
    receiver,
    async close() {
      await module.close();
      await receiver.close();
      await env.close();
    },
  };
}

export function newAccount(env: GoogleTestEnv, opts: { timeZone?: string } = {}): { id: string; email: string; calendarIds: string[] } {
  const email = `user-${randomUUID().slice(0, 8)}@example.com`;
  return env.google.control.createAccount({ email, displayName: 'Contract Person', timeZone: opts.timeZone ?? 'Europe/Zurich' });
}

/** The whole linking flow through the adapter's ProviderAuth; `scopes` unticks on granular consent. */
export async function consentAndRedeem(
  p: GoogleProviderEnv,
  email: string,
  opts: { scopes?: string[]; decision?: 'accept' | 'deny'; editUrl?: (url: URL) => void } = {},
): Promise<{ redemption: CodeRedemption | null; redirect: URL }> {
  const { codeVerifier, codeChallenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const url = new URL(await p.module.auth.authorizationUrl({ state, codeChallenge, redirectUri: TEST_CLIENT.redirectUri, loginHint: email }));
  opts.editUrl?.(url);
  const redirect = await submitConsent(url.toString(), { ...(opts.decision ? { decision: opts.decision } : {}), ...(opts.scopes ? { scopes: opts.scopes } : {}) });
  if (redirect.searchParams.get('state') !== state) throw new Error('state was not echoed');
  const code = redirect.searchParams.get('code');
  if (!code) return { redemption: null, redirect };
  return { redemption: await p.module.auth.redeemCode({ code, codeVerifier, redirectUri: TEST_CLIENT.redirectUri }), redirect };
}

export interface LinkedGoogleAccount {
  account: { id: string; email: string; calendarIds: string[] };
  redemption: CodeRedemption;
  tokens: MemoryTokenStore;
  provider: GoogleCalendarProvider;
}

export async function linkAccount(p: GoogleProviderEnv, opts: { logger?: Logger; account?: { id: string; email: string; calendarIds: string[] } } = {}): Promise<LinkedGoogleAccount> {
  const account = opts.account ?? newAccount(p.env);
  const { redemption } = await consentAndRedeem(p, account.email);
  if (!redemption) throw new Error('consent gave no code');
  const tokens = new MemoryTokenStore(redemption.tokenBlob);
  const provider = p.module.connect({
    connectionId: `conn_${account.id}`,
    accountId: redemption.account.accountId,
    homeAccountId: null,
    tokens,
    logger: opts.logger ?? p.logger,
  }) as GoogleCalendarProvider;
  return { account, redemption, tokens, provider };
}

/** The contract harness over one fresh emulator account; faults are scoped to that account. */
export async function googleContractHarness(p: GoogleProviderEnv): Promise<ContractHarness> {
  const { env } = p;
  const control = env.google.control;
  const linked = await linkAccount(p);
  const { account } = linked;
  const readOnly = asProviderCalendarId(HOLIDAYS_CALENDAR_ID);
  control.createCalendar(account.id, { id: HOLIDAYS_CALENDAR_ID, summary: 'Holidays', accessRole: 'reader', timeZone: 'America/New_York' });
  const [primaryId, secondaryId] = account.calendarIds;
  if (!primaryId || !secondaryId) throw new Error('the emulator account has no second calendar');
  const rules: string[] = [];
  const timed = (e: SimpleEvent) => ({ summary: e.subject, start: { dateTime: e.start, timeZone: e.timeZone }, end: { dateTime: e.end, timeZone: e.timeZone } });
  const compactUtc = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  const idOf = (json: Record<string, unknown>) => asProviderEventId(String(json.id));

  return {
    provider: linked.provider,
    primary: asProviderCalendarId(primaryId),
    secondary: asProviderCalendarId(secondaryId),
    readOnly,
    other: {
      createEvent: async (calendarId: ProviderCalendarId, e) => idOf(control.createEvent(account.id, calendarId, timed(e))),
      createWeeklySeries: async (calendarId, e) => idOf(control.createEvent(account.id, calendarId, { ...timed(e), recurrence: [`RRULE:FREQ=WEEKLY;COUNT=${e.count}`] })),
      renameEvent: async (calendarId, eventId, subject) => void control.updateEvent(account.id, calendarId, eventId, { summary: subject }),
      deleteEvent: async (calendarId, eventId) => control.deleteEvent(account.id, calendarId, eventId),
      cancelOccurrence: async (calendarId, seriesMasterId, originalStart) => control.deleteEvent(account.id, calendarId, `${seriesMasterId}_${compactUtc(originalStart)}`),
      listEventIds: async (calendarId) => {
        const page = control.listEvents(account.id, calendarId, { maxResults: '2500' }) as { items?: { id: string }[] };
        return (page.items ?? []).map((i) => i.id);
      },
    },
    faults: {
      dropNextCreateResponse: () => {
        rules.push(env.core.faults.add({ provider: 'google', route: 'google.events.insert', account: account.id, action: { kind: 'dropResponse' } }).id);
      },
      rateLimitEventRequests: ({ retryAfterSeconds, times }) => {
        rules.push(control.injectUsageLimit({ status: 403, reason: 'rateLimitExceeded', route: 'google.events.*', account: account.id, retryAfterSeconds, trigger: { mode: 'times', count: times } }).id);
      },
      failEventRequests: ({ times }) => {
        rules.push(env.core.faults.add({ provider: 'google', route: 'google.events.*', account: account.id, action: { kind: 'status', status: 503 }, trigger: { mode: 'times', count: times } }).id);
      },
      invalidateCursors: () => void control.invalidateSyncTokens({ accountId: account.id }),
      revokeGrant: () => void control.revokeGrant({ accountId: account.id, clientId: TEST_CLIENT.clientId }),
    },
    providerRequests: () => env.core.counters.total({ provider: 'google', account: account.id }).requests,
    providerTraffic: () => env.core.counters.total({ provider: 'google', account: account.id }),
    webhookUrl: p.receiver.url,
    async close() {
      for (const id of rules) env.core.faults.remove(id);
      await linked.provider.flushTokens();
    },
  };
}
