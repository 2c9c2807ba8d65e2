import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { MikroORM as CoreMikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { MongoDriver } from '@mikro-orm/mongodb';
import type { DatabaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ENTITIES } from './entities/index.js';
import { HubMongoNamingStrategy } from './hub-mongo-naming-strategy.js';

export type Orm = CoreMikroORM;

const SQLITE_BUSY_TIMEOUT_MS = 5_000;
export type { EntityManager };

/** Builds the ORM options for a database; the same entity list serves both drivers. */
export function ormOptions(db: DatabaseConfig, logger?: Logger): Options {
  const common: Options = {
    entities: ENTITIES,
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    logger: logger ? (message: string) => logger.debug({ orm: true }, message) : undefined,
    // Schema changes are applied by `prepareSchema`, never implicitly.
    ensureDatabase: false,
  };
  switch (db.kind) {
    case 'sqlite':
      // Every connection of the pool waits up to 5 s for another writer (another process on the
      // same file, the job backend) instead of failing at once with "database is locked".
      return { ...common, driver: LibSqlDriver, dbName: db.file, driverOptions: { connection: { timeout: SQLITE_BUSY_TIMEOUT_MS } } };
    case 'mongodb':
      return {
        ...common,
        driver: MongoDriver,
        clientUrl: db.url,
        dbName: db.dbName,
        namingStrategy: HubMongoNamingStrategy,
        implicitTransactions: false,
      };
  }
}

export async function createOrm(db: DatabaseConfig, logger?: Logger): Promise<Orm> {
  // A fresh data folder (first `npm start`, a new DATA_DIR) does not exist yet; SQLite will not create it.
  if (db.kind === 'sqlite' && db.file !== ':memory:') {
    mkdirSync(path.dirname(db.file), { recursive: true });
    restrictToOwner(db.file);
  }
  const orm = await CoreMikroORM.init(ormOptions(db, logger));
  if (db.kind === 'sqlite') {
    const conn = orm.em.getConnection();
    // WAL lets the job backend (own connection, same file) and other processes read while one
    // writes; busy_timeout makes writers wait for the lock instead of failing at once.
    if (db.file !== ':memory:') await conn.execute('pragma journal_mode = wal');
    await conn.execute(`pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    await conn.execute('pragma synchronous = normal');
  }
  return orm;
}

/**
 * The database holds tenants' data (and sealed tokens): owner-only (0600), like the key files.
 * SQLite creates its `-wal` and `-shm` files with the database file's mode, so creating the file
 * first (and tightening one an older version created 0644) covers all three.
 */
function restrictToOwner(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/**
 * SQLite: create or migrate the tables to match the entities (additive `updateSchema`, no drops).
 * MongoDB: create the collections and ensure every index, including the unique ones the linking
 * rules depend on.
 */
export async function prepareSchema(orm: Orm, db: DatabaseConfig): Promise<void> {
  switch (db.kind) {
    case 'sqlite':
      await orm.schema.updateSchema({ safe: true });
      return;
    case 'mongodb':
      await orm.schema.createSchema();
      await orm.schema.ensureIndexes();
      return;
  }
}

/**
 * Whether the database serves real reads (for `/readyz`): one row of every table (collection) the
 * hub uses, with every column the entities declare, so a damaged or missing table fails readiness
 * instead of failing every request while `/readyz` says ok.
 */
export async function pingDatabase(orm: Orm, db: DatabaseConfig): Promise<void> {
  if (db.kind === 'mongodb' && !(await orm.isConnected())) throw new Error('MongoDB is not reachable');
  const em = orm.em.fork();
  for (const meta of Object.values(orm.getMetadata().getAll())) {
    if (meta.abstract || meta.embeddable || meta.virtual) continue;
    await em.find(meta.class, {}, { limit: 1 });
  }
}
