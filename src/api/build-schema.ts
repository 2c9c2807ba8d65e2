import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ClassType, type NonEmptyArray } from 'type-graphql';
import './enums.js';
import { CalendarResolver } from './linking/calendar.resolver.js';
import { ConnectionResolver } from './linking/connection.resolver.js';
import type { HubPubSub } from '../events/hub-pubsub.js';
import { ApiKeyResolver } from './tenancy/api-key.resolver.js';
import { HostUserResolver } from './tenancy/host-user.resolver.js';
import { IcsFeedResolver } from './ics/ics-feed.resolver.js';
import { AvailabilityResolver } from './availability/availability.resolver.js';
import { TenantResolver } from './tenancy/tenant.resolver.js';

/** Every resolver class of the API. Later features append theirs. */
export const RESOLVERS: NonEmptyArray<ClassType> = [TenantResolver, ApiKeyResolver, HostUserResolver, ConnectionResolver, CalendarResolver, IcsFeedResolver, AvailabilityResolver];

/**
 * The hub's schema. Validation is done by the services (so the CLI gets the same checks), not by
 * type-graphql's class-validator integration. `pubSub` only serves resolvers that use `topics`;
 * the hub's own subscriptions subscribe through `HubPubSub.subscribeTyped` with a tenant scope.
 */
export function buildHubSchema(deps: { pubsub: HubPubSub }): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    pubSub: deps.pubsub,
    validate: false,
    emitSchemaFile: false,
  });
}
