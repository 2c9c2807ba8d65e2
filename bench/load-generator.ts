// The load generator of the GraphQL benchmark, in its own process so it does not share the
// server's CPU accounting: `node --import tsx bench/load-generator.ts '<LoadPlan JSON>'`.
// Protocol on stdio: it warms up, prints `warm`, waits for a line on stdin (the parent reads the
// server's CPU time), runs the measured requests, then prints one JSON line (LoadResult).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export interface LoadPlan {
  port: number;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  warmup: number;
  requests: number;
}

export interface LoadResult {
  /** Latency of each measured request, ms. */
  samplesMs: number[];
  wallMs: number;
}

function post(agent: http.Agent, plan: LoadPlan): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port: plan.port,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(plan.body), ...plan.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200 || text.includes('"errors"')) reject(new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 500)}`));
          else resolve(performance.now() - started);
        });
      },
    );
    req.on('error', reject);
    req.end(plan.body);
  });
}

async function run(agent: http.Agent, plan: LoadPlan, total: number, samples: number[]): Promise<void> {
  let issued = 0;
  await Promise.all(
    Array.from({ length: plan.concurrency }, async () => {
      while (issued < total) {
        issued += 1;
        samples.push(await post(agent, plan));
      }
    }),
  );
}

const plan = JSON.parse(process.argv[2] ?? '{}') as LoadPlan;
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
await run(agent, plan, plan.warmup, []);
process.stdout.write('warm\n');
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once('line', () => resolve()));
lines.close();
const samplesMs: number[] = [];
const started = performance.now();
await run(agent, plan, plan.requests, samplesMs);
const result: LoadResult = { samplesMs, wallMs: performance.now() - started };
process.stdout.write(`${JSON.stringify(result)}\n`);
agent.destroy();
