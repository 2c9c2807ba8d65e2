import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createHub } from '../src/hub.js';
import { benchConfig, discardingLogger, latencyFigures, type BenchModule } from './bench-module.js';

const QUERY = JSON.stringify({
  query: 'query($t: ID) { viewer { role } hostUsers(tenantId: $t, first: 10) { totalCount edges { node { id hostUserId email } } } }',
});

/** POSTs one GraphQL request on a keep-alive agent; resolves with the latency in ms. */
function post(agent: http.Agent, port: number, body: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${key}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200 || text.includes('"errors"')) reject(new Error(`unexpected answer ${res.statusCode}: ${text}`));
          else resolve(performance.now() - started);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Authenticated GraphQL latency over HTTP (keep-alive, loopback): a query that authenticates the
 * key, reads the viewer and pages 10 host users of a tenant. Sequential first, then concurrent.
 */
export const graphqlLatencyBench: BenchModule = {
  name: 'graphql latency',
  description: 'authenticated query (viewer + 10 host users), SQLite file, keep-alive HTTP; load generator in the same process',
  async run({ scale }) {
    // One key sends thousands of requests a minute here: its rate limit (GRAPHQL_RATE_LIMIT_PER_MINUTE) would refuse them.
    const { config, dispose } = benchConfig({ GRAPHQL_RATE_LIMIT_PER_MINUTE: '0' });
    const hub = await createHub(config, { logger: discardingLogger() });
    try {
      const { port } = await hub.listen();
      const key = hub.bootstrap!.adminKey;
      const tenantId = hub.bootstrap!.tenantId;
      const { OPERATOR } = await import('../src/tenancy/caller.js');
      for (let i = 0; i < 25; i++) {
        await hub.services.hostUsers.upsert(OPERATOR, { tenantId, hostUserId: `bench-${i}`, email: `bench-${i}@example.com` });
      }
      const body = JSON.stringify({ ...JSON.parse(QUERY), variables: { t: tenantId } });
      const results = [];

      const sequentialAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < 200; i++) await post(sequentialAgent, port, body, key); // warm-up
      const sequential = Math.round(3000 * scale);
      const seqSamples: number[] = [];
      const seqStart = performance.now();
      for (let i = 0; i < sequential; i++) seqSamples.push(await post(sequentialAgent, port, body, key));
      results.push({ label: 'sequential', figures: latencyFigures(seqSamples, performance.now() - seqStart) });
      sequentialAgent.destroy();

      const concurrency = 16;
      const total = Math.round(4000 * scale);
      const concurrentAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
      const conSamples: number[] = [];
      let issued = 0;
      const conStart = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (issued < total) {
            issued += 1;
            conSamples.push(await post(concurrentAgent, port, body, key));
          }
        }),
      );
      results.push({ label: `${concurrency} concurrent`, figures: latencyFigures(conSamples, performance.now() - conStart) });
      concurrentAgent.destroy();
      return results;
    } finally {
      await hub.close();
      dispose();
    }
  },
};
