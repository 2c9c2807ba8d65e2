import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';
import type { PushNotifications } from '../push/push-notifications.service.js';
import { PUSH_ROUTES } from '../push/push-settings.js';
import type { RouteRegistrar } from './http-server.js';

/** Graph must be answered within 3 s (docs/providers.md#graph-subscriptions): verification and queueing get this long, then the answer goes out anyway. */
const ANSWER_WITHIN_MS = 2_000;
/** Graph batches notifications; nothing legitimate comes near this. */
const BODY_LIMIT = 1_048_576;
/** Graph's validation tokens are short opaque strings. */
const MAX_VALIDATION_TOKEN = 1024;

/**
 * The provider notification endpoints (no API key: every notification is verified against the
 * channel it names, see PushNotifications):
 * - `POST /webhooks/microsoft-graph` and `…/lifecycle`: the validation handshake (`?validationToken=`
 *   echoed as text/plain), then change and lifecycle notifications, answered 202 — also when
 *   discarded, as Graph expects 2xx from an endpoint it must not throttle or retry;
 * - `POST /webhooks/google-calendar`: `X-Goog-*` headers, empty body, answered 200 (Google retries
 *   5xx only).
 * Bodies are read as text here and parsed by hand: Google posts an empty body whatever its type.
 */
export function pushRoutes(deps: { notifications: PushNotifications; logger: Logger }): RouteRegistrar {
  const log = deps.logger.child({ component: 'push-routes' });
  return async (app) => {
    await app.register(async (scope: FastifyInstance) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

      const graph = (handle: (body: unknown) => Promise<boolean>) => async (request: FastifyRequest, reply: FastifyReply) => {
        void reply.header('cache-control', 'no-store');
        const token = (request.query as Record<string, unknown>).validationToken;
        if (token !== undefined) {
          if (typeof token !== 'string' || token.length > MAX_VALIDATION_TOKEN) return reply.code(400).send();
          return reply.code(200).header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(token);
        }
        const body = parseJson(request.body);
        const handled = await answerInTime(handle(body), log);
        return reply.code(handled === false ? 400 : 202).send();
      };
      scope.post(PUSH_ROUTES.graph, { logLevel: 'warn' }, graph((body) => deps.notifications.graphChanges(body)));
      scope.post(PUSH_ROUTES.graphLifecycle, { logLevel: 'warn' }, graph((body) => deps.notifications.graphLifecycle(body)));

      scope.post(PUSH_ROUTES.google, { logLevel: 'warn' }, async (request, reply) => {
        const header = (name: string) => {
          const v = request.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        await answerInTime(
          deps.notifications.google({
            channelId: header('x-goog-channel-id'),
            token: header('x-goog-channel-token'),
            resourceId: header('x-goog-resource-id'),
            state: header('x-goog-resource-state'),
          }),
          log,
        );
        return reply.code(200).header('cache-control', 'no-store').send();
      });
    });
  };
}

function parseJson(body: unknown): unknown {
  if (typeof body !== 'string' || body === '') return null;
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

/**
 * Waits for the work up to ANSWER_WITHIN_MS; work that takes longer goes on after the answer (a
 * busy database must not make the provider throttle or drop the endpoint). Undefined when it did
 * not finish in time; failures are logged, never answered with 5xx (the provider would retry a
 * notification the hub cannot use better the second time).
 */
async function answerInTime<T>(work: Promise<T>, log: Logger): Promise<T | undefined> {
  const guarded = work.catch((err: unknown) => {
    log.error({ err }, 'handling a push notification failed');
    return undefined;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([guarded, late]);
  } finally {
    clearTimeout(timer);
  }
}
