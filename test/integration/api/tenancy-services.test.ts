import type { SqlEntityManager } from '@mikro-orm/libsql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPubSub } from '../../../src/events/create-pubsub.js';
import type { HubPubSub } from '../../../src/events/hub-pubsub.js';
import { HostUser, Tenant } from '../../../src/store/entities/index.js';
import { createOrm, prepareSchema, type Orm } from '../../../src/store/orm.js';
import { paginate, type Page } from '../../../src/store/repositories/paginate.js';
import { API_KEY_CACHE_TTL_MS, ApiKeyService } from '../../../src/tenancy/api-key.service.js';
import { OPERATOR } from '../../../src/tenancy/caller.js';
import { HostUserService } from '../../../src/tenancy/host-user.service.js';
import { createTenancyServices } from '../../../src/tenancy/tenancy-services.js';
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

describe('ApiKeyService.authenticate', () => {
  it('remembers a key for a few seconds; a revoke here forgets it at once, one elsewhere within the cache time', async () => {
    let now = Date.now();
    const service = new ApiKeyService({ orm, pubsub, logger: silentLogger(), now: () => now });
    const elsewhere = new ApiKeyService({ orm, pubsub, logger: silentLogger() }); // another process on the same database (the CLI, another instance)
    const first = await service.create(OPERATOR, { name: 'one', role: 'ADMIN' });
    const second = await service.create(OPERATOR, { name: 'two', role: 'ADMIN' });
    const third = await service.create(OPERATOR, { name: 'three', role: 'ADMIN' });

    expect((await service.authenticate(`Bearer ${first.key}`))?.apiKeyId).toBe(first.apiKey.id);
    await service.revoke(OPERATOR, first.apiKey.id);
    await expect(service.authenticate(`Bearer ${first.key}`)).rejects.toThrow('Invalid or revoked API key');

    expect((await service.authenticate(`Bearer ${second.key}`))?.apiKeyId).toBe(second.apiKey.id);
    await elsewhere.revoke(OPERATOR, second.apiKey.id);
    expect((await service.authenticate(`Bearer ${second.key}`))?.apiKeyId).toBe(second.apiKey.id);
    now += API_KEY_CACHE_TTL_MS;
    await expect(service.authenticate(`Bearer ${second.key}`)).rejects.toThrow('Invalid or revoked API key');
    expect((await service.authenticate(`Bearer ${third.key}`))?.apiKeyId).toBe(third.apiKey.id);
  });

  it("checks a remembered key's address on every call; the tenant's new allow-list applies at once here, elsewhere within the cache time", async () => {
    let now = Date.now();
    const { apiKeys, tenants } = createTenancyServices({ orm, pubsub, logger: silentLogger() });
    const service = new ApiKeyService({ orm, pubsub, logger: silentLogger(), now: () => now }); // another instance
    const tenant = await tenants.create(OPERATOR, { name: 'Listed Co' });
    const { key } = await apiKeys.create(OPERATOR, { tenantId: tenant.id, name: 'crm', role: 'TENANT' });
    const from = (clientAddress: string) => ({ clientAddress });

    expect((await apiKeys.authenticate(`Bearer ${key}`, from('192.0.2.7')))?.tenantId).toBe(tenant.id);
    expect((await service.authenticate(`Bearer ${key}`, from('192.0.2.7')))?.tenantId).toBe(tenant.id);
    await tenants.updateSettings(OPERATOR, tenant.id, { ipAllowList: ['10.0.0.0/8'] });
    await expect(apiKeys.authenticate(`Bearer ${key}`, from('192.0.2.7'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await apiKeys.authenticate(`Bearer ${key}`, from('10.1.2.3')))?.tenantId).toBe(tenant.id);
    // The remembered key keeps being checked: a second address is refused from the cache too.
    await expect(apiKeys.authenticate(`Bearer ${key}`, from('::ffff:192.0.2.8'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(apiKeys.authenticate(`Bearer ${key}`)).rejects.toMatchObject({ code: 'FORBIDDEN' });

    expect((await service.authenticate(`Bearer ${key}`, from('192.0.2.7')))?.tenantId).toBe(tenant.id);
    now += API_KEY_CACHE_TTL_MS;
    await expect(service.authenticate(`Bearer ${key}`, from('192.0.2.7'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
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
    expect([first.pageInfo.hasNextPage, rest.pageInfo.hasNextPage, await first.totalCount]).toEqual([true, false, 25]);
  });

  it('counts every match but returns none for first: 0', async () => {
    await orm.em.fork().persistAndFlush([new Tenant('A'), new Tenant('B')]);
    const page = await paginate(orm.em.fork(), Tenant, {}, { first: 0 });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
    expect(await page.totalCount).toBe(2);
  });

  it('counts only when totalCount is read, and once', async () => {
    await orm.em.fork().persistAndFlush([new Tenant('A'), new Tenant('B'), new Tenant('C')]);
    const em = orm.em.fork() as SqlEntityManager;
    // Every statement, from the ORM or from the page reader, is prepared on the pool's one SQLite connection.
    const client = em.getConnection().getKnex().client as { acquireConnection(): Promise<{ prepare(sql: string): unknown }>; releaseConnection(c: unknown): Promise<unknown> };
    const connection = await client.acquireConnection();
    await client.releaseConnection(connection);
    const prepare = vi.spyOn(connection, 'prepare');
    const counts = () => prepare.mock.calls.filter(([sql]) => /count\(/i.test(String(sql))).length;
    const page = await paginate(em, Tenant, {}, { first: 2 });
    expect(page.edges).toHaveLength(2);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(counts()).toBe(0);
    expect(await page.totalCount).toBe(3);
    expect(await page.totalCount).toBe(3);
    expect(counts()).toBe(1);
  });
});
