import { ConfigError } from '../../config.js';
import { ConnectionNotActiveError } from '../../connections/connections.errors.js';
import {
  ConflictError,
  ForbiddenError,
  HubError,
  NotFoundError,
  StartRefusedError,
  UnauthenticatedError,
  ValidationError,
} from '../../domain/errors.js';
import type { ConnectionStatus } from '../../domain/model.js';
import { RecurrenceParseError } from '../../domain/recurrence/rrule.js';
import { DuplicateJobError, JobBackendConfigError } from '../../jobs/jobs.errors.js';
import { UnsupportedJobFilterError } from '../../jobs/backends/sqlite-job-filters.js';
import { UserUnavailableError } from '../../linking/link-flow.service.js';
import { ProviderError } from '../../providers/calendar-provider.js';
import { GoogleEventMappingError } from '../../providers/google-calendar/google-calendar.errors.js';
import { GoogleTokenBlobError } from '../../providers/google-calendar/google-token-set.js';
import { TokenStoreError } from '../../providers/microsoft-graph/msal-token-source.js';
import { LinkRefusedError } from '../../providers/provider-auth.js';
import { ProviderUnavailableError } from '../../providers/registry.js';
import { TokenVaultError } from '../../security/token-vault.js';
import { StaleAppointmentError } from '../../sync/appointment-store.js';
import { LeaseLostError } from '../../sync/link-lease.js';

/**
 * The one table from the hub's named errors to what a GraphQL client sees. Each named error class
 * of `src/` has an entry (test/unit/api/error-mapping.test.ts checks that against the source): it
 * becomes a `HubError` — a client-facing code (`NOT_FOUND`, `CONFLICT`, `BAD_USER_INPUT`,
 * `FORBIDDEN`, `UNAUTHENTICATED`) with a message a user can read and, for CONFLICT, a tip — or
 * `null`, meaning a bug or an outage the client only sees as INTERNAL_SERVER_ERROR (logged with the
 * request id). Services that know better throw a `HubError` themselves; this is the safety net for
 * what escapes them.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constructors of every shape
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

export interface ErrorMapping {
  readonly type: ErrorClass<Error>;
  /** The client-facing error, or null for INTERNAL_SERVER_ERROR. */
  toClient(error: Error): HubError | null;
}

const mapping = <E extends Error>(type: ErrorClass<E>, toClient: (error: E) => HubError | null): ErrorMapping => ({
  type,
  toClient: (error) => toClient(error as E),
});

/** Errors the hub raises on purpose: shown as they are. */
const asIs = (error: HubError): HubError => error;

/** Not meant to reach a client (start-up, corrupt data, adapter internals a service must translate): a bug or an outage. */
const internal = (): null => null;

/**
 * A link that is not ACTIVE (revoked, or waiting for a relink): CONFLICT, not FORBIDDEN. The caller
 * may act on the link — its key's role is not the problem — but the request clashes with the
 * link's current state, which the caller can change by relinking; FORBIDDEN would send
 * integrators to check their API key instead.
 */
function connectionNotActive(error: ConnectionNotActiveError): HubError {
  const tips: Record<ConnectionStatus, string> = {
    NEEDS_REAUTH: 'Relink the calendar (linkCalendar for the same user and provider, signing in with the same account), then try again.',
    REVOKED: 'The link was revoked. Link the calendar again with linkCalendar.',
    ERROR: "See the link's lastError; relinking the calendar (linkCalendar) usually clears it.",
    ACTIVE: 'The link is active again: try again.',
  };
  return new ConflictError(`This calendar link is ${error.status}, so the hub cannot reach its calendars now.`, tips[error.status]);
}

/** A provider failure that escaped a service: CONFLICT with what to do, by the closed provider code. */
function providerFailure(error: ProviderError): HubError | null {
  switch (error.code) {
    case 'AUTH_REVOKED':
      return new ConflictError(`The calendar provider no longer accepts the hub's access to this account: ${error.message}`, 'Relink the calendar (linkCalendar), then try again.');
    case 'RATE_LIMITED':
    case 'TRANSIENT': {
      const seconds = error.details.retryAfterMs === undefined ? null : Math.max(1, Math.ceil(error.details.retryAfterMs / 1000));
      return new ConflictError(`The calendar provider did not complete the request: ${error.message}`, seconds === null ? 'Try again in a minute.' : `Try again in ${seconds} s.`);
    }
    case 'NOT_FOUND':
      return new ConflictError(`The item no longer exists at the calendar provider: ${error.message}`, 'Reload and try again.');
    case 'PRECONDITION_FAILED':
      return new ConflictError(`The item changed at the calendar provider meanwhile: ${error.message}`, 'Reload it and try again.');
    case 'UNSUPPORTED':
      return new ConflictError(`The calendar provider cannot do this: ${error.message}`, 'Change the request so the calendar can hold it, or use another calendar.');
    case 'UNKNOWN':
      return new ConflictError(`The calendar provider failed: ${error.message}`, 'Try again later; if it keeps failing, relink the calendar.');
    case 'SYNC_CURSOR_INVALID':
      // Adapters restart a full read on a rejected cursor; one that escapes is a bug.
      return null;
  }
}

export const ERROR_MAPPINGS: readonly ErrorMapping[] = [
  // src/domain/errors.ts: raised on purpose, with their own codes.
  mapping(NotFoundError, asIs),
  mapping(ConflictError, asIs),
  mapping(ValidationError, asIs),
  mapping(ForbiddenError, asIs),
  mapping(UnauthenticatedError, asIs),
  mapping(HubError, asIs),
  // Link health and providers.
  mapping(ConnectionNotActiveError, connectionNotActive),
  mapping(ProviderError, providerFailure),
  mapping(ProviderUnavailableError, (e) => new ConflictError(e.message, 'Ask your administrator to configure this calendar provider.')),
  mapping(LinkRefusedError, (e) => new ConflictError(e.message, e.tip ?? 'Start linking again from the calendar settings.')),
  // The sync engine: an appointment written by the host and a sync run at the same moment, retried and still racing.
  mapping(StaleAppointmentError, () => new ConflictError('The appointment was changed by someone else at the same moment.', 'Read it again and repeat the change.')),
  // A sync run whose hold on a link expired (a stalled worker): the run stops, the next one goes on.
  mapping(LeaseLostError, internal),
  // Adapter internals: every adapter method turns them into ProviderError before they leave it.
  mapping(TokenStoreError, internal),
  mapping(GoogleTokenBlobError, internal),
  mapping(GoogleEventMappingError, internal),
  // Services translate these into HubErrors naming the field or the state.
  mapping(RecurrenceParseError, internal),
  mapping(UserUnavailableError, internal),
  // Operations: start-up, keys, jobs. The operator reads them in the log.
  mapping(ConfigError, internal),
  mapping(StartRefusedError, internal),
  mapping(TokenVaultError, internal),
  mapping(DuplicateJobError, internal),
  mapping(JobBackendConfigError, internal),
  mapping(UnsupportedJobFilterError, internal),
];

/**
 * What a client may see of `error`: a HubError (kept or translated), or null for
 * INTERNAL_SERVER_ERROR. The first entry whose class `error` is an instance of decides; entries of
 * subclasses come before their base classes.
 */
export function clientErrorOf(error: unknown): HubError | null {
  if (!(error instanceof Error)) return null;
  for (const entry of ERROR_MAPPINGS) {
    if (error instanceof entry.type) return entry.toClient(error);
  }
  return null;
}
