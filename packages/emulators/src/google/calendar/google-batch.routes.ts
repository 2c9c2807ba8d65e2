import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { BATCH_PART_HEADER } from '../../core/instrument.js';
import { calendarErrors } from '../google-api.errors.js';

/**
 * `POST /batch/calendar/v3`: a multipart/mixed body whose parts are `application/http` requests
 * (`PATCH /calendar/v3/calendars/primary/events/abc HTTP/1.1`, headers, body). Outer headers such
 * as Authorization apply to every part unless the part sets its own. Each part is dispatched to
 * this same server (so it is authorised, faulted and counted like a call of its own) and the
 * answers come back in order as `Content-ID: response-<id>` parts.
 * https://developers.google.com/workspace/calendar/api/guides/batch
 */

export const MAX_BATCH_PARTS = 1000;

/** Outer headers that describe the batch envelope itself and never reach the parts. */
const ENVELOPE_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'host', 'connection', 'accept-encoding', 'expect', BATCH_PART_HEADER]);

interface BatchPart {
  contentId: string | null;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

function splitHead(text: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: '' };
  return { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

function parseHeaders(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

export class BatchFormatError extends Error {}

export function parseBatchBody(body: string, boundary: string): BatchPart[] {
  const delimiter = `--${boundary}`;
  const chunks = body.split(delimiter);
  const parts: BatchPart[] = [];
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const trimmed = chunk.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
    if (trimmed.trim() === '') continue;
    const outer = splitHead(trimmed);
    const partHeaders = parseHeaders(outer.head);
    const inner = splitHead(outer.body.replace(/^(\r?\n)+/, ''));
    const lines = inner.head.split(/\r?\n/);
    const requestLine = (lines.shift() ?? '').trim();
    const m = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(requestLine);
    if (!m) throw new BatchFormatError(`Invalid request line in batch part: ${requestLine || '(empty)'}`);
    let url = m[2] ?? '/';
    if (/^https?:\/\//i.test(url)) {
      const u = new URL(url);
      url = u.pathname + u.search;
    }
    parts.push({
      contentId: partHeaders['content-id'] ?? null,
      method: m[1] ?? 'GET',
      url,
      headers: parseHeaders(lines.join('\n')),
      body: inner.body.replace(/\r?\n$/, ''),
    });
  }
  return parts;
}

function responseContentId(id: string | null, index: number): string {
  if (!id) return `<response-${index + 1}>`;
  const bare = id.replace(/^<|>$/g, '');
  return id.startsWith('<') ? `<response-${bare}>` : `response-${bare}`;
}

export function registerBatchRoutes(app: FastifyInstance): void {
  const handler = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (request.headers[BATCH_PART_HEADER] === '1') throw calendarErrors.badRequest('Nested batch requests are not allowed.');
    const contentType = request.headers['content-type'] ?? '';
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (!/^multipart\/mixed/i.test(contentType) || !boundary) throw calendarErrors.badRequest('Batch requests must be multipart/mixed with a boundary.');
    const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : String(request.body ?? '');
    let parts: BatchPart[];
    try {
      parts = parseBatchBody(raw, boundary[1] ?? boundary[2] ?? '');
    } catch (e) {
      if (e instanceof BatchFormatError) throw calendarErrors.badRequest(e.message);
      throw e;
    }
    if (parts.length === 0) throw calendarErrors.badRequest('Batch request contains no parts.');
    if (parts.length > MAX_BATCH_PARTS) throw calendarErrors.badRequest(`Exceeded maximum batch size of ${MAX_BATCH_PARTS} requests.`);

    const outer: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) {
      if (!ENVELOPE_HEADERS.has(k) && typeof v === 'string') outer[k] = v;
    }
    const responses: string[] = [];
    for (const [index, part] of parts.entries()) {
      const res = await app.inject({
        method: part.method as 'GET',
        url: part.url,
        headers: { ...outer, ...part.headers, [BATCH_PART_HEADER]: '1', ...(part.body && !part.headers['content-type'] ? { 'content-type': 'application/json' } : {}) },
        ...(part.body ? { payload: part.body } : {}),
      });
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
      for (const name of ['content-type', 'etag', 'retry-after']) {
        const v = res.headers[name];
        if (v !== undefined) lines.push(`${name === 'etag' ? 'ETag' : name === 'retry-after' ? 'Retry-After' : 'Content-Type'}: ${String(v)}`);
      }
      lines.push(`Content-Length: ${Buffer.byteLength(res.body)}`);
      responses.push(['Content-Type: application/http', `Content-ID: ${responseContentId(part.contentId, index)}`, '', ...lines, '', res.body].join('\r\n'));
    }
    const out = `batch_${randomBytes(12).toString('base64url')}`;
    const payload = responses.map((r) => `--${out}\r\n${r}\r\n`).join('') + `--${out}--\r\n`;
    return reply.code(200).type(`multipart/mixed; boundary=${out}`).send(payload);
  };
  app.post('/batch/calendar/v3', { config: { routeId: 'google.batch' } }, handler);
  app.post('/batch', { config: { routeId: 'google.batch' } }, handler);
}
