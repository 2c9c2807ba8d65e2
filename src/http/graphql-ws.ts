import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiServices, HubContext } from '../api/context.js';
import { formatHubError, isUnexpectedError, toGraphQLError } from '../api/errors/format-error.js';
import type { OperationGuard } from '../api/limits/operation-guard.js';
import { aliasLimitRule, depthLimitRule, MAX_REQUEST_BYTES } from '../api/limits/operation-limits.js';
import type { HubConfig } from '../config.js';
import { TOPICS, type HubPubSub } from '../events/hub-pubsub.js';
import { isUnauthenticatedError, UnauthenticatedError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { Caller } from '../tenancy/caller.js';

export const GRAPHQL_PATH = '/graphql';

/** Apollo's codes for errors GraphQL raises before execution, so both transports report them alike. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes ?? null, extensions: { ...error.extensions, code } });
}

/**
 * The `connection_init` payload clients send: `{ authorization: 'Bearer <api key>' }`. The key's
 * name is matched without regard to case, as HTTP header names are (`Authorization` works too).
 */
export type ConnectionParams = Record<string, unknown>;

/** The value of the `authorization` entry of a `connection_init` payload, whatever the case of its name. */
export function authorizationOf(params: ConnectionParams | undefined): string | undefined {
  if (!params) return undefined;
  const value = 'authorization' in params ? params.authorization : Object.entries(params).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  return typeof value === 'string' ? value : undefined;
}

type SocketExtra = Record<PropertyKey, unknown> & { connectionId?: string };

export interface GraphQLWebSocket {
  /** Closes every socket (1001 Going away, which ends their subscriptions) and stops accepting. */
  close(): Promise<void>;
  readonly clientCount: number;
}

/**
 * graphql-ws (`graphql-transport-ws` protocol) on the HTTP server's own port and on the GraphQL
 * path; upgrades to any other path are refused.
 *
 * Auth: the key travels in `connection_init` (browsers cannot set headers on a WebSocket). A
 * missing, unknown or revoked key closes the socket with 4401 and reason `UNAUTHENTICATED: …`
 * (4401 is fatal for the graphql-ws client, so it does not retry in a loop). The key is checked
 * again on every subscribe, and revoking a key closes its sockets with 4401 on every instance (the
 * API_KEY_REVOKED event), ending their subscriptions.
 *
 * Operations get the same validation rules, operation guard (cost, rate limit, text arguments) and
 * error mapping as over HTTP; a socket runs at most GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET at once.
 */
export function attachGraphQLWebSocket(deps: {
  server: Server;
  schema: GraphQLSchema;
  limits: HubConfig['graphql'];
  /** The operation guard HTTP uses too (one rate limit per API key). */
  guard: OperationGuard;
  services: ApiServices;
  pubsub: HubPubSub;
  logger: Logger;
}): GraphQLWebSocket {
  const { server, schema, limits, services, pubsub, guard } = deps;
  const logger = deps.logger.child({ component: 'graphql-ws' });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  let closing = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (closing || pathname !== GRAPHQL_PATH) {
      socket.end(`HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  server.on('upgrade', onUpgrade);

  // Sockets live long: every connect and subscribe reads the key from the store, not from the
  // request cache, so a key revoked straight in the database (the CLI on SQLite) stops at once.
  const authenticate = async (params: ConnectionParams | undefined): Promise<Caller> => {
    const caller = await services.apiKeys.authenticate(authorizationOf(params), { fresh: true });
    if (caller === null) throw new UnauthenticatedError('A valid API key is required: send { authorization: "Bearer <api key>" } in connection_init');
    return caller;
  };

  // The same rules Apollo applies over HTTP.
  const rules = [
    ...specifiedRules,
    depthLimitRule(limits.maxDepth),
    aliasLimitRule(limits.maxAliases),
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];

  // The key each open socket authenticated with, so a revocation (from any instance, through the
  // pubsub) closes that key's sockets and with them their subscriptions.
  const socketKeys = new Map<WebSocket, string>();
  const trackKey = (socket: WebSocket, apiKeyId: string) => {
    socketKeys.set(socket, apiKeyId);
    socket.once('close', () => socketKeys.delete(socket));
  };
  const revocations = pubsub.subscribeTyped(TOPICS.API_KEY_REVOKED);
  void (async () => {
    for await (const { apiKeyId } of revocations) {
      services.apiKeys.forget(apiKeyId);
      for (const [socket, key] of socketKeys) {
        if (key !== apiKeyId) continue;
        logger.info({ apiKeyId }, 'closing a WebSocket connection: its API key was revoked');
        socket.close(CloseCode.Unauthorized, 'UNAUTHENTICATED: the API key was revoked');
      }
    }
  })().catch((err: unknown) => logger.error({ err }, 'listening for API key revocations failed'));

  const format = (errors: readonly GraphQLError[], log: Logger) =>
    errors.map((error) => {
      if (isUnexpectedError(error)) log.error({ err: error.originalError ?? error, path: error.path }, 'GraphQL subscription failed');
      return formatHubError(error.toJSON(), error);
    });

  const disposable = useServer<ConnectionParams, SocketExtra>(
    {
      schema,
      // Never put internal error messages in close reasons.
      isProd: true,
      onConnect: async (ctx) => {
        try {
          const caller = await authenticate(ctx.connectionParams);
          ctx.extra.connectionId = randomUUID();
          if (caller.apiKeyId) trackKey(ctx.extra.socket, caller.apiKeyId);
          return true;
        } catch (err) {
          if (!isUnauthenticatedError(err)) throw err;
          // graphql-ws would close with 4403 on `false`; this close comes first and wins.
          ctx.extra.socket.close(CloseCode.Unauthorized, `UNAUTHENTICATED: ${err.message}`.slice(0, 120));
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const requestId = `${ctx.extra.connectionId ?? 'ws'}:${id}`;
        const log = logger.child({ requestId });
        // graphql-ws has registered this one already; each open one is a listener every event fans out to.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [
            new GraphQLError(`This connection already runs ${limits.maxSubscriptionsPerSocket} operations (GRAPHQL_MAX_SUBSCRIPTIONS_PER_SOCKET); complete one first or open another connection`, {
              extensions: { code: 'LIMIT_EXCEEDED', maxSubscriptions: limits.maxSubscriptionsPerSocket },
            }),
          ];
        }
        let caller: Caller;
        try {
          caller = await authenticate(ctx.connectionParams);
        } catch (err) {
          if (isUnauthenticatedError(err)) return [toGraphQLError(err)];
          throw err;
        }
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [withCode(err instanceof GraphQLError ? err : new GraphQLError(String(err)), 'GRAPHQL_PARSE_FAILED')];
        }
        const validationErrors = validate(schema, document, rules);
        if (validationErrors.length > 0) return validationErrors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
        // No operation (a wrong operationName): execution reports that itself.
        const operation = getOperationAST(document, payload.operationName);
        const refused = operation ? guard.check({ schema, document, operation, variables: payload.variables ?? undefined, caller }) : null;
        if (refused) return [refused];
        const contextValue: HubContext = { requestId, caller, logger: log, services, pubsub };
        const args: ExecutionArgs = {
          schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue,
        };
        return args;
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return undefined;
        const log = (args.contextValue as HubContext | undefined)?.logger ?? logger;
        return { ...result, errors: format(result.errors, log) };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors, logger),
    },
    wss,
  );

  return {
    async close() {
      closing = true;
      server.off('upgrade', onUpgrade);
      await revocations.return?.();
      await disposable.dispose();
    },
    get clientCount() {
      return wss.clients.size;
    },
  };
}
