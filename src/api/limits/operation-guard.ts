import { type GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ValidationError } from '../../domain/errors.js';
import type { Caller } from '../../tenancy/caller.js';
import { toGraphQLError } from '../errors/format-error.js';
import { UNSTORABLE_TEXT_REASON, unstorableArgument } from './input-text.js';
import { complexityError, operationComplexity, type OperationLimits } from './operation-limits.js';

/** One operation about to run, as both transports know it after parsing and validation. */
export interface GuardedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
  caller: Caller | null;
}

export const fragmentsOf = (document: DocumentNode): Record<string, FragmentDefinitionNode> =>
  Object.fromEntries(document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));

/**
 * The checks every operation passes after validation and before anything runs, the same over
 * HTTP (an Apollo plugin, src/http/graphql-apollo.ts) and WebSocket (graphql-ws `onSubscribe`):
 * - text arguments that cannot be stored (NUL, lone surrogates), anywhere: BAD_USER_INPUT naming
 *   the argument;
 * - the estimated cost (GRAPHQL_MAX_COMPLEXITY).
 * `check` returns the error to answer with instead of running the operation, or null.
 */
export class OperationGuard {
  constructor(private readonly limits: OperationLimits) {}

  check(op: GuardedOperation): GraphQLError | null {
    const unstorable = unstorableArgument(op.operation, fragmentsOf(op.document), op.variables);
    if (unstorable !== null) return toGraphQLError(new ValidationError(unstorable, UNSTORABLE_TEXT_REASON), 400);
    const operationName = op.operation.name?.value;
    return complexityError(operationComplexity(op.schema, op.document, op.variables, operationName), this.limits.maxComplexity);
  }
}
