import type { FastifyInstance, InjectOptions } from 'fastify';
import { BATCH_PART_HEADER } from '../core/instrument.js';
import { defaultGraphError, GraphError, graphErrorBody } from './graph-errors.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';

/**
 * JSON batching (docs/providers.md#graph-throttling-and-batching,
 * https://learn.microsoft.com/graph/json-batching): at most 20 requests with unique ids; `dependsOn`
 * orders them and a failed dependency answers 424; each part runs through the whole pipeline again
 * (`app.inject` with the outer Authorization and `BATCH_PART_HEADER`), so it is throttled, faulted
 * and counted on its own; at most `batchParallelism` parts run at once; responses come back in
 * completion order.
 */
interface BatchPart {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

/** The headers a part's answer carries, in Graph's casing (the json-batching sample response). */
const PART_HEADERS: Record<string, string> = {
  'cache-control': 'Cache-Control',
  'odata-version': 'OData-Version',
  'content-type': 'Content-Type',
  location: 'Location',
  'retry-after': 'Retry-After',
  etag: 'ETag',
  'preference-applied': 'Preference-Applied',
};

const badBatch = (message: string) => new GraphError(400, 'BadRequest', message);

function parseBatch(raw: unknown): BatchPart[] {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { requests?: unknown }).requests)) {
    throw badBatch('Invalid batch payload format: a requests collection is expected.');
  }
  const requests = (raw as { requests: unknown[] }).requests;
  if (requests.length === 0) throw badBatch('Invalid batch payload format: the requests collection is empty.');
  if (requests.length > 20) throw badBatch('The number of batch requests exceeds the limit of 20.');
  const parts: BatchPart[] = requests.map((r, i) => {
    if (typeof r !== 'object' || r === null) throw badBatch(`Invalid batch payload format: request ${i} is not an object.`);
    const { id, method, url, headers, body, dependsOn } = r as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') throw badBatch('Each batch request needs a string id.');
    if (typeof method !== 'string' || !['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method.toUpperCase())) throw badBatch(`Batch request '${id}' has an invalid method.`);
    if (typeof url !== 'string' || /^[a-z]+:\/\//i.test(url)) throw badBatch(`Batch request '${id}' must use a relative URL.`);
    if (headers !== undefined && (typeof headers !== 'object' || headers === null)) throw badBatch(`Batch request '${id}' has invalid headers.`);
    const hdrs: Record<string, string> = {};
    for (const [k, v] of Object.entries((headers ?? {}) as Record<string, unknown>)) hdrs[k.toLowerCase()] = String(v);
    if (body !== undefined && !hdrs['content-type']) throw badBatch(`Batch request '${id}' has a body but no Content-Type header.`);
    if (dependsOn !== undefined && (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))) throw badBatch(`Batch request '${id}' has an invalid dependsOn.`);
    return { id, method: method.toUpperCase(), url, headers: hdrs, body, dependsOn: (dependsOn as string[] | undefined) ?? [] };
  });
  const ids = new Set<string>();
  for (const p of parts) {
    if (ids.has(p.id)) throw badBatch("Request Id's must be unique within a batch request.");
    ids.add(p.id);
  }
  for (const p of parts) for (const d of p.dependsOn) if (!ids.has(d) || d === p.id) throw badBatch(`Batch request '${p.id}' depends on an unknown request '${d}'.`);
  // Reject cycles: repeatedly peel off parts whose dependencies are all peeled.
  const done = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of parts) if (!done.has(p.id) && p.dependsOn.every((d) => done.has(d))) {
      done.add(p.id);
      progress = true;
    }
  }
  if (done.size !== parts.length) throw badBatch('The dependsOn graph of the batch has a cycle.');
  return parts;
}

export function registerBatchRoute(app: FastifyInstance, settings: MicrosoftEmulatorSettings): void {
  app.post('/v1.0/$batch', { config: { routeId: 'graph.batch' } }, async (request) => {
    const parts = parseBatch(request.body);
    const results = new Map<string, { status: number }>();
    const responses: Record<string, unknown>[] = [];
    const waiting = new Map(parts.map((p) => [p.id, p]));
    const running = new Set<Promise<void>>();

    const run = async (part: BatchPart): Promise<void> => {
      const failedDep = part.dependsOn.find((d) => (results.get(d)?.status ?? 0) >= 400);
      if (failedDep) {
        const { code } = defaultGraphError(424);
        results.set(part.id, { status: 424 });
        responses.push({
          id: part.id,
          status: 424,
          headers: { 'Cache-Control': 'no-cache', 'Content-Type': 'application/json' },
          body: graphErrorBody(code, `The request depends on request '${failedDep}', which failed.`),
        });
        return;
      }
      const headers: Record<string, string> = { ...part.headers, [BATCH_PART_HEADER]: '1' };
      if (request.headers.authorization) headers.authorization = String(request.headers.authorization);
      const url = `/v1.0${part.url.startsWith('/') ? '' : '/'}${part.url}`;
      const inject: InjectOptions = { method: part.method as InjectOptions['method'], url, headers };
      if (part.body !== undefined) inject.payload = typeof part.body === 'string' ? part.body : JSON.stringify(part.body);
      const res = await app.inject(inject);
      results.set(part.id, { status: res.statusCode });
      const out: Record<string, string> = {};
      for (const [lower, name] of Object.entries(PART_HEADERS)) {
        const v = res.headers[lower];
        if (v !== undefined) out[name] = String(v);
      }
      let body: unknown;
      if (res.body !== '') {
        try {
          body = JSON.parse(res.body);
        } catch {
          body = res.body;
        }
      }
      responses.push({ id: part.id, status: res.statusCode, headers: out, ...(body !== undefined ? { body } : {}) });
    };

    while (waiting.size > 0 || running.size > 0) {
      for (const part of [...waiting.values()]) {
        if (running.size >= Math.max(1, settings.batchParallelism)) break;
        if (!part.dependsOn.every((d) => results.has(d))) continue;
        waiting.delete(part.id);
        const p = run(part).finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size > 0) await Promise.race(running);
    }
    return { responses };
  });
}
