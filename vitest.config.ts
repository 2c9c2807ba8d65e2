import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One runner for unit, integration and e2e tests. The JSON report feeds `.ci/run`'s summary line.
export default defineConfig({
  resolve: {
    alias: [
      // graphql 16 ships a CJS entry (`main`) and an ESM one (`module`). Node (and so type-graphql,
      // Apollo, graphql-ws) loads the CJS one; Vite would pick the ESM one for files it transforms,
      // and two graphql instances fail with "Cannot use GraphQLSchema from another module or realm".
      { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') },
      // The emulators package from its TypeScript source, as tsconfig's `paths` maps it for tsc and
      // tsx: a change there needs no build. Plain Node gets its dist/ through the package's `exports`.
      { find: /^@calendar-sync-hub\/emulators$/, replacement: fileURLToPath(new URL('packages/emulators/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'reports/vitest.json' }]],
  },
});
