import path from 'node:path';
import Database from 'libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobRepository } from '../../../src/jobs/backends/sqlite-job-repository.js';
import { isUnsupportedJobFilterError } from '../../../src/jobs/backends/sqlite-job-filters.js';
import { createOrm, prepareSchema } from '../../../src/store/orm.js';
import { tempDir } from '../../helpers/jobs-helpers.js';

const due = () => new Date(Date.now() - 1000);
const base = { priority: 0, type: 'normal' as const };

describe('SQLite job repository specifics', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  const open: SqliteJobRepository[] = [];

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir.dir, 'hub.db');
  });

  afterEach(async () => {
    for (const repo of open.splice(0)) await repo.disconnect();
    dir.cleanup();
  });

  const repository = async (options: { lockWaitMs?: number } = {}) => {
    const repo = new SqliteJobRepository({ file, ...options });
    await repo.connect();
    open.push(repo);
    return repo;
  };

  it('matches unique keys by JSON type and value, including booleans and nested paths', async () => {
    const repo = await repository();
    const save = (data: unknown, unique: Record<string, unknown>, name = 'u') =>
      repo.saveJob({ ...base, name, nextRunAt: due(), data, unique }, undefined);
    const n1 = await save({ n: 1 }, { 'data.n': 1 });
    const s1 = await save({ n: '1' }, { 'data.n': '1' });
    const t = await save({ flag: true }, { 'data.flag': true });
    const deep = await save({ a: { b: 'x' } }, { 'data.a.b': 'x' });
    expect(new Set([n1, s1, t, deep].map((j) => String(j._id))).size).toBe(4);

    expect(String((await save({ n: 1, v: 2 }, { 'data.n': 1 }))._id)).toBe(String(n1._id));
    expect(String((await save({ n: '1', v: 2 }, { 'data.n': '1' }))._id)).toBe(String(s1._id));
    expect(String((await save({ flag: true, v: 2 }, { 'data.flag': true }))._id)).toBe(String(t._id));
    expect(String((await save({ a: { b: 'x' }, v: 2 }, { 'data.a.b': 'x' }))._id)).toBe(String(deep._id));
    expect((await repo.queryJobs({ name: 'u' })).total).toBe(4);
  });

  it('treats a null unique value as matching a missing field, as MongoDB does', async () => {
    const repo = await repository();
    const save = (data: unknown) =>
      repo.saveJob({ ...base, name: 'n', nextRunAt: due(), data, unique: { 'data.calendarId': null } }, undefined);
    const first = await save({ connectionId: 'con_1' });
    const second = await save({ connectionId: 'con_1', calendarId: null });
    expect(String(second._id)).toBe(String(first._id));
    expect((await repo.queryJobs({ name: 'n' })).total).toBe(1);
  });

  it('refuses a unique key with a query operator instead of inserting a duplicate', async () => {
    const repo = await repository();
    const failure = await repo
      .saveJob({ ...base, name: 'op', nextRunAt: due(), data: { n: 1 }, unique: { 'data.n': { $in: [1, 2] } } }, undefined)
      .catch((e: unknown) => e);
    expect(isUnsupportedJobFilterError(failure)).toBe(true);
    expect((await repo.queryJobs({ name: 'op' })).total).toBe(0);
  });

  it('debounces saves with a unique key: trailing pushes the run back, maxWait forces it, leading keeps it', async () => {
    const repo = await repository();
    const save = (strategy: 'trailing' | 'leading', maxWait?: number) =>
      repo.saveJob(
        {
          ...base,
          name: `debounce-${strategy}`,
          nextRunAt: new Date(),
          data: { appointmentId: 'apt_1' },
          unique: { 'data.appointmentId': 'apt_1' },
          uniqueOpts: { debounce: { delay: 60_000, strategy, maxWait } },
        },
        undefined,
      );
    const before = Date.now();
    const first = await save('trailing');
    expect(first.nextRunAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    const again = await save('trailing');
    expect(String(again._id)).toBe(String(first._id));
    expect(again.debounceStartedAt?.getTime()).toBe(first.debounceStartedAt?.getTime());
    const forced = await save('trailing', 0);
    expect(forced.nextRunAt!.getTime()).toBeLessThan(before + 60_000);
    expect(forced.debounceStartedAt).toBeUndefined();

    const lead = await save('leading');
    const leadAgain = await save('leading');
    expect(leadAgain.nextRunAt!.getTime()).toBe(lead.nextRunAt!.getTime());
    expect((await repo.queryJobs({ search: 'debounce' })).total).toBe(2);
  });

  it('creates its table idempotently and keeps jobs when another connection connects', async () => {
    const first = await repository();
    const saved = await first.saveJob({ ...base, name: 'kept', nextRunAt: due(), data: { n: 1 } }, undefined);
    const second = await repository();
    expect((await second.getJobById(String(saved._id)))?.data).toEqual({ n: 1 });
  });

  it('lives beside the ORM tables in the same file without the ORM schema update touching it', async () => {
    const db = { kind: 'sqlite' as const, file, url: `sqlite:${file}` };
    const orm = await createOrm(db);
    try {
      await prepareSchema(orm, db);
      const repo = await repository();
      const saved = await repo.saveJob({ ...base, name: 'beside-orm', nextRunAt: due(), data: {} }, undefined);
      await prepareSchema(orm, db);
      expect((await repo.getJobById(String(saved._id)))?.name).toBe('beside-orm');
    } finally {
      await orm.close(true);
    }
  });

  it('waits without blocking the event loop while another connection holds the write lock', async () => {
    const repo = await repository();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    // The release runs on a timer: it can only fire if the waiting write yields the event loop.
    setTimeout(() => other.exec('COMMIT'), 100);
    try {
      const saved = await repo.saveJob({ ...base, name: 'patient', nextRunAt: due(), data: {} }, undefined);
      expect(saved._id).toBeTruthy();
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  });

  it('gives up with SQLITE_BUSY when the write lock is not released in time, writing nothing', async () => {
    const repo = await repository({ lockWaitMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    try {
      const failure = await repo.saveJob({ ...base, name: 'impatient', nextRunAt: due(), data: {} }, undefined).catch((e: unknown) => e);
      expect((failure as { code?: string }).code).toBe('SQLITE_BUSY');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await repo.queryJobs({ name: 'impatient' })).total).toBe(0);
  });
});
