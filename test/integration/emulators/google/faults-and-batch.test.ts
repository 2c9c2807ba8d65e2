import type { calendar_v3 } from '@googleapis/calendar';
import type { OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiError, authorize, calendarClient, FAST_RETRY, SCOPES, startGoogleTestEmulator, type GoogleTestEnv } from '../../../helpers/google-emulator.js';

let env: GoogleTestEnv;
let cal: calendar_v3.Calendar;
let client: OAuth2Client;

beforeAll(async () => {
  env = await startGoogleTestEmulator({ seed: false });
  env.google.control.createAccount({ email: 'faults@example.com' });
  ({ client } = await authorize(env, { email: 'faults@example.com', scopes: [SCOPES.calendar] }));
  cal = calendarClient(env, client);
});
afterAll(async () => {
  await env.close();
});
afterEach(() => {
  env.core.faults.clear();
  env.core.counters.reset();
});

const slot = { start: { dateTime: '2031-06-01T09:00:00Z' }, end: { dateTime: '2031-06-01T10:00:00Z' } };
const count = (route: string) => env.core.counters.total({ provider: 'google', route });
const statuses = (route: string) => env.core.counters.snapshot({ provider: 'google', route }).reduce<Record<string, number>>((acc, r) => {
  for (const [k, v] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + v;
  return acc;
}, {});

describe('Google emulator: injected faults seen through the SDK', () => {
  it('answers 403 rateLimitExceeded in the usageLimits shape; the SDK does not retry it', async () => {
    env.core.faults.add({ provider: 'google', route: 'google.events.insert', action: { kind: 'status', status: 403 } });
    expect(await apiError(cal.events.insert({ calendarId: 'primary', requestBody: slot }, FAST_RETRY))).toEqual({
      status: 403,
      reason: 'rateLimitExceeded',
      domain: 'usageLimits',
      message: 'Rate Limit Exceeded',
    });
    expect(count('google.events.insert').requests).toBe(1);
  });

  it('answers userRateLimitExceeded through the control helper, scoped to one account', async () => {
    env.google.control.injectUsageLimit({ reason: 'userRateLimitExceeded', route: 'google.events.list', account: 'faults@example.com', trigger: { mode: 'always' } });
    expect(await apiError(cal.events.list({ calendarId: 'primary' }, FAST_RETRY))).toMatchObject({ status: 403, reason: 'userRateLimitExceeded', domain: 'usageLimits' });
    expect(count('google.events.list').requests).toBe(1);
  });

  it('lets the SDK retry a GET after a 429 and succeed', async () => {
    env.core.faults.add({ provider: 'google', route: 'google.events.list', action: { kind: 'status', status: 429, retryAfterSeconds: 1 } });
    const res = await cal.events.list({ calendarId: 'primary' }, FAST_RETRY);
    expect(res.status).toBe(200);
    expect(statuses('google.events.list')).toEqual({ '429': 1, '200': 1 });
  });

  it('keeps answering 500 with Retry-After until the SDK gives up after its retries', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: slot });
    env.core.counters.reset();
    env.core.faults.add({ provider: 'google', route: 'google.events.get', action: { kind: 'status', status: 500, retryAfterSeconds: 7 }, trigger: { mode: 'always' } });
    let headers: Headers | undefined;
    const err = await cal.events.get({ calendarId: 'primary', eventId: ev.id ?? '' }, FAST_RETRY).catch((e: { response?: { status: number; headers: Headers; data: unknown } }) => {
      headers = e.response?.headers;
      return e.response;
    });
    expect(err).toMatchObject({ status: 500, data: { error: { code: 500, errors: [{ reason: 'backendError' }] } } });
    expect(headers?.get('retry-after')).toBe('7');
    expect(count('google.events.get').requests).toBe(4);
  });

  it('hangs until the client times out', async () => {
    env.core.faults.add({ provider: 'google', route: 'google.events.list', action: { kind: 'hang' } });
    const err = await cal.events.list({ calendarId: 'primary' }, { timeout: 200, retry: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { response?: unknown }).response).toBeUndefined();
  });

  it('resets the connection of a PATCH, which the SDK does not retry', async () => {
    const { data: ev } = await cal.events.insert({ calendarId: 'primary', requestBody: slot });
    env.core.faults.add({ provider: 'google', route: 'google.events.patch', action: { kind: 'reset' } });
    const err = await cal.events.patch({ calendarId: 'primary', eventId: ev.id ?? '', requestBody: { summary: 'x' } }, FAST_RETRY).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { response?: unknown }).response).toBeUndefined();
    expect((await cal.events.get({ calendarId: 'primary', eventId: ev.id ?? '' })).data.summary).toBeUndefined();
  });

  it('fails a token refresh with an injected 500 once, then google-auth-library retries and succeeds', async () => {
    env.core.faults.add({ provider: 'google', route: 'google.oauth.token', action: { kind: 'status', status: 500 } });
    const { credentials } = await client.refreshAccessToken();
    expect(credentials.access_token).toBeTruthy();
    expect(statuses('google.oauth.token')).toEqual({ '500': 1, '200': 1 });
  });
});

describe('Google emulator: multipart batch', () => {
  it('runs several inserts in one batch and answers each part in order with response-<id>', async () => {
    const token = (await client.getAccessToken()).token ?? '';
    const boundary = 'batch_test_boundary';
    const part = (id: string, method: string, path: string, body?: unknown) =>
      [
        `--${boundary}`,
        'Content-Type: application/http',
        `Content-ID: <${id}>`,
        '',
        `${method} ${path} HTTP/1.1`,
        ...(body ? ['Content-Type: application/json', '', JSON.stringify(body)] : ['']),
        '',
      ].join('\r\n');
    const body =
      part('a', 'POST', '/calendar/v3/calendars/primary/events', { summary: 'Batch A', ...slot }) +
      part('b', 'POST', '/calendar/v3/calendars/primary/events', { summary: 'Batch B', ...slot }) +
      part('c', 'POST', '/calendar/v3/calendars/primary/events', { summary: 'Batch C', ...slot }) +
      part('d', 'GET', '/calendar/v3/calendars/primary/events/doesnotexist1') +
      `--${boundary}--\r\n`;
    const res = await fetch(`${env.google.origin}/batch/calendar/v3`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/mixed; boundary=${boundary}` },
      body,
    });
    expect(res.status).toBe(200);
    const outBoundary = /boundary=([^;]+)/.exec(res.headers.get('content-type') ?? '')?.[1] ?? '';
    const parts = (await res.text()).split(`--${outBoundary}`).slice(1, -1);
    expect(parts.map((p) => /Content-ID: (\S+)/.exec(p)?.[1])).toEqual(['<response-a>', '<response-b>', '<response-c>', '<response-d>']);
    expect(parts.map((p) => Number(/HTTP\/1\.1 (\d{3})/.exec(p)?.[1]))).toEqual([200, 200, 200, 404]);
    const summaries = parts.slice(0, 3).map((p) => (JSON.parse(p.slice(p.indexOf('{'))) as { summary: string }).summary);
    expect(summaries).toEqual(['Batch A', 'Batch B', 'Batch C']);

    const listed = await cal.events.list({ calendarId: 'primary', q: 'Batch' });
    expect(listed.data.items?.map((e) => e.summary).sort()).toEqual(['Batch A', 'Batch B', 'Batch C']);
    expect(count('google.batch').requests).toBe(1);
    expect(count('google.events.insert')).toMatchObject({ requests: 0, batchedRequests: 3 });
  });

  it('refuses a batch without parts or over 1000 parts', async () => {
    const token = (await client.getAccessToken()).token ?? '';
    const post = (body: string) =>
      fetch(`${env.google.origin}/batch/calendar/v3`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=b' }, body });
    expect((await post('--b--\r\n')).status).toBe(400);
    const many = Array.from({ length: 1001 }, () => '--b\r\nContent-Type: application/http\r\n\r\nGET /calendar/v3/users/me/calendarList HTTP/1.1\r\n\r\n').join('') + '--b--\r\n';
    expect((await post(many)).status).toBe(400);
  });
});
