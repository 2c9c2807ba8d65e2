import type { MongoDriver } from '@mikro-orm/mongodb';
import type { Db } from 'mongodb';
import type { Orm } from './orm.js';

/**
 * The `Db` of the MongoClient MikroORM already holds, so Agenda's mongo backend and the pubsub
 * transport share one connection pool with the store instead of opening their own.
 * Throws when the ORM runs on another driver. Loads `@mikro-orm/mongodb` only now (see `ormOptions`).
 */
export async function mongoDbOf(orm: Orm): Promise<Db> {
  const { MongoDriver: Driver } = await import('@mikro-orm/mongodb');
  const driver: unknown = orm.config.getDriver();
  if (!(driver instanceof Driver)) {
    throw new Error('mongoDbOf: the ORM is not connected to MongoDB');
  }
  return (driver as MongoDriver).getConnection().getDb();
}
