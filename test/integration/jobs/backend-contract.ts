import type { Agenda, AgendaBackend, JobParameters, JobRepository } from 'agenda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testAgenda, waitFor } from '../../helpers/jobs-helpers.js';

/** One job store shared by every backend instance opened on it (two "processes", two workers). */
export interface JobBackendFixture {
  /** A new, connected backend instance on the shared store. */
  open(): Promise<AgendaBackend>;
  dispose(): Promise<void>;
}

const MINUTE = 60_000;
const job = (name: string, over: Partial<JobParameters> = {}): JobParameters => ({
  name,
  priority: 0,
  nextRunAt: new Date(Date.now() - MINUTE),
  type: 'normal',
  data: {},
  ...over,
});
const scan = () => {
  const now = new Date();
  return { now, nextScanAt: new Date(now.getTime() + 5_000), lockDeadline: new Date(now.getTime() - 10 * MINUTE) };
};
const next = (repo: JobRepository, name: string, lockDeadline?: Date) => {
  const s = scan();
  return repo.getNextJobToRun(name, s.nextScanAt, lockDeadline ?? s.lockDeadline, s.now, { lastModifiedBy: 'test' });
};

/**
 * The behaviour every Agenda backend the hub can use must show, modelled on Agenda's own shared
 * backend suites (repository, agenda, job processor): run against the hub's SQLite backend always
 * and against @agendajs/mongo-backend when a MongoDB is available.
 */
export function jobBackendContract(name: string, createFixture: () => Promise<JobBackendFixture>): void {
  describe(`job backend contract: ${name}`, () => {
    let fixture: JobBackendFixture;
    let backend: AgendaBackend;
    let repo: JobRepository;
    const agendas: Agenda[] = [];

    beforeEach(async () => {
      fixture = await createFixture();
      backend = await fixture.open();
      repo = backend.repository;
    });

    afterEach(async () => {
      for (const agenda of agendas.splice(0)) await agenda.stop(false);
      await fixture.dispose();
    });

    const agendaOn = (b: AgendaBackend, options?: Parameters<typeof testAgenda>[1]) => {
      const agenda = testAgenda(b, options);
      agendas.push(agenda);
      return agenda;
    };

    describe('storage', () => {
      it('saves a job with an id and reads back its JSON data unchanged', async () => {
        const data = { appointmentId: 'apt_1', nested: { list: [1, 'two', null, true], text: 'Grüße 📅' }, count: 3.5 };
        const saved = await repo.saveJob(job('store', { data, priority: 10 }), undefined);
        expect(saved._id).toBeTruthy();
        const found = await repo.getJobById(String(saved._id));
        expect(found).toMatchObject({ name: 'store', priority: 10, type: 'normal', data });
        expect(found?.nextRunAt).toBeInstanceOf(Date);
      });

      it('updates a saved job in place, keeping its id', async () => {
        const saved = await repo.saveJob(job('update', { data: { v: 1 } }), undefined);
        const updated = await repo.saveJob({ ...saved, priority: 20, data: { v: 2 } }, undefined);
        expect(String(updated._id)).toBe(String(saved._id));
        expect(await repo.queryJobs({ name: 'update' })).toMatchObject({ total: 1, jobs: [{ priority: 20, data: { v: 2 } }] });
      });

      it('returns null for a job that was removed', async () => {
        const saved = await repo.saveJob(job('gone'), undefined);
        expect(await repo.removeJobs({ id: saved._id! })).toBe(1);
        expect(await repo.getJobById(String(saved._id))).toBeNull();
      });

      it('keeps one recurring ("single") job per name and does not reset a schedule that is already due', async () => {
        const due = new Date(Date.now() - MINUTE);
        const first = await repo.saveJob(job('tick', { type: 'single', repeatInterval: '5 minutes', nextRunAt: due }), undefined);
        const again = await repo.saveJob(
          job('tick', { type: 'single', repeatInterval: '10 minutes', nextRunAt: new Date(), data: { v: 2 } }),
          undefined,
        );
        expect(String(again._id)).toBe(String(first._id));
        expect(again.repeatInterval).toBe('10 minutes');
        expect(again.data).toEqual({ v: 2 });
        expect(again.nextRunAt?.getTime()).toBe(due.getTime());
        expect((await repo.queryJobs({ name: 'tick' })).total).toBe(1);
      });

      it('never creates two jobs with the same unique key, and insertOnly leaves the existing one unchanged', async () => {
        const a1 = await repo.saveJob(job('outbound', { data: { appointmentId: 'apt_1', v: 1 }, unique: { 'data.appointmentId': 'apt_1' } }), undefined);
        const a2 = await repo.saveJob(job('outbound', { data: { appointmentId: 'apt_1', v: 2 }, unique: { 'data.appointmentId': 'apt_1' } }), undefined);
        const a3 = await repo.saveJob(
          job('outbound', { data: { appointmentId: 'apt_1', v: 3 }, unique: { 'data.appointmentId': 'apt_1' }, uniqueOpts: { insertOnly: true } }),
          undefined,
        );
        const b = await repo.saveJob(job('outbound', { data: { appointmentId: 'apt_2', v: 1 }, unique: { 'data.appointmentId': 'apt_2' } }), undefined);
        expect(String(a2._id)).toBe(String(a1._id));
        expect(String(a3._id)).toBe(String(a1._id));
        expect(a3.data).toEqual({ appointmentId: 'apt_1', v: 2 });
        expect(String(b._id)).not.toBe(String(a1._id));
        expect((await repo.queryJobs({ name: 'outbound' })).total).toBe(2);
      });

      it('records the job state the processor saves: run times, progress and failures', async () => {
        const saved = await repo.saveJob(job('state'), undefined);
        const at = new Date();
        await repo.saveJobState({ ...saved, lastRunAt: at, lastFinishedAt: at, failedAt: at, failCount: 2, failReason: 'provider down', progress: 40 }, undefined);
        const found = await repo.getJobById(String(saved._id));
        expect(found).toMatchObject({ failCount: 2, failReason: 'provider down', progress: 40 });
        expect(found?.lastRunAt?.getTime()).toBe(at.getTime());
      });

      it('refuses to save the state of a job that no longer exists', async () => {
        const saved = await repo.saveJob(job('vanished'), undefined);
        await repo.removeJobs({ id: saved._id! });
        await expect(repo.saveJobState({ ...saved, lastRunAt: new Date() }, undefined)).rejects.toThrow();
      });
    });

    describe('queries', () => {
      beforeEach(async () => {
        await repo.saveJob(job('report-a', { priority: 10, nextRunAt: new Date(Date.now() + MINUTE), data: { kind: 'alpha', n: 1 } }), undefined);
        await repo.saveJob(job('report-b', { priority: 5, nextRunAt: new Date(Date.now() - MINUTE), data: { kind: 'beta', n: 2 } }), undefined);
        await repo.saveJob(job('report-a', { priority: 15, nextRunAt: new Date(Date.now() + 2 * MINUTE), data: { kind: 'alpha', n: 3 } }), undefined);
        await repo.saveJob(job('paused-one', { disabled: true }), undefined);
      });

      it('filters by name, names, partial data, search text and disabled flag', async () => {
        expect((await repo.queryJobs({ name: 'report-a' })).total).toBe(2);
        expect((await repo.queryJobs({ names: ['report-a', 'report-b'] })).total).toBe(3);
        expect((await repo.queryJobs({ data: { kind: 'alpha' } })).jobs.map((j) => (j.data as { n: number }).n).sort()).toEqual([1, 3]);
        expect((await repo.queryJobs({ search: 'report' })).total).toBe(3);
        expect((await repo.queryJobs({ includeDisabled: false })).total).toBe(3);
        expect((await repo.queryJobs()).total).toBe(4);
      });

      it('paginates while reporting the total, and sorts as asked', async () => {
        const page = await repo.queryJobs({ names: ['report-a', 'report-b'], sort: { priority: 'desc' }, skip: 1, limit: 1 });
        expect(page.total).toBe(3);
        expect(page.jobs.map((j) => j.priority)).toEqual([10]);
      });

      it('computes job states and an overview per job name', async () => {
        expect((await repo.queryJobs({ state: 'scheduled' })).total).toBe(2);
        expect((await repo.queryJobs({ state: 'queued', name: 'report-b' })).total).toBe(1);
        expect((await repo.queryJobs({ state: 'paused' })).jobs.map((j) => j.name)).toEqual(['paused-one']);
        const overview = await repo.getJobsOverview();
        expect(overview.find((o) => o.name === 'report-a')).toMatchObject({ total: 2, scheduled: 2 });
        expect(overview.find((o) => o.name === 'paused-one')).toMatchObject({ total: 1, paused: 1 });
        expect((await repo.getDistinctJobNames()).sort()).toEqual(['paused-one', 'report-a', 'report-b']);
        expect(await repo.getQueueSize()).toBe(2);
      });

      it('removes jobs by name, by ids, by data and all jobs not of given names', async () => {
        const [first] = (await repo.queryJobs({ name: 'report-a', sort: { priority: 'asc' } })).jobs;
        expect(await repo.removeJobs({ ids: [first!._id] })).toBe(1);
        expect(await repo.removeJobs({ data: { kind: 'beta' } })).toBe(1);
        expect(await repo.removeJobs({ notNames: ['report-a'] })).toBe(1);
        expect(await repo.removeJobs({})).toBe(0);
        expect((await repo.queryJobs()).jobs.map((j) => j.name)).toEqual(['report-a']);
        expect(await repo.purgeAllJobs()).toBe(1);
      });
    });

    describe('locking', () => {
      it('locks the due job with the highest priority first, then earlier ones before later ones', async () => {
        const same = new Date(Date.now() - MINUTE);
        await repo.saveJob(job('prio', { priority: 5, nextRunAt: same, data: { p: 'low' } }), undefined);
        await repo.saveJob(job('prio', { priority: 10, nextRunAt: same, data: { p: 'high' } }), undefined);
        await repo.saveJob(job('prio', { priority: 20, nextRunAt: new Date(same.getTime() + 1000), data: { p: 'later' } }), undefined);
        await repo.saveJob(job('prio', { priority: 50, nextRunAt: new Date(Date.now() + MINUTE), data: { p: 'future' } }), undefined);
        const order = [];
        for (let i = 0; i < 4; i++) order.push((await next(repo, 'prio'))?.data);
        expect(order).toEqual([{ p: 'high' }, { p: 'low' }, { p: 'later' }, undefined]);
      });

      it('never hands the same job to two workers while its lock is fresh', async () => {
        const other = (await fixture.open()).repository;
        const saved = await repo.saveJob(job('once'), undefined);
        const mine = await next(repo, 'once');
        expect(String(mine?._id)).toBe(String(saved._id));
        expect(mine?.lockedAt).toBeInstanceOf(Date);
        expect(await next(other, 'once')).toBeUndefined();
        expect(await other.lockJob(saved, undefined)).toBeUndefined();
      });

      it('keeps concurrent operations of one worker apart: every due job is locked exactly once', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, n) => repo.saveJob(job(n % 2 ? 'odd' : 'even', { data: { n } }), undefined)));
        const locked = await Promise.all(Array.from({ length: 26 }, (_, i) => next(repo, i % 2 ? 'odd' : 'even')));
        const got = locked.filter((j) => j !== undefined).map((j) => (j.data as { n: number }).n);
        expect(got.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
        expect(await repo.queryJobs({ state: 'running' })).toMatchObject({ total: 20 });
      });

      it('lets another worker take over a job whose lock outlived the lock lifetime', async () => {
        const other = (await fixture.open()).repository;
        const saved = await repo.saveJob(job('stale'), undefined);
        const first = await next(repo, 'stale');
        // The other worker's lock deadline lies after the first lock: that lock has expired for it.
        const takeover = await next(other, 'stale', new Date(first!.lockedAt!.getTime() + 1));
        expect(String(takeover?._id)).toBe(String(saved._id));
        expect(takeover!.lockedAt!.getTime()).toBeGreaterThanOrEqual(first!.lockedAt!.getTime());
      });

      it('locks one specific run only when it is unlocked and still due at that time', async () => {
        const saved = await repo.saveJob(job('exact'), undefined);
        expect(await repo.lockJob({ ...saved, nextRunAt: new Date(saved.nextRunAt!.getTime() + 1) }, undefined)).toBeUndefined();
        expect((await repo.lockJob(saved, undefined))?.lockedAt).toBeInstanceOf(Date);
        expect(await repo.lockJob(saved, undefined)).toBeUndefined();
      });

      it('unlocks queued jobs but keeps a running one-off job locked', async () => {
        const queued = await repo.saveJob(job('unlock'), undefined);
        const locked = await repo.lockJob(queued, undefined);
        await repo.unlockJob(locked!);
        expect((await repo.getJobById(String(queued._id)))?.lockedAt).toBeUndefined();

        const running = await repo.lockJob(queued, undefined);
        await repo.saveJobState({ ...running!, nextRunAt: null, lastRunAt: new Date() }, undefined);
        await repo.unlockJob({ ...running!, nextRunAt: null });
        expect((await repo.getJobById(String(queued._id)))?.lockedAt).toBeInstanceOf(Date);
        await repo.unlockJobs([queued._id!]);
        expect((await repo.getJobById(String(queued._id)))?.lockedAt).toBeUndefined();
      });

      it('does not hand out disabled jobs until they are enabled again', async () => {
        await repo.saveJob(job('toggle', { data: { n: 1 } }), undefined);
        await repo.saveJob(job('toggle', { data: { n: 2 } }), undefined);
        expect(await repo.disableJobs({ name: 'toggle' })).toBe(2);
        expect(await next(repo, 'toggle')).toBeUndefined();
        expect(await repo.enableJobs({ data: { n: 2 } })).toBe(1);
        expect((await next(repo, 'toggle'))?.data).toEqual({ n: 2 });
        expect(await next(repo, 'toggle')).toBeUndefined();
      });
    });

    describe('with Agenda', () => {
      it('runs a job created with now() once, with its data, and leaves it finished and unlocked', async () => {
        const agenda = agendaOn(backend);
        const seen: unknown[] = [];
        agenda.define('greet', async (j) => {
          seen.push(j.attrs.data);
        });
        await agenda.start();
        const created = await agenda.now('greet', { to: 'ada' });
        const done = await waitFor(async () => {
          const found = await repo.getJobById(String(created.attrs._id));
          return found?.lastFinishedAt ? found : undefined;
        }, 'greet to finish');
        expect(seen).toEqual([{ to: 'ada' }]);
        expect(done.lockedAt).toBeUndefined();
        expect(done.nextRunAt).toBeNull();
      });

      it('runs a scheduled job no earlier than its time', async () => {
        const agenda = agendaOn(backend);
        agenda.define('later', async () => {});
        await agenda.start();
        const at = new Date(Date.now() + 300);
        const created = await agenda.schedule(at, 'later', {});
        const done = await waitFor(async () => {
          const found = await repo.getJobById(String(created.attrs._id));
          return found?.lastFinishedAt ? found : undefined;
        }, 'scheduled job to run');
        expect(done.lastRunAt!.getTime()).toBeGreaterThanOrEqual(at.getTime());
      });

      it('keeps one job for every() and reschedules it after each run', async () => {
        const agenda = agendaOn(backend);
        let runs = 0;
        agenda.define('heartbeat', async () => {
          runs += 1;
        });
        await agenda.every(200, 'heartbeat');
        await agenda.every(200, 'heartbeat');
        await agenda.start();
        await waitFor(() => runs >= 2, 'two heartbeats');
        const { jobs, total } = await repo.queryJobs({ name: 'heartbeat' });
        expect(total).toBe(1);
        expect(jobs[0]!.nextRunAt!.getTime()).toBeGreaterThan(jobs[0]!.lastRunAt!.getTime());
      });

      it('runs due jobs of one name in priority order when they cannot run in parallel', async () => {
        const agenda = agendaOn(backend, { maxConcurrency: 1 });
        const order: string[] = [];
        agenda.define('ordered', async (j) => {
          order.push((j.attrs.data as { p: string }).p);
        }, { concurrency: 1 });
        const at = new Date(Date.now() - 1000);
        for (const [p, priority] of [['low', 'low'], ['highest', 'highest'], ['normal', 'normal']] as const) {
          await agenda.create('ordered', { p }).priority(priority).schedule(at).save();
        }
        await agenda.start();
        await waitFor(() => order.length === 3, 'three ordered jobs');
        expect(order).toEqual(['highest', 'normal', 'low']);
      });

      it('records the failure count and reason of a failing job', async () => {
        const agenda = agendaOn(backend);
        let attempts = 0;
        agenda.define('flaky', async () => {
          attempts += 1;
          throw new Error(`provider unavailable (attempt ${attempts})`);
        });
        await agenda.every(150, 'flaky');
        await agenda.start();
        const failed = await waitFor(async () => {
          const [found] = (await repo.queryJobs({ name: 'flaky' })).jobs;
          return found && (found.failCount ?? 0) >= 2 && !found.lockedAt ? found : undefined;
        }, 'two recorded failures');
        expect(failed.failReason).toMatch(/^provider unavailable \(attempt \d+\)$/);
        expect(failed.failedAt).toBeInstanceOf(Date);
        expect(failed.state).toBe('failed');
      });

      it('does not run cancelled or disabled jobs, and runs a disabled job once enabled', async () => {
        const agenda = agendaOn(backend);
        const ran: string[] = [];
        agenda.define('maybe', async (j) => {
          ran.push((j.attrs.data as { id: string }).id);
        });
        await agenda.now('maybe', { id: 'cancelled' });
        await agenda.now('maybe', { id: 'paused' });
        await agenda.cancel({ name: 'maybe', data: { id: 'cancelled' } });
        await agenda.disable({ name: 'maybe', data: { id: 'paused' } });
        await agenda.now('maybe', { id: 'witness' });
        await agenda.start();
        await waitFor(() => ran.includes('witness'), 'the witness job');
        expect(ran).toEqual(['witness']);
        await agenda.enable({ data: { id: 'paused' } });
        await waitFor(() => ran.includes('paused'), 'the enabled job');
        expect(ran.sort()).toEqual(['paused', 'witness']);
      });

      it('runs each of many jobs exactly once across two Agenda instances on the same store', async () => {
        const runs: string[] = [];
        const define = (agenda: Agenda) =>
          agenda.define('shared', async (j) => {
            runs.push((j.attrs.data as { n: string }).n);
            await new Promise((resolve) => setTimeout(resolve, 5));
          });
        const a = agendaOn(backend, { name: 'a' });
        const b = agendaOn(await fixture.open(), { name: 'b' });
        define(a);
        define(b);
        const ids = Array.from({ length: 30 }, (_, i) => `job-${i}`);
        for (const n of ids) await a.now('shared', { n });
        await Promise.all([a.start(), b.start()]);
        await waitFor(() => runs.length >= ids.length, 'all shared jobs');
        await waitFor(async () => (await repo.queryJobs({ name: 'shared', state: 'completed' })).total === ids.length, 'all completed');
        expect(runs.sort()).toEqual([...ids].sort());
      });
    });
  });
}
