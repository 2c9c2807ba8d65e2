import { Field, ID, InputType } from 'type-graphql';

@InputType('UpsertHostUserInput', { description: 'Creates the host user, or updates the one with the same hostUserId.' })
export class UpsertHostUserInput {
  @Field(() => ID, { nullable: true, description: 'Required with an ADMIN key; a TENANT key may omit it.' })
  tenantId?: string | null;

  @Field(() => String, { description: "The host's own id for the user." })
  hostUserId!: string;

  @Field(() => String, { nullable: true, description: 'On update: omitted keeps the value, null clears it.' })
  email?: string | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true on create; omitted keeps the value on update.' })
  active?: boolean | null;

  @Field(() => String, { nullable: true, description: 'IANA time zone, e.g. Europe/Zurich.' })
  timeZone?: string | null;
}

@InputType('HostUserFilter')
export class HostUserFilterInput {
  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Exact match, case-insensitive.' })
  email?: string | null;

  @Field(() => [String], { nullable: true, description: "The host's ids (at most 100)." })
  hostUserIds?: string[] | null;
}
