// `npm run bench [<name>…] [-- --quick] [-- --only <name>]`: runs the benchmark modules (all, or the
// ones named) and prints their figures. `npm run bench sync -- --quick` runs the sync engine's only.
import 'reflect-metadata';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchModule, BenchResult } from './bench-module.js';
import { emulatorScaleBench } from './emulator-scale.bench.js';
import { graphqlCpuBench } from './graphql-cpu.bench.js';
import { providerCallsBench } from './provider-calls.bench.js';
import { pushLatencyBench } from './push-latency.bench.js';
import { startupBench } from './startup.bench.js';
import { syncBench } from './sync.bench.js';

/** Every benchmark, in the order they run. */
const MODULES: BenchModule[] = [startupBench, graphqlCpuBench, providerCallsBench, emulatorScaleBench, pushLatencyBench, syncBench];

function printTable(results: BenchResult[]): void {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.figures)))];
  const rows = [['', ...keys], ...results.map((r) => [r.label, ...keys.map((k) => r.figures[k] ?? '')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log('  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

/** One table per `table` title, in the order the titles first appear. */
function printResults(results: BenchResult[]): void {
  const tables = new Map<string | undefined, BenchResult[]>();
  for (const r of results) tables.set(r.table, [...(tables.get(r.table) ?? []), r]);
  for (const [title, rows] of tables) {
    if (title) console.log(`\n  ${title}`);
    printTable(rows);
  }
}

const { values, positionals } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } }, allowPositionals: true });
// `npm run bench sync --quick` (without `--`) hands --quick to npm, which passes it on as npm_config_quick.
const quick = values.quick ?? process.env.npm_config_quick === 'true';
const names = [...positionals, ...(values.only ? [values.only] : [])];
const unknown = names.filter((n) => !MODULES.some((m) => m.name === n));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.map((n) => `"${n}"`).join(', ')}; available: ${MODULES.map((m) => m.name).join(', ')}`);
  process.exit(2);
}
const selected = MODULES.filter((m) => names.length === 0 || names.includes(m.name));

const cpu = cpus();
console.log(`calendar-sync-hub benchmarks — ${new Date().toISOString()}`);
console.log(`node ${process.version} on ${platform()} ${release()} (${process.arch})`);
console.log(`cpu: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}; memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`);
// Other work on the machine slows every figure measured in wall-clock time: say how busy it was.
const load = () => loadavg().map((l) => l.toFixed(1)).join(', ');
console.log(`load average (1, 5, 15 min): ${load()}`);
if (quick) console.log('mode: --quick (10% of the iterations; figures are rough)');

for (const module of selected) {
  console.log(`\n${module.name}: ${module.description}`);
  printResults(await module.run({ scale: quick ? 0.1 : 1, report: printResults }));
  console.log(`  (load average after ${module.name}: ${load()})`);
}
