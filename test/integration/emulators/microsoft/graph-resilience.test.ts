import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestGraphClient, graphFor, startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../../helpers/microsoft-emulator.js';

let env: MicrosoftTestEnv;
let graph: Client;
let token: string;
const ACCOUNT = 'busy@contoso.onmicrosoft.com';
const timed = (subject: string, start: string, end: string) => ({ subject, start: { dateTime: start, timeZone: 'UTC' }, end: { dateTime: end, timeZone: 'UTC' } });

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  env.ms.control.createAccount({ email: ACCOUNT });
  ({ graph, token } = await graphFor(env, ACCOUNT));
});
afterEach(() => {
  env.core.faults.clear();
  env.core.counters.reset();
});
afterAll(async () => env?.close());

describe('Graph throttling, batching and faults', () => {
  it('answers the fifth concurrent request on a mailbox with 429 ApplicationThrottled and Retry-After', async () => {
    env.ms.control.updateSettings({ throttleRetryAfterSeconds: 2 });
    env.core.faults.add({ provider: 'microsoft', route: 'graph.events.list', action: { kind: 'latency', ms: 300 }, trigger: { mode: 'always' } });
    try {
      const responses = (await Promise.all(Array.from({ length: 5 }, () => graph.api('/me/events').responseType(ResponseType.RAW).get()))) as Response[];
      const throttled = responses.filter((r) => r.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      expect(throttled[0]!.headers.get('retry-after')).toBe('2');
      expect(await throttled[0]!.json()).toMatchObject({ error: { code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' } });
      expect(responses.filter((r) => r.status === 200)).toHaveLength(4);
    } finally {
      env.ms.control.updateSettings({ throttleRetryAfterSeconds: 0 });
    }
  });

  it('runs $batch parts in dependsOn order, answers 424 for dependents of a failed part, and counts parts apart', async () => {
    const res = await graph.api('/$batch').post({
      requests: [
        { id: '1', method: 'POST', url: '/me/events', headers: { 'Content-Type': 'application/json' }, body: timed('Batch A', '2026-05-04T09:00:00', '2026-05-04T10:00:00') },
        { id: '2', method: 'GET', url: '/me/events?$top=5', dependsOn: ['1'] },
        { id: '3', method: 'GET', url: '/me/events/AAMkAGI2doesnotexistAAA=' },
        { id: '4', method: 'PATCH', url: '/me/events/AAMkAGI2doesnotexistAAA=', headers: { 'Content-Type': 'application/json' }, body: { subject: 'x' }, dependsOn: ['3'] },
      ],
    });
    const byId = Object.fromEntries(res.responses.map((r: { id: string }) => [r.id, r])) as Record<string, { status: number; body: { value?: unknown[]; error?: { code: string } } }>;
    expect(byId['1']!.status).toBe(201);
    expect(byId['2']!.status).toBe(200);
    expect(byId['2']!.body.value).toHaveLength(1);
    expect(byId['3']!.status).toBe(404);
    expect(byId['4']!.status).toBe(424);
    // Counters are recorded once a response is sent, which may trail the client's read by a tick.
    await expect.poll(() => env.core.counters.total({ route: 'graph.batch' }).requests).toBe(1);
    expect(env.core.counters.total({ route: 'graph.events.*' }).batchedRequests).toBe(3);
  });

  it('rejects malformed batches: more than 20 parts, duplicate ids, a body without Content-Type', async () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
    expect(await graph.api('/$batch').post({ requests: many }).catch((e: unknown) => e)).toMatchObject({ statusCode: 400 });
    expect(await graph.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: '/me' }, { id: '1', method: 'GET', url: '/me' }] }).catch((e: unknown) => e)).toMatchObject({ statusCode: 400 });
    expect(await graph.api('/$batch').post({ requests: [{ id: '1', method: 'POST', url: '/me/events', body: {} }] }).catch((e: unknown) => e)).toMatchObject({ statusCode: 400 });
    expect(await graph.api('/$batch').post({ nope: true }).catch((e: unknown) => e)).toMatchObject({ statusCode: 400 });
  });

  it('retries an injected 503 with Retry-After through the SDK RetryHandler, and surfaces it when retries are off', async () => {
    env.core.faults.add({ provider: 'microsoft', route: 'graph.me', action: { kind: 'status', status: 503, retryAfterSeconds: 0 }, trigger: { mode: 'once' } });
    const retrying = createTestGraphClient(env, token, { maxRetries: 2 });
    expect((await retrying.api('/me').get()).userPrincipalName).toBe(ACCOUNT);
    await expect.poll(() => env.core.counters.total({ route: 'graph.me' }).requests).toBe(2);

    env.core.faults.add({ provider: 'microsoft', route: 'graph.me', action: { kind: 'status', status: 503, retryAfterSeconds: 7 }, trigger: { mode: 'once' } });
    const raw = (await graph.api('/me').responseType(ResponseType.RAW).get()) as Response;
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toMatchObject({ error: { code: 'ServiceUnavailable' } });
  });

  it('lets a client time out on a hung request and fails on a connection reset', async () => {
    env.core.faults.add({ provider: 'microsoft', route: 'graph.calendars.list', action: { kind: 'hang' }, trigger: { mode: 'once' } });
    const impatient = createTestGraphClient(env, token, { timeoutMs: 300 });
    const hung = await impatient.api('/me/calendars').get().catch((e: unknown) => e);
    expect(String((hung as Error).name) + String((hung as Error).message)).toMatch(/Timeout|abort/i);

    env.core.faults.add({ provider: 'microsoft', route: 'graph.calendars.list', account: ACCOUNT, action: { kind: 'reset' }, trigger: { mode: 'once' } });
    const reset = await graph.api('/me/calendars').get().catch((e: unknown) => e);
    expect((reset as Error).message).toMatch(/fetch failed|socket hang up|ECONNRESET/);
    expect((await graph.api('/me/calendars').get()).value.length).toBeGreaterThan(0);
  });

  it('counts requests per route and account', async () => {
    await graph.api('/me/calendars').get();
    await graph.api('/me/calendars').get();
    await expect.poll(() => env.core.counters.total({ route: 'graph.calendars.list' }).requests).toBe(2);
    const rows = env.core.counters.snapshot({ provider: 'microsoft', route: 'graph.calendars.list' });
    expect(rows).toEqual([expect.objectContaining({ account: env.ms.control.getAccount(ACCOUNT).id, requests: 2, statuses: { '200': 2 } })]);
  });
});
