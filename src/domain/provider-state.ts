/**
 * Provider state the hub stores between runs. The shapes live in the domain, so the store keeps
 * them without importing the providers; the provider port (src/providers/calendar-provider.ts)
 * hands them out and takes them back, and only the adapter that wrote one reads inside it.
 */

/** Where the next incremental read of a calendar resumes (`Calendar.cursor`). */
export type ProviderCursor =
  | { kind: 'graph-delta'; deltaLink: string; windowStart: string; windowEnd: string }
  /** `allEventTypes`: the token was issued to a read of every event type (see `ReadChangesRequest`). */
  | { kind: 'google-sync'; syncToken: string; allEventTypes?: boolean };

/** A push channel of a calendar (`Calendar.push`): a Graph subscription or a Google watch channel. */
export interface PushChannel {
  channelId: string;
  /** Google `resourceId` (needed to stop a channel); null for Graph. */
  resourceId: string | null;
  expiresAt: string;
  secret: string;
}

/** Provider-specific state of a link (`Connection.providerState`), grouped under one typed property (docs/architecture.md#conventions). */
export type ConnectionProviderState =
  | { provider: 'microsoft-graph'; homeAccountId: string; tenantId: string | null }
  | { provider: 'google-calendar'; subject: string };
