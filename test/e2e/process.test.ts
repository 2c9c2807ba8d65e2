import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiKeysDocument, HostUserChangedDocument, LinkCalendarDocument, TenantsDocument, UpsertHostUserDocument, ViewerDocument } from '../graphql/generated.js';
import { submitConsent } from '../helpers/google-consent.js';
import { waitFor } from '../helpers/hub-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * `npm start` as a newcomer runs it, in its own process group as a terminal runs a job (so a
 * signal can go to the whole group, as Ctrl-C does), with only the given environment.
 */
interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** A signal to the whole process group (npm and the hub), as a terminal sends Ctrl-C. */
  signalGroup(signal: NodeJS.Signals): void;
}

function startMain(env: Record<string, string>): Started {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited, signalGroup: (signal) => process.kill(-child.pid!, signal) };
}

// `npm start` compiles first when the sources are newer than dist/ (scripts/start.mjs); do it once here,
// outside the tests' time limits (`npm install` built it already on a fresh clone).
beforeAll(() => {
  const build = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'inherit' });
  expect(build.status).toBe(0);
}, 600_000);

/** Resolves with the GraphQL URL once the hub logs that it listens. */
async function readyUrl(started: Started, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const entry of logLines(started)) {
      if (typeof entry.url === 'string' && entry.msg?.toString().startsWith('GraphQL ready')) return entry.url.replace('localhost', '127.0.0.1');
    }
    if (started.child.exitCode !== null) throw new Error(`hub exited early:\n${started.stdout()}\n${started.stderr()}`);
    if (Date.now() > deadline) throw new Error(`hub did not become ready:\n${started.stdout()}\n${started.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function query(url: string, key: string, document: Parameters<typeof print>[0], variables: Record<string, unknown> = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return (await r.json()) as { data?: Record<string, unknown>; errors?: unknown };
}

/** The JSON log lines a process wrote so far. */
const logLines = (started: Started) =>
  started
    .stdout()
    .split('\n')
    .slice(0, -1) // the last piece may be a line still being written
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the hub process', () => {
  it('exits with code 1 and names the variable when the configuration is invalid', async () => {
    const started = startMain({ PORT: 'eighty', DATA_DIR: tmpdir() });
    expect(await started.exited).toBe(1);
    expect(started.stderr()).toContain('Invalid configuration:');
    expect(started.stderr()).toContain('PORT: expected an integer between 0 and 65535');
  });

  it('saves the admin key 0600 on first start, never writes it to stdout or stderr when they are not a terminal, and makes no second key on restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-main-'));
    dirs.push(dataDir);
    const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '2000' };

    const first = startMain(env);
    const url = await readyUrl(first);
    // The announced URL names the address the hub listens on by default (HOST=127.0.0.1), not `localhost`.
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const keyFile = path.join(dataDir, 'admin-api-key.txt');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(key).toMatch(/^hub_[A-Za-z0-9_-]{43}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // Not a terminal: stdout is the JSON log stream that log shippers store (issue 15, finding 10).
    expect(first.stdout() + first.stderr()).not.toContain(key);
    expect(first.stdout()).toContain(keyFile);
    const logLines = first.stdout().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((l) => l.includes(key))).toBe(false);
    expect(((await query(url, key, ViewerDocument)).data?.viewer as { role: string }).role).toBe('ADMIN');

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain('"msg":"shut down"');

    const second = startMain(env);
    const url2 = await readyUrl(second);
    expect(second.stdout()).not.toContain('First start');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(key);
    const keys = (await query(url2, key, ApiKeysDocument)).data?.apiKeys as { totalCount: number };
    expect(keys.totalCount).toBe(1);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 180_000);

  it('shuts down gracefully with exit code 0 on one Ctrl-C to the terminal group, with a subscription open and a job running', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-main-'));
    dirs.push(dataDir);
    const started = startMain({
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '15000',
      // The calendar refresh of a link runs every second: the running job of this test.
      CONNECTION_REFRESH_INTERVAL_MS: '1000',
      JOBS_POLL_INTERVAL_MS: '200',
    });
    const url = await readyUrl(started);
    const key = readFileSync(path.join(dataDir, 'admin-api-key.txt'), 'utf8').trim();

    // A Google sandbox link, so the hub has a recurring job that calls the provider.
    const tenants = (await query(url, key, TenantsDocument)).data!.tenants as { edges: { node: { id: string } }[] };
    const tenantId = tenants.edges[0]!.node.id;
    const user = (await query(url, key, UpsertHostUserDocument, { input: { tenantId, hostUserId: 'u1', email: 'alice@example.com' } })).data!.upsertHostUser as { hostUser: { id: string } };
    const link = (await query(url, key, LinkCalendarDocument, { input: { userId: user.hostUser.id, provider: 'GOOGLE' } })).data!.linkCalendar as { authorizationUrl: string };
    const callback = await fetch(await submitConsent(link.authorizationUrl), { redirect: 'manual' });
    expect(callback.status).toBe(200);

    // An open subscription that works.
    const events: unknown[] = [];
    let closeCode: number | null = null;
    const client = createClient({
      url: url.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      on: { closed: (event) => (closeCode = (event as { code: number }).code) },
    });
    client.subscribe({ query: print(HostUserChangedDocument), variables: { tenantId } }, { next: (e) => events.push(e), error: () => undefined, complete: () => undefined });
    await waitFor('the subscription to deliver an event', async () => {
      await query(url, key, UpsertHostUserDocument, { input: { tenantId, hostUserId: 'u1', name: `Alice ${events.length}` } });
      return events.length > 0;
    });

    // The next calendar refresh waits 3 s for Google: it is running when the signal comes.
    const googleOrigin = new URL(link.authorizationUrl).origin;
    const fault = await fetch(`${googleOrigin}/_control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'google', route: 'google.calendarList.list', action: { kind: 'latency', ms: 3000 }, trigger: { mode: 'once' } }),
    });
    const rule = (await fault.json()) as { id: string };
    // A rule that fires once is gone from the list once it fired.
    await waitFor('the refresh job to call Google', async () => {
      const rules = (await (await fetch(`${googleOrigin}/_control/faults`)).json()) as { value: { id: string }[] };
      return !rules.value.some((r) => r.id === rule.id);
    }, 30_000);

    started.signalGroup('SIGINT');
    expect(await started.exited).toBe(0);
    const messages = logLines(started).map((l) => l.msg);
    expect(messages).toContain('signal received, shutting down gracefully');
    expect(messages).not.toContain('second signal: exiting without waiting');
    const waiting = logLines(started).find((l) => l.msg === 'waiting for running jobs to finish');
    expect(waiting?.jobs).toEqual(['connection.refresh']);
    expect(messages).not.toContain('jobs still running after the shutdown grace period; they run again elsewhere once their lock expires');
    expect(messages.at(-1)).toBe('shut down');
    await waitFor('the WebSocket to be closed by the hub', () => closeCode !== null);
    expect(closeCode).toBe(1001);
    await client.dispose();
  }, 120_000);
});

