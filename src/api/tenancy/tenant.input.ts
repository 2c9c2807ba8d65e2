import { Field, InputType } from 'type-graphql';
import { TenantSettingsInput } from './tenant-settings.input.js';

@InputType('CreateTenantInput')
export class CreateTenantInput {
  @Field(() => String, { description: '1 to 200 characters.' })
  name!: string;

  @Field(() => TenantSettingsInput, { nullable: true, description: 'Settings that differ from the defaults.' })
  settings?: TenantSettingsInput | null;
}
