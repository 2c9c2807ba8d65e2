import type { ProviderSlug } from '../domain/model.js';

/** The path of the OAuth callback of one provider, relative to `PUBLIC_URL`. */
export const oauthCallbackPath = (slug: ProviderSlug) => `/oauth/callback/${slug}`;

/**
 * The hub's externally reachable base URL, from which OAuth redirect URIs derive. With PORT=0 and
 * no PUBLIC_URL the configured value carries port 0 (`http://127.0.0.1:0`): `listen()` then puts
 * the real port in before any redirect URI is handed out or registered.
 */
export class PublicUrl {
  constructor(private value: string) {}

  get(): string {
    return this.value;
  }

  /** Replaces port 0 with the port the server actually listens on; any other URL is kept as configured. */
  resolveListeningPort(port: number): void {
    const url = new URL(this.value);
    if (url.port !== '0') return;
    url.port = String(port);
    this.value = url.toString().replace(/\/+$/, '');
  }

  /** Exactly `PUBLIC_URL/oauth/callback/<provider slug>`, as registered with the provider. */
  redirectUri(slug: ProviderSlug): string {
    return `${this.value}${oauthCallbackPath(slug)}`;
  }
}
