import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { newId, type HubId } from '../../domain/ids.js';
import type { ProviderSlug } from '../../domain/model.js';
import type { StoredError } from '../../domain/stored-error.js';
import { BaseEntity } from './base.entity.js';

/**
 * The push state of one calendar. The channel itself (id, Google resource id, expiry, secret) is
 * `Calendar.push`, which revoke stops and clears; this row finds the calendar from a notification's
 * subscription/channel id, and keeps what push needs between notifications: when the channel was
 * made, when it last delivered, and which PUSH run is queued (coalescing, see src/push/push-runs.ts).
 * A notification is valid only while `Calendar.push` still names the same channel.
 */
@Entity({ tableName: 'push_subscriptions' })
@Index({ properties: ['provider', 'channelId'] })
export class PushSubscription extends BaseEntity<'pushSubscription'> {
  @Property({ type: 'string' })
  tenantId: HubId<'tenant'>;

  @Property({ type: 'string' })
  @Index()
  connectionId: HubId<'connection'>;

  @Property({ type: 'string' })
  @Unique()
  calendarId: HubId<'calendar'>;

  @Property({ type: 'string' })
  provider: ProviderSlug;

  /** The current channel's id (Graph subscription id, Google channel id); null when none is open. */
  @Property({ type: 'string', nullable: true })
  channelId: string | null = null;

  /** When the current channel was created or last renewed. */
  @Property({ type: 'Date', nullable: true })
  subscribedAt: Date | null = null;

  /** The last verified notification (change, lifecycle or Google `sync`), to the second. */
  @Property({ type: 'Date', nullable: true })
  lastNotificationAt: Date | null = null;

  /** Runs finished before this moment were already checked for changes push did not announce. */
  @Property({ type: 'Date', nullable: true })
  checkedRunsUntil: Date | null = null;

  /** The PUSH run last queued for the link by a notification of this channel. */
  @Property({ type: 'string', nullable: true })
  queuedRunId: HubId<'syncRun'> | null = null;

  /** The PUSH run of the link that last started reading. */
  @Property({ type: 'string', nullable: true })
  startedRunId: HubId<'syncRun'> | null = null;

  /** The last failure to subscribe or renew (kept until the next success). */
  @Property({ type: 'json', nullable: true })
  lastError: StoredError | null = null;

  constructor(args: { tenantId: HubId<'tenant'>; connectionId: HubId<'connection'>; calendarId: HubId<'calendar'>; provider: ProviderSlug }) {
    super();
    this.id = newId('pushSubscription');
    this.tenantId = args.tenantId;
    this.connectionId = args.connectionId;
    this.calendarId = args.calendarId;
    this.provider = args.provider;
  }
}
