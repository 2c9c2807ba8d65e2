import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { MikroORM as CoreMikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import type { DatabaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { ENTITIES } from './entities/index.js';
import { HubMongoNamingStrategy } from './hub-mongo-naming-strategy.js';

export type Orm = CoreMikroORM;

export type { EntityManager };

/**
 * Builds the ORM options for a database; the same entity list serves both drivers. Only the
 * configured database's driver is loaded: the MongoDB stack (driver, bson, `@mikro-orm/mongodb`)
 * is hundreds of modules that an embedded hub never needs, and the SQLite one likewise on MongoDB.
 */
export async function ormOptions(db: DatabaseConfig, logger?: Logger): Promise<Options> {
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
      return { ...common, driver: (await import('./libsql-driver.js')).HubLibSqlDriver, dbName: db.file };
    case 'mongodb':
      return {
        ...common,
        driver: (await import('@mikro-orm/mongodb')).MongoDriver,
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
  const orm = await CoreMikroORM.init(await ormOptions(db, logger));
  // WAL lets the job backend (own connection, same file) and other processes read while one
  // writes. It is a setting of the file; the per-connection ones are set by the driver (libsql-driver.ts).
  if (db.kind === 'sqlite' && db.file !== ':memory:') await orm.em.getConnection().execute('pragma journal_mode = wal');
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
