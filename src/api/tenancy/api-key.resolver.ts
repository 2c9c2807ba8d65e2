import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireCaller, type HubContext } from '../context.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { ApiKeysArgs, CreateApiKeyInput } from './api-key.input.js';
import { ApiKeyConnection, ApiKeyType, CreateApiKeyPayload, ViewerType } from './api-key.type.js';

@Resolver(() => ApiKeyType)
export class ApiKeyResolver {
  @Query(() => ViewerType, { description: 'Who the API key in use belongs to.' })
  viewer(@Ctx() ctx: HubContext): ViewerType {
    const caller = requireCaller(ctx);
    return { role: caller.role, apiKeyId: caller.apiKeyId, tenantId: caller.tenantId };
  }

  @Query(() => ApiKeyConnection, { description: 'Active keys (revoked ones with includeRevoked).' })
  apiKeys(@Args(() => ApiKeysArgs) filter: ApiKeysArgs, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: HubContext) {
    return ctx.services.apiKeys.list(requireCaller(ctx), filter, page);
  }

  @Query(() => ApiKeyType)
  apiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext) {
    return ctx.services.apiKeys.get(requireCaller(ctx), id);
  }

  @Mutation(() => CreateApiKeyPayload, { description: 'Returns the full key, once. ADMIN keys can only be created by ADMIN keys.' })
  createApiKey(@Arg('input', () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() ctx: HubContext) {
    return ctx.services.apiKeys.create(requireCaller(ctx), input);
  }

  @Mutation(() => ApiKeyType, { description: 'The key stops working at once. The last active ADMIN key cannot be revoked.' })
  revokeApiKey(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext) {
    return ctx.services.apiKeys.revoke(requireCaller(ctx), id);
  }
}
