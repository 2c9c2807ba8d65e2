import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrm, ormOptions, prepareSchema, type Orm } from '../../../src/store/orm.js';
import { newId } from '../../../src/domain/ids.js';
import { Appointment, Calendar, Connection, HostUser, SyncMapping, Tenant } from '../../../src/store/entities/index.js';

const sqlite = { kind: 'sqlite' as const, file: ':memory:', url: 'sqlite::memory:' };

describe('store schema on SQLite', () => {
  let orm: Orm;
  beforeEach(async () => {
    orm = await createOrm(sqlite);
    await prepareSchema(orm, sqlite);
  });
  afterEach(async () => {
    await orm.close(true);
  });

  async function seed() {
    const em = orm.em.fork();
    const tenant = new Tenant('Acme');
    const alice = new HostUser({ tenantId: tenant.id, hostUserId: 'alice' });
    const bob = new HostUser({ tenantId: tenant.id, hostUserId: 'bob' });
    await em.persistAndFlush([tenant, alice, bob]);
    return { tenant, alice, bob };
  }

  it('refuses a second host user with the same host id in a tenant', async () => {
    const { tenant } = await seed();
    const em = orm.em.fork();
    em.persist(new HostUser({ tenantId: tenant.id, hostUserId: 'alice' }));
    await expect(em.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('refuses a second link of one account to another user, but not once the first is revoked', async () => {
    const { tenant, alice, bob } = await seed();
    const em = orm.em.fork();
    const a = new Connection({ tenantId: tenant.id, userId: alice.id, provider: 'google-calendar', accountId: 'sub-1' });
    await em.persistAndFlush(a);
    const em2 = orm.em.fork();
    em2.persist(new Connection({ tenantId: tenant.id, userId: bob.id, provider: 'google-calendar', accountId: 'sub-1' }));
    await expect(em2.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);

    a.status = 'REVOKED';
    await em.flush();
    const em3 = orm.em.fork();
    const b = new Connection({ tenantId: tenant.id, userId: bob.id, provider: 'google-calendar', accountId: 'sub-1' });
    await em3.persistAndFlush(b);
    expect(b.accountKey).toBe('google-calendar:sub-1');
  });

  it('refuses a second connection of one user to the same provider', async () => {
    const { tenant, alice } = await seed();
    const em = orm.em.fork();
    em.persist(new Connection({ tenantId: tenant.id, userId: alice.id, provider: 'microsoft-graph', accountId: 'oid-1' }));
    em.persist(new Connection({ tenantId: tenant.id, userId: alice.id, provider: 'microsoft-graph', accountId: 'oid-2' }));
    await expect(em.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('allows at most one primary calendar per user across links', async () => {
    const { tenant, alice } = await seed();
    const em = orm.em.fork();
    const google = new Connection({ tenantId: tenant.id, userId: alice.id, provider: 'google-calendar', accountId: 's' });
    const microsoft = new Connection({ tenantId: tenant.id, userId: alice.id, provider: 'microsoft-graph', accountId: 'o' });
    const c1 = new Calendar({ tenantId: tenant.id, connectionId: google.id, userId: alice.id, providerCalendarId: 'primary', name: 'G' });
    const c2 = new Calendar({ tenantId: tenant.id, connectionId: microsoft.id, userId: alice.id, providerCalendarId: 'AAA', name: 'M' });
    c1.role = 'PRIMARY';
    await em.persistAndFlush([google, microsoft, c1, c2]);
    c2.role = 'PRIMARY';
    await expect(em.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('keeps pending mappings distinct until they get an event id, then enforces one mapping per event', async () => {
    const { tenant, alice } = await seed();
    const em = orm.em.fork();
    const timing = { allDay: false as const, start: '2026-01-01T09:00:00.000Z', end: '2026-01-01T10:00:00.000Z', timeZone: 'UTC' };
    const a1 = new Appointment({ tenantId: tenant.id, ownerId: alice.id, timing });
    const a2 = new Appointment({ tenantId: tenant.id, ownerId: alice.id, timing });
    const [calendarId, connectionId] = [newId('calendar'), newId('connection')];
    const m1 = new SyncMapping({ tenantId: tenant.id, appointmentId: a1.id, calendarId, connectionId });
    const m2 = new SyncMapping({ tenantId: tenant.id, appointmentId: a2.id, calendarId, connectionId });
    await em.persistAndFlush([a1, a2, m1, m2]);
    m1.externalEventId = 'evt-1';
    await em.flush();
    m2.externalEventId = 'evt-1';
    await expect(em.flush()).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('stores JSON values and reads them back', async () => {
    const { tenant, alice } = await seed();
    const timing = { allDay: true as const, startDate: '2026-03-03', endDate: '2026-03-04', timeZone: 'Europe/Zurich' };
    const a = new Appointment({ tenantId: tenant.id, ownerId: alice.id, timing, hostAppointmentId: 'h1' });
    a.attendees = [{ email: 'x@example.com', name: null, optional: false, resource: false, response: 'NEEDS_ACTION', hostUserId: null }];
    await orm.em.fork().persistAndFlush(a);
    const read = await orm.em.fork().findOneOrFail(Appointment, { id: a.id });
    expect(read.timing).toEqual(timing);
    expect(read.startsAt.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(read.attendees[0]?.email).toBe('x@example.com');
    expect(read.hostKey).toBe('host:h1');
  });
});

describe('store metadata on MongoDB', () => {
  it('discovers every entity with string ids stored in _id (no server needed)', async () => {
    const orm = await MikroORM.init({
      ...(await ormOptions({ kind: 'mongodb', url: 'mongodb://127.0.0.1:9/hub', dbName: 'hub' })),
      connect: false,
    });
    try {
      for (const meta of Object.values(orm.getMetadata().getAll())) {
        if (meta.abstract || meta.embeddable) continue;
        const pk = meta.getPrimaryProps()[0];
        expect(pk?.name, meta.className).toBe('id');
        expect(pk?.fieldNames[0], meta.className).toBe('_id');
        expect(pk?.type, meta.className).toBe('string');
      }
      const connection = orm.getMetadata().get('Connection');
      expect(connection.uniques.map((u) => u.properties)).toEqual(
        expect.arrayContaining([['tenantId', 'userId', 'provider'], ['tenantId', 'accountKey']]),
      );
    } finally {
      await orm.close(true);
    }
  });
});
