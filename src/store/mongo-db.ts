import { MongoDriver } from '@mikro-orm/mongodb';
import type { Db } from 'mongodb';
import type { Orm } from './orm.js';

/**
 * The `Db` of the MongoClient MikroORM already holds, so Agenda's mongo backend and the pubsub
 * transport share one connection pool with the store instead of opening their own.
 * Throws when the ORM runs on another driver.
 */
export function mongoDbOf(orm: Orm): Db {
  const driver = orm.config.getDriver();
  if (!(driver instanceof MongoDriver)) {
    throw new Error('mongoDbOf: the ORM is not connected to MongoDB');
  }
  return driver.getConnection().getDb();
}
