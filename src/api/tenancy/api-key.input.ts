import { ArgsType, Field, ID, InputType } from 'type-graphql';
import type { ApiKeyRole } from '../../domain/model.js';
import { ApiKeyRoleEnum } from '../enums.js';

@InputType('CreateApiKeyInput')
export class CreateApiKeyInput {
  @Field(() => ID, { nullable: true, description: 'TENANT keys: required with an ADMIN key. ADMIN keys: must be empty.' })
  tenantId?: string | null;

  @Field(() => String, { description: 'What the key is for, 1 to 100 characters.' })
  name!: string;

  @Field(() => ApiKeyRoleEnum, { defaultValue: 'TENANT' })
  role!: ApiKeyRole;
}

@ArgsType()
export class ApiKeysArgs {
  @Field(() => ID, { nullable: true, description: 'ADMIN: only the keys of this tenant (default: every key). TENANT: own tenant only.' })
  tenantId?: string | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  includeRevoked?: boolean | null;
}
