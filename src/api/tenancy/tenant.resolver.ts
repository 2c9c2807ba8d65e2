import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import type { Tenant } from '../../store/entities/index.js';
import { settingsOf } from '../../tenancy/tenant.service.js';
import { requireCaller, type HubContext } from '../context.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { TOPICS, type TenantChangedPayload } from '../../events/hub-pubsub.js';
import { subscriptionScope } from './subscription-scope.js';
import { CreateTenantInput } from './tenant.input.js';
import { toSettingsPatch, UpdateTenantSettingsInput } from './tenant-settings.input.js';
import { TenantSettingsType } from './tenant-settings.type.js';
import { TenantChangedEventType, TenantConnection, TenantType } from './tenant.type.js';

@Resolver(() => TenantType)
export class TenantResolver {
  @Query(() => TenantConnection, { description: 'ADMIN: every tenant. TENANT: its own.' })
  tenants(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: HubContext) {
    return ctx.services.tenants.list(requireCaller(ctx), page);
  }

  @Query(() => TenantType)
  tenant(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext) {
    return ctx.services.tenants.get(requireCaller(ctx), id);
  }

  @Query(() => TenantSettingsType, { description: 'Effective settings (defaults merged). ADMIN keys must pass tenantId.' })
  async tenantSettings(
    @Arg('tenantId', () => ID, { nullable: true }) tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<TenantSettingsType> {
    const { tenant, settings } = await ctx.services.tenants.getSettings(requireCaller(ctx), tenantId);
    return { tenantId: tenant.id, ...settings };
  }

  @Mutation(() => TenantType, { description: 'ADMIN only.' })
  createTenant(@Arg('input', () => CreateTenantInput) input: CreateTenantInput, @Ctx() ctx: HubContext) {
    return ctx.services.tenants.create(requireCaller(ctx), { name: input.name, settings: toSettingsPatch(input.settings) });
  }

  @Mutation(() => TenantSettingsType, { description: 'Partial update; returns the effective settings.' })
  async updateTenantSettings(
    @Arg('input', () => UpdateTenantSettingsInput) input: UpdateTenantSettingsInput,
    @Ctx() ctx: HubContext,
  ): Promise<TenantSettingsType> {
    const { tenant, settings } = await ctx.services.tenants.updateSettings(requireCaller(ctx), input.tenantId, toSettingsPatch(input));
    return { tenantId: tenant.id, ...settings };
  }

  @FieldResolver(() => TenantSettingsType)
  settings(@Root() tenant: Tenant): TenantSettingsType {
    return { tenantId: tenant.id, ...settingsOf(tenant) };
  }

  @Subscription(() => TenantChangedEventType, {
    description: 'Tenants created or whose settings changed. TENANT keys: their own tenant; ADMIN keys: all, or `tenantId`.',
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { tenantId?: string | null }, HubContext>) =>
      subscriptionScope(context, args.tenantId).then((scope) => context.pubsub.subscribeTyped(TOPICS.TENANT_CHANGED, scope)),
  })
  async tenantChanged(
    @Root() payload: TenantChangedPayload,
    @Arg('tenantId', () => ID, { nullable: true }) _tenantId: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<TenantChangedEventType> {
    const tenant = await ctx.services.tenants.get(requireCaller(ctx), payload.tenantId);
    return { change: payload.change, at: new Date(payload.at), tenant };
  }
}
