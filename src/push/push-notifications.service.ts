import { createHash, timingSafeEqual } from 'node:crypto';
import type { HubId } from '../domain/ids.js';
import type { ProviderSlug } from '../domain/model.js';
import type { Logger } from '../logger.js';
import { Calendar, PushSubscription } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { PushRuns } from './push-runs.js';

/** Why a notification was discarded (logged and counted; no sync follows). */
export type DiscardReason = 'malformed' | 'unknown_channel' | 'wrong_secret';

/**
 * What a channel needs now, done in a job (`push.lifecycle`): what a Graph lifecycle event asks
 * for; `activated` (the link became ACTIVE: linked, relinked): a channel opened, or renewed when
 * one is still stored (it may have been removed while the link waited for its relink); `check`
 * (the watched calendar changed: primary moved, two-way switched): the check of `push.check`.
 */
export type LifecycleJobData =
  | { connectionId: HubId<'connection'>; calendarId: HubId<'calendar'>; action: 'reauthorize' | 'resubscribe' }
  | { connectionId: HubId<'connection'>; action: 'activated' | 'check' };

/** A Google notification: the `X-Goog-*` headers (the body is empty). */
export interface GoogleNotification {
  channelId: string | undefined;
  token: string | undefined;
  resourceId: string | undefined;
  state: string | undefined;
}

export interface PushStats {
  accepted: number;
  discarded: Record<DiscardReason, number>;
}

/** Items of one Graph POST handled at most (Graph batches notifications; a forged body could be any size). */
const MAX_ITEMS = 1000;
/** `lastNotificationAt` is written at most this often per calendar (a burst stays one write). */
const NOTIFIED_RESOLUTION_MS = 1_000;
/** Discards are logged at most this often per reason, with the count since (a forged flood does not flood the log). */
const DISCARD_LOG_EVERY_MS = 10_000;

/**
 * Verifies every notification against the channel the calendar holds (`Calendar.push`): the
 * subscription / channel id must be the calendar's current one, Graph's `clientState` / Google's
 * channel token its secret (compared in constant time), Google's resource id its resource. A
 * notification that fails is discarded without any sync, logged and counted. A valid one is a hint:
 * it queues a coalesced PUSH run (`PushRuns`), which reads the calendar from its cursor.
 */
export class PushNotifications {
  readonly stats: PushStats = { accepted: 0, discarded: { malformed: 0, unknown_channel: 0, wrong_secret: 0 } };
  private readonly discardLog = new Map<DiscardReason, { at: number; since: number }>();

  constructor(
    private readonly deps: {
      orm: Orm;
      runs: PushRuns;
      /** Queues a `push.lifecycle` job. */
      lifecycle: (data: LifecycleJobData) => Promise<void>;
      logger: Logger;
    },
  ) {}

  /** A Graph change notification collection (`{ value: [...] }`); false when the body is not one. */
  async graphChanges(body: unknown): Promise<boolean> {
    const items = notificationItems(body);
    if (!items) {
      this.discard('malformed', 'microsoft-graph');
      return false;
    }
    const rows = await this.verify('microsoft-graph', items.map((item) => ({ channelId: item.subscriptionId, secret: item.clientState })));
    const verified = new Map(rows.flatMap((row) => (row ? [[row.id, row] as const] : [])));
    for (const row of verified.values()) await this.deps.runs.request(row);
    return true;
  }

  /**
   * Graph lifecycle notifications (https://learn.microsoft.com/graph/change-notifications-lifecycle-events):
   * `reauthorizationRequired` → renew (which reauthorizes), `subscriptionRemoved` → subscribe again —
   * both in a job, then a PUSH run for what changed meanwhile; `missed` → a PUSH run.
   */
  async graphLifecycle(body: unknown): Promise<boolean> {
    const items = notificationItems(body);
    if (!items) {
      this.discard('malformed', 'microsoft-graph');
      return false;
    }
    const rows = await this.verify('microsoft-graph', items.map((item) => ({ channelId: item.subscriptionId, secret: item.clientState })));
    for (const [i, item] of items.entries()) {
      const row = rows[i];
      if (!row) continue;
      const ids = { connectionId: row.connectionId, calendarId: row.calendarId };
      this.deps.logger.info({ ...ids, lifecycleEvent: item.lifecycleEvent }, 'graph lifecycle notification');
      switch (item.lifecycleEvent) {
        case 'reauthorizationRequired':
          await this.deps.lifecycle({ ...ids, action: 'reauthorize' });
          break;
        case 'subscriptionRemoved':
          await this.deps.lifecycle({ ...ids, action: 'resubscribe' });
          break;
        case 'missed':
          await this.deps.runs.request(row);
          break;
        default:
          this.deps.logger.warn({ ...ids, lifecycleEvent: item.lifecycleEvent }, 'unknown graph lifecycle event ignored');
      }
    }
    return true;
  }

  /** A Google notification: `sync` confirms a new channel, `exists` / `not_exists` hint a change. */
  async google(n: GoogleNotification): Promise<void> {
    const [row] = await this.verify('google-calendar', [{ channelId: n.channelId, secret: n.token, resourceId: n.resourceId ?? null }]);
    if (!row || n.state === 'sync') return;
    await this.deps.runs.request(row);
  }

  /**
   * Verifies the notifications of one request with two queries whatever their number (a forged
   * body of many items costs no more); the result is in the order of `claims`.
   */
  private async verify(provider: ProviderSlug, claims: { channelId: unknown; secret: unknown; resourceId?: string | null }[]): Promise<(PushSubscription | null)[]> {
    const ids = [...new Set(claims.map((c) => c.channelId).filter((id): id is string => typeof id === 'string' && id !== '' && id.length <= 256))];
    const em = this.deps.orm.em.fork();
    const rows = ids.length > 0 ? await em.find(PushSubscription, { provider, channelId: { $in: ids } }) : [];
    const calendars = rows.length > 0 ? await em.find(Calendar, { id: { $in: rows.map((r) => r.calendarId) } }) : [];
    const byChannel = new Map(rows.map((r) => [r.channelId, r]));
    const channels = new Map(calendars.map((c) => [c.id, c.push]));
    const notified = new Set<PushSubscription>();
    const verdicts = claims.map(({ channelId, secret, resourceId }) => {
      if (typeof channelId !== 'string' || !ids.includes(channelId)) return this.discard('malformed', provider);
      const row = byChannel.get(channelId);
      const channel = row ? channels.get(row.calendarId) : null;
      if (!row || !channel || channel.channelId !== channelId || (resourceId !== undefined && channel.resourceId !== resourceId)) {
        return this.discard('unknown_channel', provider, { channelId });
      }
      if (typeof secret !== 'string' || !sameSecret(secret, channel.secret)) {
        return this.discard('wrong_secret', provider, { channelId, connectionId: row.connectionId });
      }
      this.stats.accepted += 1;
      notified.add(row);
      return row;
    });
    const now = Date.now();
    for (const row of notified) {
      if (row.lastNotificationAt && now - row.lastNotificationAt.getTime() < NOTIFIED_RESOLUTION_MS) continue;
      await em.nativeUpdate(PushSubscription, { id: row.id }, { lastNotificationAt: new Date(now), updatedAt: new Date(now) });
    }
    return verdicts;
  }

  private discard(reason: DiscardReason, provider: ProviderSlug, context: Record<string, unknown> = {}): null {
    this.stats.discarded[reason] += 1;
    const now = Date.now();
    const last = this.discardLog.get(reason);
    if (!last || now - last.at >= DISCARD_LOG_EVERY_MS) {
      this.deps.logger.warn({ provider, reason, discardedSinceLastLog: last ? last.since + 1 : 1, ...context }, 'push notification discarded');
      this.discardLog.set(reason, { at: now, since: 0 });
    } else {
      last.since += 1;
    }
    return null;
  }
}

interface GraphItem {
  subscriptionId?: unknown;
  clientState?: unknown;
  lifecycleEvent?: unknown;
}

function notificationItems(body: unknown): GraphItem[] | null {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value) || value.length === 0) return null;
  return value.slice(0, MAX_ITEMS).filter((item): item is GraphItem => typeof item === 'object' && item !== null);
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
