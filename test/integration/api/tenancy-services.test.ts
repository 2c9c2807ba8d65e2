import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPubSub } from '../../../src/events/create-pubsub.js';
import type { HubPubSub } from '../../../src/events/hub-pubsub.js';
import { HostUser, Tenant } from '../../../src/store/entities/index.js';
import { createOrm, prepareSchema, type Orm } from '../../../src/store/orm.js';
import { paginate, type Page } from '../../../src/store/repositories/paginate.js';
import { OPERATOR } from '../../../src/tenancy/caller.js';
import { HostUserService } from '../../../src/tenancy/host-user.service.js';
import { TenantService } from '../../../src/tenancy/tenant.service.js';
import { silentLogger } from '../../helpers/pubsub-helpers.js';

const sqlite = { kind: 'sqlite' as const, file: ':memory:', url: 'sqlite::memory:' };

let orm: Orm;
let pubsub: HubPubSub;
beforeEach(async () => {
  orm = await createOrm(sqlite);
  await prepareSchema(orm, sqlite);
  pubsub = createPubSub({ kind: 'in-process' }, silentLogger());
});
afterEach(async () => {
  await pubsub.close();
  await orm.close(true);
});

describe('HostUserService.upsert', () => {
  it('ends with one row when two upserts of a new host id race', async () => {
    const tenant = new Tenant('Race Co');
    await orm.em.fork().persistAndFlush(tenant);
    const service = new HostUserService({ orm, pubsub, logger: silentLogger() });
    const results = await Promise.all([
      service.upsert(OPERATOR, { tenantId: tenant.id, hostUserId: 'same', name: 'First' }),
      service.upsert(OPERATOR, { tenantId: tenant.id, hostUserId: 'same', name: 'Second' }),
    ]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]!.hostUser.id).toBe(results[1]!.hostUser.id);
    expect(await orm.em.fork().count(HostUser, { tenantId: tenant.id })).toBe(1);
  });
});

describe('TenantService settings', () => {
  it('stores only the values that differ from the defaults', async () => {
    const service = new TenantService({ orm, pubsub, logger: silentLogger() });
    const tenant = await service.create(OPERATOR, { name: 'Patch Co', settings: { conflictPolicy: 'LATEST_WINS', polling: { activeIntervalMinutes: 7 } } });
    await service.updateSettings(OPERATOR, tenant.id, { titleMarkers: { enabled: true, host: '[S]' } });
    const stored = await orm.em.fork().findOneOrFail(Tenant, { id: tenant.id });
    expect(stored.settings).toEqual({ polling: { activeIntervalMinutes: 7 }, titleMarkers: { enabled: true } });
  });
});

describe('paginate', () => {
  it('walks every row exactly once in id order, even when rows are added between pages', async () => {
    const em = orm.em.fork();
    for (let i = 0; i < 45; i++) em.persist(new Tenant(`T${i}`));
    await em.flush();
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: Page<Tenant> = await paginate(orm.em.fork(), Tenant, {}, { first: 20, after });
      pages += 1;
      seen.push(...page.edges.map((e) => e.node.name));
      if (pages === 1) await orm.em.fork().persistAndFlush(new Tenant('Late'));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...Array.from({ length: 45 }, (_, i) => `T${i}`), 'Late']);
  });

  it('walks newest first when asked, each row once, and counts the same', async () => {
    const em = orm.em.fork();
    for (let i = 0; i < 25; i++) em.persist(new Tenant(`T${i}`));
    await em.flush();
    const first: Page<Tenant> = await paginate(orm.em.fork(), Tenant, {}, { first: 20 }, { newestFirst: true });
    const rest: Page<Tenant> = await paginate(orm.em.fork(), Tenant, {}, { first: 20, after: first.pageInfo.endCursor }, { newestFirst: true });
    expect([...first.edges, ...rest.edges].map((e) => e.node.name)).toEqual(Array.from({ length: 25 }, (_, i) => `T${24 - i}`));
    expect([first.pageInfo.hasNextPage, rest.pageInfo.hasNextPage, first.totalCount]).toEqual([true, false, 25]);
  });

  it('counts every match but returns none for first: 0', async () => {
    await orm.em.fork().persistAndFlush([new Tenant('A'), new Tenant('B')]);
    const page = await paginate(orm.em.fork(), Tenant, {}, { first: 0 });
    expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 2 });
  });
});
