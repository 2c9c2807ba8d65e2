import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { requireCaller, type HubContext } from '../context.js';
import { PageArgs } from '../pagination/page-args.input.js';
import { CreateWebhookEndpointInput, UpdateWebhookEndpointInput, WebhookEndpointsArgs } from './webhook.input.js';
import { CreateWebhookEndpointPayload, WebhookDeliveryConnection, WebhookDeliveryType, WebhookEndpointConnection, WebhookEndpointType } from './webhook.type.js';

@Resolver(() => WebhookEndpointType)
export class WebhookResolver {
  @Query(() => WebhookEndpointConnection, { description: 'Webhook endpoints, oldest first.' })
  webhookEndpoints(@Args(() => WebhookEndpointsArgs) filter: WebhookEndpointsArgs, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: HubContext) {
    return ctx.services.webhooks.list(requireCaller(ctx), filter, page);
  }

  @Query(() => WebhookDeliveryConnection, { description: "An endpoint's deliveries, oldest first." })
  webhookDeliveries(@Arg('endpointId', () => ID) endpointId: string, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: HubContext) {
    return ctx.services.webhooks.deliveries(requireCaller(ctx), endpointId, page);
  }

  @Mutation(() => CreateWebhookEndpointPayload, { description: 'Registers an endpoint; the signing secret is returned once.' })
  createWebhookEndpoint(@Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput, @Ctx() ctx: HubContext) {
    return ctx.services.webhooks.create(requireCaller(ctx), input);
  }

  @Mutation(() => WebhookEndpointType)
  updateWebhookEndpoint(@Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput, @Ctx() ctx: HubContext) {
    return ctx.services.webhooks.update(requireCaller(ctx), input);
  }

  @Mutation(() => WebhookEndpointType, { description: 'Deletes the endpoint and its deliveries; returns it as it was.' })
  deleteWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: HubContext) {
    return ctx.services.webhooks.delete(requireCaller(ctx), id);
  }

  @Mutation(() => WebhookDeliveryType, { description: 'Sends a delivery again, with the same webhook-id, whatever its status (the endpoint must be enabled).' })
  redeliverWebhook(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: HubContext) {
    return ctx.services.webhooks.redeliver(requireCaller(ctx), deliveryId);
  }
}
