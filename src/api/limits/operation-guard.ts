import { GraphQLError, Kind, SchemaMetaFieldDef, TypeMetaFieldDef, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { UnauthenticatedError, ValidationError } from '../../domain/errors.js';
import type { Caller } from '../../tenancy/caller.js';
import { toGraphQLError } from '../errors/format-error.js';
import { UNSTORABLE_TEXT_REASON, unstorableArgument } from './input-text.js';
import { complexityError, fragmentsOf, operationCost, ratePoints, type OperationCost, type OperationLimits } from './operation-limits.js';
import { RateLimiter } from './rate-limiter.js';

/** One operation about to run, as both transports know it after parsing and validation. */
export interface GuardedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
  caller: Caller | null;
}

function rateLimitedError(waitMs: number, perMinute: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new GraphQLError(`This API key has used its ${perMinute} points per minute (GRAPHQL_RATE_LIMIT_PER_MINUTE); retry in ${seconds} s`, {
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds, http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) } },
  });
}

/**
 * Cost estimates are remembered per parsed document, keyed by operation and variables: Apollo
 * keeps one parsed and validated document per query text (its document store), so a client that
 * sends the same query again gets its estimate without walking the query (graphql-query-complexity
 * is most of the guard's work). Only variables that are all scalars up to this length make a key
 * (`first`, `after`, ids); an operation with input objects or long text (a mutation's input) is
 * estimated every time.
 */
const MAX_CACHED_VARIABLE_CHARS = 200;
/** Estimates kept per document (distinct operations × variables); the oldest is dropped first. */
const MAX_COSTS_PER_DOCUMENT = 100;

/** The variables as a cache key, or null when they are not all short scalars. */
function variablesKey(variables: Record<string, unknown> | undefined): string | null {
  if (!variables) return '';
  for (const value of Object.values(variables)) {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') continue;
    if (typeof value === 'string' && value.length <= MAX_CACHED_VARIABLE_CHARS) continue;
    return null;
  }
  return JSON.stringify(variables);
}

/** Whether the operation asks for `__schema` or `__type` (anywhere, through fragments). */
function selectsIntrospection(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): boolean {
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      return name === SchemaMetaFieldDef.name || name === TypeMetaFieldDef.name || (selection.selectionSet !== undefined && selectsIntrospection(selection.selectionSet, fragments, seen));
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsIntrospection(selection.selectionSet, fragments, seen);
    const fragment = fragments[selection.name.value];
    if (!fragment || seen.has(fragment.name.value)) return false;
    seen.add(fragment.name.value);
    return selectsIntrospection(fragment.selectionSet, fragments, seen);
  });
}

/**
 * The checks every operation passes after validation and before anything runs, the same over
 * HTTP (an Apollo plugin, src/http/graphql-apollo.ts) and WebSocket (graphql-ws `onSubscribe`):
 * - introspection (`__schema`, `__type`) needs an API key: UNAUTHENTICATED (HTTP 401) without one;
 * - text arguments that cannot be stored (NUL, lone surrogates), anywhere: BAD_USER_INPUT naming
 *   the argument;
 * - the estimated cost (GRAPHQL_MAX_COMPLEXITY), with the declared costs of mutations;
 * - the caller's key's rate limit: the declared costs, and a tenth of the rest of the estimate
 *   (`ratePoints`), are taken from its points for the minute (GRAPHQL_RATE_LIMIT_PER_MINUTE);
 *   without enough, RATE_LIMITED (HTTP 429 with Retry-After).
 * `check` returns the error to answer with instead of running the operation, or null. Nothing is
 * charged for an operation that is refused.
 */
export class OperationGuard {
  private readonly rates: RateLimiter | null;
  /** Estimates per document, for the schema they were made with (see MAX_CACHED_VARIABLE_CHARS). */
  private readonly costs = new WeakMap<DocumentNode, { schema: GraphQLSchema; byKey: Map<string, OperationCost | null> }>();

  constructor(private readonly limits: OperationLimits) {
    this.rates = limits.rateLimitPerMinute > 0 ? new RateLimiter(limits.rateLimitPerMinute) : null;
  }

  check(op: GuardedOperation): GraphQLError | null {
    const fragments = fragmentsOf(op.document);
    if (op.caller === null && selectsIntrospection(op.operation.selectionSet, fragments)) {
      return toGraphQLError(new UnauthenticatedError('Introspection needs an API key: send "Authorization: Bearer <api key>" (in Apollo Sandbox: the connection settings\' headers)'), 401);
    }
    const unstorable = unstorableArgument(op.operation, fragments, op.variables);
    if (unstorable !== null) return toGraphQLError(new ValidationError(unstorable, UNSTORABLE_TEXT_REASON), 400);
    const cost = this.costOf(op);
    const tooComplex = complexityError(cost?.complexity ?? null, this.limits.maxComplexity);
    if (tooComplex) return tooComplex;
    const apiKeyId = op.caller?.apiKeyId;
    if (this.rates && apiKeyId) {
      const waitMs = this.rates.take(apiKeyId, cost ? ratePoints(cost) : 1);
      if (waitMs > 0) return rateLimitedError(waitMs, this.rates.perMinute);
    }
    return null;
  }

  /** `operationCost`, remembered for the document, operation and variables (see MAX_CACHED_VARIABLE_CHARS). */
  private costOf(op: GuardedOperation): OperationCost | null {
    const operationName = op.operation.name?.value;
    // Variables an operation does not declare play no part in its cost.
    const variables = op.operation.variableDefinitions?.length ? variablesKey(op.variables) : '';
    if (variables === null) return operationCost(op.schema, op.document, op.variables, operationName);
    let entry = this.costs.get(op.document);
    if (entry?.schema !== op.schema) {
      entry = { schema: op.schema, byKey: new Map() };
      this.costs.set(op.document, entry);
    }
    // The operation's position, not only its name: an anonymous operation has none.
    const key = `${op.document.definitions.indexOf(op.operation)}\u0000${variables}`;
    const cached = entry.byKey.get(key);
    if (cached !== undefined) return cached;
    const cost = operationCost(op.schema, op.document, op.variables, operationName);
    if (entry.byKey.size >= MAX_COSTS_PER_DOCUMENT) entry.byKey.delete(entry.byKey.keys().next().value!);
    entry.byKey.set(key, cost);
    return cost;
  }
}
