import { performance } from 'node:perf_hooks';
import { ms, percentile, type BenchModule, type BenchResult } from './bench-module.js';
import { buildIfStale, spawnServer, tempDataDir, treeUsage, waitForReadyHub, type ProcessUsage } from './processes.js';

/**
 * Start-up from process spawn to the first `/readyz` 200 — module loading is most of a real
 * start, so it is measured, not skipped by starting the hub inside the benchmark's process. Each
 * way of starting runs on a fresh data folder (first start: schema, admin key, sandbox
 * certificates and accounts) and again on that folder (a restart). CPU and memory are the whole
 * process tree's (npm + node) at the moment it is ready, read from /proc.
 *
 * - `npm start`: what the README says, compiled JavaScript (scripts/start.mjs checks dist/ is current, then runs the bundle in its own process);
 * - `node dist/main.js`: the same without npm;
 * - `tsx src/main.ts`: what `npm start` ran before it was compiled (`npm run dev` without watching).
 */
const WAYS: { label: string; command: string; args: string[] }[] = [
  { label: 'npm start', command: 'npm', args: ['start', '--silent'] },
  { label: 'node dist/main.js', command: process.execPath, args: ['dist/main.js'] },
  { label: 'tsx src/main.ts (before)', command: process.execPath, args: ['--import', 'tsx', 'src/main.ts'] },
];

interface Sample {
  wallMs: number;
  usage: ProcessUsage | null;
}

async function startOnce(way: (typeof WAYS)[number], dataDir: string): Promise<Sample> {
  const started = performance.now();
  const server = spawnServer(way.command, way.args, { DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' });
  try {
    await waitForReadyHub(server);
    const wallMs = performance.now() - started;
    return { wallMs, usage: treeUsage(server.child.pid!) };
  } finally {
    await server.stop();
  }
}

function figures(samples: Sample[]): Record<string, string> {
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = samples.flatMap((s) => (s.usage ? [s.usage.cpuMs] : [])).sort((a, b) => a - b);
  const rss = samples.flatMap((s) => (s.usage ? [s.usage.rssMb] : [])).sort((a, b) => a - b);
  return {
    runs: String(samples.length),
    median: ms(percentile(wall, 50)),
    min: ms(wall[0]!),
    max: ms(wall[wall.length - 1]!),
    'cpu (median)': cpu.length > 0 ? ms(percentile(cpu, 50)) : 'n/a',
    'rss (median)': rss.length > 0 ? `${percentile(rss, 50).toFixed(0)} MB` : 'n/a',
  };
}

export const startupBench: BenchModule = {
  name: 'start-up',
  description: 'process spawn → first /readyz 200 (SQLite, sandbox providers on); CPU and RSS of the process tree at ready; target < 2 s',
  async run({ scale }) {
    buildIfStale();
    const runs = Math.max(2, Math.round(5 * scale));
    const results: BenchResult[] = [];
    for (const way of WAYS) {
      const first: Sample[] = [];
      const again: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        const data = tempDataDir();
        try {
          first.push(await startOnce(way, data.dir));
          again.push(await startOnce(way, data.dir));
        } finally {
          data.dispose();
        }
      }
      results.push({ label: `${way.label}: first start`, figures: figures(first) });
      results.push({ label: `${way.label}: restart`, figures: figures(again) });
    }
    return results;
  },
};
