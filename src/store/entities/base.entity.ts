import { PrimaryKey, Property } from '@mikro-orm/core';
import type { HubId, IdKind } from '../../domain/ids.js';

/**
 * Columns every stored record has. Ids are hub-generated strings (`newId`), never ObjectIds, so
 * the same entity definitions work on SQLite and MongoDB (where the `id` property maps to `_id`,
 * see `HubMongoNamingStrategy`). Ids and the columns that hold other entities' ids are branded
 * (`HubId<kind>`), so one kind of id cannot be passed where another is expected.
 */
export abstract class BaseEntity<K extends IdKind> {
  @PrimaryKey({ type: 'string' })
  id!: HubId<K>;

  @Property({ type: 'Date', onCreate: () => new Date() })
  createdAt: Date = new Date();

  @Property({ type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
