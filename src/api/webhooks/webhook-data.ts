import {
  execute,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { HubPubSub } from '../../events/hub-pubsub.js';
import type { Logger } from '../../logger.js';
import { OPERATOR } from '../../tenancy/caller.js';
import type { EventPayload, WebhookEventSource } from '../../webhooks/webhook-events.js';
import type { ApiServices, HubContext } from '../context.js';

/** Related records (types with an `id`) are expanded this deep below the event; deeper ones are given as `{ id }`. */
const RECORD_DEPTH = 2;

/**
 * The `data` of a webhook: the object the matching GraphQL subscription field delivers, made by
 * that field's own resolver (the event payload as its root value, as graphql-ws does for every
 * event). The selection is every field of the type that needs no argument: values (types without
 * an `id`, such as a body or counts) in full, related records two levels deep and then by id,
 * paginated lists left out. So a webhook and a subscription with the full selection carry the same
 * JSON, and a field added to a GraphQL type reaches webhooks by itself.
 */
export class WebhookData {
  private readonly documents = new Map<string, DocumentNode | null>();

  constructor(private readonly deps: { schema: GraphQLSchema; services: ApiServices; pubsub: HubPubSub; logger: Logger }) {}

  async build(source: WebhookEventSource, payload: EventPayload): Promise<unknown> {
    const document = this.documentFor(source.subscriptionField);
    if (!document) return null;
    const contextValue: HubContext = { requestId: `webhook:${source.type}`, caller: OPERATOR, logger: this.deps.logger, services: this.deps.services, pubsub: this.deps.pubsub };
    const result = await execute({ schema: this.deps.schema, document, rootValue: payload, contextValue });
    const data = (result.data as Record<string, unknown> | null | undefined)?.[source.subscriptionField] ?? null;
    if (result.errors?.length || data === null) {
      this.deps.logger.error({ type: source.type, errors: result.errors?.map((e) => e.message) }, 'building the data of a webhook failed; the event is not delivered');
      return null;
    }
    return data;
  }

  /** `subscription { <field> { …full selection } }`, once per field; null when the schema has no such subscription. */
  private documentFor(fieldName: string): DocumentNode | null {
    if (!this.documents.has(fieldName)) {
      const field = this.deps.schema.getSubscriptionType()?.getFields()[fieldName];
      if (!field) this.deps.logger.warn({ field: fieldName }, 'no GraphQL subscription field for this webhook event type yet; its events are not delivered');
      this.documents.set(fieldName, field ? parse(`subscription Webhook { ${fieldName}${selectionOf(field, 0, new Set())} }`) : null);
    }
    return this.documents.get(fieldName) ?? null;
  }
}

/** The selection set of a field's type (empty for scalars and enums). */
function selectionOf(field: GraphQLField<unknown, unknown>, depth: number, path: Set<string>): string {
  const type = getNamedType(field.type);
  if (isScalarType(type) || isEnumType(type)) return '';
  if (!isObjectType(type) || path.has(type.name)) return '';
  const record = 'id' in type.getFields();
  const nextDepth = record ? depth + 1 : depth;
  if (record && nextDepth > RECORD_DEPTH) return ' { id }';
  const inner = new Set(path).add(type.name);
  const fields = Object.values(type.getFields())
    .filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined) && !isPage(f))
    .map((f) => {
      const sub = selectionOf(f, nextDepth, inner);
      const named = getNamedType(f.type);
      return isObjectType(named) && sub === '' ? '' : `${f.name}${sub}`;
    })
    .filter((s) => s !== '');
  return fields.length > 0 ? ` { ${fields.join(' ')} }` : ' { __typename }';
}

/** A Relay connection (edges + pageInfo): paginated, not part of the object. */
function isPage(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  if (isListType(field.type) || !isObjectType(type)) return false;
  const fields = (type as GraphQLObjectType).getFields();
  return 'edges' in fields && 'pageInfo' in fields;
}
