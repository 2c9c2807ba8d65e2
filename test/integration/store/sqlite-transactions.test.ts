import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrm, prepareSchema, type Orm } from '../../../src/store/orm.js';
import { Tenant } from '../../../src/store/entities/index.js';

// A second hub process on the same file is stood in for by a plain connection that does not wait
// for locks (busy_timeout 0), so each step's outcome is decided at once.
describe('SQLite transactions with another writer on the file', () => {
  let dir: string;
  let orm: Orm;
  let other: InstanceType<typeof Database>;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hub-trx-'));
    const file = path.join(dir, 'hub.db');
    const db = { kind: 'sqlite' as const, file, url: `sqlite:${file}` };
    orm = await createOrm(db);
    await prepareSchema(orm, db);
    other = new Database(file);
    other.exec('pragma busy_timeout = 0');
    other.exec('create table probe (x integer)');
  });

  afterEach(async () => {
    other.close();
    await orm.close(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a transaction that read first, while a writer that came in between is refused instead of breaking it', async () => {
    let otherWrite: 'written' | string = '';
    await orm.em.fork().transactional(async (em) => {
      expect(await em.count(Tenant, {})).toBe(0);
      // The other process tries to write between this transaction's read and its write. With a
      // deferred BEGIN it would succeed, and this transaction's write would then fail with
      // SQLITE_BUSY_SNAPSHOT (its snapshot is stale and cannot be upgraded to a write).
      try {
        other.exec('insert into probe values (1)');
        otherWrite = 'written';
      } catch (err) {
        otherWrite = (err as { code?: string }).code ?? String(err);
      }
      em.persist(new Tenant('Acme'));
    });
    expect(otherWrite).toBe('SQLITE_BUSY');
    expect(await orm.em.fork().count(Tenant, {})).toBe(1);
    // Once the transaction is over, the other writer gets its turn.
    other.exec('insert into probe values (1)');
    expect((other.prepare('select count(*) as n from probe').get() as { n: number }).n).toBe(1);
  });
});
