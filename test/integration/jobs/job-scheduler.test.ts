import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobRepository } from '../../../src/jobs/backends/sqlite-job-repository.js';
import { createJobScheduler, JOBS_STORE_NAME, type JobScheduler } from '../../../src/jobs/job-scheduler.js';
import { isJobBackendConfigError } from '../../../src/jobs/jobs.errors.js';
import { jobsTestConfig } from '../../helpers/jobs-config.js';
import { tempDir, waitFor } from '../../helpers/jobs-helpers.js';
import { capturingLogger, silentLogger } from '../../helpers/pubsub-helpers.js';

describe('job scheduler', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  const schedulers: JobScheduler[] = [];
  const repos: SqliteJobRepository[] = [];

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir.dir, 'data', 'hub.db');
  });

  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop(0);
    for (const r of repos.splice(0)) await r.disconnect();
    dir.cleanup();
  });

  const scheduler = async (env: Record<string, string> = {}, logger = silentLogger()) => {
    const s = await createJobScheduler({ config: jobsTestConfig(file, env), logger });
    schedulers.push(s);
    return s;
  };
  /** Reads the jobs table through a connection of its own, as another process would. */
  const inspect = async () => {
    const repo = new SqliteJobRepository({ file, table: JOBS_STORE_NAME });
    await repo.connect();
    repos.push(repo);
    return repo;
  };

  it('processes jobs in the SQLite file of the configuration and answers ping', async () => {
    const s = await scheduler();
    const seen: unknown[] = [];
    s.agenda.define('note', async (job) => {
      seen.push(job.attrs.data);
    });
    await s.start();
    await s.ping();
    const job = await s.agenda.now('note', { n: 1 });
    await waitFor(() => seen.length === 1, 'the job to run');
    expect(seen).toEqual([{ n: 1 }]);
    const stored = await (await inspect()).getJobById(String(job.attrs._id));
    expect(stored?.name).toBe('note');
  });

  it('only schedules when job processing is disabled, leaving the job to an enabled instance', async () => {
    const passive = await scheduler({ JOBS_ENABLED: 'false' });
    const ran: string[] = [];
    passive.agenda.define('work', async () => {
      ran.push('passive');
    });
    await passive.start();
    expect(passive.agenda.isActiveJobProcessor()).toBe(false);
    await passive.agenda.now('work', {});

    const active = await scheduler();
    active.agenda.define('work', async () => {
      ran.push('active');
    });
    await active.start();
    await waitFor(() => ran.length > 0, 'the enabled instance to run the job');
    expect(ran).toEqual(['active']);
  });

  it('waits for a running job to finish before it stops, and leaves the job finished and unlocked', async () => {
    const s = await scheduler();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let finished = false;
    s.agenda.define('long', async () => {
      started = true;
      await gate;
      finished = true;
    });
    await s.start();
    const job = await s.agenda.now('long', {});
    await waitFor(() => started, 'the job to start');

    const stopping = s.stop(30_000);
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    const stored = await (await inspect()).getJobById(String(job.attrs._id));
    expect(stored?.lastFinishedAt).toBeInstanceOf(Date);
    expect(stored?.lockedAt).toBeUndefined();
    await expect(s.ping()).rejects.toThrow(/not connected/);
  });

  it('gives up waiting after the grace period, keeping the lock of the unfinished job and saying so', async () => {
    const { logger, lines } = capturingLogger('warn');
    const s = await scheduler({}, logger);
    let started = false;
    s.agenda.define('stuck', async () => {
      started = true;
      await new Promise(() => {});
    });
    await s.start();
    const job = await s.agenda.now('stuck', {});
    await waitFor(() => started, 'the job to start');
    await s.stop(50);
    const stored = await (await inspect()).getJobById(String(job.attrs._id));
    expect(stored?.lockedAt).toBeInstanceOf(Date);
    expect(stored?.lastFinishedAt).toBeUndefined();
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'jobs still running after the shutdown grace period; they run again elsewhere once their lock expires',
        jobs: [{ job: 'stuck', jobId: String(job.attrs._id) }],
      }),
    );
  });

  it('gives a finished job\'s lock to the next due job at once, without waiting for the next scan', async () => {
    // Two locks, and no scan for an hour: only the notifications of saved and finished jobs move work.
    const s = await scheduler({ JOBS_POLL_INTERVAL_MS: '3600000', JOBS_CONCURRENCY: '2' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const done: number[] = [];
    s.agenda.define('batch', async (job) => {
      const { n } = job.attrs.data as { n: number };
      if (n < 2) await gate;
      done.push(n);
    });
    await s.start();
    for (let n = 0; n < 6; n++) await s.agenda.now('batch', { n });
    // The first two hold both locks while the other four are saved (their notifications find no free lock).
    release();
    await waitFor(() => done.length === 6, 'every job to run');
    expect([...done].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('runs a recurring job due again before the next scan when it is due, not at that scan', async () => {
    const s = await scheduler({ JOBS_POLL_INTERVAL_MS: '3600000', JOBS_CONCURRENCY: '2' });
    let runs = 0;
    s.agenda.define('tick', async () => {
      runs += 1;
    });
    await s.start();
    await s.agenda.every(200, 'tick', {});
    await waitFor(() => runs >= 3, 'the job to run three times', 25_000); // generous: the full suite loads the machine
  });

  it('refuses the MongoDB mode without the hub connection Db', async () => {
    const config = jobsTestConfig(':memory:');
    const mongoConfig = { ...config, database: { kind: 'mongodb' as const, url: 'mongodb://127.0.0.1/hub', dbName: 'hub' } };
    const failure = await createJobScheduler({ config: mongoConfig, logger: silentLogger() }).catch((e: unknown) => e);
    expect(isJobBackendConfigError(failure)).toBe(true);
  });

  it('rejects creation when the SQLite file cannot be opened, without an unhandled rejection', async () => {
    const config = jobsTestConfig(path.join(dir.dir, 'not-a-dir'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir.dir, 'not-a-dir'), 'plain text, not a database');
    await expect(createJobScheduler({ config, logger: silentLogger() })).rejects.toThrow();
  });
});
