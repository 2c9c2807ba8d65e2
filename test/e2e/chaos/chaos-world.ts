import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProviderKind } from '../../../src/domain/model.js';
import { freePort, startHubProcess, type HubProcess, type ProviderSide } from '../../helpers/hub-process.js';
import type { LinkDriver } from '../linking/linking-harness.js';
import { processDriver } from '../sync/sync-harness.js';

/**
 * The chaos runs' hubs: one or two hub processes on one SQLite file, against emulators that live
 * in the test's process (test/helpers/hub-process.ts). A hub can be killed (SIGKILL) between any
 * two steps; it comes back on the same port and database, as an operator's supervisor would start it.
 */

/** Short time-outs and retry budgets, so faults reach the engine (not only the adapters' retries) and runs stay quick. */
export const CHAOS_REQUEST_TIMEOUT_MS = 2_000;
const ADAPTER_RETRY = { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200, maxTotalWaitMs: 1_500 };

/**
 * Polls every 1.5 s (they interleave with the model's steps); a killed hub's lease and job locks free
 * themselves within seconds. The lease outlasts the longest single provider call with its retries
 * (two attempts of CHAOS_REQUEST_TIMEOUT_MS and the waits between them) with room to spare.
 */
export const CHAOS_ENV: Record<string, string> = {
  SYNC_POLL_INTERVAL_MS: '1500',
  SYNC_LEASE_MS: '8000',
  JOBS_LOCK_LIFETIME_MS: '6000',
  JOBS_POLL_INTERVAL_MS: '100',
};

export class ChaosWorld {
  private readonly hubs: HubProcess[] = [];
  private readonly retired: HubProcess[] = [];

  private constructor(
    readonly providers: ProviderSide,
    readonly dataDir: string,
    private readonly ports: number[],
    readonly adminKey: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts `processes` hubs on a fresh database (the first one bootstraps it and prints the admin key). */
  static async start(providers: ProviderSide, options: { processes: number; env?: Record<string, string> }): Promise<ChaosWorld> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-chaos-'));
    const ports: number[] = [];
    for (let i = 0; i < options.processes; i++) ports.push(await freePort());
    // The first hub does the linking (its public URL is the OAuth redirect).
    providers.registerHub(`http://127.0.0.1:${ports[0]}`);
    const settings = chaosProviderSettings(providers);
    const env = { ...CHAOS_ENV, ...options.env, HUB_TEST_PROVIDER_SETTINGS: JSON.stringify(settings) };
    const first = await startHubProcess({ dataDir, port: ports[0]!, providers, env });
    const world = new ChaosWorld(providers, dataDir, ports, first.adminKey!, env);
    world.hubs.push(first);
    for (let i = 1; i < options.processes; i++) world.hubs.push(await startHubProcess({ dataDir, port: ports[i]!, providers, env }));
    return world;
  }

  get processes(): number {
    return this.hubs.length;
  }

  hub(i = 0): HubProcess {
    return this.hubs[i % this.hubs.length]!;
  }

  /** Links and GraphQL go through the first hub (the one registered for OAuth redirects). */
  driver(): LinkDriver {
    return processDriver(() => this.hub(0), this.providers, this.adminKey);
  }

  /** SIGKILL, then the same hub again on the same port and database. */
  async kill(i = 0): Promise<void> {
    const n = i % this.hubs.length;
    const victim = this.hubs[n]!;
    await victim.kill();
    this.retired.push(victim);
    this.hubs[n] = await startHubProcess({ dataDir: this.dataDir, port: this.ports[n]!, providers: this.providers, env: this.env });
  }

  /** The hubs' output (for a failing run's report). */
  output(): string {
    return [...this.retired, ...this.hubs].map((h, i) => `--- hub ${i} (port ${h.port}) ---\n${h.output()}`).join('\n');
  }

  async close(): Promise<void> {
    for (const h of this.hubs) await h.stop().catch(() => h.kill());
    // CHAOS_KEEP_DATA=1 keeps the database to look into (sqlite3 <dir>/hub.db).
    if (process.env.CHAOS_KEEP_DATA === '1') process.stderr.write(`chaos: the hubs' data is kept in ${this.dataDir}\n`);
    else rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** The provider side's settings with the chaos time-outs and retry budgets (HUB_TEST_PROVIDER_SETTINGS). */
function chaosProviderSettings(providers: ProviderSide): ProviderSide['settings'] {
  const { settings } = providers;
  return {
    ...(settings['microsoft-graph'] ? { 'microsoft-graph': { ...settings['microsoft-graph'], tuning: { requestTimeoutMs: CHAOS_REQUEST_TIMEOUT_MS, retry: ADAPTER_RETRY } } } : {}),
    ...(settings['google-calendar'] ? { 'google-calendar': { ...settings['google-calendar'], requestTimeoutMs: CHAOS_REQUEST_TIMEOUT_MS, retry: ADAPTER_RETRY } } : {}),
  };
}

export const emulatorProviderOf = (kind: ProviderKind) => (kind === 'MICROSOFT' ? 'microsoft' : 'google') as 'microsoft' | 'google';
