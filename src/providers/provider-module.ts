import type { Logger } from '../logger.js';
import type { CalendarProvider } from './calendar-provider.js';
import type { ProviderAuth, TokenStore } from './provider-auth.js';

/** One linked account as an adapter sees it (the same shape for every provider module). */
export interface ConnectionContext {
  connectionId: string;
  /** The provider's account id (Microsoft `oid` — also the key of the mailbox concurrency limit — or Google `sub`). */
  accountId: string;
  /** MSAL home account id (`<oid>.<tid>`) from the code redemption; null for Google. */
  homeAccountId: string | null;
  /** The connection's vault-backed token store (MSAL's serialised cache, or Google's token set). */
  tokens: TokenStore;
  logger: Logger;
  /** Counts the HTTP requests made for this link (a sync run's `providerCalls`); a batch counts once, with its parts. */
  meter?: RequestMeter;
}

export interface RequestMeter {
  request(batchParts?: number): void;
}

/** What the hub needs of a provider adapter: its OAuth side and a `CalendarProvider` per link. */
export interface ProviderModule {
  readonly auth: ProviderAuth;
  connect(connection: ConnectionContext): CalendarProvider;
  /** Closes the module's transports (HTTP agents). */
  close(): Promise<void>;
}
