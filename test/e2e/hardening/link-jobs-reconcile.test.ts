import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HubId } from '../../../src/domain/ids.js';
import { SyncRun } from '../../../src/store/entities/index.js';
import { waitFor } from '../../helpers/hub-harness.js';
import { createTenantWithUser, linkOk, recurringJobsOf, startLinkingHub, type LinkingHub } from '../linking/linking-harness.js';

/** Issue 15, finding 3: at every start, each ACTIVE link gets back the jobs it lost, and nothing more. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-reconcile-'));
const env = { DATA_DIR: dataDir, DATABASE_URL: '', SANDBOX_PROVIDERS: 'on' };
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function jobsOf(t: LinkingHub, connectionId: string) {
  const { jobs } = await t.hub.scheduler.agenda.queryJobs({ data: { connectionId } });
  return jobs.map((j) => ({ name: j.name, nextRunAt: j.nextRunAt?.toISOString() ?? null, repeating: Boolean(j.repeatInterval) }));
}

describe('reconciling the jobs of ACTIVE links at start', () => {
  it("recreates a link's lost recurring jobs, keeps the schedules it still has, and queues no sync run", async () => {
    const first = await startLinkingHub(env);
    let connectionId: HubId<'connection'>;
    let pollBefore: string | null;
    let runsBefore: number;
    try {
      const tenant = await createTenantWithUser(first, 'Reconcile', { hostUserId: 'r', email: 'alice@example.com' });
      connectionId = await linkOk(first, tenant.key, { userId: tenant.userId, provider: 'GOOGLE', account: 'alice@example.com' });
      expect(await recurringJobsOf(first, connectionId)).toEqual(['connection.refresh', 'sync.poll']);
      await waitFor('the first sync run to finish', async () => (await first.hub.orm.em.fork().count(SyncRun, { connectionId, outcome: 'RUNNING' })) === 0, 15_000);
      await waitFor('no queued run left', async () => (await jobsOf(first, connectionId)).every((j) => j.repeating), 15_000);
      runsBefore = await first.hub.orm.em.fork().count(SyncRun, { connectionId });
      pollBefore = (await jobsOf(first, connectionId)).find((j) => j.name === 'sync.poll')!.nextRunAt;
      // What a crash between cancelling and recreating the link's jobs leaves behind.
      await first.hub.scheduler.agenda.cancel({ name: 'connection.refresh', data: { connectionId } });
      expect(await recurringJobsOf(first, connectionId)).toEqual(['sync.poll']);
    } finally {
      await first.hub.close();
    }

    const second = await startLinkingHub(env);
    try {
      expect(await recurringJobsOf(second, connectionId)).toEqual(['connection.refresh', 'sync.poll']);
      const jobs = await jobsOf(second, connectionId);
      expect(jobs.find((j) => j.name === 'sync.poll')!.nextRunAt).toBe(pollBefore);
      expect(jobs.filter((j) => !j.repeating)).toEqual([]);
      expect(await second.hub.orm.em.fork().count(SyncRun, { connectionId })).toBe(runsBefore);
    } finally {
      await second.close();
    }
  });
});
