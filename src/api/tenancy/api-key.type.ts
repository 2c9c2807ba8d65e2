import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { ApiKeyRole } from '../../domain/model.js';
import { ApiKeyRoleEnum } from '../enums.js';
import { ConnectionType } from '../pagination/connection.type.js';

@ObjectType('ApiKey', { description: 'An API key. The key itself is only returned by createApiKey, once.' })
export class ApiKeyType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The tenant of a TENANT key; null for ADMIN keys.' })
  tenantId!: string | null;

  @Field(() => String)
  name!: string;

  @Field(() => ApiKeyRoleEnum)
  role!: ApiKeyRole;

  @Field(() => String, { description: 'The first characters of the key, to recognise it.' })
  prefix!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Updated at most once a minute.' })
  lastUsedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('ApiKeyConnection')
export class ApiKeyConnection extends ConnectionType('ApiKey', ApiKeyType) {}

@ObjectType('CreateApiKeyPayload')
export class CreateApiKeyPayload {
  @Field(() => ApiKeyType)
  apiKey!: ApiKeyType;

  @Field(() => String, { description: 'The full key. Store it now: it is not kept and cannot be shown again.' })
  key!: string;
}

@ObjectType('Viewer', { description: 'The caller, as identified by its API key.' })
export class ViewerType {
  @Field(() => ApiKeyRoleEnum)
  role!: ApiKeyRole;

  @Field(() => ID, { nullable: true, description: 'The key in use.' })
  apiKeyId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The tenant of a TENANT key; null for ADMIN keys.' })
  tenantId!: string | null;
}
