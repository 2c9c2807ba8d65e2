import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// One runner for unit, integration and e2e tests. The JSON report feeds `.ci/run`'s summary line.
export default defineConfig({
  resolve: {
    // graphql 16 ships a CJS entry (`main`) and an ESM one (`module`). Node (and so type-graphql,
    // Apollo, graphql-ws) loads the CJS one; Vite would pick the ESM one for files it transforms,
    // and two graphql instances fail with "Cannot use GraphQLSchema from another module or realm".
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
