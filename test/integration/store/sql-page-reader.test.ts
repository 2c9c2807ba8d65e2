import type { EntityName, FilterQuery } from '@mikro-orm/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubId } from '../../../src/domain/ids.js';
import { Appointment, HostUser, Tenant } from '../../../src/store/entities/index.js';
import { createOrm, prepareSchema, type Orm } from '../../../src/store/orm.js';
import { paginate, type Page, type PageArgs } from '../../../src/store/repositories/paginate.js';

// The SQLite read path of list pages (sql-page-reader.ts) against the ORM reading the same filter:
// the same rows, order, values, cursors and counts, and never another tenant's rows.

const sqlite = { kind: 'sqlite' as const, file: ':memory:', url: 'sqlite::memory:' };

let orm: Orm;
const tenants: Tenant[] = [];

/** An entity as plain data, property by property, as the ORM hydrated it. */
function plain(entityName: string, entity: object): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const prop of orm.getMetadata().get(entityName).props) record[prop.name] = (entity as Record<string, unknown>)[prop.name];
  return record;
}

/** What the ORM's own `find`/`count` give for a page: the reference the read path must match. */
async function ormPage<T extends { id: string }>(entity: EntityName<T>, entityName: string, where: FilterQuery<T>, args: PageArgs) {
  const em = orm.em.fork();
  const limit = args.first ?? 20;
  const afterId = args.after ? Buffer.from(args.after, 'base64url').toString('utf8').slice(3) : null;
  const pageWhere = (afterId === null ? where : { $and: [where, { id: { $gt: afterId } }] }) as FilterQuery<T>;
  const rows = await em.find(entity, pageWhere, { orderBy: { id: 'asc' } as never, limit: limit + 1 });
  return { nodes: rows.slice(0, limit).map((r) => plain(entityName, r)), hasNextPage: rows.length > limit, totalCount: await em.count(entity, where) };
}

async function readAll<T extends { id: string }>(entity: EntityName<T>, where: FilterQuery<T>, first: number) {
  const pages: Page<unknown>[] = [];
  let after: string | null = null;
  do {
    const page: Page<unknown> = await paginate(orm.em.fork(), entity, where, { first, after });
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return pages;
}

beforeAll(async () => {
  orm = await createOrm(sqlite);
  await prepareSchema(orm, sqlite);
  const em = orm.em.fork();
  for (const name of ['Acme', 'Globex']) {
    const tenant = new Tenant(name);
    tenant.settings = name === 'Acme' ? ({ ipAllowList: ['10.0.0.0/8'] } as never) : null;
    tenants.push(tenant);
    em.persist(tenant);
  }
  for (let i = 0; i < 40; i++) {
    const user = new HostUser({ tenantId: tenants[i % 2]!.id, hostUserId: `user-${i}`, email: i % 3 === 0 ? null : `u${i}@example.com`, name: i % 4 === 0 ? `User ${i}` : null });
    user.active = i % 5 !== 0;
    user.lastHostActivityAt = i % 2 === 0 ? new Date(Date.UTC(2026, 0, 1 + i)) : null;
    em.persist(user);
    if (i < 6) {
      const appointment = new Appointment({
        tenantId: user.tenantId,
        ownerId: user.id,
        timing: { allDay: false, start: `2026-03-0${i + 1}T09:00:00.000Z`, end: `2026-03-0${i + 1}T10:00:00.000Z`, timeZone: 'Europe/Zurich' },
      });
      appointment.subject = `Meeting ${i}`;
      em.persist(appointment);
    }
  }
  await em.flush();
});

afterAll(async () => {
  await orm.close(true);
});

describe('list pages on SQLite (plain SQL read path)', () => {
  it('reads plain records, not managed entities, with the values the ORM hydrates (dates, booleans, JSON)', async () => {
    const page = await paginate(orm.em.fork(), Tenant, {}, { first: 10 });
    expect(page.edges.map((e) => Object.getPrototypeOf(e.node))).toEqual([Object.prototype, Object.prototype]);
    expect(page.edges.map((e) => e.node)).toEqual((await ormPage(Tenant, 'Tenant', {}, { first: 10 })).nodes);
    expect(page.edges[0]!.node.createdAt).toBeInstanceOf(Date);
    expect(page.edges[0]!.node.settings).toEqual({ ipAllowList: ['10.0.0.0/8'] });

    const appointments = await paginate(orm.em.fork(), Appointment, { tenantId: tenants[0]!.id }, { first: 10 });
    expect(appointments.edges.map((e) => e.node)).toEqual((await ormPage(Appointment, 'Appointment', { tenantId: tenants[0]!.id }, { first: 10 })).nodes);
    expect(appointments.edges[0]!.node.timing).toMatchObject({ allDay: false, timeZone: 'Europe/Zurich' });
  });

  it('matches the ORM for any filter, page size and cursor, and never shows another tenant’s rows', async () => {
    const filter = fc.record(
      {
        tenant: fc.constantFrom(0, 1),
        active: fc.option(fc.boolean(), { nil: undefined, freq: 2 }),
        email: fc.option(fc.constantFrom(null, 'u1@example.com', 'u2@example.com', 'nobody@example.com'), { nil: undefined, freq: 2 }),
        name: fc.option(fc.constantFrom({ $ne: null }, null, { $ne: 'User 4' }), { nil: undefined, freq: 2 }),
        hostUserIds: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 45 }), { minLength: 1, maxLength: 8 }), { nil: undefined, freq: 2 }),
        hostUserIdsOp: fc.constantFrom('$in' as const, '$nin' as const),
        activeSince: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined, freq: 2 }),
      },
      { requiredKeys: ['tenant', 'hostUserIdsOp'] },
    );
    await fc.assert(
      fc.asyncProperty(filter, fc.integer({ min: 0, max: 12 }), async (f, first) => {
        const tenantId = tenants[f.tenant]!.id as HubId<'tenant'>;
        const where: FilterQuery<HostUser> = { tenantId };
        if (f.active !== undefined) where.active = f.active;
        if (f.email !== undefined) where.email = f.email;
        if (f.name !== undefined) where.name = f.name as never;
        if (f.hostUserIds) where.hostUserId = { [f.hostUserIdsOp ?? '$in']: f.hostUserIds.map((i) => `user-${i}`) };
        if (f.activeSince !== undefined) where.lastHostActivityAt = { $gte: new Date(Date.UTC(2026, 0, 1 + f.activeSince)) };

        if (first === 0) {
          const page = await paginate(orm.em.fork(), HostUser, where, { first: 0 });
          const expected = await ormPage(HostUser, 'HostUser', where, { first: 0 });
          expect(await page.totalCount).toBe(expected.totalCount);
          expect(page.pageInfo.hasNextPage).toBe(expected.totalCount > 0);
          return;
        }
        const pages = await readAll(HostUser, where, first);
        let after: string | null = null;
        for (const page of pages) {
          const expected = await ormPage(HostUser, 'HostUser', where, { first, after });
          expect(page.edges.map((e) => e.node)).toEqual(expected.nodes);
          expect(page.pageInfo.hasNextPage).toBe(expected.hasNextPage);
          expect(await page.totalCount).toBe(expected.totalCount);
          for (const edge of page.edges) {
            expect((edge.node as HostUser).tenantId).toBe(tenantId);
            expect(Object.getPrototypeOf(edge.node)).toBe(Object.prototype); // the read path answered, not the ORM
          }
          after = page.pageInfo.endCursor;
        }
      }),
      { numRuns: 60 },
    );
  });

  it('pages from the newest back with the same cursors as the ORM would give', async () => {
    const where = { tenantId: tenants[1]!.id };
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: Page<HostUser> = await paginate(orm.em.fork(), HostUser, where, { first: 3, after }, { newestFirst: true });
      ids.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage) break;
    } while (after !== null);
    const expected = (await orm.em.fork().find(HostUser, where, { orderBy: { id: 'desc' } })).map((u) => u.id);
    expect(ids).toEqual(expected);
    expect(ids).toHaveLength(20);
  });

  it('reads through the ORM inside a transaction, so a page sees the transaction’s own writes', async () => {
    await orm.em.fork().transactional(async (em) => {
      const user = new HostUser({ tenantId: tenants[0]!.id, hostUserId: 'in-transaction' });
      em.persist(user);
      await em.flush();
      const page = await paginate(em, HostUser, { tenantId: tenants[0]!.id, hostUserId: 'in-transaction' }, { first: 5 });
      expect(page.edges.map((e) => e.node.id)).toEqual([user.id]);
      expect(page.edges[0]!.node).toBeInstanceOf(HostUser);
      expect(await page.totalCount).toBe(1);
      em.remove(user);
    });
  });

  it('leaves a filter it does not translate to the query builder, with the same answer', async () => {
    const where = { $or: [{ hostUserId: 'user-1' }, { hostUserId: 'user-3' }], tenantId: tenants[1]!.id } as FilterQuery<HostUser>;
    const page = await paginate(orm.em.fork(), HostUser, where, { first: 5 });
    expect(page.edges.map((e) => (e.node as HostUser).hostUserId)).toEqual(['user-1', 'user-3']);
    expect(page.edges[0]!.node).toBeInstanceOf(HostUser);
    expect(await page.totalCount).toBe(2);
  });
});
