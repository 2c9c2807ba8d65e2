import { randomUUID } from 'node:crypto';

/**
 * Microsoft Graph's error body: `{"error":{"code","message","innerError":{"date","request-id",
 * "client-request-id"}}}` (https://learn.microsoft.com/graph/errors). Every Graph route throws
 * `GraphError`; the emulator's error handler renders it.
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export const isGraphError = (e: unknown): e is GraphError => e instanceof GraphError;

/**
 * The error body. A 429 also names the status in `innerError` (`code`, `message`, `status`), as in
 * Graph's throttling sample (https://learn.microsoft.com/graph/throttling#sample-response).
 */
export function graphErrorBody(code: string, message: string, clientRequestId?: string, now = new Date(), status?: number): unknown {
  const requestId = randomUUID();
  const throttled = status === 429;
  return {
    error: {
      code,
      message,
      innerError: {
        ...(throttled ? { code: '429' } : {}),
        date: now.toISOString().replace(/\.\d{3}Z$/, ''),
        ...(throttled ? { message: 'Please retry after' } : {}),
        'request-id': requestId,
        ...(throttled ? { status: '429' } : {}),
        'client-request-id': clientRequestId ?? requestId,
      },
    },
  };
}

/** Default code and message for a bare status (injected faults, unexpected failures). */
export function defaultGraphError(status: number): { code: string; message: string } {
  switch (status) {
    case 400:
      return { code: 'BadRequest', message: 'Bad request.' };
    case 401:
      return { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' };
    case 403:
      return { code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' };
    case 404:
      return { code: 'ErrorItemNotFound', message: 'The specified object was not found in the store.' };
    case 409:
      return { code: 'ErrorIrresolvableConflict', message: 'The operation could not be completed because of a conflict.' };
    case 410:
      return { code: 'SyncStateNotFound', message: 'The sync state generation is not found, or is invalid.' };
    case 412:
      return {
        code: 'ErrorIrresolvableConflict',
        message:
          'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
      };
    case 424:
      return { code: 'FailedDependency', message: 'The request depends on a request that failed.' };
    case 429:
      return { code: 'TooManyRequests', message: 'Please retry again later.' };
    case 500:
      return { code: 'InternalServerError', message: 'An internal server error occurred.' };
    case 502:
      return { code: 'BadGateway', message: 'Bad gateway.' };
    case 503:
      return { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Retry later.' };
    case 504:
      return { code: 'GatewayTimeout', message: 'The gateway timed out.' };
    default:
      return { code: status >= 500 ? 'InternalServerError' : 'BadRequest', message: `HTTP ${status}` };
  }
}

export const itemNotFound = () => new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
export const invalidRequest = (message: string) => new GraphError(400, 'ErrorInvalidRequest', message);
export const idMalformed = () => new GraphError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
export const accessDenied = (message = 'Access is denied. Check credentials and try again.') => new GraphError(403, 'ErrorAccessDenied', message);
/** `$expand=singleValueExtendedProperties` without the `($filter=id eq '…')` Graph requires for it. */
export const extendedPropertyFilterRequired = () =>
  invalidRequest("Expanding singleValueExtendedProperties requires a filter on the property id: singleValueExtendedProperties($filter=id eq '{id}').");
/** A method the resource does not support (the `$batch` sample's 405, https://learn.microsoft.com/graph/json-batching). */
export const methodNotAllowed = () => new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
