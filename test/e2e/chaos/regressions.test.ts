import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ProviderKind } from '../../../src/domain/model.js';
import { startProviderSide, type ProviderSide } from '../../helpers/hub-process.js';
import { Fault, HostCreate, HostDelete, HostEdit, Kill, ProviderCreate, ProviderDelete, ProviderEdit, Revoke, Settle, SyncNow, emptyStats, runScenario } from './chaos-model.js';
import { ChaosWorld } from './chaos-world.js';

/**
 * Fixed scenarios of the chaos model (test/e2e/chaos/chaos-model.ts), replayed through the same
 * model and convergence checks: cases a chaos run printed (shrunk), kept as they were printed, and
 * a crash scenario that makes sure every `npm test` kills the hub in the middle of its writes.
 */

let providers: ProviderSide;
beforeAll(async () => {
  providers = await startProviderSide();
}, 180_000);
afterAll(async () => {
  await providers?.close();
});

describe.each(['MICROSOFT', 'GOOGLE'] as ProviderKind[])('chaos scenarios with %s', (kind) => {
  let world: ChaosWorld;
  beforeAll(async () => {
    world = await ChaosWorld.start(providers, { processes: 1 });
  }, 180_000);
  afterAll(async () => {
    await world?.close();
  });

  it('a relink after a revocation leaves the link active (shrunk case)', { timeout: 180_000 }, async () => {
    await runScenario(
      world,
      kind,
      { policy: 'LATEST_WINS', commands: [new ProviderEdit(48, 'subject', 15, 14), new Revoke(), new ProviderEdit(40, 'move', 14, 11), new Fault('token', 0, 2)] },
      emptyStats(),
      { kills: true },
    );
  });

  it('SIGKILLs between steps and in the middle of writes, then converges', { timeout: 240_000 }, async () => {
    await runScenario(
      world,
      kind,
      {
        policy: 'LATEST_WINS',
        commands: [
          new HostCreate(2, 9, 60, 0),
          new ProviderCreate(3, 10, 30),
          new Settle(800),
          // The next create fails (503); the hub dies in the middle of the writes that follow.
          new Fault('create', 2, 1),
          new HostCreate(4, 11, 30, 1),
          new HostEdit(0, 'subject', 2, 9),
          new Kill(50),
          new ProviderEdit(0, 'move', 6, 15),
          new Fault('read', 2, 1),
          new HostDelete(1),
          new Kill(0),
          new ProviderDelete(1),
          new SyncNow(),
        ],
      },
      emptyStats(),
      { kills: true },
    );
  });
});
