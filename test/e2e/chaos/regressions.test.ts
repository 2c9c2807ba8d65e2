import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ConflictPolicy, ProviderKind } from '../../../src/domain/model.js';
import { startProviderSide, type ProviderSide } from '../../helpers/hub-process.js';
import { Fault, ProviderEdit, Revoke, emptyStats, runScenario } from './chaos-model.js';
import { ChaosWorld } from './chaos-world.js';

/**
 * Cases the chaos test (npm run test:chaos) found, shrunk, kept as they were printed: each failed
 * before the fix named with it. They replay the same steps through the same model and checks.
 */
const REGRESSIONS: { name: string; kinds: ProviderKind[]; policy: ConflictPolicy; commands: () => Iterable<import('fast-check').AsyncCommand<never, never>> }[] = [];
void REGRESSIONS;

let providers: ProviderSide;
beforeAll(async () => {
  providers = await startProviderSide();
});
afterAll(async () => {
  await providers?.close();
});

describe.each(['GOOGLE'] as const)('chaos regressions with %s', (kind) => {
  let world: ChaosWorld;
  beforeAll(async () => {
    world = await ChaosWorld.start(providers, { processes: 1 });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a relink after a revocation leaves the link active', { timeout: 120_000 }, async () => {
    await runScenario(world, kind, { policy: 'LATEST_WINS', commands: [new ProviderEdit(48, 'subject', 15, 14), new Revoke(), new ProviderEdit(40, 'move', 14, 11), new Fault('token', 0, 2)] }, emptyStats(), { kills: true });
  });
});
