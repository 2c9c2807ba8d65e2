import { Entity, Index, Property } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { SyncDirection, SyncRunOutcome, SyncTrigger } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';
import type { StoredError } from '../../domain/stored-error.js';
import { emptyCounts, type SyncRunCounts } from '../../domain/sync-run-counts.js';
import type { SyncDrift } from '../../domain/sync-drift.js';

/** One sync run for one connection: what started it, what it did, how many provider calls it cost. */
@Entity({ tableName: 'sync_runs' })
@Index({ properties: ['connectionId', 'startedAt'] })
export class SyncRun extends BaseEntity<'syncRun'> {
  @Property({ type: 'string' })
  @Index()
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  connectionId: HubId<'connection'>;

  @Property({ type: 'string' })
  trigger: SyncTrigger;

  @Property({ type: 'string' })
  direction: SyncDirection;

  @Property({ type: 'string' })
  outcome: SyncRunOutcome = 'RUNNING';

  @Property({ type: 'json' })
  counts: SyncRunCounts = emptyCounts();

  /** HTTP requests made to the provider (a `$batch` or multipart batch counts once; its parts in `providerBatchParts`). */
  @Property({ type: 'integer' })
  providerCalls = 0;

  @Property({ type: 'integer' })
  providerBatchParts = 0;

  /** Whether this run may apply deletions the mass-deletion guard would hold (`syncNow(confirmDeletions: true)`). */
  @Property({ type: 'boolean' })
  confirmDeletions = false;

  /** A VERIFY run that repairs what it finds (`verifySync(repair: true)`). */
  @Property({ type: 'boolean', default: false })
  repair = false;

  /** What a VERIFY run found (null for other runs, and while it runs). */
  @Property({ type: 'json', nullable: true })
  drift: SyncDrift | null = null;

  @Property({ type: 'Date' })
  startedAt: Date = new Date();

  @Property({ type: 'Date', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  durationMs: number | null = null;

  @Property({ type: 'json', nullable: true })
  error: StoredError | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; connectionId: HubId<'connection'>; trigger: SyncTrigger; direction: SyncDirection }) {
    super();
    this.id = newId('syncRun');
    this.tenantId = args.tenantId;
    this.connectionId = args.connectionId;
    this.trigger = args.trigger;
    this.direction = args.direction;
  }
}
