import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:chaos`: the long randomized convergence runs (scripts/chaos.ts sets CHAOS_* from its
// arguments). The same aliases and setup as `npm test`, only the chaos files, one at a time.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/e2e/chaos/**/*.chaos.ts'],
    reporters: ['default'],
    fileParallelism: false,
  },
});
