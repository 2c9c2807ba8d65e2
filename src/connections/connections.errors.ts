import type { HubId } from '../domain/ids.js';
import type { ConnectionStatus } from '../domain/model.js';

/** The link is not in a state that allows provider calls (revoked, or waiting for a relink). */
export class ConnectionNotActiveError extends Error {
  override readonly name = 'ConnectionNotActiveError';
  readonly code = 'CONNECTION_NOT_ACTIVE';
  constructor(
    readonly connectionId: HubId<'connection'>,
    readonly status: ConnectionStatus,
  ) {
    super(`connection ${connectionId} is ${status}`);
  }
}

export const isConnectionNotActiveError = (e: unknown): e is ConnectionNotActiveError => e instanceof ConnectionNotActiveError;
