import { DateTimeResolver } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import type { StoredError } from '../../domain/stored-error.js';

@ObjectType('SyncError', { description: 'A failure kept on a pair or a run.' })
export class SyncErrorType {
  @Field(() => String, { description: 'A stable code: a ProviderError code (RATE_LIMITED, TRANSIENT, AUTH_REVOKED, UNSUPPORTED, …) or the reason a run stopped.' })
  code!: string;

  @Field(() => String, { description: 'A sentence a user can read.' })
  message!: string;

  @Field(() => DateTimeResolver)
  at!: Date;
}

/** A stored failure (ISO `at`) as the API shows it. */
export function syncErrorOf(error: StoredError | null): SyncErrorType | null {
  return error ? { code: error.code, message: error.message, at: new Date(error.at) } : null;
}
