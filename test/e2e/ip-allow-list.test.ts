import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/logger.js';
import { CreateApiKeyDocument, CreateTenantDocument, UpdateIpAllowListDocument } from '../graphql/generated.js';
import { onlyError, startTestHub, type TestHub } from '../helpers/hub-harness.js';

/** A hub whose warnings are kept, and a tenant with its own key. */
async function start(env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const t = await startTestHub({ JOBS_ENABLED: 'false', ...env }, { logger: createLogger({ level: 'warn' }, sink) });
  const tenant = await t.gql(CreateTenantDocument, { input: { name: 'Locked' } }, t.adminKey);
  const tenantId = tenant.data!.createTenant.id;
  const key = (await t.gql(CreateApiKeyDocument, { input: { tenantId, name: 'crm' } }, t.adminKey)).data!.createApiKey.key;
  return { t, lines, tenantId, key };
}

/** The Viewer query sent as if from behind a proxy that says `forwardedFor`. */
async function viewer(t: TestHub, key: string, forwardedFor?: string) {
  const response = await fetch(t.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ query: '{ viewer { role tenantId } }' }),
  });
  const body = (await response.json()) as { data?: { viewer: { role: string } } | null; errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, role: body.data?.viewer.role ?? null, code: body.errors?.[0]?.extensions?.code ?? null };
}

/** Opens a graphql-ws connection (optionally through a proxy header) and reports how it ended. */
function wsOutcome(t: TestHub, key: string, forwardedFor?: string): Promise<{ closeCode: number | null; role: string | null }> {
  class ProxiedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
    }
  }
  return new Promise((resolve) => {
    let closeCode: number | null = null;
    const client = createClient({
      url: t.wsUrl,
      webSocketImpl: ProxiedWebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      on: { closed: (e) => (closeCode = (e as { code: number }).code) },
    });
    let role: string | null = null;
    client.subscribe<{ viewer: { role: string } }>(
      { query: '{ viewer { role } }' },
      {
        next: (r) => (role = r.data?.viewer.role ?? null),
        error: () => void Promise.resolve(client.dispose()).then(() => resolve({ closeCode, role })),
        complete: () => void Promise.resolve(client.dispose()).then(() => resolve({ closeCode, role })),
      },
    );
  });
}

describe('IP allow-list without a trusted proxy', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start({});
  });
  afterAll(() => s?.t.close());

  it('accepts every address until the tenant sets a list', async () => {
    expect(await viewer(s.t, s.key)).toMatchObject({ status: 200, role: 'TENANT' });
  });

  it('refuses a tenant key from an unlisted address with FORBIDDEN, logged, and ignores X-Forwarded-For', async () => {
    const set = await s.t.gql(UpdateIpAllowListDocument, { ipAllowList: ['10.0.0.0/8', '2001:db8::/32'] }, s.key);
    expect(set.data?.updateTenantSettings.ipAllowList).toEqual(['10.0.0.0/8', '2001:db8::/32']);

    expect(await viewer(s.t, s.key)).toEqual({ status: 403, role: null, code: 'FORBIDDEN' });
    // Nobody in front of the hub is trusted, so a client cannot claim a listed address.
    expect(await viewer(s.t, s.key, '10.1.2.3')).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(s.lines).toContainEqual(expect.objectContaining({ level: 40, clientAddress: '127.0.0.1', tenantId: s.tenantId, msg: expect.stringContaining('allow-list') }));
    expect(JSON.stringify(s.lines)).not.toContain(s.key);

    expect(await wsOutcome(s.t, s.key)).toEqual({ closeCode: 4403, role: null });
    // ADMIN keys are not bound to a tenant, nor to its list.
    expect(await viewer(s.t, s.t.adminKey!)).toMatchObject({ status: 200, role: 'ADMIN' });
  });
});

describe('IP allow-list settings', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start({});
  });
  afterAll(() => s?.t.close());

  it('names a bad entry and keeps the list unchanged', async () => {
    const bad = await s.t.gql(UpdateIpAllowListDocument, { ipAllowList: ['127.0.0.1', 'intranet'] }, s.key);
    expect(onlyError(bad).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ipAllowList.1' });
    expect(await viewer(s.t, s.key)).toMatchObject({ status: 200, role: 'TENANT' });
  });

  it('accepts a listed address over HTTP and WebSocket, and [] lifts the restriction', async () => {
    await s.t.gql(UpdateIpAllowListDocument, { ipAllowList: ['127.0.0.1'] }, s.key);
    expect(await viewer(s.t, s.key)).toMatchObject({ status: 200, role: 'TENANT' });
    expect(await wsOutcome(s.t, s.key)).toMatchObject({ role: 'TENANT' });
    await s.t.gql(UpdateIpAllowListDocument, { ipAllowList: ['192.0.2.0/24'] }, s.key);
    expect(await viewer(s.t, s.key)).toMatchObject({ status: 403 });
    const lifted = await s.t.gql(UpdateIpAllowListDocument, { tenantId: s.tenantId, ipAllowList: [] }, s.t.adminKey);
    expect(lifted.data?.updateTenantSettings.ipAllowList).toEqual([]);
    expect(await viewer(s.t, s.key)).toMatchObject({ status: 200, role: 'TENANT' });
  });
});

describe('IP allow-list behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
  let s: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    s = await start({ TRUST_PROXY: '127.0.0.1' });
    await s.t.gql(UpdateIpAllowListDocument, { ipAllowList: ['10.0.0.0/8'] }, s.key);
  });
  afterAll(() => s?.t.close());

  it('takes the client from X-Forwarded-For: listed clients in, others and the proxy itself out', async () => {
    expect(await viewer(s.t, s.key, '10.1.2.3')).toMatchObject({ status: 200, role: 'TENANT' });
    expect(await viewer(s.t, s.key, '198.51.100.4')).toEqual({ status: 403, role: null, code: 'FORBIDDEN' });
    expect(s.lines).toContainEqual(expect.objectContaining({ clientAddress: '198.51.100.4' }));
    expect(await viewer(s.t, s.key)).toMatchObject({ status: 403 });
    // Only the hop next to the trusted proxy counts: a client cannot prepend a listed address.
    expect(await viewer(s.t, s.key, '10.9.9.9, 198.51.100.4')).toMatchObject({ status: 403 });
  });

  it('does the same for WebSocket connections', async () => {
    expect(await wsOutcome(s.t, s.key, '10.1.2.3')).toMatchObject({ role: 'TENANT' });
    expect(await wsOutcome(s.t, s.key, '198.51.100.4')).toEqual({ closeCode: 4403, role: null });
  });
});
