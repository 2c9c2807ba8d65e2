// `npm run test:chaos -- [--runs N] [--seed S] [--provider MICROSOFT|GOOGLE] [--max-commands N]
//                        [--two-process-runs N] [--no-shrink] [--path P]`
// Runs the model-based convergence test (test/e2e/chaos/) through vitest with these options and
// prints its figures: runs, operations, faults injected, kills and divergences, per provider.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string' },
    seed: { type: 'string' },
    provider: { type: 'string' },
    'max-commands': { type: 'string' },
    'two-process-runs': { type: 'string' },
    'no-shrink': { type: 'boolean' },
    path: { type: 'string' },
  },
  strict: true,
});

const int = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) {
    process.stderr.write(`--${name} must be a whole number\n`);
    process.exit(2);
  }
  return v;
};
if (values.provider && !['MICROSOFT', 'GOOGLE'].includes(values.provider)) {
  process.stderr.write('--provider must be MICROSOFT or GOOGLE\n');
  process.exit(2);
}

const env: Record<string, string | undefined> = {
  ...process.env,
  CHAOS_RUNS: int('runs', values.runs),
  CHAOS_SEED: int('seed', values.seed),
  CHAOS_PROVIDER: values.provider,
  CHAOS_MAX_COMMANDS: int('max-commands', values['max-commands']),
  CHAOS_TWO_PROCESS_RUNS: int('two-process-runs', values['two-process-runs']),
  CHAOS_SHRINK: values['no-shrink'] ? '0' : undefined,
  CHAOS_PATH: values.path,
};
for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];

// The hubs the runs start (and SIGKILL and start again, hundreds of times) load one bundle of the
// test hub instead of compiling the sources each time; it is also a snapshot of the sources as they
// were when the run began.
const bundle = `dist/chaos-hub-${process.pid}.bundle.js`;
const built = spawnSync(process.execPath, ['scripts/bundle.mjs', '--entry', 'test/helpers/hub-process-main.ts', '--outfile', bundle], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
env.HUB_PROCESS_BUNDLE = path.resolve(bundle);

const result = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.chaos.config.ts'], { stdio: 'inherit', env: env as NodeJS.ProcessEnv });
rmSync(bundle, { force: true });
rmSync(`${bundle}.map`, { force: true });
process.exit(result.status ?? 1);
