import type { FastifyInstance } from 'fastify';
import { authenticate, type GraphDeps } from './graph-routes.js';
import { invalidRequest } from './graph-errors.js';

/**
 * `/v1.0/subscriptions` (docs/providers.md#graph-subscriptions): create with the validation handshake,
 * list, get, renew, delete, reauthorize.
 */
export function registerSubscriptionRoutes(app: FastifyInstance, deps: GraphDeps): void {
  const { subscriptions, calendar } = deps;

  app.post('/v1.0/subscriptions', { config: { routeId: 'graph.subscriptions.create' } }, async (request, reply) => {
    const caller = authenticate(request, deps);
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
    const sub = await subscriptions.create(caller.account, caller.clientId, body as Record<string, unknown>, (calendarId) => {
      calendar.calendar(caller.account.id, calendarId);
    });
    return reply.code(201).send({ '@odata.context': `${deps.origin()}/v1.0/$metadata#subscriptions/$entity`, ...subscriptions.render(sub, caller.clientId) });
  });

  app.get('/v1.0/subscriptions', { config: { routeId: 'graph.subscriptions.list' } }, async (request) => {
    const caller = authenticate(request, deps);
    return {
      '@odata.context': `${deps.origin()}/v1.0/$metadata#subscriptions`,
      value: subscriptions.list(caller.account.id).map((s) => subscriptions.render(s, s.clientId)),
    };
  });

  app.get('/v1.0/subscriptions/:id', { config: { routeId: 'graph.subscriptions.get' } }, async (request) => {
    const caller = authenticate(request, deps);
    const { id } = request.params as { id: string };
    const sub = subscriptions.get(id, caller.account.id);
    return subscriptions.render(sub, sub.clientId);
  });

  app.patch('/v1.0/subscriptions/:id', { config: { routeId: 'graph.subscriptions.update' } }, async (request) => {
    const caller = authenticate(request, deps);
    const { id } = request.params as { id: string };
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
    const sub = subscriptions.renew(id, caller.account.id, body as Record<string, unknown>);
    return subscriptions.render(sub, sub.clientId);
  });

  app.delete('/v1.0/subscriptions/:id', { config: { routeId: 'graph.subscriptions.delete' } }, async (request, reply) => {
    const caller = authenticate(request, deps);
    const { id } = request.params as { id: string };
    subscriptions.remove(id, caller.account.id);
    return reply.code(204).send();
  });

  app.post('/v1.0/subscriptions/:id/reauthorize', { config: { routeId: 'graph.subscriptions.reauthorize' } }, async (request, reply) => {
    const caller = authenticate(request, deps);
    const { id } = request.params as { id: string };
    subscriptions.get(id, caller.account.id);
    return reply.code(204).send();
  });
}
