import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import { HostUser } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs } from '../store/repositories/paginate.js';
import { resolveTenantId, tenantFilter, type Caller } from './caller.js';
import { optionalEmail, optionalText, optionalTimeZone, requiredText } from './input-rules.js';
import { announce, type EventPublisher } from '../events/event-publisher.js';
import { TOPICS } from '../events/pubsub-topics.js';
import { parseId } from '../domain/ids.js';

/** Most host ids one `hostUsers` filter may list (a page holds at most 100 users anyway). */
export const MAX_HOST_USER_IDS_FILTER = 100;

export interface UpsertHostUserInput {
  tenantId?: string | null;
  /** The host application's own id for the user; unique per tenant. */
  hostUserId: string;
  /** On update, an omitted field keeps its value and `null` clears it. */
  email?: string | null;
  name?: string | null;
  /** Omitted or `null`: unchanged on update, `true` on create. */
  active?: boolean | null;
  timeZone?: string | null;
}

export interface HostUserFilter {
  tenantId?: string | null;
  active?: boolean | null;
  email?: string | null;
  hostUserIds?: string[] | null;
}

export class HostUserService {
  constructor(private readonly deps: { orm: Orm; pubsub: EventPublisher; logger: Logger }) {}

  /**
   * Creates the host user, or updates the one with the same `hostUserId` in the tenant — never a
   * second row. Two concurrent upserts of a new id race on the (tenant, hostUserId) unique index;
   * the loser retries once and then finds the winner's row to update.
   */
  async upsert(caller: Caller, input: UpsertHostUserInput): Promise<{ hostUser: HostUser; created: boolean }> {
    const hostUserId = requiredText('hostUserId', input.hostUserId, 200);
    const email = optionalEmail('email', input.email);
    const name = optionalText('name', input.name, 200);
    const timeZone = optionalTimeZone('timeZone', input.timeZone);
    const tenantId = await resolveTenantId(this.deps.orm.em.fork(), caller, input.tenantId);

    for (let attempt = 0; ; attempt++) {
      const em = this.deps.orm.em.fork();
      let hostUser = await em.findOne(HostUser, { tenantId, hostUserId });
      const created = hostUser === null;
      if (!hostUser) {
        hostUser = new HostUser({ tenantId, hostUserId });
        em.persist(hostUser);
      }
      if (input.email !== undefined) hostUser.email = email;
      if (input.name !== undefined) hostUser.name = name;
      if (input.timeZone !== undefined) hostUser.timeZone = timeZone;
      if (input.active !== null && input.active !== undefined) hostUser.active = input.active;
      try {
        await em.flush();
      } catch (err) {
        if (created && attempt === 0 && err instanceof UniqueConstraintViolationException) continue;
        throw err;
      }
      await this.announce(hostUser, created);
      return { hostUser, created };
    }
  }

  async list(caller: Caller, filter: HostUserFilter, page: PageArgs): Promise<Page<HostUser>> {
    const em = this.deps.orm.em.fork();
    const where: FilterQuery<HostUser> = { tenantId: await resolveTenantId(em, caller, filter.tenantId) };
    if (filter.active !== null && filter.active !== undefined) where.active = filter.active;
    if (filter.email) where.email = optionalEmail('filter.email', filter.email);
    if (filter.hostUserIds) {
      if (filter.hostUserIds.length > MAX_HOST_USER_IDS_FILTER) throw new ValidationError('filter.hostUserIds', `must hold at most ${MAX_HOST_USER_IDS_FILTER} ids`);
      where.hostUserId = { $in: filter.hostUserIds };
    }
    return paginate(em, HostUser, where, page);
  }

  async get(caller: Caller, id: string): Promise<HostUser> {
    const hostUserId = parseId('hostUser', id);
    const hostUser = hostUserId ? await this.deps.orm.em.fork().findOne(HostUser, { id: hostUserId, ...tenantFilter(caller) }) : null;
    if (!hostUser) throw new NotFoundError('HostUser', id);
    return hostUser;
  }

  private announce(hostUser: HostUser, created: boolean): Promise<void> {
    const { tenantId, id: hostUserId } = hostUser;
    return announce(this.deps, TOPICS.HOST_USER_CHANGED, { tenantId, hostUserId, change: created ? 'CREATED' : 'UPDATED', at: new Date().toISOString() }, { tenantId, hostUserId });
  }
}
