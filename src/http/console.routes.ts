import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { RouteRegistrar } from './http-server.js';

/**
 * The console's files (`console/` at the repository root, next to `src/` and `dist/`): two levels up
 * from src/http and dist/http, one from the bundle `npm start` runs (dist/main.bundle.js).
 */
const CONSOLE_DIR =
  ['../../console/', '../console/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url))).find((dir) => existsSync(path.join(dir, 'index.html'))) ??
  fileURLToPath(new URL('../../console/', import.meta.url));
/** graphql-ws's browser client: plain ES modules, served as they ship (no bundling step). */
const GRAPHQL_WS_DIR = path.dirname(createRequire(import.meta.url).resolve('graphql-ws/client'));

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
const ASSETS = new Set(['console.js', 'console.css', 'favicon.svg']);

/**
 * Only the hub's own files: no inline script or style, no other origin. `connect-src 'self'`
 * covers the GraphQL endpoint over HTTP and WebSocket (CSP Level 3 matches ws: and wss: to 'self').
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `/console`: the admin console, a static page with a small ES-module script that talks to the
 * public GraphQL API only (no private endpoints, no key in the page: the user types it). Files are
 * read once and kept in memory.
 */
export function consoleRoutes(): RouteRegistrar {
  const cache = new Map<string, Promise<Buffer>>();
  const read = (file: string) => {
    let content = cache.get(file);
    if (!content) {
      content = readFile(file);
      cache.set(file, content);
      content.catch(() => cache.delete(file));
    }
    return content;
  };
  const send = async (reply: FastifyReply, file: string) => {
    void reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache');
    try {
      return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(await read(file));
    } catch {
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    }
  };

  return (app) => {
    for (const url of ['/console', '/console/']) app.get(url, (_request, reply) => send(reply, path.join(CONSOLE_DIR, 'index.html')));
    app.get<{ Params: { file: string } }>('/console/assets/:file', (request, reply) =>
      ASSETS.has(request.params.file) ? send(reply, path.join(CONSOLE_DIR, request.params.file)) : reply.code(404).send('Not found'),
    );
    app.get<{ Params: { file: string } }>('/console/vendor/graphql-ws/:file', (request, reply) =>
      /^[\w-]+\.js$/.test(request.params.file) ? send(reply, path.join(GRAPHQL_WS_DIR, request.params.file)) : reply.code(404).send('Not found'),
    );
  };
}
