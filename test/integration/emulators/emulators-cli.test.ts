import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaFetch } from '../../../src/providers/microsoft-graph/graph-fetch.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'emulators-cli-'));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `npm run emulators`' entry and resolves with its banner once it has printed the CA line. */
function startCli(): Promise<string> {
  child = spawn(process.execPath, [path.resolve('node_modules/tsx/dist/cli.mjs'), 'packages/emulators/src/cli.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', SANDBOX_MICROSOFT_PORT: '0', SANDBOX_GOOGLE_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child!.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('CA certificate')) resolve(out);
    });
    child!.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child!.once('exit', (code) => reject(new Error(`emulators exited early with ${code}: ${err}`)));
  });
}

const field = (banner: string, label: string): string => {
  const m = new RegExp(`${label}:\\s+(\\S+)`).exec(banner);
  if (!m) throw new Error(`no "${label}" in banner:\n${banner}`);
  return m[1]!;
};

describe('npm run emulators', () => {
  it('prints every endpoint, serves them, and stops cleanly on SIGTERM keeping the sandbox state', async () => {
    const banner = await startCli();
    const caFile = /CA certificate[^:]*: (\S+)/.exec(banner)![1]!;
    expect(caFile).toBe(path.join(dataDir, 'emulators', 'tls', 'ca.pem'));
    const fetch = createCaFetch({ caPem: readFileSync(caFile, 'utf8') });
    try {
      const metadata = await fetch(field(banner, 'openid metadata'));
      expect(((await metadata.json()) as { token_endpoint: string }).token_endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/common\/oauth2\/v2\.0\/token$/);
      const graph = await fetch(`${field(banner, 'graph base URL')}/me`);
      expect(graph.status).toBe(401);
      expect(((await graph.json()) as { error: { code: string } }).error.code).toBe('InvalidAuthenticationToken');
      const msControl = await fetch(field(banner, 'control'));
      expect(((await msControl.json()) as { value: unknown[] }).value.length).toBeGreaterThan(0);

      const googleOrigin = /Google \(OAuth[^\n]*\n\s+origin:\s+(\S+)/.exec(banner)![1]!;
      expect(field(banner, 'auth URL').startsWith(googleOrigin)).toBe(true);
      const googleControl = await fetch(`${googleOrigin}/_control/accounts`);
      expect(googleControl.status).toBe(200);

      const sandboxUrls = [...banner.matchAll(/^\s+(?:Microsoft|Google)\s+\S+\s+(\S+)$/gm)].map((m) => m[1]!);
      expect(sandboxUrls.length).toBeGreaterThanOrEqual(2);
      for (const url of [sandboxUrls[0]!, sandboxUrls[sandboxUrls.length - 1]!]) {
        const page = await fetch(url);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toContain('text/html');
      }
    } finally {
      fetch.close();
    }

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'emulators', 'state.json'))).toBe(true);
  });
});
