import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyInstance } from 'fastify';
import { GRAPHQL_PATH } from './graphql-ws.js';

/**
 * The page a browser gets at `GET /graphql`: GraphiQL, built from the `graphiql` npm package and
 * served by the hub itself (with React 18 and graphql-ws's browser builds), so it works without
 * internet — Apollo Sandbox, the default, loads from Apollo's CDN and stays blank offline.
 * Queries and mutations go over HTTP, subscriptions over graphql-ws on the same URL; the headers
 * typed in GraphiQL's Headers tab (`{ "Authorization": "Bearer <key>" }`) go with both.
 */

export const EXPLORER_ASSETS_PATH = `${GRAPHQL_PATH}/explorer`;

/** The browser builds the page loads, by the file name they are served under. */
const ASSETS: Record<string, { module: string; type: string }> = {
  'graphiql.min.css': { module: 'graphiql/graphiql.min.css', type: 'text/css; charset=utf-8' },
  'graphiql.min.js': { module: 'graphiql/graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'react.production.min.js': { module: 'react/umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { module: 'react-dom/umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphql-ws.min.js': { module: 'graphql-ws/umd/graphql-ws.min.js', type: 'text/javascript; charset=utf-8' },
};

/** A file of an installed package (by `<package>/<path inside it>`; packages' `exports` may not list it). */
function packageFile(specifier: string): string {
  const [scopeOrName, ...rest] = specifier.split('/');
  const name = scopeOrName!.startsWith('@') ? `${scopeOrName}/${rest.shift()}` : scopeOrName!;
  const packageJson = createRequire(import.meta.url).resolve(`${name}/package.json`);
  return path.join(path.dirname(packageJson), ...rest);
}

const STARTER_QUERY = `# The calendar sync hub's GraphQL API. Put an API key in the Headers tab below:
#   { "Authorization": "Bearer hub_…" }
# (the key of the first start is in data/admin-api-key.txt). The Docs button lists every operation.

query Start {
  viewer {
    role
    tenantId
  }
}
`;

function explorerPage(): string {
  const asset = (file: keyof typeof ASSETS) => `${EXPLORER_ASSETS_PATH}/${file}`;
  const defaultHeaders = JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Calendar sync hub — GraphiQL</title>
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphql-ws.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script>
  // Subscriptions carry the headers of the Headers tab as graphql-ws connection_init payload.
  let headers = ${JSON.stringify(defaultHeaders)};
  const connectionParams = () => { try { return JSON.parse(headers || '{}'); } catch { return {}; } };
  const wsClient = graphqlWs.createClient({ url: location.origin.replace(/^http/, 'ws') + ${JSON.stringify(GRAPHQL_PATH)}, lazy: true, lazyCloseTimeout: 0, connectionParams });
  const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(GRAPHQL_PATH)}, wsClient });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: ${JSON.stringify(STARTER_QUERY)},
      defaultHeaders: headers,
      defaultEditorToolsVisibility: 'headers',
      onEditHeaders: (value) => { headers = value; },
    }),
  );
</script>
</body>
</html>
`;
}

/** Without introspection there is no explorer: a page that says where the API is and why. */
const NO_EXPLORER_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>Calendar sync hub — GraphQL</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 10vh auto; line-height: 1.5">
<h1>Calendar sync hub — GraphQL</h1>
<p>This is the hub's GraphQL endpoint: POST queries and mutations here, open a graphql-ws WebSocket here for subscriptions.</p>
<p>The in-browser explorer is off because schema introspection is off (<code>GRAPHQL_INTROSPECTION=false</code>).</p>
</body>
</html>
`;

/** Apollo plugin: serves the explorer (or, without introspection, the plain page) as the landing page of `GET /graphql`. */
export function explorerLandingPage(opts: { introspection: boolean }): ApolloServerPlugin {
  const html = opts.introspection ? explorerPage() : NO_EXPLORER_PAGE;
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}

/** `GET /graphql/explorer/<file>`: the explorer's scripts and styles, read from node_modules once and cached by browsers for a day. */
export function registerExplorerAssets(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  app.get<{ Params: { file: string } }>(`${EXPLORER_ASSETS_PATH}/:file`, { logLevel: 'warn' }, async (request, reply) => {
    const asset = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    let body = cache.get(request.params.file);
    if (!body) {
      body = readFileSync(packageFile(asset.module));
      cache.set(request.params.file, body);
    }
    return reply.type(asset.type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
