import { MongoNamingStrategy } from '@mikro-orm/core';

/**
 * MongoDB keeps the primary key in `_id`. The hub's entities name it `id` (a string, the same on
 * SQLite), so the property maps to `_id` here and nowhere else.
 */
export class HubMongoNamingStrategy extends MongoNamingStrategy {
  override propertyToColumnName(propertyName: string): string {
    return propertyName === 'id' ? '_id' : propertyName;
  }
}
