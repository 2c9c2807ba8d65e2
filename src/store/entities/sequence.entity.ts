import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A named counter (e.g. `appointment-changes:<tenantId>`), advanced atomically by `src/store/sequences.ts`. */
@Entity({ tableName: 'sequences' })
export class Sequence {
  @PrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'integer' })
  value = 0;
}
