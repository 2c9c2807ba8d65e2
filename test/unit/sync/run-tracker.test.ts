import { describe, expect, it } from 'vitest';
import type { HubId } from '../../../src/domain/ids.js';
import type { SyncRunPhase } from '../../../src/events/pubsub-topics.js';
import { SyncRun } from '../../../src/store/entities/index.js';
import { RunTracker, type SyncRuns } from '../../../src/sync/sync-runs.service.js';

/** A tracker whose publications (each a write of the run row and an event) are recorded. */
function tracker(): { tracker: RunTracker; published: { phase: SyncRunPhase; created: number }[] } {
  const published: { phase: SyncRunPhase; created: number }[] = [];
  const runs = { save: async (run: SyncRun, phase: SyncRunPhase) => void published.push({ phase, created: run.counts.inbound.created }) } as unknown as SyncRuns;
  const run = new SyncRun({ tenantId: 'ten_1' as HubId<'tenant'>, connectionId: 'con_1' as HubId<'connection'>, trigger: 'POLL', direction: 'BOTH' });
  return { tracker: new RunTracker(run, runs), published };
}

describe('RunTracker progress', () => {
  it('publishes no PROGRESS for a run that changed nothing (an idle poll is STARTED, then FINISHED)', async () => {
    const { tracker: t, published } = tracker();
    t.meter.request();
    await t.progress();
    await t.progress(true);
    expect(published).toEqual([]);
  });

  it('publishes the counts once they moved, and does not repeat them', async () => {
    const { tracker: t, published } = tracker();
    t.count('inbound', 'created', 3);
    await t.progress(true);
    await t.progress(true);
    t.count('inbound', 'created');
    await t.progress(true);
    expect(published).toEqual([
      { phase: 'PROGRESS', created: 3 },
      { phase: 'PROGRESS', created: 4 },
    ]);
  });
});
