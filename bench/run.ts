// `npm run bench [-- --quick] [-- --only <name>]`: runs the benchmark modules and prints their figures.
import 'reflect-metadata';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchModule, BenchResult } from './bench-module.js';
import { emulatorScaleBench } from './emulator-scale.bench.js';
import { graphqlCpuBench } from './graphql-cpu.bench.js';
import { providerCallsBench } from './provider-calls.bench.js';
import { startupBench } from './startup.bench.js';

/** Every benchmark, in the order they run. */
const MODULES: BenchModule[] = [startupBench, graphqlCpuBench, providerCallsBench, emulatorScaleBench];

function printResults(results: BenchResult[]): void {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.figures)))];
  const rows = [['', ...keys], ...results.map((r) => [r.label, ...keys.map((k) => r.figures[k] ?? '')])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) console.log('  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
}

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
const selected = MODULES.filter((m) => !values.only || m.name === values.only);
if (selected.length === 0) {
  console.error(`no benchmark named "${values.only}"; available: ${MODULES.map((m) => m.name).join(', ')}`);
  process.exit(2);
}

const cpu = cpus();
console.log(`calendar-sync-hub benchmarks — ${new Date().toISOString()}`);
console.log(`node ${process.version} on ${platform()} ${release()} (${process.arch})`);
console.log(`cpu: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}; memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`);
// Other work on the machine slows wall-clock figures; CPU figures are steadier.
console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (values.quick) console.log('mode: --quick (fewer iterations; figures are rough)');

for (const module of selected) {
  console.log(`\n${module.name}: ${module.description}`);
  printResults(await module.run({ scale: values.quick ? 0.1 : 1 }));
}
