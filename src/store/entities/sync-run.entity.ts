import { Entity, Index, Property } from '@mikro-orm/core';
import { newId } from '../../domain/ids.js';
import type { SyncDirection, SyncRunOutcome, SyncTrigger } from '../../domain/model.js';
import { BaseEntity } from './base.entity.js';
import type { StoredError } from './connection.entity.js';

/** What one direction of a run did, per action. */
export interface ActionCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  conflicts: number;
  skipped: number;
  errors: number;
}

/** `outbound`: host → provider writes; `inbound`: provider changes applied to the host. */
export interface SyncRunCounts {
  outbound: ActionCounts;
  inbound: ActionCounts;
}

export const emptyActionCounts = (): ActionCounts => ({ created: 0, updated: 0, deleted: 0, unchanged: 0, conflicts: 0, skipped: 0, errors: 0 });

export const emptyCounts = (): SyncRunCounts => ({ outbound: emptyActionCounts(), inbound: emptyActionCounts() });

/** One sync run for one connection: what started it, what it did, how many provider calls it cost. */
@Entity({ tableName: 'sync_runs' })
@Index({ properties: ['connectionId', 'startedAt'] })
export class SyncRun extends BaseEntity {
  @Property({ type: 'string' })
  @Index()
  tenantId: string;

  @Property({ type: 'string' })
  connectionId: string;

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

  @Property({ type: 'Date' })
  startedAt: Date = new Date();

  @Property({ type: 'Date', nullable: true })
  finishedAt: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  durationMs: number | null = null;

  @Property({ type: 'json', nullable: true })
  error: StoredError | null = null;

  constructor(args: { tenantId: string; connectionId: string; trigger: SyncTrigger; direction: SyncDirection }) {
    super();
    this.id = newId('syncRun');
    this.tenantId = args.tenantId;
    this.connectionId = args.connectionId;
    this.trigger = args.trigger;
    this.direction = args.direction;
  }
}
