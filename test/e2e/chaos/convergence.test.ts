import { chaosSuite } from './chaos-suite.js';

// The short seeded chaos run of `npm test` (the long one: `npm run test:chaos`, test/e2e/chaos/convergence.chaos.ts).
// A fixed seed keeps it the same run every time; a failure here is a regression of the engine.
chaosSuite({ kinds: ['MICROSOFT', 'GOOGLE'], runs: 1, maxCommands: 12, seed: 20_260_301, twoProcessRuns: 0, shrink: false, timeoutMs: 120_000 });
