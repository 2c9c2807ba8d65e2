import type { FilterQuery } from '@mikro-orm/core';
import { NotFoundError } from '../domain/errors.js';
import { parseId, type HubId } from '../domain/ids.js';
import { CONNECTION_STATUSES, PROVIDER_KINDS, providerSlugOf, type ConnectionStatus, type ProviderKind } from '../domain/model.js';
import { Calendar, Connection, HostUser } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { paginate, type Page, type PageArgs, type Stored } from '../store/repositories/paginate.js';
import { resolveTenantId, tenantFilter, type Caller } from '../tenancy/caller.js';
import { oneOf } from '../tenancy/input-rules.js';

export interface ConnectionFilter {
  /** Required with an ADMIN key (as every tenant-wide list). */
  tenantId?: string | null;
  userId?: string | null;
  provider?: ProviderKind | null;
  status?: ConnectionStatus | null;
}

/** Reading links and their calendars, tenant-scoped: another tenant's ids read as unknown. */
export class ConnectionService {
  constructor(private readonly deps: { orm: Orm }) {}

  async list(caller: Caller, filter: ConnectionFilter, page: PageArgs): Promise<Page<Stored<Connection>>> {
    const em = this.deps.orm.em.fork();
    const tenantId = await resolveTenantId(em, caller, filter.tenantId);
    const where: FilterQuery<Connection> = { tenantId };
    if (filter.userId) {
      const userId = parseId('hostUser', filter.userId);
      const user = userId ? await em.findOne(HostUser, { id: userId, tenantId }) : null;
      if (!user) throw new NotFoundError('HostUser', filter.userId);
      where.userId = user.id;
    }
    if (filter.provider) where.provider = providerSlugOf(oneOf('filter.provider', filter.provider, PROVIDER_KINDS));
    if (filter.status) where.status = oneOf('filter.status', filter.status, CONNECTION_STATUSES);
    return paginate(em, Connection, where, page);
  }

  async get(caller: Caller, id: string): Promise<Connection> {
    const connectionId = parseId('connection', id);
    const link = connectionId ? await this.deps.orm.em.fork().findOne(Connection, { id: connectionId, ...tenantFilter(caller) }) : null;
    if (!link) throw new NotFoundError('Connection', id);
    return link;
  }

  /** The link's calendars as listed by the provider (removed ones left out): default first, then by name. */
  async calendars(caller: Caller, connectionId: string): Promise<Calendar[]> {
    const link = await this.get(caller, connectionId);
    return this.calendarsOf(link.id);
  }

  async calendarsOf(connectionId: HubId<'connection'>): Promise<Calendar[]> {
    const rows = await this.deps.orm.em.fork().find(Calendar, { connectionId, removedAt: null });
    return rows.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}
