import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmulatorCore, type EmulatorCore } from '../../src/core/emulator-core.js';
import { instrumentEmulator } from '../../src/core/instrument.js';

describe('emulator instrumentation', () => {
  let app: FastifyInstance;
  let core: EmulatorCore;
  let base: string;
  let writes = 0;

  beforeEach(async () => {
    writes = 0;
    core = createEmulatorCore();
    app = Fastify({ forceCloseConnections: true });
    instrumentEmulator(app, {
      provider: 'google',
      core,
      resolveAccounts: (req) => [String(req.headers['x-account'] ?? '')],
      renderError: (status) => ({ body: { error: { code: status, message: 'injected' } } }),
    });
    app.get('/things', { config: { routeId: 'things.list' } }, async () => ({ items: [1, 2, 3] }));
    app.post('/things', { config: { routeId: 'things.create' } }, async () => {
      writes += 1;
      return { id: writes };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterEach(async () => {
    await app.close();
  });

  it('answers an injected status in the provider shape with Retry-After, then recovers', async () => {
    core.faults.add({ provider: 'google', route: 'things.list', action: { kind: 'status', status: 429, retryAfterSeconds: 7 } });
    const first = await fetch(`${base}/things`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect(await first.json()).toEqual({ error: { code: 429, message: 'injected' } });
    expect((await fetch(`${base}/things`)).status).toBe(200);
  });

  it('resets the connection, or hangs until the client gives up', async () => {
    core.faults.add({ provider: 'google', route: 'things.list', action: { kind: 'reset' } });
    await expect(fetch(`${base}/things`)).rejects.toThrow();
    core.faults.add({ provider: 'google', route: 'things.list', action: { kind: 'hang' } });
    await expect(fetch(`${base}/things`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
  });

  it('commits a write but drops the answer', async () => {
    core.faults.add({ provider: 'google', route: 'things.create', action: { kind: 'dropResponse' } });
    await expect(fetch(`${base}/things`, { method: 'POST' })).rejects.toThrow();
    expect(writes).toBe(1);
  });

  it('commits a write and holds the answer until the caller goes away', async () => {
    core.faults.add({ provider: 'google', route: 'things.create', action: { kind: 'hangAfterCommit' } });
    const abort = new AbortController();
    const pending = fetch(`${base}/things`, { method: 'POST', signal: abort.signal });
    for (let i = 0; i < 200 && writes === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(writes).toBe(1);
    const settled = await Promise.race([pending.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('pending'), 100))]);
    expect(settled).toBe('pending');
    abort.abort();
    await expect(pending).rejects.toThrow();
  });

  it('journals every request with its timing when asked to', async () => {
    await fetch(`${base}/things`);
    expect(core.journal.list()).toEqual([]);
    core.journal.enabled = true;
    await fetch(`${base}/things`, { method: 'POST', headers: { 'x-account': 'A@example.com' } });
    const [entry] = core.journal.list({ account: 'a@example.com' });
    expect(entry).toMatchObject({ provider: 'google', route: 'things.create', method: 'POST', status: expect.any(Number), batched: false });
    expect(entry!.endedAt).toBeGreaterThanOrEqual(entry!.startedAt);
  });

  it('counts requests and bytes per route and account, but not control calls', async () => {
    await fetch(`${base}/things`, { headers: { 'x-account': 'a@example.com' } });
    await fetch(`${base}/things`, { headers: { 'x-account': 'a@example.com' } });
    await fetch(`${base}/things`, { method: 'POST', headers: { 'x-account': 'b@example.com' } });
    const counters = (await (await fetch(`${base}/_control/counters`)).json()) as { total: { requests: number } };
    expect(counters.total.requests).toBe(3);
    expect(core.counters.total({ account: 'A@example.com' })).toMatchObject({ requests: 2 });
    expect(core.counters.snapshot({ route: 'things.list' })[0]?.bytesOut).toBeGreaterThan(0);
  });

  it('adds fault rules over HTTP and refuses malformed ones', async () => {
    const bad = await fetch(`${base}/_control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: { kind: 'explode' } }) });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${base}/_control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'things.*', action: { kind: 'status', status: 500 }, trigger: { mode: 'times', count: 2 } }),
    });
    expect(ok.status).toBe(201);
    expect((await fetch(`${base}/things`)).status).toBe(500);
    expect((await fetch(`${base}/things`, { method: 'POST' })).status).toBe(500);
    expect((await fetch(`${base}/things`)).status).toBe(200);
  });
});
