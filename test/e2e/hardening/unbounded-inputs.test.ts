import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTenantDocument, HostUsersDocument, UpdateTenantSettingsDocument } from '../../graphql/generated.js';
import { onlyError, startTestHub, type TestHub } from '../../helpers/hub-harness.js';

/** Issue 15, finding 12: inputs without a bound, and database files readable by everyone. */
describe('bounded inputs', () => {
  let t: TestHub;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestHub();
    tenantId = (await t.gql(CreateTenantDocument, { input: { name: 'Bounds' } }, t.adminKey)).data!.createTenant.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a recordLinkTemplate longer than 2000 characters, naming the field, and keeps the old value', async () => {
    const long = `https://crm.example.com/leads/{hostRecordId}?pad=${'x'.repeat(2_000)}`;
    const refused = await t.gql(UpdateTenantSettingsDocument, { input: { tenantId, recordLinkTemplate: long } }, t.adminKey);
    expect(onlyError(refused).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recordLinkTemplate' });
    const ok = await t.gql(UpdateTenantSettingsDocument, { input: { tenantId, recordLinkTemplate: 'https://crm.example.com/leads/{hostRecordId}' } }, t.adminKey);
    expect(ok.data?.updateTenantSettings.recordLinkTemplate).toBe('https://crm.example.com/leads/{hostRecordId}');
  });

  it('refuses a hostUserIds filter of more than 100 ids, naming the field', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `user-${i}`);
    const refused = await t.gql(HostUsersDocument, { tenantId, filter: { hostUserIds: ids } }, t.adminKey);
    expect(onlyError(refused).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.hostUserIds' });
    const ok = await t.gql(HostUsersDocument, { tenantId, filter: { hostUserIds: ids.slice(0, 100) } }, t.adminKey);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.hostUsers.totalCount).toBe(0);
  });
});

describe('database files', () => {
  it('are created readable and writable by the owner only (0600), like the key files', async () => {
    const t = await startTestHub({ DATABASE_URL: '' });
    try {
      const dataDir = t.hub.config.dataDir;
      // The WAL and shared-memory files exist while the hub runs; SQLite gives them the database file's mode.
      for (const file of ['hub.db', 'hub.db-wal', 'hub.db-shm']) {
        expect({ file, mode: (statSync(path.join(dataDir, file)).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
      }
    } finally {
      await t.close();
    }
  });
});
