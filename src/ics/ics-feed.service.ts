import { createHash, randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { NotFoundError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { seriesOccurrences, overlapsWindow } from '../domain/recurrence/occurrences.js';
import type { Logger } from '../logger.js';
import { Appointment, HostUser, IcsFeed, Tenant } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs, type Stored } from '../store/repositories/paginate.js';
import { inTransaction } from '../store/transactions.js';
import { resolveTenantId, type Caller } from '../tenancy/caller.js';
import { settingsOf } from '../tenancy/tenant.service.js';
import { buildIcsCalendar, type IcsSeries } from './ics-calendar.js';

const DAY_MS = 86_400_000;
/** `lastFetchedAt` is refreshed at most this often per feed. */
const FETCH_RESOLUTION_MS = 60_000;
/** 32 random bytes, base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const icsFeedPath = (token: string) => `/ics/${token}.ics`;
const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** What `/ics/<token>.ics` serves. */
export interface IcsDocument {
  body: string;
  /** Strong validator: a hash of the body. */
  etag: string;
  /** The latest change that can alter the body (to the second, as HTTP dates go). */
  lastModified: Date;
}

export interface IcsFeedTarget {
  userId: string;
  tenantId?: string | null;
}

/**
 * Secret, subscribe-only ICS feeds of a user's appointments. The token is shown once (in the URL
 * `createIcsFeed` returns) and stored hashed; creating a feed again replaces the user's feed, so
 * the old URL stops working at once. An unknown, malformed or revoked token is answered like any
 * other unknown path, with no hint whether it ever existed.
 */
export class IcsFeedService {
  constructor(private readonly deps: { orm: Orm; logger: Logger; publicUrl: () => string; now?: () => Date }) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  async create(caller: Caller, target: IcsFeedTarget): Promise<{ feed: IcsFeed; url: string }> {
    const { tenantId, userId } = await this.resolveUser(this.deps.orm.em.fork(), caller, target);
    for (let attempt = 0; ; attempt++) {
      const token = randomBytes(32).toString('base64url');
      const feed = new IcsFeed({ tenantId, userId, tokenHash: hashToken(token) });
      try {
        await inTransaction(this.deps.orm.em.fork(), async (em) => {
          await this.revokeLive(em, tenantId, userId);
          em.persist(feed);
          await em.flush();
        });
      } catch (err) {
        // Two creates at once race on the user's live feed; the later one replaces the earlier.
        if (attempt === 0 && err instanceof UniqueConstraintViolationException) continue;
        throw err;
      }
      return { feed, url: `${this.deps.publicUrl()}${icsFeedPath(token)}` };
    }
  }

  /** Revokes the user's feed; NOT_FOUND when the user has none. */
  async revoke(caller: Caller, target: IcsFeedTarget): Promise<IcsFeed> {
    const em = this.deps.orm.em.fork();
    const { tenantId, userId } = await this.resolveUser(em, caller, target);
    const feed = await this.revokeLive(em, tenantId, userId);
    if (!feed) throw new NotFoundError('IcsFeed', target.userId);
    return feed;
  }

  /** The tenant's live feeds (one per user at most), oldest first. */
  async list(caller: Caller, filter: { tenantId?: string | null }, page: PageArgs): Promise<Page<Stored<IcsFeed>>> {
    const em = this.deps.orm.em.fork();
    const tenantId = await resolveTenantId(em, caller, filter.tenantId);
    return paginate(em, IcsFeed, { tenantId, revokedAt: null }, page);
  }

  private async resolveUser(em: EntityManager, caller: Caller, target: IcsFeedTarget): Promise<{ tenantId: HubId<'tenant'>; userId: HubId<'hostUser'> }> {
    const tenantId = await resolveTenantId(em, caller, target.tenantId);
    const userId = parseId('hostUser', target.userId?.trim() ?? '');
    if (userId === null || (await em.count(HostUser, { id: userId, tenantId })) === 0) throw new NotFoundError('HostUser', target.userId);
    return { tenantId, userId };
  }

  private async revokeLive(em: EntityManager, tenantId: HubId<'tenant'>, userId: HubId<'hostUser'>): Promise<IcsFeed | null> {
    const live = await em.findOne(IcsFeed, { tenantId, userId, revokedAt: null });
    if (!live) return null;
    live.revokedAt = this.now();
    await em.flush();
    return live;
  }

  /** The feed behind a token, or null for a token that is malformed, unknown or revoked. */
  async render(token: string): Promise<IcsDocument | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const em = this.deps.orm.em.fork();
    const feed = await em.findOne(IcsFeed, { tokenHash: hashToken(token), revokedAt: null });
    if (!feed) return null;
    const [user, tenant] = await Promise.all([em.findOne(HostUser, { id: feed.userId }), em.findOne(Tenant, { id: feed.tenantId })]);
    if (!user || !tenant) return null;
    const settings = settingsOf(tenant);

    // Whole UTC days, so the feed changes at most once a day by the window alone.
    const today = Math.floor(this.now().getTime() / DAY_MS) * DAY_MS;
    const window = { start: today - settings.icsWindow.pastDays * DAY_MS, end: today + (settings.icsWindow.futureDays + 1) * DAY_MS };
    const owner = { tenantId: feed.tenantId, ownerId: feed.userId };
    const [singles, masters, latest] = await Promise.all([
      em.find(
        Appointment,
        { ...owner, deleted: false, recurrence: null, seriesMasterId: null, startsAt: { $lt: new Date(window.end) }, endsAt: { $gt: new Date(window.start) } },
        { orderBy: { startsAt: 'asc', id: 'asc' } },
      ),
      em.find(Appointment, { ...owner, deleted: false, recurrence: { $ne: null }, seriesMasterId: null, startsAt: { $lt: new Date(window.end) } }, { orderBy: { startsAt: 'asc', id: 'asc' } }),
      em.findOne(Appointment, owner, { orderBy: { updatedAt: 'desc' }, fields: ['updatedAt'] }),
    ]);
    const exceptions = masters.length === 0 ? [] : await em.find(Appointment, { ...owner, seriesMasterId: { $in: masters.map((m) => m.id) } }, { orderBy: { id: 'asc' } });
    const series: IcsSeries[] = masters
      .map((master) => ({ master, exceptions: exceptions.filter((e) => e.seriesMasterId === master.id) }))
      .filter((s) => this.seriesInWindow(s, window));

    const template = settings.recordLinkTemplate;
    const body = buildIcsCalendar({
      name: `Appointments – ${user.name ?? user.email ?? user.hostUserId}`,
      singles,
      series,
      window,
      recordLink: (a) => (template && a.hostRecordId ? template.replaceAll('{hostRecordId}', encodeURIComponent(a.hostRecordId)) : null),
    });
    const lastModified = new Date(
      Math.max(today, feed.createdAt.getTime(), tenant.updatedAt.getTime(), user.updatedAt.getTime(), latest?.updatedAt.getTime() ?? 0),
    );
    await this.touch(em, feed);
    return { body, etag: `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 32)}"`, lastModified };
  }

  /** A series belongs in the feed when an occurrence or one of its exceptions overlaps the window. */
  private seriesInWindow({ master, exceptions }: IcsSeries, window: { start: number; end: number }): boolean {
    if (exceptions.some((e) => !e.deleted && overlapsWindow(e.timing, window, 'UTC'))) return true;
    try {
      return seriesOccurrences(master.timing, master.recurrence!, window).length > 0;
    } catch (err) {
      // Recurrence is validated on the way in; a rule that still cannot be read is logged and the series kept.
      this.deps.logger.warn({ err, appointmentId: master.id }, 'ics feed: a series could not be expanded');
      return true;
    }
  }

  private async touch(em: EntityManager, feed: IcsFeed): Promise<void> {
    const now = this.now();
    if (feed.lastFetchedAt !== null && now.getTime() - feed.lastFetchedAt.getTime() < FETCH_RESOLUTION_MS) return;
    await em.nativeUpdate(IcsFeed, { id: feed.id }, { lastFetchedAt: now });
  }
}

/** What the GraphQL resolvers use of the ICS feeds. */
export interface IcsApiServices {
  icsFeeds: IcsFeedService;
}
