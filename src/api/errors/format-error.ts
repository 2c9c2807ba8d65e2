import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isConflictError, isValidationError, type HubError } from '../../domain/errors.js';
import { clientErrorOf } from './error-mapping.js';

/**
 * The one place where errors become GraphQL errors (HTTP through Apollo's `formatError`, WebSocket
 * through graphql-ws hooks in http/graphql-ws.ts):
 * - named errors become what `ERROR_MAPPINGS` (error-mapping.ts) says: hub errors keep their
 *   message and get `extensions.code`, plus `field` (BAD_USER_INPUT) or `tip` (CONFLICT); others
 *   (a link that is not active, a provider failure) are translated into one;
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
 * What was thrown: an error of the hub's code (client-facing or not), or `null` when GraphQL or
 * Apollo raised the error itself (parse, validation, coercion, limits).
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
  return cause !== null && cause !== undefined && clientErrorOf(cause) === null;
}

const extensionsOfRaw = (error: unknown): Record<string, unknown> | undefined =>
  error instanceof GraphQLError ? (error.extensions as Record<string, unknown>) : undefined;
const hasOwnCode = (error: unknown): boolean => typeof extensionsOfRaw(error)?.code === 'string';
const isClientStatus = (error: unknown): boolean => {
  const status = (extensionsOfRaw(error)?.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
};

export function formatHubError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const cause = causeOf(error);
  const base = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (cause === null || cause === undefined) {
    // `http` (status, headers) is for the transport; Apollo takes it out itself, graphql-ws does not.
    const { stacktrace: _stacktrace, http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    // Apollo refuses some requests with a 4xx but no code (e.g. a persisted query whose hash does
    // not match), which it would report as INTERNAL_SERVER_ERROR: the client's mistake is BAD_REQUEST.
    if (!hasOwnCode(error) && isClientStatus(error)) extensions.code = 'BAD_REQUEST';
    return { ...formatted, extensions };
  }
  const client = clientErrorOf(cause);
  if (client) return { message: client.message, ...base, extensions: extensionsOf(client) };
  return { message: INTERNAL_MESSAGE, ...base, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
