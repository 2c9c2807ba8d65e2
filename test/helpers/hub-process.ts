import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulators, type Emulators } from '@calendar-sync-hub/emulators';
import { PROVIDER_SLUGS } from '../../src/domain/model.js';
import type { SandboxProviderSettings } from '../../src/providers/registry.js';
import { newSandboxSecrets, registerSandboxClients, sandboxProviderSettings } from '../../src/sandbox/sandbox-providers.js';
import { graphqlClient, type GraphqlClient } from './hub-harness.js';

/**
 * Hubs in processes of their own, on one SQLite file, against emulators that live in the test's
 * process: the provider side outlives a hub that is SIGKILLed, so a test can kill a hub between
 * any two steps, start it again on the same database, and look at what the provider holds.
 */

export interface ProviderSide {
  emulators: Emulators;
  settings: SandboxProviderSettings;
  /** Registers the hub's OAuth clients for hubs answering at `publicUrl` (the one that does the linking). */
  registerHub(publicUrl: string): void;
  close(): Promise<void>;
}

export async function startProviderSide(): Promise<ProviderSide> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-emulators-'));
  const emulators = await startEmulators({ dataDir, persist: false, host: '127.0.0.1', microsoftPort: 0, googlePort: 0 });
  const secrets = newSandboxSecrets();
  return {
    emulators,
    settings: sandboxProviderSettings(emulators, PROVIDER_SLUGS, secrets),
    registerHub: (publicUrl) => registerSandboxClients(emulators, PROVIDER_SLUGS, secrets, (slug) => `${publicUrl}/oauth/callback/${slug}`),
    async close() {
      await emulators.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface HubProcess extends GraphqlClient {
  origin: string;
  port: number;
  /** The admin key the first start of the data folder printed (null on later starts). */
  adminKey: string | null;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: the process dies at once, whatever it was doing. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful shutdown. */
  stop(): Promise<void>;
}

export interface HubProcessOptions {
  dataDir: string;
  providers: ProviderSide;
  /** Default: a free port. */
  port?: number;
  env?: Record<string, string>;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  // HUB_PROCESS_BUNDLE: this entry bundled ahead (`npm run test:chaos` does), one file to load instead of compiling the sources.
  const bundle = process.env.HUB_PROCESS_BUNDLE;
  const child = spawn(process.execPath, bundle ? ['--enable-source-maps', bundle] : ['--import', 'tsx', 'test/helpers/hub-process-main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'test',
      DATA_DIR: options.dataDir,
      DATABASE_URL: `sqlite:${path.join(options.dataDir, 'hub.db')}`,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: origin,
      LOG_LEVEL: 'warn',
      SANDBOX_PROVIDERS: 'off',
      JOBS_POLL_INTERVAL_MS: '200',
      SHUTDOWN_GRACE_MS: '3000',
      HUB_TEST_PROVIDER_SETTINGS: JSON.stringify(options.providers.settings),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ adminKey: string | null }>((resolve, reject) => {
    // Generous: a hub started on a loaded 2-core machine (tsx compiling the sources) can take over a minute.
    const timer = setTimeout(() => reject(new Error(`hub process did not start:\n${out}`)), 180_000);
    const check = () => {
      const line = out.split('\n').find((l) => l.startsWith('HUB_READY '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('HUB_READY '.length)) as { adminKey: string | null });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub process exited (${code}) before it was ready:\n${out}`));
    });
  });
  const client = graphqlClient(origin);
  return {
    ...client,
    origin,
    port,
    adminKey: ready.adminKey,
    child,
    output: () => out,
    async kill() {
      await client.dispose();
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await client.dispose();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
