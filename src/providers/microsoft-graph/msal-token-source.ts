import { ConfidentialClientApplication, LogLevel, type AccountInfo, type AuthenticationResult, type ICachePlugin, type INetworkModule } from '@azure/msal-node';
import type { Logger } from '../../logger.js';
import { ProviderError } from '../calendar-provider.js';
import type { TokenStore } from '../provider-auth.js';
import type { AccessTokenSource } from './graph-transport.js';
import { tokenAcquisitionError } from './microsoft-graph.errors.js';

export interface MsalClientSettings {
  clientId: string;
  clientSecret: string;
  /** `https://login.microsoftonline.com` or the emulator origin. */
  authorityHost: string;
  tenant: string;
}

/** Hosts of Microsoft's own clouds: MSAL knows their metadata, so nothing is configured for them. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

/**
 * A confidential client for one authority. For hosts other than Microsoft's clouds (sovereign
 * proxies, the emulator) MSAL is told the host is trusted (`knownAuthorities`, host with port) and
 * given the endpoint metadata, so it never calls the public instance-discovery or
 * openid-configuration endpoints (docs/providers.md#msal-authority-and-discovery). The network client carries the CA
 * trust for these calls only.
 */
export function createMsalClient(
  settings: MsalClientSettings,
  deps: { networkClient: INetworkModule; logger: Logger; cachePlugin?: ICachePlugin },
): ConfidentialClientApplication {
  const origin = new URL(settings.authorityHost).origin;
  const host = new URL(origin).host;
  const authority = `${origin}/${settings.tenant}/`;
  const custom = !MICROSOFT_AUTHORITY_HOSTS.has(new URL(origin).hostname.toLowerCase());
  return new ConfidentialClientApplication({
    auth: {
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      authority,
      ...(custom
        ? {
            knownAuthorities: [host],
            authorityMetadata: JSON.stringify({
              authorization_endpoint: `${authority}oauth2/v2.0/authorize`,
              token_endpoint: `${authority}oauth2/v2.0/token`,
              end_session_endpoint: `${authority}oauth2/v2.0/logout`,
              issuer: `${origin}/{tenantid}/v2.0`,
              jwks_uri: `${authority}discovery/v2.0/keys`,
            }),
          }
        : {}),
    },
    ...(deps.cachePlugin ? { cache: { cachePlugin: deps.cachePlugin } } : {}),
    system: {
      networkClient: deps.networkClient,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message) => deps.logger.debug({ msal: message }, 'msal'),
      },
    },
  });
}

/** A token store failure (vault unreadable, database down), kept apart from grant problems. */
export class TokenStoreError extends Error {
  override readonly name = 'TokenStoreError';
}

/**
 * MSAL's cache persisted through the connection's `TokenStore`: the blob IS MSAL's serialised token
 * cache (MSAL never hands out refresh tokens, so the whole cache is kept: docs/providers.md#msal-token-cache). One plugin and one
 * client per connection partitions the cache per connection; every access reloads the stored blob, so
 * several hub instances share the latest rotated refresh token.
 */
export function tokenStoreCachePlugin(store: TokenStore): ICachePlugin {
  return {
    async beforeCacheAccess(ctx) {
      let blob: string | null;
      try {
        blob = await store.load();
      } catch {
        throw new TokenStoreError('The stored Microsoft token cache could not be read.');
      }
      if (blob) ctx.tokenCache.deserialize(blob);
    },
    async afterCacheAccess(ctx) {
      if (!ctx.cacheHasChanged) return;
      try {
        await store.save(ctx.tokenCache.serialize());
      } catch {
        throw new TokenStoreError('The refreshed Microsoft token cache could not be stored.');
      }
    },
  };
}

/** MSAL renews a cached token within 5 minutes of its expiry; the memo stops using it at the same point. */
const RENEWAL_MARGIN_MS = 5 * 60_000;

/**
 * Access tokens for one connection through `acquireTokenSilent({account, scopes})`: the cached token
 * while it is fresh, else a refresh with the cached refresh token (persisted by the cache plugin).
 * Concurrent callers share one MSAL call; the last result is memoised until MSAL itself would renew
 * it, so a burst of Graph calls costs no token-store reads.
 */
export class MsalTokenSource implements AccessTokenSource {
  private memo: { token: string; renewAt: number } | null = null;
  private inflight: { forced: boolean; promise: Promise<string> } | null = null;

  constructor(
    private readonly deps: {
      msal: ConfidentialClientApplication;
      scopes: string[];
      homeAccountId: string | null;
      accountId: string;
    },
  ) {}

  accessToken(opts: { forceRefresh?: boolean } = {}): Promise<string> {
    const force = opts.forceRefresh === true;
    if (!force && this.memo && Date.now() < this.memo.renewAt) return Promise.resolve(this.memo.token);
    if (this.inflight && (this.inflight.forced || !force)) return this.inflight.promise;
    const promise = this.acquire(force).finally(() => {
      if (this.inflight?.promise === promise) this.inflight = null;
    });
    this.inflight = { forced: force, promise };
    return promise;
  }

  private async acquire(forceRefresh: boolean): Promise<string> {
    if (forceRefresh) this.memo = null;
    let result: AuthenticationResult | null;
    try {
      const account = await this.account();
      result = await this.deps.msal.acquireTokenSilent({ account, scopes: this.deps.scopes, forceRefresh });
    } catch (e) {
      if (e instanceof TokenStoreError) throw new ProviderError('UNKNOWN', e.message);
      throw tokenAcquisitionError(e);
    }
    if (!result?.accessToken) throw new ProviderError('AUTH_REVOKED', 'Microsoft returned no access token for the stored grant. Link the calendar again.');
    const expires = result.expiresOn?.getTime() ?? Date.now();
    this.memo = { token: result.accessToken, renewAt: expires - RENEWAL_MARGIN_MS };
    return result.accessToken;
  }

  private async account(): Promise<AccountInfo> {
    const cache = this.deps.msal.getTokenCache();
    const byHome = this.deps.homeAccountId ? await cache.getAccountByHomeId(this.deps.homeAccountId) : null;
    if (byHome) return byHome;
    const all = await cache.getAllAccounts();
    const found = all.find((a) => a.localAccountId === this.deps.accountId) ?? (all.length === 1 ? all[0] : undefined);
    if (!found) throw new ProviderError('AUTH_REVOKED', 'The stored Microsoft grant holds no account for this connection. Link the calendar again.');
    return found;
  }
}
