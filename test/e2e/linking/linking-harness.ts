import { expect } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import type { HubOverrides } from '../../../src/hub.js';
import { createCaFetch, type CaFetch } from '../../../src/providers/microsoft-graph/graph-fetch.js';
import type { SandboxProviders } from '../../../src/sandbox/sandbox-providers.js';
import { CreateApiKeyDocument, CreateTenantDocument, LinkCalendarDocument, UpsertHostUserDocument, type LinkCalendarInput } from '../../graphql/generated.js';
import { submitConsent } from '../../helpers/google-consent.js';
import type { HubId } from '../../../src/domain/ids.js';
import { idOf, startTestHub, type TestHub } from '../../helpers/hub-harness.js';
import { driveConsent } from '../../helpers/microsoft-emulator.js';

/**
 * What linking through a hub's API needs: its GraphQL client, its admin key, the emulators playing
 * the providers, and a browser stand-in that trusts the Microsoft emulator's CA. A hub in this
 * process (`startLinkingHub`) and a hub in another process (test/helpers/hub-process.ts) both are one.
 */
export interface LinkDriver extends Pick<TestHub, 'gql' | 'rawGql'> {
  admin: string;
  sandbox: { microsoft: Pick<SandboxProviders['microsoft'], 'control'>; google: Pick<SandboxProviders['google'], 'control'> };
  browser: CaFetch;
}

/** A test hub with the provider sandbox on, and a browser stand-in that trusts the sandbox CA. */
export interface LinkingHub extends TestHub {
  sandbox: SandboxProviders;
  admin: string;
  /** fetch trusting the Microsoft emulator's CA (the browser of these tests). */
  browser: CaFetch;
}

export async function startLinkingHub(env: Record<string, string> = {}, overrides: HubOverrides = {}): Promise<LinkingHub> {
  const t = await startTestHub({ SANDBOX_PROVIDERS: 'on', ...env }, overrides);
  const sandbox = t.hub.sandbox;
  if (!sandbox) throw new Error('the sandbox did not start');
  const browser = createCaFetch({ caPem: sandbox.caCertPem });
  return {
    ...t,
    sandbox,
    admin: t.adminKey!,
    browser,
    async close() {
      browser.close();
      await t.close();
    },
  };
}

export interface TenantUser {
  tenantId: HubId<'tenant'>;
  /** A TENANT key of the tenant. */
  key: string;
  userId: HubId<'hostUser'>;
  email: string;
}

/** The host application the tests' `returnTo` URLs point to (allowed in every tenant `createTenantWithUser` makes). */
export const HOST_APP_ORIGIN = 'https://crm.example.com';

/** A tenant with its own key and one host user; `returnTo` may point to `HOST_APP_ORIGIN`. */
export async function createTenantWithUser(t: LinkDriver, name: string, user: { hostUserId: string; email: string | null }): Promise<TenantUser> {
  const tenant = await t.gql(CreateTenantDocument, { input: { name, settings: { returnToOrigins: [HOST_APP_ORIGIN] } } }, t.admin);
  const tenantId = idOf('tenant', tenant.data!.createTenant.id);
  const key = await t.gql(CreateApiKeyDocument, { input: { tenantId, name: `${name} key` } }, t.admin);
  const created = await addUser(t, key.data!.createApiKey.key, user);
  return { tenantId, key: key.data!.createApiKey.key, userId: created, email: user.email ?? '' };
}

export async function addUser(t: LinkDriver, key: string, user: { hostUserId: string; email: string | null; active?: boolean }): Promise<HubId<'hostUser'>> {
  const result = await t.gql(UpsertHostUserDocument, { input: { hostUserId: user.hostUserId, email: user.email, active: user.active ?? true } }, key);
  if (!result.data) throw new Error(`upsertHostUser failed: ${JSON.stringify(result.errors)}`);
  return idOf('hostUser', result.data.upsertHostUser.hostUser.id);
}

export async function startLink(t: LinkDriver, key: string, input: LinkCalendarInput): Promise<string> {
  const result = await t.gql(LinkCalendarDocument, { input }, key);
  if (!result.data) throw new Error(`linkCalendar failed: ${JSON.stringify(result.errors)}`);
  return result.data.linkCalendar.authorizationUrl;
}

/** The sandbox account id of an email, as the consent pages' account select knows it. */
export function sandboxAccountId(t: LinkDriver, provider: ProviderKind, email: string): string {
  switch (provider) {
    case 'MICROSOFT':
      return t.sandbox.microsoft.control.getAccount(email).id;
    case 'GOOGLE': {
      const account = t.sandbox.google.control.listAccounts().find((a) => a.email.toLowerCase() === email.toLowerCase());
      if (!account) throw new Error(`no Google sandbox account ${email}`);
      return account.id;
    }
  }
}

/** Plays the user at the provider's consent page; returns where the provider redirects (the hub's callback). */
export async function consent(t: LinkDriver, provider: ProviderKind, authorizationUrl: string, choice: { account: string; decision?: 'accept' | 'deny' }): Promise<URL> {
  const account = sandboxAccountId(t, provider, choice.account);
  switch (provider) {
    case 'MICROSOFT':
      return driveConsent({ fetch: t.browser }, authorizationUrl, { account, decision: choice.decision ?? 'accept' });
    case 'GOOGLE':
      return submitConsent(authorizationUrl, { account, decision: choice.decision ?? 'accept' });
  }
}

export interface CallbackResponse {
  status: number;
  /** The 303 target, when the hub redirected to returnTo. */
  location: URL | null;
  html: string;
}

/** Opens the hub's callback URL like the browser following the provider's redirect (no redirect following). */
export async function openCallback(url: URL | string): Promise<CallbackResponse> {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location) : null, html: await response.text() };
}

/** The whole flow: linkCalendar → consent → callback. */
export async function linkAccount(
  t: LinkDriver,
  key: string,
  input: LinkCalendarInput & { account: string; decision?: 'accept' | 'deny' },
): Promise<CallbackResponse & { callbackUrl: URL }> {
  const { account, decision, ...link } = input;
  const url = await startLink(t, key, link);
  const callbackUrl = await consent(t, input.provider, url, { account, ...(decision ? { decision } : {}) });
  expect(callbackUrl.pathname).toBe(`/oauth/callback/${input.provider === 'MICROSOFT' ? 'microsoft-graph' : 'google-calendar'}`);
  return { ...(await openCallback(callbackUrl)), callbackUrl };
}

/** Links and expects success through a returnTo redirect; returns the new connection id. */
export async function linkOk(t: LinkDriver, key: string, input: LinkCalendarInput & { account: string }): Promise<HubId<'connection'>> {
  const result = await linkAccount(t, key, { returnTo: `${HOST_APP_ORIGIN}/settings/calendar`, ...input });
  if (result.status !== 303 || !result.location?.searchParams.get('connectionId')) {
    throw new Error(`linking ${input.account} failed: ${result.status} ${result.location?.toString() ?? result.html.slice(0, 500)}`);
  }
  return idOf('connection', result.location.searchParams.get('connectionId')!);
}

/** The readable message of a result page. */
export function pageMessage(html: string): { title: string; message: string; tip: string | null; code: string | null } {
  const text = (re: RegExp) => {
    const m = re.exec(html);
    return m ? m[1]!.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : null;
  };
  return {
    title: text(/<h1>([^<]*)<\/h1>/) ?? '',
    message: text(/<p class="message">([^<]*)<\/p>/) ?? '',
    tip: text(/<p class="tip">([^<]*)<\/p>/),
    code: text(/<p class="code">Code: ([^<]*)<\/p>/),
  };
}

/** Plays "the other side" of a provider in tests: accounts, grants, events, through the emulators' control APIs. */
export interface SandboxKit {
  provider: ProviderKind;
  /** A fresh sandbox account; returns its email. */
  newAccount(name: string): string;
  /** The user removes the hub's access in their account settings: refreshes fail from now on. */
  revokeGrant(email: string): void;
  /** Ids of the events in a calendar (single events and series masters). */
  eventIds(email: string, providerCalendarId: string): string[];
  /** An event the user made themselves (no hub tag). */
  createUserEvent(email: string, providerCalendarId: string, subject: string): string;
}

let accountSeq = 0;

export function sandboxKit(t: LinkDriver, provider: ProviderKind): SandboxKit {
  const start = new Date(Date.now() + 3 * 86_400_000);
  start.setUTCHours(10, 0, 0, 0);
  const end = new Date(start.getTime() + 3_600_000);
  switch (provider) {
    case 'MICROSOFT': {
      const control = t.sandbox.microsoft.control;
      return {
        provider,
        newAccount(name) {
          accountSeq += 1;
          return control.createAccount({ email: `${name}.${accountSeq}@contoso.onmicrosoft.com`, calendars: ['Team'] }).email;
        },
        revokeGrant: (email) => void control.revokeGrant(email),
        eventIds: (email, calendarId) => control.listEvents(email, calendarId).map((e) => String(e.id)),
        createUserEvent: (email, calendarId, subject) =>
          String(
            control.createEvent(email, calendarId, {
              subject,
              start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
              end: { dateTime: end.toISOString().slice(0, 19), timeZone: 'UTC' },
            }).id,
          ),
      };
    }
    case 'GOOGLE': {
      const control = t.sandbox.google.control;
      const accountId = (email: string) => sandboxAccountId(t, 'GOOGLE', email);
      return {
        provider,
        newAccount(name) {
          accountSeq += 1;
          return control.createAccount({ email: `${name}.${accountSeq}@example.com` }).email;
        },
        revokeGrant: (email) => void control.revokeGrant({ accountId: accountId(email) }),
        eventIds: (email, calendarId) => ((control.listEvents(accountId(email), calendarId).items ?? []) as { id: string }[]).map((e) => e.id),
        createUserEvent: (email, calendarId, subject) =>
          String(control.createEvent(accountId(email), calendarId, { summary: subject, start: { dateTime: start.toISOString() }, end: { dateTime: end.toISOString() } }).id),
      };
    }
  }
}

/** Names of a link's recurring jobs (its calendar refresh and its sync poll while it is ACTIVE). */
export async function recurringJobsOf(t: LinkingHub, connectionId: string): Promise<string[]> {
  const { jobs } = await t.hub.scheduler.agenda.queryJobs({ data: { connectionId } });
  return jobs.filter((j) => j.repeatInterval).map((j) => j.name).sort();
}
