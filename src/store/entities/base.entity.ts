import { PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Columns every stored record has. Ids are hub-generated strings (`newId`), never ObjectIds, so
 * the same entity definitions work on SQLite and MongoDB (where the `id` property maps to `_id`,
 * see `HubMongoNamingStrategy`).
 */
export abstract class BaseEntity {
  @PrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'Date', onCreate: () => new Date() })
  createdAt: Date = new Date();

  @Property({ type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
