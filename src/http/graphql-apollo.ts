import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { HubConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { HubContext } from '../api/context.js';
import { formatHubError, isUnexpectedError } from '../api/errors/format-error.js';
import { complexityError, depthLimitRule, operationComplexity } from '../api/limits/operation-limits.js';
import { explorerLandingPage } from './graphql-explorer.js';

/** Complexity needs the variables, so it is checked once the operation is known, not as a validation rule. */
function complexityLimitPlugin(maxComplexity: number): ApolloServerPlugin<HubContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          const error = complexityError(operationComplexity(schema, document, request.variables, operationName), maxComplexity);
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

/** A request that failed only for lack of a valid key answers 401, as the invalid-key case does. */
const unauthenticatedStatusPlugin: ApolloServerPlugin<HubContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind === 'single' && response.body.singleResult.data == null && isUnauthenticatedOnly(response.body.singleResult.errors)) {
          response.http.status = 401;
          response.http.headers.set('www-authenticate', 'Bearer');
        }
      },
    };
  },
};

export function createApolloServer(deps: { config: HubConfig; schema: GraphQLSchema; logger: Logger }): ApolloServer<HubContext> {
  const { config, schema, logger } = deps;
  return new ApolloServer<HubContext>({
    schema,
    introspection: config.graphql.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: formatHubError,
    validationRules: [depthLimitRule(config.graphql.maxDepth)],
    logger: logger.child({ component: 'apollo' }),
    plugins: [
      complexityLimitPlugin(config.graphql.maxComplexity),
      errorLoggingPlugin,
      unauthenticatedStatusPlugin,
      // GraphiQL served by the hub (works offline); it needs introspection, without which the page only says where the API is.
      explorerLandingPage({ introspection: config.graphql.introspection }),
    ],
  });
}
