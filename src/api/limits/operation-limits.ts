import {
  GraphQLError,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
// The CommonJS build (see below), imported statically so the bundle holds it with the one graphql.
import * as queryComplexityImport from 'graphql-query-complexity/cjs';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../store/repositories/paginate.js';
import { APPOINTMENT_LIMITS } from '../../sync/appointment-input.js';
import { COST, declaredCost } from './cost.js';

// graphql-query-complexity's ESM build imports `graphql/index.mjs`, while everything else
// (type-graphql, Apollo, graphql-ws) loads graphql's CJS entry; mixing the two fails with
// "Cannot use GraphQLSchema from another module or realm". Its CJS build (`/cjs`) shares our
// instance, under Node and in the bundle alike. Node's own loader cannot see the named exports its
// compiled re-exports make and hands `module.exports` over as `default` only; vitest and esbuild
// give the named exports.
const queryComplexity: typeof queryComplexityImport =
  'fieldExtensionsEstimator' in queryComplexityImport ? queryComplexityImport : (queryComplexityImport as unknown as { default: typeof queryComplexityImport }).default;

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
  maxAliases: number;
  /** Cost points per API key and minute; 0: no limit. */
  rateLimitPerMinute: number;
}

/** The document's fragment definitions by name. */
export const fragmentsOf = (document: DocumentNode): Record<string, FragmentDefinitionNode> =>
  Object.fromEntries(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));

/**
 * Depth of an operation's selections: `{ a { b } }` is 2. Fragments count where they are spread;
 * introspection fields (`__schema`, `__type`) are not counted, so tools like Apollo Sandbox can
 * always load the schema (their cost is counted, see `operationComplexity`). Each fragment's depth
 * is computed once, so fragments that spread each other several times cost no more to measure
 * than to read (expanding them would double the work at every level).
 */
export function operationDepth(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const perFragment = new Map<string, number>();
  const depthOf = (set: SelectionSetNode, open: Set<string>): number => {
    let max = 0;
    for (const selection of set.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        depth = selection.selectionSet ? 1 + depthOf(selection.selectionSet, open) : 1;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = depthOf(selection.selectionSet, open);
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || open.has(name)) continue; // unknown and cyclic spreads are reported by the standard rules
        if (!perFragment.has(name)) perFragment.set(name, depthOf(fragment.selectionSet, new Set([...open, name])));
        depth = perFragment.get(name)!;
      }
      max = Math.max(max, depth);
    }
    return max;
  };
  return depthOf(selectionSet, new Set());
}

/** A validation rule (runs with GraphQL's own rules, before execution). */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
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
 * Aliased fields of an operation, counting a fragment's aliases each time it is spread (aliases are
 * what multiplies the work of one request: `{ a: f b: f c: f … }`; without aliases equal fields merge).
 */
export function operationAliases(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const perFragment = new Map<string, number>();
  const count = (set: SelectionSetNode, open: Set<string>): number => {
    let n = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) n += (selection.alias ? 1 : 0) + (selection.selectionSet ? count(selection.selectionSet, open) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) n += count(selection.selectionSet, open);
      else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || open.has(name)) continue; // unknown and cyclic spreads are reported by the standard rules
        if (!perFragment.has(name)) perFragment.set(name, count(fragment.selectionSet, new Set([...open, name])));
        n += perFragment.get(name)!;
      }
    }
    return n;
  };
  return count(selectionSet, new Set());
}

/** A validation rule: at most `maxAliases` aliased fields per operation (GRAPHQL_MAX_ALIASES). */
export function aliasLimitRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const aliases = operationAliases(node.selectionSet, fragments);
        if (aliases > maxAliases) {
          context.reportError(
            new GraphQLError(`The operation has ${aliases} aliased fields, more than the limit of ${maxAliases} (GRAPHQL_MAX_ALIASES); split it into several requests`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', aliases, maxAliases },
            }),
          );
        }
      },
    };
  };
}

/**
 * Introspection is answered from memory, so its values are cheaper than fields that read the
 * database: a `__schema` or `__type` selection costs one point per this many values it returns.
 * A whole-schema download (what Apollo Sandbox and codegen ask for) costs a few hundred points.
 */
export const INTROSPECTION_VALUES_PER_POINT = 10;

/** How many items each list field of the introspection types returns for this schema, on average. */
const introspectionSizes = new WeakMap<GraphQLSchema, Record<string, number>>();
function introspectionListSizes(schema: GraphQLSchema): Record<string, number> {
  let sizes = introspectionSizes.get(schema);
  if (sizes) return sizes;
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  let fields = 0;
  let fieldArgs = 0;
  let inputFields = 0;
  let enumValues = 0;
  let interfaces = 0;
  let possibleTypes = 0;
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const own = Object.values(type.getFields());
      fields += own.length;
      fieldArgs += own.reduce((n, f) => n + f.args.length, 0);
      interfaces += type.getInterfaces().length;
    }
    if (isInputObjectType(type)) inputFields += Object.keys(type.getFields()).length;
    if (isEnumType(type)) enumValues += type.getValues().length;
    if (isAbstractType(type)) possibleTypes += schema.getPossibleTypes(type).length;
  }
  const perType = (total: number) => total / Math.max(types.length, 1);
  sizes = {
    '__Schema.types': types.length,
    '__Schema.directives': directives.length,
    '__Type.fields': perType(fields),
    '__Type.inputFields': perType(inputFields),
    '__Type.enumValues': perType(enumValues),
    '__Type.interfaces': perType(interfaces),
    '__Type.possibleTypes': perType(possibleTypes),
    '__Field.args': fieldArgs / Math.max(fields, 1),
    '__Directive.args': directives.reduce((n, d) => n + d.args.length, 0) / Math.max(directives.length, 1),
  };
  introspectionSizes.set(schema, sizes);
  return sizes;
}

/** Selections the cost estimate visits at most (fragments expanded where spread). */
export const MAX_EXPANDED_SELECTIONS = 10_000;
/** graphql-query-complexity's message when `maxQueryNodes` is reached. */
const TOO_MANY_SELECTIONS = 'Query exceeds the maximum allowed number of nodes.';

/** An operation's estimated cost, and the part of it its fields with side effects declare. */
export interface OperationCost {
  /** The whole estimate, checked against GRAPHQL_MAX_COMPLEXITY. */
  complexity: number;
  /** What its mutations (and any other field with `@Cost`) declare: writes and provider requests. */
  declared: number;
}

/**
 * Estimated cost of an operation: 1 per field, and a list field's selection counts once per item
 * it may return (`first`, default page size, at most the maximum page size), so `first: 100`
 * nested twice costs 10 000. A field with a declared cost (`@Cost`, src/api/limits/cost.ts) costs
 * that instead of 1, and a mutation that declares none costs `COST.WRITE`. Introspection counts
 * too: its lists by their size in this schema, at `INTROSPECTION_VALUES_PER_POINT` values per
 * point. Returns `null` when the variables do not fit the operation: execution reports that
 * itself, as BAD_USER_INPUT naming the variable, so no cost is computed here; and a complexity of
 * `Infinity` when the operation expands to more than `MAX_EXPANDED_SELECTIONS` selections
 * (fragments spread into fragments), which the estimate stops at rather than expanding further.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): OperationCost | null {
  try {
    return estimate(schema, document, variables, operationName);
  } catch (err) {
    if (err instanceof GraphQLError) return err.message === TOO_MANY_SELECTIONS ? { complexity: Number.POSITIVE_INFINITY, declared: 0 } : null;
    throw err;
  }
}

/** The estimated cost alone (see `operationCost`). */
export function operationComplexity(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): number | null {
  return operationCost(schema, document, variables, operationName)?.complexity ?? null;
}

/**
 * Reading is cheap next to writing and calling providers: an API key's rate limit charges the
 * read part of an operation's estimate one point per this many, and declared costs in full.
 */
export const READ_POINTS_PER_RATE_POINT = 10;

/** What an operation spends of its key's GRAPHQL_RATE_LIMIT_PER_MINUTE: declared costs, plus reads at a tenth. */
export function ratePoints(cost: OperationCost): number {
  return cost.declared + Math.ceil((cost.complexity - cost.declared) / READ_POINTS_PER_RATE_POINT);
}

function estimate(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined | null,
): OperationCost {
  const mutationType = schema.getMutationType();
  // Declared costs sit on root fields (mutations), which no list multiplies: summing them as visited is exact.
  let declared = 0;
  const complexity = queryComplexity.getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    maxQueryNodes: MAX_EXPANDED_SELECTIONS,
    ...(operationName ? { operationName } : {}),
    estimators: [
      ({ type, field, args, childComplexity }) => {
        if (field.name === SchemaMetaFieldDef.name || field.name === TypeMetaFieldDef.name) return 1 + childComplexity / INTROSPECTION_VALUES_PER_POINT;
        const introspectionList = introspectionListSizes(schema)[`${type.name}.${field.name}`];
        if (introspectionList !== undefined) return 1 + childComplexity * introspectionList;
        if (field.extensions?.complexity !== undefined) return undefined; // storeLoaded: the next estimator
        const own = declaredCost(field.extensions) ?? (type === mutationType ? COST.WRITE : undefined);
        if (own !== undefined) declared += own;
        if (!field.args.some((a) => a.name === 'first')) return (own ?? 1) + childComplexity;
        // A `first` out of range is refused by the resolver with BAD_USER_INPUT on `first`.
        const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 1), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
        return (own ?? 1) + childComplexity * first;
      },
      queryComplexity.fieldExtensionsEstimator(),
    ],
  });
  return { complexity: Math.ceil(complexity), declared };
}

/** Null when within the limit, else the error to return instead of executing. */
export function complexityError(complexity: number | null, maxComplexity: number): GraphQLError | null {
  if (complexity === null || complexity <= maxComplexity) return null;
  if (complexity === Number.POSITIVE_INFINITY) {
    return new GraphQLError(`The operation expands to more than ${MAX_EXPANDED_SELECTIONS} selections (fragments count where they are spread); send a smaller one`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', maxComplexity, http: { status: 400 } },
    });
  }
  return new GraphQLError(
    `Query complexity ${complexity} exceeds the limit of ${maxComplexity} (GRAPHQL_MAX_COMPLEXITY); request fewer fields, smaller pages or fewer mutations at once`,
    { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', complexity, maxComplexity, http: { status: 400 } } },
  );
}
