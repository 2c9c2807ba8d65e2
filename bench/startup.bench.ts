import { performance } from 'node:perf_hooks';
import { createHub } from '../src/hub.js';
import { benchConfig, discardingLogger, ms, percentile, type BenchModule } from './bench-module.js';

/**
 * Start-up: `createHub` + `listen` until the first `/readyz` answers 200, on a new SQLite file
 * each time (first start: schema creation and bootstrap included).
 */
export const startupBench: BenchModule = {
  name: 'start-up',
  description: 'createHub + listen → first /readyz 200, fresh SQLite file',
  async run({ scale }) {
    const runs = Math.max(3, Math.round(10 * scale));
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const { config, dispose } = benchConfig();
      const started = performance.now();
      const hub = await createHub(config, { logger: discardingLogger() });
      const { port } = await hub.listen();
      for (;;) {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) break;
      }
      samples.push(performance.now() - started);
      await hub.close();
      dispose();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return [
      {
        label: 'start to ready',
        figures: { runs: String(runs), min: ms(sorted[0]!), median: ms(percentile(sorted, 50)), max: ms(sorted[sorted.length - 1]!) },
      },
    ];
  },
};
