import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { latencyFigures, ms, type BenchModule, type BenchResult } from './bench-module.js';
import type { LoadPlan, LoadResult } from './load-generator.js';
import { buildIfStale, ROOT, spawnServer, tempDataDir, treeUsage, waitForReadyHub, type SpawnedServer } from './processes.js';

/**
 * What one authenticated GraphQL request costs the hub, against a bare Fastify + Apollo Server 5
 * baseline (bench/baseline-server.ts) in the same run: server CPU per request (steadier than req/s
 * on a shared machine) next to req/s and latency. Every server runs in its own process, as does
 * the load generator (bench/load-generator.ts); CPU is the server process's, read from /proc over
 * the measured requests only (after a warm-up).
 *
 * The query is `{ viewer { role } hostUsers(first: 10) { … } }` with a TENANT key over 25 host
 * users. The hub runs as `npm start` runs it (the bundle, SQLite file, request logging at info,
 * jobs on, sandbox off). "baseline, 3 SQL" runs the three statements the hub needs for it (API key
 * by hash, count, page) on the hub's own database file; "baseline, no SQL" answers constant data.
 */

const FIELDS = 'edges { cursor node { id hostUserId email } } pageInfo { hasNextPage endCursor }';
const WITH_COUNT = JSON.stringify({ query: `{ viewer { role } hostUsers(first: 10) { totalCount ${FIELDS} } }` });
const WITHOUT_COUNT = JSON.stringify({ query: `{ viewer { role } hostUsers(first: 10) { ${FIELDS} } }` });

async function gql<T>(port: number, key: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`setup query failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A tenant with a TENANT key and 25 host users; returns the key. */
async function seedHub(port: number, adminKey: string): Promise<string> {
  const { createTenant } = await gql<{ createTenant: { id: string } }>(port, adminKey, 'mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }', { i: { name: 'Bench' } });
  const { createApiKey } = await gql<{ createApiKey: { key: string } }>(port, adminKey, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }', {
    i: { tenantId: createTenant.id, name: 'bench', role: 'TENANT' },
  });
  for (let i = 0; i < 25; i++) {
    await gql(port, createApiKey.key, 'mutation($i: UpsertHostUserInput!) { upsertHostUser(input: $i) { created } }', { i: { hostUserId: `bench-${i}`, email: `bench-${i}@example.com` } });
  }
  return createApiKey.key;
}

async function startBaseline(dbFile: string, withSql: boolean): Promise<{ server: SpawnedServer; port: number }> {
  const server = spawnServer(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], { BASELINE_DB: dbFile, BASELINE_SQL: withSql ? '1' : '0' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const port = /\{"port":(\d+)\}/.exec(server.output())?.[1];
    if (port) return { server, port: Number(port) };
    if (server.child.exitCode !== null || Date.now() > deadline) throw new Error(`the baseline server did not start:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a load plan from another process; CPU is the server's over the measured requests. */
async function measure(serverPid: number, plan: LoadPlan): Promise<{ result: LoadResult; cpuMs: number | null }> {
  const generator = spawn(process.execPath, ['--import', 'tsx', 'bench/load-generator.ts', JSON.stringify(plan)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: generator.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async () => {
    const line = await iterator.next();
    if (line.done) throw new Error('the load generator exited early');
    return line.value;
  };
  if ((await next()) !== 'warm') throw new Error('unexpected load generator output');
  const before = treeUsage(serverPid);
  generator.stdin!.write('go\n');
  const result = JSON.parse(await next()) as LoadResult;
  const after = treeUsage(serverPid);
  lines.close();
  generator.stdin!.end();
  return { result, cpuMs: before && after ? after.cpuMs - before.cpuMs : null };
}

export const graphqlCpuBench: BenchModule = {
  name: 'graphql',
  description: 'server CPU per authenticated request, hub vs a bare Fastify + Apollo Server 5 baseline (each server and the load generator in its own process)',
  async run({ scale }) {
    buildIfStale();
    const data = tempDataDir();
    const hub = spawnServer(process.execPath, ['dist/main.bundle.js'], { DATA_DIR: data.dir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', SANDBOX_PROVIDERS: 'off', GRAPHQL_RATE_LIMIT_PER_MINUTE: '0' });
    const servers: SpawnedServer[] = [hub];
    try {
      const hubPort = await waitForReadyHub(hub);
      const key = await seedHub(hubPort, readFileSync(path.join(data.dir, 'admin-api-key.txt'), 'utf8').trim());
      const dbFile = path.join(data.dir, 'hub.db');
      const withSql = await startBaseline(dbFile, true);
      const bare = await startBaseline(dbFile, false);
      servers.push(withSql.server, bare.server);

      const targets = [
        { label: 'hub', pid: hub.child.pid!, port: hubPort, body: WITH_COUNT },
        { label: 'hub, no totalCount', pid: hub.child.pid!, port: hubPort, body: WITHOUT_COUNT },
        { label: 'baseline, 3 SQL', pid: withSql.server.child.pid!, port: withSql.port, body: WITH_COUNT },
        { label: 'baseline, no SQL', pid: bare.server.child.pid!, port: bare.port, body: WITH_COUNT },
      ];
      const modes = [
        { label: 'sequential', concurrency: 1, requests: Math.round(3000 * scale) },
        { label: '16 concurrent', concurrency: 16, requests: Math.round(4000 * scale) },
      ];
      const results: BenchResult[] = [];
      for (const mode of modes) {
        const cpuPerRequest = new Map<string, number>();
        for (const target of targets) {
          const { result, cpuMs } = await measure(target.pid, {
            port: target.port,
            body: target.body,
            headers: { authorization: `Bearer ${key}` },
            concurrency: mode.concurrency,
            // The same warm-up for every server, long enough for V8 to optimise the hub's larger code path (500 left the first phase measured half cold).
            warmup: Math.max(100, Math.round(2000 * scale)),
            requests: mode.requests,
          });
          const perRequest = cpuMs === null ? null : cpuMs / result.samplesMs.length;
          if (perRequest !== null) cpuPerRequest.set(target.label, perRequest);
          results.push({
            label: `${mode.label}: ${target.label}`,
            figures: { ...latencyFigures(result.samplesMs, result.wallMs), 'cpu/request': perRequest === null ? 'n/a' : ms(perRequest) },
          });
        }
        const hubCpu = cpuPerRequest.get('hub');
        const baseCpu = cpuPerRequest.get('baseline, 3 SQL');
        results.push({
          label: `${mode.label}: hub ÷ baseline, 3 SQL`,
          figures: { 'cpu/request': hubCpu !== undefined && baseCpu !== undefined ? `${(hubCpu / baseCpu).toFixed(2)}× (target ≤ 2×)` : 'n/a' },
        });
      }
      return results;
    } finally {
      for (const server of servers) await server.stop();
      data.dispose();
    }
  },
};
