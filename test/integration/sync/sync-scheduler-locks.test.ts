import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubId } from '../../../src/domain/ids.js';
import { JobRegistry } from '../../../src/jobs/define-job.js';
import { createJobScheduler, type JobScheduler } from '../../../src/jobs/job-scheduler.js';
import { Connection, type SyncRun } from '../../../src/store/entities/index.js';
import { createOrm, prepareSchema, type Orm } from '../../../src/store/orm.js';
import type { ExecuteResult, SyncEngine } from '../../../src/sync/sync-engine.js';
import type { SyncRuns } from '../../../src/sync/sync-runs.service.js';
import { SyncScheduler } from '../../../src/sync/sync-scheduler.js';
import { jobsTestConfig } from '../../helpers/jobs-config.js';
import { tempDir, waitFor } from '../../helpers/jobs-helpers.js';
import { silentLogger } from '../../helpers/pubsub-helpers.js';

/**
 * The sync jobs on a real job scheduler and database, with an engine whose polls hang until
 * released: what the scheduler does with the instance's job locks when many links are due at once.
 */
describe('sync scheduler: job locks', () => {
  let dir: ReturnType<typeof tempDir>;
  let jobs: JobScheduler | undefined;
  let orm: Orm | undefined;
  let release: () => void = () => undefined;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    release();
    await jobs?.stop(0);
    await orm?.close(true);
    dir.cleanup();
  });

  it('leaves a lock free for a host write while more polls are due than the instance runs', async () => {
    // Six locks, and no scan for an hour: only the notifications of saved and finished jobs move work.
    const config = jobsTestConfig(path.join(dir.dir, 'hub.db'), { JOBS_POLL_INTERVAL_MS: '3600000', JOBS_CONCURRENCY: '6' });
    orm = await createOrm(config.database);
    await prepareSchema(orm, config.database);
    const links = Array.from({ length: 8 }, (_, i) => new Connection({ tenantId: 'ten_1' as HubId<'tenant'>, userId: `usr_${i}` as HubId<'hostUser'>, provider: 'microsoft-graph', accountId: `account-${i}` }));
    await orm.em.fork().persistAndFlush(links);

    const gate = new Promise<void>((resolve) => (release = resolve));
    const polling = new Set<string>();
    const written: string[] = [];
    const engine = {
      hasPendingWrites: async (id: string) => !written.includes(id),
      run: async (id: string, makeRun: () => Promise<SyncRun>): Promise<ExecuteResult> => {
        const run = await makeRun();
        if (run.trigger === 'POLL') {
          polling.add(id);
          await gate;
        } else written.push(id);
        return { status: 'DONE', run };
      },
    } as unknown as SyncEngine;
    const runs = { create: async (_link: Connection, trigger: SyncRun['trigger']) => ({ trigger, outcome: 'SUCCEEDED' }) } as unknown as SyncRuns;

    jobs = await createJobScheduler({ config, logger: silentLogger() });
    const sync = new SyncScheduler({ orm, agenda: jobs.agenda, engine, runs, logger: silentLogger(), pollIntervalMs: 60_000 });
    new JobRegistry().add(...sync.jobDefinitions).applyTo(jobs.agenda);
    await jobs.start();

    // Every link but the last is due for a poll, and every poll hangs.
    for (const link of links.slice(0, 7)) await sync.pollJob.now(jobs.agenda, { connectionId: link.id });
    await waitFor(() => polling.size === 4, 'the polls the instance runs at once');
    // The host writes for the last link: its write goes out while the polls still hang.
    await sync.requestOutbound(links[7]!.id);
    await waitFor(() => written.length === 1, 'the host write to go out');
    expect(written).toEqual([links[7]!.id]);
    expect(polling.size).toBe(4);
  });
});
