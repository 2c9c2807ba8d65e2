import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ClassType, type NonEmptyArray } from 'type-graphql';
import './enums.js';
import { CalendarResolver } from './linking/calendar.resolver.js';
import { ConnectionResolver } from './linking/connection.resolver.js';
import type { HubPubSub } from '../events/hub-pubsub.js';
import { AppointmentChangeResolver } from './sync/appointment-change.resolver.js';
import { AppointmentResolver } from './sync/appointment.resolver.js';
import { ConflictResolver } from './sync/conflict.resolver.js';
import { ConnectionSyncResolver } from './sync/connection-sync.resolver.js';
import { SyncIssueResolver } from './sync/sync-issue.resolver.js';
import { SyncMappingResolver } from './sync/sync-mapping.resolver.js';
import { SyncRunResolver } from './sync/sync-run.resolver.js';
import { ApiKeyResolver } from './tenancy/api-key.resolver.js';
import { HostUserResolver } from './tenancy/host-user.resolver.js';
import { IcsFeedResolver } from './ics/ics-feed.resolver.js';
import { AvailabilityResolver } from './availability/availability.resolver.js';
import { TenantResolver } from './tenancy/tenant.resolver.js';
import { WebhookResolver } from './webhooks/webhook.resolver.js';

/** Every resolver class of the API. Later features append theirs. */
export const RESOLVERS: NonEmptyArray<ClassType> = [
  TenantResolver,
  ApiKeyResolver,
  HostUserResolver,
  ConnectionResolver,
  CalendarResolver,
  ConnectionSyncResolver,
  AppointmentResolver,
  AppointmentChangeResolver,
  SyncMappingResolver,
  SyncRunResolver,
  ConflictResolver,
  SyncIssueResolver,
  WebhookResolver,
  IcsFeedResolver,
  AvailabilityResolver,
];

/**
 * The hub's schema. Validation is done by the services (so the CLI gets the same checks), not by
 * type-graphql's class-validator integration. `pubSub` only serves resolvers that use `topics`;
 * the hub's own subscriptions subscribe through `HubPubSub.subscribeTyped` with a tenant scope.
 *
 * `check`: type-graphql's own check of the built schema runs the full introspection query over it
 * (about 60 ms of a 2 s start). The schema is the same for the same code, so it is checked where
 * the code is checked — `npm run schema:emit`/`schema:check` and the schema drift test render it
 * with `check: true` — and a hub starts without it. graphql-js still validates the schema before
 * the first operation it executes.
 */
export function buildHubSchema(deps: { pubsub: HubPubSub; check?: boolean }): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    pubSub: deps.pubsub,
    validate: false,
    emitSchemaFile: false,
    skipCheck: deps.check !== true,
  });
}
