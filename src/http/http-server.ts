import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import { urlHostOf, type HubConfig } from '../config.js';
import type { ApiServices, HubContext } from '../api/context.js';
import { toGraphQLError } from '../api/errors/format-error.js';
import { OperationGuard } from '../api/limits/operation-guard.js';
import { MAX_REQUEST_BYTES } from '../api/limits/operation-limits.js';
import type { HubPubSub } from '../events/hub-pubsub.js';
import { isUnauthenticatedError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { createApolloServer } from './graphql-apollo.js';
import { registerExplorerAssets } from './graphql-explorer.js';
import { attachGraphQLWebSocket, GRAPHQL_PATH, type GraphQLWebSocket } from './graphql-ws.js';
import { registerHealthRoutes, type ReadinessCheck } from './health.routes.js';

/** Registers more routes (OAuth callbacks, webhooks, feeds) on the hub's Fastify instance. */
export type RouteRegistrar = (app: FastifyInstance) => void | Promise<void>;

export interface HttpServerDeps {
  config: HubConfig;
  logger: Logger;
  schema: GraphQLSchema;
  services: ApiServices;
  pubsub: HubPubSub;
  readiness: ReadinessCheck[];
  routes?: RouteRegistrar[];
}

export interface HttpServer {
  app: FastifyInstance;
  apollo: ApolloServer<HubContext>;
  /** Resolves with the bound address; `port` 0 picks a free one. */
  listen(): Promise<{ url: string; host: string; port: number }>;
  /**
   * Stops accepting (readyz turns 503, new connections are refused), closes WebSocket clients,
   * waits for in-flight HTTP requests up to `graceMs`, then drops what is left.
   */
  close(graceMs: number): Promise<void>;
  readonly shuttingDown: boolean;
}

/** Request ids: the caller's `x-request-id` when it is a sane token, else a fresh UUID. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * Node's `requestTimeout` stops counting once a request reached its handler, so a body trickled in
 * byte by byte would hold the connection (and its handler) forever: a request whose body is not
 * complete `timeoutMs` after its headers gets 408 and its connection is closed.
 */
function bodyDeadline(request: IncomingMessage, response: ServerResponse, timeoutMs: number, log: Logger): void {
  if (request.complete) return;
  const timer = setTimeout(() => {
    if (request.complete || response.headersSent) return;
    log.warn({ timeoutMs }, 'the request body did not arrive in time (HTTP_REQUEST_TIMEOUT_MS); closing the connection');
    const socket = request.socket;
    if (!socket.writable) return void socket.destroy();
    socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
  }, timeoutMs);
  timer.unref();
  response.once('close', () => clearTimeout(timer));
}

export async function createHttpServer(deps: HttpServerDeps): Promise<HttpServer> {
  const { config, logger, schema, services, pubsub } = deps;
  let shuttingDown = false;

  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    genReqId: requestIdOf,
    // One log line per request (the onResponse hook below) instead of Fastify's two ("incoming request", "request completed").
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: true }),
    // Fastify 5 keeps idle keep-alive sockets from holding `close()` open ('idle' is the default;
    // stated because graceful shutdown relies on it).
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Headers must arrive within HTTP_REQUEST_TIMEOUT_MS (Node answers 408 and closes); the body
    // is bounded by the hook below. Node checks on an interval (30 s by default): check more often.
    requestTimeout: config.http.requestTimeoutMs,
    http: { connectionsCheckingInterval: Math.min(Math.max(Math.floor(config.http.requestTimeoutMs / 4), 50), 5_000) },
  });
  app.addHook('onRequest', async (request, reply) => bodyDeadline(request.raw, reply.raw, config.http.requestTimeoutMs, request.log as Logger));
  // request.log carries the route's log level: routes that log nothing at info (the OAuth callback,
  // whose URL holds the code) stay silent.
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    // A keep-alive connection whose request was in flight when shutdown began would otherwise stay
    // open (idle) until its keep-alive timeout and hold `close()` up that long.
    if (shuttingDown) void reply.header('connection', 'close');
  });

  registerHealthRoutes(app, { checks: deps.readiness, isShuttingDown: () => shuttingDown });

  // One guard for both transports, so an API key has one rate limit.
  const guard = new OperationGuard(config.graphql);
  const apollo = createApolloServer({ config, schema, logger, guard });
  await apollo.start();
  app.route({
    url: GRAPHQL_PATH,
    method: ['GET', 'POST', 'OPTIONS'],
    bodyLimit: MAX_REQUEST_BYTES,
    handler: fastifyApolloHandler(apollo, {
      context: async (request): Promise<HubContext> => {
        try {
          const caller = await services.apiKeys.authenticate(request.headers.authorization);
          // request.log is a child of the pino logger given as `loggerInstance`, carrying the request id.
          return { requestId: request.id, caller, logger: request.log as Logger, services, pubsub };
        } catch (err) {
          if (isUnauthenticatedError(err)) throw toGraphQLError(err, 401);
          // Apollo answers 500 with INTERNAL_SERVER_ERROR (format-error.ts); the cause is only logged.
          request.log.error({ err }, 'authenticating the request failed');
          throw err;
        }
      },
    }),
  });

  registerExplorerAssets(app);
  for (const register of deps.routes ?? []) await register(app);

  let ws: GraphQLWebSocket | undefined;

  return {
    app,
    apollo,
    get shuttingDown() {
      return shuttingDown;
    },
    async listen() {
      ws = attachGraphQLWebSocket({
        server: app.server,
        schema,
        limits: config.graphql,
        guard,
        services,
        pubsub,
        logger,
      });
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address() as AddressInfo;
      return { url: `http://${urlHostOf(address.address)}:${address.port}${GRAPHQL_PATH}`, host: address.address, port: address.port };
    },
    async close(graceMs) {
      if (shuttingDown) return;
      shuttingDown = true;
      await ws?.close();
      const force = setTimeout(() => {
        logger.warn({ graceMs }, 'in-flight requests did not finish within the grace period; closing their connections');
        app.server.closeAllConnections();
      }, graceMs);
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      await apollo.stop();
    },
  };
}
