import { AuthenticationHandler, Client, RedirectHandler, RedirectHandlerOptions, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import type { Logger } from '../../logger.js';
import type { ProviderModule, RequestMeter } from '../provider-module.js';
import { createCaFetch, GraphFetchHandler } from './graph-fetch.js';
import type { RetryPolicy } from '../retry-policy.js';
import { DEFAULT_GRAPH_TUNING, GraphTransport, type AccessTokenSource, type GraphTuning } from './graph-transport.js';
import { MailboxLimiter } from './mailbox-limiter.js';
import { MicrosoftAuth, MICROSOFT_GRAPH_SCOPES } from './microsoft-auth.service.js';
import { MicrosoftGraphProvider } from './microsoft-graph.provider.js';
import { createMsalNetworkClient } from './msal-network-client.js';
import { createMsalClient, MsalTokenSource, tokenStoreCachePlugin } from './msal-token-source.js';

export interface MicrosoftGraphSettings {
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com or the emulator origin */
  authorityHost: string;
  /** common | organizations | consumers | <tenant id> */
  tenant: string;
  /** e.g. https://graph.microsoft.com or the emulator origin (the client appends /v1.0) */
  graphBaseUrl: string;
  /** PEM of a CA to trust for THESE calls only (sandbox/emulator); null = system trust store */
  caPem: string | null;
  /** Resilience knobs (request time-out, retry waits); production uses the defaults, tests shorten them. */
  tuning?: GraphTuningOptions;
  /**
   * Origin the user's browser is sent to for sign-in and consent when it is not `authorityHost`
   * (the sandbox serves those pages over plain http, so no certificate warning; MSAL itself only
   * accepts an https authority). Absent for the real Microsoft.
   */
  consentOrigin?: string;
}

/** The Microsoft module (auth slug `microsoft-graph`); `close` ends the Graph and MSAL transports' agents. */
export type MicrosoftGraphModule = ProviderModule;

/**
 * Composition of the Microsoft adapter: one Graph client and one MSAL network client per module
 * (their agents trust `caPem` for these calls only), one concurrency limiter per mailbox shared by
 * every connection of that mailbox, and per connection an MSAL confidential client whose cache is
 * the connection's `TokenStore`.
 *
 * `settings.tuning` and `deps.tuning` (optional, not part of the linking contract; `deps` wins)
 * shorten retry waits and time-outs in tests.
 */
export type GraphTuningOptions = Partial<Omit<GraphTuning, 'retry'>> & { retry?: Partial<RetryPolicy> };

export function createMicrosoftGraphModule(settings: MicrosoftGraphSettings, deps: { logger: Logger; tuning?: GraphTuningOptions }): MicrosoftGraphModule {
  const tuning: GraphTuning = {
    ...DEFAULT_GRAPH_TUNING,
    ...settings.tuning,
    ...deps.tuning,
    retry: { ...DEFAULT_GRAPH_TUNING.retry, ...settings.tuning?.retry, ...deps.tuning?.retry },
  };
  const caPem = settings.caPem ?? undefined;
  const graphFetch = createCaFetch({ caPem, timeoutMs: tuning.requestTimeoutMs });
  const msalNetwork = createMsalNetworkClient({ caPem, timeoutMs: tuning.requestTimeoutMs });
  const graphOrigin = new URL(settings.graphBaseUrl).origin;

  const unusedProvider = {
    getAccessToken: async (): Promise<string> => {
      throw new Error('Graph calls must carry a per-request authentication provider');
    },
  };
  // The SDK's default chain without RetryHandler: GraphTransport is the one retry layer.
  const client = Client.initWithMiddleware({
    baseUrl: graphOrigin,
    defaultVersion: 'v1.0',
    // The auth middleware adds the bearer token only for Graph hosts and these (docs/providers.md#graph-requests-and-preferences).
    customHosts: new Set([new URL(graphOrigin).hostname]),
    middleware: [new AuthenticationHandler(unusedProvider), new RedirectHandler(new RedirectHandlerOptions()), new TelemetryHandler(), new GraphFetchHandler(graphFetch)],
  });

  const limiters = new Map<string, MailboxLimiter>();
  const limiterFor = (mailbox: string) => {
    const key = mailbox.toLowerCase();
    let limiter = limiters.get(key);
    if (!limiter) {
      limiter = new MailboxLimiter(tuning.mailboxConcurrency);
      limiters.set(key, limiter);
    }
    return limiter;
  };
  const transportFor = (mailbox: string, tokens: AccessTokenSource, meter?: RequestMeter) =>
    new GraphTransport({ client, limiter: limiterFor(mailbox), tokens, tuning, ...(meter ? { meter } : {}) });

  const auth = new MicrosoftAuth({
    newMsalClient: () => createMsalClient(settings, { networkClient: msalNetwork, logger: deps.logger }),
    ...(settings.consentOrigin ? { consentOrigin: settings.consentOrigin } : {}),
    transportFor,
    logger: deps.logger,
  });

  return {
    auth,
    connect(connection) {
      const msal = createMsalClient(settings, { networkClient: msalNetwork, logger: connection.logger, cachePlugin: tokenStoreCachePlugin(connection.tokens) });
      const tokens = new MsalTokenSource({ msal, scopes: MICROSOFT_GRAPH_SCOPES, homeAccountId: connection.homeAccountId, accountId: connection.accountId });
      return new MicrosoftGraphProvider({ transport: transportFor(connection.accountId, tokens, connection.meter), logger: connection.logger, connectionId: connection.connectionId });
    },
    async close() {
      graphFetch.close();
      msalNetwork.close();
    },
  };
}
