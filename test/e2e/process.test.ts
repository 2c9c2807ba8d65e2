import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiKeysDocument, ViewerDocument } from '../graphql/generated.js';
import { readyUrl, startMain } from '../helpers/main-process.js';

async function query(url: string, key: string, document: Parameters<typeof print>[0]) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: print(document) }),
  });
  return (await r.json()) as { data?: Record<string, unknown> };
}

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
  });
});
