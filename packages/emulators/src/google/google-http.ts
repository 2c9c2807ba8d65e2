import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CalendarApiError, calendarErrors, isCalendarApiError, isOAuthError, OAuthError } from './google-api.errors.js';

/**
 * Body parsing and error rendering shared by every route of the Google emulator. Malformed
 * requests get Google's own 400 shapes (`parseError`, `badRequest`), never a crash; anything
 * unexpected becomes a 500 `backendError` in the shape of the route's family (Calendar or OAuth).
 */

export type FormBody = Record<string, string | string[]>;

export function parseForm(raw: string): FormBody {
  const out: FormBody = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The first value of each form field. */
export function formFields(body: unknown): Record<string, string | undefined> {
  if (!body || typeof body !== 'object') return {};
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v)]));
}

class BodyParseError extends Error {}

export function installParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new BodyParseError(e instanceof Error ? e.message : 'invalid JSON'), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, parseForm(String(body))));
  app.addContentTypeParser('multipart/mixed', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

const isOAuthRoute = (request: FastifyRequest) => (request.routeOptions.config?.routeId ?? '').startsWith('google.oauth');

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    if (isCalendarApiError(error)) {
      for (const [k, v] of Object.entries(error.headers)) reply.header(k, v);
      return reply.code(error.status).send(error.body());
    }
    if (isOAuthError(error)) return reply.code(error.status).header('cache-control', 'no-store').send(error.body());
    const e = error as { statusCode?: number; message?: string; code?: string };
    const clientError = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500;
    if (isOAuthRoute(request)) {
      const oauth = clientError ? new OAuthError(400, 'invalid_request', e.message ?? 'Bad Request') : new OAuthError(500, 'internal_failure', 'Backend Error');
      return reply.code(oauth.status).send(oauth.body());
    }
    if (error instanceof BodyParseError) return reply.code(400).send(calendarErrors.parseError(error.message).body());
    if (clientError) {
      const status = e.statusCode === 413 ? 413 : 400;
      const mapped = new CalendarApiError(status, { domain: 'global', reason: 'badRequest', message: status === 413 ? 'Request Entity Too Large' : (e.message ?? 'Bad Request') });
      return reply.code(status).send(mapped.body());
    }
    request.log.error({ err: error }, 'google emulator: unexpected error');
    return reply.code(500).send(calendarErrors.backendError().body());
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/token') || request.url.startsWith('/o/oauth2') || request.url.startsWith('/oauth2')) {
      return reply.code(404).send({ error: 'not_found', error_description: 'Not Found' });
    }
    return reply.code(404).send(calendarErrors.notFound().body());
  });
}

export function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1]?.trim() ?? null;
}

export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
