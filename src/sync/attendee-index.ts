import type { HubId } from '../domain/ids.js';
import { HostUser } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

/**
 * Email → HostUser id for one tenant, loaded for the emails a batch of events mentions (never the
 * whole user table per poll). Emails are stored lower-cased (src/tenancy/input-rules.ts).
 */
export class AttendeeIndex {
  private readonly asked = new Set<string>();
  private readonly found = new Map<string, HubId<'hostUser'>>();

  constructor(private readonly deps: { orm: Orm; tenantId: HubId<'tenant'> }) {}

  async load(emails: Iterable<string>): Promise<void> {
    const wanted = [...new Set([...emails].map((e) => e.trim().toLowerCase()))].filter((e) => e !== '' && !this.asked.has(e));
    if (wanted.length === 0) return;
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const users = await this.deps.orm.em.fork().find(HostUser, { tenantId: this.deps.tenantId, email: { $in: chunk } }, { fields: ['id', 'email'] });
      for (const e of chunk) this.asked.add(e);
      for (const u of users) if (u.email) this.found.set(u.email, u.id);
    }
  }

  /** The map the projection reads (only loaded emails resolve). */
  get map(): ReadonlyMap<string, string> {
    return this.found;
  }
}
