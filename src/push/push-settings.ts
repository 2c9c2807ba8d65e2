import type { HubConfig } from '../config.js';
import type { ProviderSlug } from '../domain/model.js';
import type { ProviderRegistry } from '../providers/registry.js';

/** Paths of the notification endpoints, under `PUBLIC_URL`. */
export const PUSH_ROUTES = {
  graph: '/webhooks/microsoft-graph',
  graphLifecycle: '/webhooks/microsoft-graph/lifecycle',
  google: '/webhooks/google-calendar',
} as const;

/**
 * Whether the hub opens push channels for a provider (`PUSH_NOTIFICATIONS`). `auto`: always for the
 * built-in sandbox (its emulators reach the hub wherever it listens); for real providers only when
 * `PUBLIC_URL` was set — a provider cannot post to the default `http://localhost` — and, in
 * production, is https (Graph and Google post to https only).
 */
export function pushEnabledFor(config: Pick<HubConfig, 'env' | 'publicUrl' | 'push'>, providers: ProviderRegistry, slug: ProviderSlug): boolean {
  const entry = providers[slug];
  if (!entry.available || config.push.mode === 'off') return false;
  if (config.push.mode === 'on' || entry.source === 'sandbox') return true;
  return config.push.publicUrlSet && (config.env !== 'production' || config.publicUrl.startsWith('https://'));
}
