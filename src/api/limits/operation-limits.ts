import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { createRequire } from 'node:module';
import type * as QueryComplexityModule from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../store/repositories/paginate.js';
import { APPOINTMENT_LIMITS } from '../../sync/appointment-input.js';

// graphql-query-complexity's ESM build imports `graphql/index.mjs`, while everything else
// (type-graphql, Apollo, graphql-ws) loads graphql's CJS entry; mixing the two fails with
// "Cannot use GraphQLSchema from another module or realm". Its CJS build shares our instance.
const queryComplexity = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexityModule;

/**
 * The largest GraphQL request (HTTP body, WebSocket message) the hub reads. One upsertAppointment may
 * carry a body of up to 1 MB (`APPOINTMENT_LIMITS.bodyBytes`), 500 attendees and 64 KB of hostOnly,
 * and JSON escaping grows text (quotes, line breaks): four times the body limit leaves room for all
 * of it, so an appointment within its limits is never refused by the transport before the service
 * can name the field that is too large.
 */
export const MAX_REQUEST_BYTES = 4 * APPOINTMENT_LIMITS.bodyBytes;

export interface OperationLimits {
  maxDepth: number;
  maxComplexity: number;
}

/**
 * Depth of an operation's selections: `{ a { b } }` is 2. Fragments count where they are spread;
 * introspection fields (`__schema`, `__type`) are not counted, so tools like Apollo Sandbox can
 * always load the schema.
 */
export function operationDepth(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>, seen = new Set<string>()): number {
  let max = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      depth = selection.selectionSet ? 1 + operationDepth(selection.selectionSet, fragments, seen) : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = operationDepth(selection.selectionSet, fragments, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments[name];
      if (!fragment || seen.has(name)) continue; // unknown and cyclic spreads are reported by the standard rules
      depth = operationDepth(fragment.selectionSet, fragments, new Set([...seen, name]));
    }
    max = Math.max(max, depth);
  }
  return max;
}

/** A validation rule (runs with GraphQL's own rules, before execution). */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    return {
      OperationDefinition(node) {
        const depth = operationDepth(node.selectionSet, fragments);
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(
              `Query depth ${depth} exceeds the limit of ${maxDepth} (GRAPHQL_MAX_DEPTH); ask for fewer nested levels`,
              { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED', depth, maxDepth } },
            ),
          );
        }
      },
    };
  };
}

/** What a store lookup made for one field of one parent item costs, in plain fields. */
export const STORE_LOOKUP_COST = 5;

/**
 * The `complexity` of a field whose resolver loads it from the store (once per parent item, so a
 * page of 100 parents makes 100 lookups): `STORE_LOOKUP_COST`, plus its selection once per item it
 * holds in practice (`items`, for a list). Lists stored with their parent (an appointment's
 * attendees) cost 1 per field like any plain field.
 */
export function storeLoaded(items = 1): ComplexityEstimator {
  return ({ childComplexity }) => STORE_LOOKUP_COST + childComplexity * items;
}

/**
 * Estimated cost of an operation: 1 per field, `storeLoaded` fields more, and a list field's
 * selection counts once per item it may return (`first`, default page size, at most the maximum
 * page size), so `first: 100` nested twice costs 10 000. Returns `null` when the variables do not fit the operation: execution
 * reports that itself, as BAD_USER_INPUT naming the variable, so no cost is computed here.
 */
export function operationComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number | null {
  try {
    return estimate(schema, document, variables, operationName);
  } catch (err) {
    if (err instanceof GraphQLError) return null;
    throw err;
  }
}

function estimate(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number {
  return queryComplexity.getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    ...(operationName ? { operationName } : {}),
    estimators: [
      ({ args, childComplexity, field }) => {
        if (!field.args.some((a) => a.name === 'first')) return undefined;
        // A `first` out of range is refused by the resolver with BAD_USER_INPUT on `first`.
        const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
        return 1 + childComplexity * first;
      },
      queryComplexity.fieldExtensionsEstimator(),
      queryComplexity.simpleEstimator({ defaultComplexity: 1 }),
    ],
  });
}

/** Null when within the limit, else the error to return instead of executing. */
export function complexityError(complexity: number | null, maxComplexity: number): GraphQLError | null {
  if (complexity === null || complexity <= maxComplexity) return null;
  return new GraphQLError(
    `Query complexity ${complexity} exceeds the limit of ${maxComplexity} (GRAPHQL_MAX_COMPLEXITY); request fewer fields or smaller pages`,
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maxComplexity, http: { status: 400 } } },
  );
}
