import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { HubId } from '../domain/ids.js';
import type { ProviderSlug } from '../domain/model.js';
import type { Logger } from '../logger.js';
import { isProviderError, type CalendarProvider, type PushChannel, type PushSubscribeRequest, asProviderCalendarId } from '../providers/calendar-provider.js';
import { Calendar, Connection, PushSubscription, SyncRun } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { ConnectionGuard } from '../connections/connection-guard.js';
import { isConnectionNotActiveError } from '../connections/connections.errors.js';
import type { PushRuns } from './push-runs.js';
import { PUSH_ROUTES } from './push-settings.js';

/** Lifetime asked for; Graph caps subscriptions at 4230 minutes, Google answers with its own expiry. */
const REQUESTED_LIFETIME_MS = 7 * 86_400_000;
/** Runs are judged only once notifications in flight for their changes had time to arrive. */
const DEFAULT_SETTLE_MS = 30_000;

export interface PushChannelsDeps {
  orm: Orm;
  guard: ConnectionGuard;
  runs: PushRuns;
  /** `PUBLIC_URL` (with the listening port once known). */
  publicUrl: () => string;
  enabledFor: (provider: ProviderSlug) => boolean;
  /** How often each link's channels are checked (PUSH_CHECK_INTERVAL_MS): renewal is due well before that many checks could miss it. */
  checkIntervalMs: number;
  logger: Logger;
  /** How long after a run it may be judged for changes push did not announce (tests shorten it). */
  settleMs?: number;
  now?: () => number;
}

/**
 * Opens, renews, re-creates and stops the push channels of a link's calendars (Graph subscriptions
 * with a lifecycle URL, Google watch channels; docs/providers.md#graph-subscriptions,
 * docs/providers.md#google-push-channels). Only the PRIMARY calendar of an ACTIVE two-way link is
 * watched: notifications hint an inbound read, which only two-way links make. Every provider call
 * goes through the connection guard. The channel is `Calendar.push`; the `PushSubscription` row is
 * its index by channel id and its health.
 */
export class PushChannels {
  private readonly now: () => number;

  constructor(private readonly deps: PushChannelsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * The periodic check of a link (`push.check`): watch the primary calendar when it is not watched,
   * renew a channel that gets close to its expiry, re-create one that fell silent (a read found
   * changes no notification announced: Google drops channels without telling anyone), and stop
   * channels of calendars that are no longer watched. `renewOpen` (the link became ACTIVE again):
   * an open channel is renewed too — the provider may have removed it while the link could not
   * act on a lifecycle notification.
   */
  async check(connectionId: HubId<'connection'>, options: { renewOpen?: boolean } = {}): Promise<void> {
    const em = this.deps.orm.em.fork();
    const link = await em.findOne(Connection, { id: connectionId });
    if (!link || link.status !== 'ACTIVE') return;
    const calendars = await em.find(Calendar, { connectionId }, { orderBy: { id: 'asc' } });
    const watched = (c: Calendar) => c.role === 'PRIMARY' && c.removedAt === null && link.twoWay && this.deps.enabledFor(link.provider);
    for (const calendar of calendars) {
      if (calendar.push && !watched(calendar)) await this.stop(link, calendar);
    }
    const primary = calendars.find(watched);
    if (!primary) return;
    const row = await this.rowFor(link, primary);
    const channel = primary.push;
    if (!channel || row.channelId !== channel.channelId || Date.parse(channel.expiresAt) <= this.now()) {
      await this.open(link, primary, row, 'subscribe');
    } else if (await this.fellSilent(row)) {
      this.deps.logger.warn({ connectionId, calendarId: primary.id, channelId: channel.channelId }, 'push channel fell silent: a read found changes no notification announced; re-creating it');
      await this.open(link, primary, row, 'renew');
    } else if (options.renewOpen || this.renewalDue(channel, row)) {
      await this.open(link, primary, row, 'renew', { catchUp: options.renewOpen === true });
    }
  }

  /**
   * Graph `reauthorizationRequired`: a renewal (PATCH) also reauthorizes and the notifications
   * resume; what changed while they were paused is read by a PUSH run.
   * https://learn.microsoft.com/graph/change-notifications-lifecycle-events#responding-to-reauthorizationrequired-notifications
   */
  async reauthorize(connectionId: HubId<'connection'>, calendarId: HubId<'calendar'>): Promise<void> {
    await this.reopen(connectionId, calendarId, 'renew');
  }

  /** Graph `subscriptionRemoved`: a new subscription, then a PUSH run for what changed meanwhile. */
  async resubscribe(connectionId: HubId<'connection'>, calendarId: HubId<'calendar'>): Promise<void> {
    await this.reopen(connectionId, calendarId, 'subscribe');
  }

  private async reopen(connectionId: HubId<'connection'>, calendarId: HubId<'calendar'>, how: 'subscribe' | 'renew'): Promise<void> {
    const em = this.deps.orm.em.fork();
    const link = await em.findOne(Connection, { id: connectionId });
    const calendar = await em.findOne(Calendar, { id: calendarId, connectionId });
    if (!link || link.status !== 'ACTIVE' || !calendar?.push) return;
    await this.open(link, calendar, await this.rowFor(link, calendar), how, { catchUp: true });
  }

  private async rowFor(link: Connection, calendar: Calendar): Promise<PushSubscription> {
    const em = this.deps.orm.em.fork();
    const existing = await em.findOne(PushSubscription, { calendarId: calendar.id });
    if (existing) return existing;
    const row = new PushSubscription({ tenantId: link.tenantId, connectionId: link.id, calendarId: calendar.id, provider: link.provider });
    try {
      await em.persistAndFlush(row);
      return row;
    } catch (err) {
      // Another job made it at the same moment.
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      return this.deps.orm.em.fork().findOneOrFail(PushSubscription, { calendarId: calendar.id });
    }
  }

  private renewalDue(channel: PushChannel, row: PushSubscription): boolean {
    const expiresAt = Date.parse(channel.expiresAt);
    const since = row.subscribedAt?.getTime() ?? this.now();
    const margin = Math.max(2 * this.deps.checkIntervalMs, (expiresAt - since) / 3);
    return expiresAt - this.now() < margin;
  }

  /**
   * Whether a read that was not triggered by push found changes no notification announced. Each
   * such change was made after the read before it started, so a working channel delivered a
   * notification after that moment too.
   */
  private async fellSilent(row: PushSubscription): Promise<boolean> {
    const em = this.deps.orm.em.fork();
    const from = row.checkedRunsUntil ?? row.subscribedAt;
    const until = new Date(this.now() - (this.deps.settleMs ?? DEFAULT_SETTLE_MS));
    if (!from || !row.subscribedAt || until <= from) return false;
    await em.nativeUpdate(PushSubscription, { id: row.id }, { checkedRunsUntil: until, updatedAt: new Date() });
    const reads = await em.find(SyncRun, { connectionId: row.connectionId, trigger: { $in: ['POLL', 'MANUAL'] }, finishedAt: { $gt: from, $lte: until } }, { orderBy: { id: 'asc' } });
    for (const read of reads) {
      const found = read.counts.inbound;
      if (found.created + found.updated + found.deleted === 0) continue;
      const before = await em.findOne(
        SyncRun,
        { connectionId: row.connectionId, trigger: { $in: ['POLL', 'MANUAL', 'PUSH', 'INITIAL'] }, startedAt: { $lt: read.startedAt } },
        { orderBy: { startedAt: 'desc' } },
      );
      if (!before || before.startedAt < row.subscribedAt) continue;
      if ((row.lastNotificationAt?.getTime() ?? 0) < before.startedAt.getTime()) return true;
    }
    return false;
  }

  /**
   * Subscribes (or renews) through the guard and stores the channel. The row's channel id is the
   * compare-and-set token: when another job stored a channel meanwhile, this one is stopped again.
   * A new channel may have missed changes made while it was being set up (its notifications name a
   * channel the hub did not store yet), so then — or when asked — a PUSH run reads them.
   */
  private async open(link: Connection, calendar: Calendar, row: PushSubscription, how: 'subscribe' | 'renew', options: { catchUp?: boolean } = {}): Promise<void> {
    const previous = calendar.push;
    const request: PushSubscribeRequest = {
      calendarId: asProviderCalendarId(calendar.providerCalendarId),
      notificationUrl: `${this.deps.publicUrl()}${link.provider === 'microsoft-graph' ? PUSH_ROUTES.graph : PUSH_ROUTES.google}`,
      ...(link.provider === 'microsoft-graph' ? { lifecycleNotificationUrl: `${this.deps.publicUrl()}${PUSH_ROUTES.graphLifecycle}` } : {}),
      secret: previous && how === 'renew' ? previous.secret : randomBytes(32).toString('base64url'),
      expiresAt: new Date(this.now() + REQUESTED_LIFETIME_MS).toISOString(),
    };
    let channel: PushChannel;
    try {
      // Not retried as a whole: a subscribe whose answer was lost would leave a second channel; the next check tries again.
      const opened = await this.deps.guard.run(
        link.id,
        how === 'renew' ? 'renewing push notifications' : 'subscribing to push notifications',
        async (provider) => {
          if (!provider.push) return null;
          return how === 'renew' && previous ? provider.push.renew(previous, request) : provider.push.subscribe(request);
        },
        { retry: false },
      );
      if (!opened) return;
      channel = opened;
    } catch (err) {
      await this.recordFailure(row, err);
      return;
    }
    const em = this.deps.orm.em.fork();
    const now = new Date(this.now());
    const stored = await em.nativeUpdate(
      PushSubscription,
      { id: row.id, channelId: row.channelId },
      { channelId: channel.channelId, subscribedAt: now, checkedRunsUntil: now, lastError: null, updatedAt: now },
    );
    if (stored === 0) {
      this.deps.logger.info({ connectionId: link.id, calendarId: calendar.id }, 'another job opened a push channel for this calendar meanwhile; stopping this one');
      await this.unsubscribe(link, channel);
      return;
    }
    await em.nativeUpdate(Calendar, { id: calendar.id }, { push: channel, updatedAt: now });
    this.deps.logger.info({ connectionId: link.id, calendarId: calendar.id, channelId: channel.channelId, expiresAt: channel.expiresAt, how }, 'push channel open');
    if (options.catchUp || previous?.channelId !== channel.channelId) await this.deps.runs.request(row);
  }

  private async stop(link: Connection, calendar: Calendar): Promise<void> {
    if (calendar.push) await this.unsubscribe(link, calendar.push);
    const em = this.deps.orm.em.fork();
    await em.nativeUpdate(Calendar, { id: calendar.id }, { push: null, updatedAt: new Date() });
    await em.nativeUpdate(PushSubscription, { calendarId: calendar.id }, { channelId: null, updatedAt: new Date() });
    this.deps.logger.info({ connectionId: link.id, calendarId: calendar.id }, 'push channel stopped: the calendar is no longer watched');
  }

  /** Stops a channel at the provider; one already gone counts as stopped, others expire on their own. */
  private async unsubscribe(link: Connection, channel: PushChannel): Promise<void> {
    try {
      await this.deps.guard.run(link.id, 'stopping push notifications', (provider: CalendarProvider) => provider.push?.unsubscribe(channel) ?? Promise.resolve());
    } catch (err) {
      if (isProviderError(err) && err.code === 'NOT_FOUND') return;
      this.deps.logger.warn({ connectionId: link.id, channelId: channel.channelId, err: { message: err instanceof Error ? err.message : String(err) } }, 'stopping a push channel failed; it expires on its own');
    }
  }

  private async recordFailure(row: PushSubscription, err: unknown): Promise<void> {
    if (!isProviderError(err) && !isConnectionNotActiveError(err)) throw err;
    const lastError = { code: err.code, message: err.message, at: new Date(this.now()).toISOString() };
    await this.deps.orm.em.fork().nativeUpdate(PushSubscription, { id: row.id }, { lastError, updatedAt: new Date() });
    this.deps.logger.warn({ connectionId: row.connectionId, calendarId: row.calendarId, code: err.code, err: { message: err.message } }, 'opening a push channel failed; polling goes on and the next check tries again');
  }
}
