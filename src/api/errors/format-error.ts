import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isConflictError, isHubError, isValidationError, type HubError } from '../../domain/errors.js';

/**
 * The one place where errors become GraphQL errors (HTTP through Apollo's `formatError`, WebSocket
 * through graphql-ws hooks in http/graphql-ws.ts):
 * - hub errors (src/domain/errors.ts) keep their message and get `extensions.code`, plus `field`
 *   (BAD_USER_INPUT) or `tip` (CONFLICT);
 * - errors GraphQL itself raised (parse, validation, variable coercion, limits) pass unchanged;
 * - anything else is a bug or an outage: the client sees only INTERNAL_SERVER_ERROR, and the
 *   error is logged with the request id (`isUnexpectedError` tells the logger which ones).
 */
export const INTERNAL_MESSAGE = 'Internal server error';

export function extensionsOf(error: HubError): Record<string, unknown> {
  return {
    code: error.code,
    ...(isValidationError(error) ? { field: error.field } : {}),
    ...(isConflictError(error) ? { tip: error.tip } : {}),
  };
}

/** A hub error as a GraphQLError, for places that must throw one (context creation, graphql-ws). */
export function toGraphQLError(error: HubError, httpStatus?: number): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { ...extensionsOf(error), ...(httpStatus ? { http: { status: httpStatus } } : {}) },
  });
}

/**
 * What was thrown: a hub error, an unexpected error (anything that is not a GraphQLError), or
 * `null` when GraphQL or Apollo raised the error itself (parse, validation, coercion, limits).
 */
function causeOf(error: unknown): unknown {
  const unwrapped = unwrapResolverError(error);
  if (!(unwrapped instanceof GraphQLError)) return unwrapped;
  const original = unwrapped.originalError;
  if (original === undefined || original === null || original instanceof GraphQLError) return null;
  return original;
}

export function isUnexpectedError(error: unknown): boolean {
  const cause = causeOf(error);
  return cause !== null && cause !== undefined && !isHubError(cause);
}

export function formatHubError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const cause = causeOf(error);
  const base = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (isHubError(cause)) return { message: cause.message, ...base, extensions: extensionsOf(cause) };
  if (cause !== null && cause !== undefined) {
    return { message: INTERNAL_MESSAGE, ...base, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  }
  const { stacktrace: _stacktrace, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
  return { ...formatted, extensions };
}
