import type { FastifyRequest } from 'fastify';
import type { IcsDocument, IcsFeedService } from '../ics/ics-feed.service.js';
import type { RouteRegistrar } from './http-server.js';

export const ICS_ROUTE = '/ics/:file';

/**
 * `GET /ics/<token>.ics` (and HEAD): a user's ICS feed. No API key: the secret token is the
 * credential, so the route's request logging is off (the URL holds the token). Answers carry a
 * strong `ETag` and `Last-Modified`; `If-None-Match` (or, without it, `If-Modified-Since`) that
 * still matches gets 304. A malformed, unknown or revoked token gets the same 404 as any other path.
 */
export function icsRoutes(deps: { icsFeeds: Pick<IcsFeedService, 'render'> }): RouteRegistrar {
  return (app) => {
    app.get<{ Params: { file: string } }>(ICS_ROUTE, { logLevel: 'warn' }, async (request, reply) => {
      const file = request.params.file;
      const doc = file.endsWith('.ics') ? await deps.icsFeeds.render(file.slice(0, -'.ics'.length)) : null;
      void reply.header('cache-control', 'private, no-cache').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
      if (!doc) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      void reply.header('etag', doc.etag).header('last-modified', doc.lastModified.toUTCString());
      if (notModified(request, doc)) return reply.code(304).send();
      return reply.type('text/calendar; charset=utf-8').send(doc.body);
    });
  };
}

/** RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison); If-Modified-Since only without it. */
function notModified(request: FastifyRequest, doc: IcsDocument): boolean {
  const ifNoneMatch = request.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(doc.etag);
  }
  const ifModifiedSince = request.headers['if-modified-since'];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  // HTTP dates have whole seconds.
  return !Number.isNaN(since) && Math.floor(doc.lastModified.getTime() / 1000) * 1000 <= since;
}
