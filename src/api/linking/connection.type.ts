import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { ConnectionStatus } from '../../domain/model.js';
import type { CleanupStatus } from '../../sync/cleanup.service.js';
import { ConnectionType as RelayConnectionType } from '../pagination/connection.type.js';
import { CleanupStatusEnum, ConnectionStatusEnum } from './linking.enums.js';

@ObjectType('ConnectionError', { description: 'The last provider failure of a link (also kept after it recovered).' })
export class ConnectionErrorType {
  @Field(() => String, { description: 'ProviderError code: RATE_LIMITED, TRANSIENT, AUTH_REVOKED, …' })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => DateTimeResolver)
  at!: Date;
}

/**
 * A linked calendar account. `provider`, `user`, `calendars` and `lastError` are field resolvers.
 * Tokens are not part of the type: they never leave the vault.
 */
@ObjectType('Connection', { description: "A host user's linked Microsoft or Google account (a \"link\")." })
export class ConnectionObjectType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => ID, { description: 'The HostUser id of the owner.' })
  userId!: string;

  @Field(() => String, { nullable: true, description: 'Email (or sign-in name) of the linked account.' })
  accountEmail!: string | null;

  @Field(() => ConnectionStatusEnum)
  status!: ConnectionStatus;

  @Field(() => String, { nullable: true, description: 'A sentence a user can read about why the link is not ACTIVE.' })
  statusReason!: string | null;

  @Field(() => Boolean, { description: 'Whether changes made in the calendar come back to the host (two-way sync; enableTwoWaySync switches it).' })
  twoWay!: boolean;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the link was first activated; only appointments after it sync unless edited later. Kept on relink.' })
  activatedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Last successful exchange with the provider for this link (calendar refresh or sync run).' })
  lastSyncAt!: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Deletions a read wanted to apply but the mass-deletion guard held (more than half of the synced items, at least 20); null when none are held. syncNow(connectionId, confirmDeletions: true) applies them.',
  })
  deletionsHeld!: number | null;

  @Field(() => [String], { description: 'Scopes the provider granted.' })
  grantedScopes!: string[];

  @Field(() => Int, { description: 'Provider failures in a row (reset by the next success).' })
  consecutiveFailures!: number;

  @Field(() => DateTimeResolver, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType('ConnectionConnection', { description: 'A page of links (Relay cursor connection).' })
export class ConnectionPage extends RelayConnectionType('Connection', ConnectionObjectType) {}

@ObjectType('LinkCalendarPayload')
export class LinkCalendarPayload {
  @Field(() => String, { description: "Open this URL in the user's browser: the provider's sign-in and consent page." })
  authorizationUrl!: string;

  @Field(() => DateTimeResolver, { description: 'The sign-in must be completed before this moment (10 minutes), once.' })
  expiresAt!: Date;

  @Field(() => Boolean, {
    description:
      'true when the user already has a link to this provider, live or revoked: finishing the sign-in reuses it, connectionId included. A live link is relinked in place with the same account (e.g. after NEEDS_REAUTH); a revoked one comes back with any account, as a new activation.',
  })
  relink!: boolean;
}

@ObjectType('CleanupFailure')
export class CleanupFailureType {
  @Field(() => ID, { description: 'The hub calendar id.' })
  calendarId!: string;

  @Field(() => String, { nullable: true, description: "The provider's event id." })
  eventId!: string | null;

  @Field(() => String)
  message!: string;
}

@ObjectType('CleanupOutcome', { description: 'What the cleanup of a revoke did: the events the hub created in the account are deleted, nothing else.' })
export class CleanupOutcomeType {
  @Field(() => CleanupStatusEnum)
  status!: CleanupStatus;

  @Field(() => Int)
  eventsDeleted!: number;

  @Field(() => Int)
  eventsFailed!: number;

  @Field(() => [CleanupFailureType], { description: 'The first failures (at most 50).' })
  failures!: CleanupFailureType[];

  @Field(() => String, { nullable: true, description: 'Why the cleanup did not run or not completely.' })
  reason!: string | null;
}

@ObjectType('RevokeAccessPayload')
export class RevokeAccessPayload {
  @Field(() => ConnectionObjectType, { description: 'The link, now REVOKED.' })
  connection!: ConnectionObjectType;

  @Field(() => Boolean, {
    description:
      'true when the grant was also revoked at the provider (Google). Microsoft offers apps no revocation endpoint: the hub forgets the tokens, and the user can remove the app at https://myapps.microsoft.com or https://account.live.com/consent/Manage.',
  })
  providerGrantRevoked!: boolean;

  @Field(() => CleanupOutcomeType, { nullable: true, description: 'Null unless cleanup: true was asked for.' })
  cleanup!: CleanupOutcomeType | null;
}

@ObjectType('ConnectionStatusChangedEvent')
export class ConnectionStatusChangedEventType {
  @Field(() => ConnectionObjectType, { description: 'The link as it is now.' })
  connection!: ConnectionObjectType;

  @Field(() => ConnectionStatusEnum)
  status!: ConnectionStatus;

  @Field(() => ConnectionStatusEnum, { nullable: true, description: 'Null when the link was just created.' })
  previousStatus!: ConnectionStatus | null;

  @Field(() => DateTimeResolver)
  at!: Date;
}
