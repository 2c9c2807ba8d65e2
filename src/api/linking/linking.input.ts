import { Field, ID, InputType } from 'type-graphql';
import type { ConnectionStatus, ProviderKind } from '../../domain/model.js';
import { ConnectionStatusEnum, ProviderEnum } from './linking.enums.js';

@InputType('LinkCalendarInput')
export class LinkCalendarInput {
  @Field(() => ID, { description: 'The HostUser id of the user who links their calendar.' })
  userId!: string;

  @Field(() => ProviderEnum)
  provider!: ProviderKind;

  @Field(() => String, {
    nullable: true,
    description: 'Absolute http(s) URL the browser returns to after the sign-in, with ?linked=<provider>&connectionId=… or ?error=<code>&message=…. Without it the hub shows a small "you can close this window" page.',
  })
  returnTo?: string | null;
}

@InputType('ConnectionFilter')
export class ConnectionFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this host user’s links.' })
  userId?: string | null;

  @Field(() => ProviderEnum, { nullable: true })
  provider?: ProviderKind | null;

  @Field(() => ConnectionStatusEnum, { nullable: true })
  status?: ConnectionStatus | null;
}
