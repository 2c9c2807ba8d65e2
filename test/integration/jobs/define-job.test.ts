import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineJob, JobRegistry } from '../../../src/jobs/define-job.js';
import { createJobScheduler, type JobScheduler } from '../../../src/jobs/job-scheduler.js';
import { isDuplicateJobError } from '../../../src/jobs/jobs.errors.js';
import { jobsTestConfig } from '../../helpers/jobs-config.js';
import { waitFor } from '../../helpers/jobs-helpers.js';
import { silentLogger } from '../../helpers/pubsub-helpers.js';

interface SyncData {
  connectionId: string;
}

describe('job definitions and registry', () => {
  let scheduler: JobScheduler;

  beforeEach(async () => {
    scheduler = await createJobScheduler({ config: jobsTestConfig(':memory:'), logger: silentLogger() });
  });

  afterEach(async () => {
    await scheduler.stop(0);
  });

  it('runs a registered handler with the typed data it was enqueued with', async () => {
    const received: SyncData[] = [];
    const sync = defineJob<SyncData>('sync-connection', async (data) => {
      received.push(data);
    });
    new JobRegistry().add(sync).applyTo(scheduler.agenda);
    await scheduler.start();
    await sync.now(scheduler.agenda, { connectionId: 'con_1' });
    await waitFor(() => received.length === 1, 'the handler to run');
    expect(received).toEqual([{ connectionId: 'con_1' }]);
  });

  it('keeps one recurring job per key, updating it when re-declared', async () => {
    const poll = defineJob<SyncData>('poll-connection', async () => {});
    new JobRegistry().add(poll).applyTo(scheduler.agenda);
    await poll.every(scheduler.agenda, '3 minutes', { connectionId: 'con_1' }, { key: { 'data.connectionId': 'con_1' }, skipImmediate: true });
    await poll.every(scheduler.agenda, '50 minutes', { connectionId: 'con_1' }, { key: { 'data.connectionId': 'con_1' }, skipImmediate: true });
    await poll.every(scheduler.agenda, '3 minutes', { connectionId: 'con_2' }, { key: { 'data.connectionId': 'con_2' }, skipImmediate: true });
    const { jobs } = await scheduler.agenda.queryJobs({ name: 'poll-connection', sort: { data: 'asc' } });
    expect(jobs.map((j) => [(j.data as SyncData).connectionId, j.repeatInterval])).toEqual([
      ['con_1', '50 minutes'],
      ['con_2', '3 minutes'],
    ]);
    expect(await poll.cancel(scheduler.agenda, { connectionId: 'con_1' })).toBe(1);
    expect((await scheduler.agenda.queryJobs({ name: 'poll-connection' })).total).toBe(1);
  });

  it('records a handler error as a failed run', async () => {
    const failing = defineJob<SyncData>('always-fails', async (data) => {
      throw new Error(`token revoked for ${data.connectionId}`);
    });
    new JobRegistry().add(failing).applyTo(scheduler.agenda);
    await scheduler.start();
    const job = await failing.now(scheduler.agenda, { connectionId: 'con_9' });
    const [stored] = await waitFor(async () => {
      const { jobs } = await scheduler.agenda.queryJobs({ id: String(job.attrs._id) });
      return jobs[0]?.failCount === 1 && !jobs[0].lockedAt ? jobs : undefined;
    }, 'the failure to be recorded');
    expect(stored?.failReason).toBe('token revoked for con_9');
  });

  it('refuses two definitions with the same name', () => {
    const registry = new JobRegistry().add(defineJob('cleanup', async () => {}));
    let failure: unknown;
    try {
      registry.add(defineJob('cleanup', async () => {}));
    } catch (e) {
      failure = e;
    }
    expect(isDuplicateJobError(failure)).toBe(true);
    expect(registry.names).toEqual(['cleanup']);
  });
});
