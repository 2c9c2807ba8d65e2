import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, OperationTypeNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { HubConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { HubContext } from '../api/context.js';
import { formatHubError, isUnexpectedError } from '../api/errors/format-error.js';
import type { OperationGuard } from '../api/limits/operation-guard.js';
import { aliasLimitRule, depthLimitRule } from '../api/limits/operation-limits.js';
import { explorerLandingPage } from './graphql-explorer.js';
import { GRAPHQL_PATH } from './graphql-ws.js';

/** The operation guard needs the variables and the caller, so it runs once the operation is known, not as a validation rule. */
function operationGuardPlugin(guard: OperationGuard): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation, contextValue }) {
          if (!operation) return; // Apollo only calls this hook once the operation is resolved
          // Over HTTP a subscription would run its event resolver once, without an event.
          if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
            throw new GraphQLError(`Subscriptions run over WebSocket (graphql-ws protocol) on ${GRAPHQL_PATH}; HTTP serves queries and mutations`, {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const error = guard.check({ schema, document, operation, variables: request.variables, caller: contextValue.caller });
          if (error) throw error;
        },
      };
    },
  };
}

/** Unexpected errors are logged once, here, with the request's id; the client only sees INTERNAL_SERVER_ERROR. */
const errorLoggingPlugin: ApolloServerPlugin<HubContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue, operationName }) {
        for (const error of errors) {
          if (isUnexpectedError(error)) {
            contextValue.logger.error({ err: error.originalError ?? error, path: error.path, operationName }, 'GraphQL operation failed');
          }
        }
      },
    };
  },
};

const isUnauthenticatedOnly = (errors: readonly GraphQLFormattedError[] | undefined) =>
  !!errors && errors.length > 0 && errors.every((e) => e.extensions?.code === 'UNAUTHENTICATED');

/**
 * Every GraphQL answer is `cache-control: no-store` (answers are per API key and change with the
 * data), as Apollo's cache-control plugin would say for a schema without cache hints; that plugin
 * is off because it wraps every field resolver of every request to collect hints the hub never
 * gives. A request that failed only for lack of a valid key answers 401, as the invalid-key case does.
 */
const responseHeadersPlugin: ApolloServerPlugin<HubContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
        if (response.body.kind === 'single' && response.body.singleResult.data == null && isUnauthenticatedOnly(response.body.singleResult.errors)) {
          response.http.status = 401;
          response.http.headers.set('www-authenticate', 'Bearer');
        }
      },
    };
  },
};

export function createApolloServer(deps: { config: HubConfig; schema: GraphQLSchema; logger: Logger; guard: OperationGuard }): ApolloServer<HubContext> {
  const { config, schema, logger } = deps;
  return new ApolloServer<HubContext>({
    schema,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: formatHubError,
    validationRules: [depthLimitRule(config.graphql.maxDepth), aliasLimitRule(config.graphql.maxAliases)],
    logger: logger.child({ component: 'apollo' }),
    plugins: [
      operationGuardPlugin(deps.guard),
      errorLoggingPlugin,
      responseHeadersPlugin,
      ApolloServerPluginCacheControlDisabled(),
      // GraphiQL served by the hub (works offline); it needs introspection, without which the page only says where the API is.
      explorerLandingPage({ introspection: config.graphql.introspection }),
    ],
  });
}
