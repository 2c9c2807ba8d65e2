/**
 * Errors the hub's services throw on purpose. Each has a stable `code` that the API maps to
 * GraphQL `extensions.code` (src/api/errors/error-mapping.ts) and the CLI prints; anything else
 * that escapes a service is an internal error and is never shown to a caller verbatim.
 */
export const HUB_ERROR_CODES = ['NOT_FOUND', 'CONFLICT', 'BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED'] as const;
export type HubErrorCode = (typeof HUB_ERROR_CODES)[number];

export abstract class HubError extends Error {
  abstract readonly code: HubErrorCode;
}

/**
 * The record does not exist, or exists in a tenant the caller cannot see. Both cases produce the
 * same message so a caller cannot probe for other tenants' ids.
 */
export class NotFoundError extends HubError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" not found`);
    this.name = 'NotFoundError';
  }
}

/** The request is valid but clashes with the current state; `tip` says what to do instead. */
export class ConflictError extends HubError {
  readonly code = 'CONFLICT';
  constructor(
    message: string,
    readonly tip: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** One input value is invalid. `field` is its path in the input, e.g. `email` or `polling.activeIntervalMinutes`. */
export class ValidationError extends HubError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ValidationError';
  }
}

/** The caller is known but its key's role does not allow the operation. */
export class ForbiddenError extends HubError {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** No API key, or a key that is unknown or revoked. */
export class UnauthenticatedError extends HubError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'A valid API key is required: send "Authorization: Bearer <api key>"') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/**
 * The hub refuses to start because going on would lose or overwrite data (an emptied database, a
 * lost token key). Not a client error: the operator reads the message, which says what to restore.
 */
export class StartRefusedError extends Error {
  readonly code = 'START_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'StartRefusedError';
  }
}

export const isHubError = (e: unknown): e is HubError => e instanceof HubError;
export const isNotFoundError = (e: unknown): e is NotFoundError => e instanceof NotFoundError;
export const isConflictError = (e: unknown): e is ConflictError => e instanceof ConflictError;
export const isValidationError = (e: unknown): e is ValidationError => e instanceof ValidationError;
export const isForbiddenError = (e: unknown): e is ForbiddenError => e instanceof ForbiddenError;
export const isUnauthenticatedError = (e: unknown): e is UnauthenticatedError => e instanceof UnauthenticatedError;
