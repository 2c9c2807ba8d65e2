/**
 * A hub job worker in its own Node process, for the multi-process tests
 * (test/integration/jobs/multi-process.test.ts). Started with `node --import tsx`; configured by
 * environment (DATABASE_URL, JOBS_*), plus:
 * - WORKER_ID: name written into every record;
 * - RUN_LOG: JSON-lines file each handler appends a record to (O_APPEND writes of one line);
 * - WORKER_MODE: `hang` makes the `slow` job start and never finish (the process is then killed).
 * It sends `ready` over IPC once processing and stops gracefully on a `stop` message.
 */
import { appendFileSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createJobScheduler } from '../../src/jobs/job-scheduler.js';

const worker = process.env.WORKER_ID ?? String(process.pid);
const runLog = process.env.RUN_LOG!;
const hang = process.env.WORKER_MODE === 'hang';
const record = (entry: Record<string, unknown>) => appendFileSync(runLog, JSON.stringify({ worker, ...entry }) + '\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scheduler = await createJobScheduler({
  config: loadConfig(process.env),
  logger: createLogger({ level: process.env.WORKER_LOG_LEVEL ?? 'error', name: `worker-${worker}` }, process.stderr),
});

scheduler.agenda.define('one-off', async (job) => {
  record({ kind: 'one-off', jobId: String(job.attrs._id), n: (job.attrs.data as { n: number }).n });
  await sleep(5);
});

// Detects two runs of the recurring job at the same time without comparing clocks: the marker
// file can only be created by one run at a time.
scheduler.agenda.define('recurring', async (job) => {
  const marker = `${runLog}.recurring-running`;
  let fd: number | undefined;
  try {
    fd = openSync(marker, 'wx');
  } catch {
    record({ kind: 'overlap' });
  }
  record({ kind: 'recurring', lastRunAt: job.attrs.lastRunAt?.toISOString() });
  await sleep(30);
  if (fd !== undefined) {
    closeSync(fd);
    unlinkSync(marker);
  }
});

scheduler.agenda.define('slow', async (job) => {
  record({ kind: hang ? 'slow-start' : 'slow-run', jobId: String(job.attrs._id) });
  if (hang) await new Promise(() => {});
});

process.on('message', (message) => {
  if (message !== 'stop') return;
  void scheduler.stop(5_000).then(() => process.exit(0));
});

await scheduler.start();
process.send?.('ready');
