import type { ProviderKind } from '../../../src/domain/model.js';
import { chaosSuite } from './chaos-suite.js';

// `npm run test:chaos -- --runs 200` (scripts/chaos.ts passes its options in CHAOS_* variables).
const env = process.env;
const runs = Number(env.CHAOS_RUNS ?? 20);
const maxCommands = Number(env.CHAOS_MAX_COMMANDS ?? 25);
const kinds = (env.CHAOS_PROVIDER ? [env.CHAOS_PROVIDER] : ['MICROSOFT', 'GOOGLE']) as ProviderKind[];

chaosSuite({
  kinds,
  runs,
  maxCommands,
  seed: Number(env.CHAOS_SEED ?? Date.now() % 2 ** 31),
  twoProcessRuns: Number(env.CHAOS_TWO_PROCESS_RUNS ?? Math.max(1, Math.ceil(runs / 10))),
  shrink: env.CHAOS_SHRINK !== '0',
  ...(env.CHAOS_PATH ? { path: env.CHAOS_PATH } : {}),
  // A run takes up to a minute on a busy machine; shrinking a failure takes many.
  timeoutMs: Math.max(600_000, runs * 120_000) + (env.CHAOS_SHRINK !== '0' ? 3_600_000 : 0),
});
