import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CreateApiKeyDocument, RevokeApiKeyDocument, TenantsDocument, ViewerDocument } from '../graphql/generated.js';
import { onlyError, startTestHub, waitFor, type TestHub } from '../helpers/hub-harness.js';
import { capturingLogger } from '../helpers/pubsub-helpers.js';

describe('HTTP server', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /healthz and reports the database, job scheduler and subscription transport ready on /readyz', async () => {
    const health = await fetch(`${t.origin}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, jobs: { ok: true }, subscriptions: { ok: true } } });
  });

  it('echoes a sane x-request-id and makes one up otherwise', async () => {
    const given = await fetch(`${t.origin}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const made = await fetch(`${t.origin}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves GraphiQL to browsers on /graphql with every asset from the hub itself (works offline)', async () => {
    const page = await fetch(t.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toHaveLength(5);
    for (const asset of assets) {
      const res = await fetch(`${t.origin}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('content-type'), asset).toMatch(/^text\/(javascript|css)/);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
    expect((await fetch(`${t.origin}/graphql/explorer/package.json`)).status).toBe(404);
  });

  it('answers GraphQL with cache-control: no-store, data and errors alike', async () => {
    const ok = await t.gql(TenantsDocument, {}, t.adminKey);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const refused = await t.gql(TenantsDocument, {}, null);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 401 UNAUTHENTICATED without a key, with an unknown key, and with a malformed header', async () => {
    const missing = await t.gql(TenantsDocument, {}, null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(onlyError(missing).extensions?.code).toBe('UNAUTHENTICATED');

    const unknown = await t.gql(TenantsDocument, {}, 'hub_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.status).toBe(401);
    expect(onlyError(unknown)).toMatchObject({ message: 'Invalid or revoked API key', extensions: { code: 'UNAUTHENTICATED' } });

    const malformed = await fetch(t.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${t.adminKey}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
    });
    expect(malformed.status).toBe(401);
  });

  it('answers 401 for a revoked key', async () => {
    const created = await t.gql(CreateApiKeyDocument, { input: { name: 'temp', role: 'ADMIN' } }, t.adminKey);
    const { key, apiKey } = created.data!.createApiKey;
    expect((await t.gql(ViewerDocument, {}, key)).data?.viewer.role).toBe('ADMIN');
    await t.gql(RevokeApiKeyDocument, { id: apiKey.id }, t.adminKey);
    const refused = await t.gql(ViewerDocument, {}, key);
    expect(refused.status).toBe(401);
    expect(onlyError(refused).extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets tools load the schema by introspection with a key', async () => {
    const r = await t.rawGql('{ __schema { queryType { name } } }', {}, t.adminKey);
    expect(r.status).toBe(200);
    expect(r.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('refuses WebSocket upgrades on paths other than /graphql', async () => {
    const status = await new Promise<number | undefined>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${new URL(t.origin).port}/elsewhere`, 'graphql-transport-ws');
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });
});

describe('GraphQL limits', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_COMPLEXITY: '100' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('rejects a query deeper than GRAPHQL_MAX_DEPTH before running it', async () => {
    const r = await t.rawGql('{ tenants { edges { node { settings { conflictPolicy } } } } }', {}, t.adminKey);
    expect(r.status).toBe(400);
    expect(onlyError(r)).toMatchObject({
      message: 'Query depth 5 exceeds the limit of 3 (GRAPHQL_MAX_DEPTH); ask for fewer nested levels',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('rejects a query whose estimated cost exceeds GRAPHQL_MAX_COMPLEXITY, counting page sizes', async () => {
    const ok = await t.rawGql('query($n: Int) { tenants(first: $n) { totalCount } }', { n: 10 }, t.adminKey);
    expect(ok.errors).toBeUndefined();
    const r = await t.rawGql('query($n: Int) { tenants(first: $n) { totalCount } }', { n: 100 }, t.adminKey);
    expect(r.status).toBe(400);
    expect(onlyError(r).extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', complexity: 101, maxComplexity: 100 });
    expect(onlyError(r).message).toContain('GRAPHQL_MAX_COMPLEXITY');
  });

  it('still allows introspection under a low depth limit', async () => {
    const r = await t.rawGql('{ __schema { queryType { name fields { name type { name ofType { name ofType { name } } } } } } }', {}, t.adminKey);
    expect(r.errors).toBeUndefined();
  });
});

describe('introspection switched off', () => {
  it('refuses __schema queries when GRAPHQL_INTROSPECTION=false', async () => {
    const t = await startTestHub({ GRAPHQL_INTROSPECTION: 'false' });
    try {
      const r = await t.rawGql('{ __schema { queryType { name } } }', {}, t.adminKey);
      expect(onlyError(r).extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await t.gql(ViewerDocument, {}, t.adminKey)).data?.viewer.role).toBe('ADMIN');
    } finally {
      await t.close();
    }
  });
});

describe('failures and shutdown', () => {
  it('hides an internal failure behind INTERNAL_SERVER_ERROR, logs it with the request id, and turns /readyz 503', async () => {
    const { logger, lines } = capturingLogger('info');
    const t = await startTestHub({}, { logger });
    try {
      await t.hub.orm.close(true); // the database goes away
      const r = await fetch(t.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}`, 'x-request-id': 'req-db-down' },
        body: JSON.stringify({ query: '{ viewer { role } }' }),
      });
      const body = (await r.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(r.status).toBe(500);
      expect(body.errors).toEqual([{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(lines.some((l) => l.requestId === 'req-db-down' && l.level === 50 && l.err !== undefined)).toBe(true);
      expect(JSON.stringify(lines)).not.toContain(t.adminKey);

      const ready = await fetch(`${t.origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks.database).toEqual({ ok: false });
    } finally {
      await t.close();
    }
  });

  it('lets an in-flight request finish during graceful shutdown while refusing new connections', async () => {
    const t = await startTestHub();
    const port = Number(new URL(t.origin).port);
    const body = JSON.stringify({ query: '{ viewer { role } }' });
    const arrived = new Promise((resolve) => t.hub.app.server.once('request', resolve));
    const request = http.request({
      host: '127.0.0.1',
      port,
      path: '/graphql',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${t.adminKey}` },
    });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      request.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 5)); // headers and a first part of the body: the request is in flight
    await arrived;

    let closed = false;
    const closing = t.close().then(() => {
      closed = true;
    });
    await waitFor('the listener to stop accepting', () => !t.hub.app.server.listening);
    await expect(fetch(`${t.origin}/healthz`)).rejects.toThrow();
    expect(closed).toBe(false);

    request.end(body.slice(5));
    const answer = await response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ data: { viewer: { role: 'ADMIN' } } });
    await closing;
    expect(closed).toBe(true);
  });
});
