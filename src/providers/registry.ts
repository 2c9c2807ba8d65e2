import type { HubConfig } from '../config.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import { PROVIDER_SLUGS, type ProviderSlug } from '../domain/model.js';
import type { Logger } from '../logger.js';
import { createGoogleCalendarModule, type GoogleCalendarSettings } from './google-calendar/google-calendar.module.js';
import { createMicrosoftGraphModule, type MicrosoftGraphSettings } from './microsoft-graph/microsoft-graph.module.js';
import type { ConnectionContext, ProviderModule } from './provider-module.js';

export type { ConnectionContext, ProviderModule };

/** The settings each provider module is built from. */
export interface ProviderSettingsBySlug {
  'microsoft-graph': MicrosoftGraphSettings;
  'google-calendar': GoogleCalendarSettings;
}

/** Where a provider's settings came from: the operator's credentials, or the built-in sandbox. */
export type ProviderSource = 'configured' | 'sandbox';

export type ProviderPlan<S extends ProviderSlug> =
  | { available: true; source: ProviderSource; settings: ProviderSettingsBySlug[S] }
  | { available: false; reason: string };

export type ProviderPlans = { [S in ProviderSlug]: ProviderPlan<S> };

export type ProviderEntry =
  | { available: true; slug: ProviderSlug; source: ProviderSource; module: ProviderModule }
  | { available: false; slug: ProviderSlug; reason: string };

export type ProviderRegistry = { readonly [S in ProviderSlug]: ProviderEntry };

/** A provider the hub cannot talk to in this deployment (no credentials, sandbox off). */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
  readonly code = 'PROVIDER_UNAVAILABLE';
  constructor(
    readonly slug: ProviderSlug,
    readonly reason: string,
  ) {
    super(`${providerDisplayName(slug)} is not available: ${reason}`);
  }
}

export const isProviderUnavailableError = (e: unknown): e is ProviderUnavailableError => e instanceof ProviderUnavailableError;

/** The sandbox's settings for the providers it serves (see src/sandbox). */
export type SandboxProviderSettings = Partial<ProviderSettingsBySlug>;

/**
 * Decides, per provider, where its settings come from: credentials from the configuration win;
 * without them the sandbox's settings are used when the sandbox serves that provider; otherwise the
 * provider is unavailable, with a reason an operator can act on.
 */
export function planProviders(config: HubConfig, sandbox: SandboxProviderSettings): ProviderPlans {
  const unavailable = (slug: ProviderSlug) => {
    const prefix = credentialVariablePrefix(slug);
    return {
      available: false as const,
      reason: `no ${prefix}_CLIENT_ID / ${prefix}_CLIENT_SECRET are configured and the built-in sandbox is off (SANDBOX_PROVIDERS=${config.sandbox.mode}${config.sandbox.mode === 'auto' ? `, NODE_ENV=${config.env}` : ''})`,
    };
  };
  const ms = config.microsoft.credentials;
  const google = config.google.credentials;
  const msSandbox = sandbox['microsoft-graph'];
  const googleSandbox = sandbox['google-calendar'];
  return {
    'microsoft-graph': ms
      ? {
          available: true,
          source: 'configured',
          settings: { ...ms, authorityHost: config.microsoft.authorityHost, tenant: config.microsoft.tenant, graphBaseUrl: config.microsoft.graphBaseUrl, caPem: null },
        }
      : msSandbox
        ? { available: true, source: 'sandbox', settings: msSandbox }
        : unavailable('microsoft-graph'),
    'google-calendar': google
      ? {
          available: true,
          source: 'configured',
          settings: { ...google, authUrl: config.google.authUrl, tokenUrl: config.google.tokenUrl, revokeUrl: config.google.revokeUrl, calendarRootUrl: config.google.calendarRootUrl },
        }
      : googleSandbox
        ? { available: true, source: 'sandbox', settings: googleSandbox }
        : unavailable('google-calendar'),
  };
}

/** `MICROSOFT` / `GOOGLE`: the prefix of a provider's `<PREFIX>_CLIENT_ID` / `_CLIENT_SECRET` variables. */
export function credentialVariablePrefix(slug: ProviderSlug): 'MICROSOFT' | 'GOOGLE' {
  switch (slug) {
    case 'microsoft-graph':
      return 'MICROSOFT';
    case 'google-calendar':
      return 'GOOGLE';
  }
}

/** Builds one module per available provider. */
export function buildProviderRegistry(plans: ProviderPlans, deps: { logger: Logger }): ProviderRegistry {
  const build = <S extends ProviderSlug>(slug: S, plan: ProviderPlan<S>, create: (settings: ProviderSettingsBySlug[S]) => ProviderModule): ProviderEntry =>
    plan.available ? { available: true, slug, source: plan.source, module: create(plan.settings) } : { available: false, slug, reason: plan.reason };
  const logger = (slug: ProviderSlug) => deps.logger.child({ provider: slug });
  for (const slug of PROVIDER_SLUGS) {
    const plan = plans[slug];
    if (plan.available) deps.logger.info({ provider: slug, source: plan.source }, `${providerDisplayName(slug)}: ${plan.source === 'sandbox' ? 'built-in sandbox' : 'configured credentials'}`);
    else deps.logger.warn({ provider: slug, reason: plan.reason }, `${providerDisplayName(slug)} is unavailable: linkCalendar refuses it`);
  }
  return {
    'microsoft-graph': build('microsoft-graph', plans['microsoft-graph'], (s) => createMicrosoftGraphModule(s, { logger: logger('microsoft-graph') })),
    'google-calendar': build('google-calendar', plans['google-calendar'], (s) => createGoogleCalendarModule(s, { logger: logger('google-calendar') })),
  } satisfies Record<ProviderSlug, ProviderEntry>;
}

/** The module of `slug`, or `ProviderUnavailableError`. */
export function providerModule(registry: ProviderRegistry, slug: ProviderSlug): ProviderModule {
  const entry = registry[slug];
  if (!entry.available) throw new ProviderUnavailableError(slug, entry.reason);
  return entry.module;
}

export async function closeProviderRegistry(registry: ProviderRegistry, logger: Logger): Promise<void> {
  for (const slug of PROVIDER_SLUGS) {
    const entry = registry[slug];
    if (entry.available) await entry.module.close().catch((err: unknown) => logger.error({ err, provider: slug }, 'closing the provider module failed'));
  }
}
