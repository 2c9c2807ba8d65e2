import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobRepository } from '../../../src/jobs/backends/sqlite-job-repository.js';
import { createJobScheduler, JOBS_STORE_NAME, type JobScheduler } from '../../../src/jobs/job-scheduler.js';
import { jobsTestConfig } from '../../helpers/jobs-config.js';
import { tempDir, waitFor } from '../../helpers/jobs-helpers.js';
import { silentLogger } from '../../helpers/pubsub-helpers.js';

const WORKER = fileURLToPath(new URL('../../helpers/jobs-worker-process.ts', import.meta.url));
const LOCK_LIFETIME_MS = 1000;

interface RunRecord {
  worker: string;
  kind: 'one-off' | 'recurring' | 'overlap' | 'slow-start' | 'slow-run';
  jobId?: string;
  n?: number;
  lastRunAt?: string;
}

describe('SQLite job backend shared by two processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  let runLog: string;
  let scheduler: JobScheduler | undefined;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir.dir, 'hub.db');
    runLog = path.join(dir.dir, 'runs.jsonl');
    writeFileSync(runLog, '');
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    await scheduler?.stop(0);
    scheduler = undefined;
    dir.cleanup();
  });

  const records = (): RunRecord[] =>
    existsSync(runLog)
      ? readFileSync(runLog, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as RunRecord)
      : [];

  /** Starts a worker process and resolves once it processes jobs. */
  async function startWorker(id: string, mode: 'normal' | 'hang' = 'normal'): Promise<ChildProcess> {
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: `sqlite:${file}`,
        JOBS_POLL_INTERVAL_MS: '50',
        JOBS_LOCK_LIFETIME_MS: String(LOCK_LIFETIME_MS),
        JOBS_CONCURRENCY: '4',
        WORKER_ID: id,
        WORKER_MODE: mode,
        RUN_LOG: runLog,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('message', (message) => (message === 'ready' ? resolve() : reject(new Error(String(message)))));
      child.once('exit', (code, signal) => reject(new Error(`worker ${id} exited early (${code ?? signal})`)));
    });
    return child;
  }

  async function stopWorker(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.send('stop');
    return exited;
  }

  /** The parent schedules like a hub instance with processing disabled. */
  async function parentScheduler(): Promise<JobScheduler> {
    scheduler = await createJobScheduler({ config: jobsTestConfig(file, { JOBS_ENABLED: 'false' }), logger: silentLogger() });
    return scheduler;
  }

  it('executes every scheduled run exactly once across both processes', async () => {
    const [a, b] = await Promise.all([startWorker('a'), startWorker('b')]);
    const s = await parentScheduler();
    const count = 60;
    for (let n = 0; n < count; n++) await s.agenda.now('one-off', { n });
    await s.agenda.every(100, 'recurring');

    await waitFor(() => records().filter((r) => r.kind === 'one-off').length >= count, `${count} one-off runs`, 20_000);
    await waitFor(() => records().filter((r) => r.kind === 'recurring').length >= 5, 'five recurring runs', 20_000);
    expect(await Promise.all([stopWorker(a), stopWorker(b)])).toEqual([0, 0]);

    const all = records();
    const oneOffs = all.filter((r) => r.kind === 'one-off');
    expect(oneOffs.map((r) => r.n).sort((x, y) => x! - y!)).toEqual(Array.from({ length: count }, (_, n) => n));
    expect(new Set(oneOffs.map((r) => r.jobId)).size).toBe(count);
    // Both processes competed for the same jobs (otherwise the test would prove nothing).
    expect(new Set(oneOffs.map((r) => r.worker))).toEqual(new Set(['a', 'b']));
    const recurring = all.filter((r) => r.kind === 'recurring');
    expect(all.filter((r) => r.kind === 'overlap')).toEqual([]);
    expect(new Set(recurring.map((r) => r.lastRunAt)).size).toBe(recurring.length);

    const { jobs } = await s.agenda.queryJobs({ name: 'one-off' });
    expect(jobs.filter((j) => j.lastFinishedAt && !j.lockedAt)).toHaveLength(count);
  });

  it('lets the other process take over a job whose worker was killed mid-run, once the lock lifetime passed', async () => {
    const doomed = await startWorker('doomed', 'hang');
    const s = await parentScheduler();
    const job = await s.agenda.now('slow', {});
    const jobId = String(job.attrs._id);
    await waitFor(() => records().some((r) => r.kind === 'slow-start' && r.jobId === jobId), 'the doomed worker to start the job');

    doomed.kill('SIGKILL');
    await new Promise((resolve) => doomed.once('exit', resolve));
    const inspector = new SqliteJobRepository({ file, table: JOBS_STORE_NAME });
    await inspector.connect();
    try {
      const orphaned = await inspector.getJobById(jobId);
      expect(orphaned?.lockedAt).toBeInstanceOf(Date);
      expect(orphaned?.lastFinishedAt).toBeUndefined();

      const survivor = await startWorker('survivor');
      await waitFor(() => records().some((r) => r.kind === 'slow-run'), 'the survivor to run the orphaned job', 20_000);
      const finished = await waitFor(async () => {
        const found = await inspector.getJobById(jobId);
        return found?.lastFinishedAt && !found.lockedAt ? found : undefined;
      }, 'the job to be finished and unlocked');
      expect(await stopWorker(survivor)).toBe(0);

      // The survivor only took the lock once it was older than the lock lifetime.
      expect(finished.lastRunAt!.getTime() - orphaned!.lockedAt!.getTime()).toBeGreaterThanOrEqual(LOCK_LIFETIME_MS);
      expect(records().filter((r) => r.kind === 'slow-run')).toEqual([{ worker: 'survivor', kind: 'slow-run', jobId }]);
    } finally {
      await inspector.disconnect();
    }
  });
});
