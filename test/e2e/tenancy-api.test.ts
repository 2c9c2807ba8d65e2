import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyDocument,
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateTenantDocument,
  HostUserDocument,
  HostUsersDocument,
  RevokeApiKeyDocument,
  TenantDocument,
  TenantSettingsDocument,
  TenantsDocument,
  UpdateTenantSettingsDocument,
  UpsertHostUserDocument,
  ViewerDocument,
  type TenantsQuery,
} from '../graphql/generated.js';
import { onlyError, startTestHub, type GqlResult, type TestHub } from '../helpers/hub-harness.js';

let t: TestHub;
let admin: string;

async function createTenant(name: string): Promise<string> {
  const r = await t.gql(CreateTenantDocument, { input: { name } }, admin);
  expect(r.errors).toBeUndefined();
  return r.data!.createTenant.id;
}

async function createTenantKey(tenantId: string, name = 'integration'): Promise<{ id: string; key: string }> {
  const r = await t.gql(CreateApiKeyDocument, { input: { tenantId, name, role: 'TENANT' } }, admin);
  expect(r.errors).toBeUndefined();
  return { id: r.data!.createApiKey.apiKey.id, key: r.data!.createApiKey.key };
}

beforeAll(async () => {
  t = await startTestHub();
  admin = t.adminKey!;
});
afterAll(async () => {
  await t.close();
});

describe('viewer', () => {
  it('reports the role and tenant of the key in use', async () => {
    const tenantId = await createTenant('Viewer Co');
    const { id, key } = await createTenantKey(tenantId);
    expect((await t.gql(ViewerDocument, {}, admin)).data?.viewer).toMatchObject({ role: 'ADMIN', tenantId: null });
    expect((await t.gql(ViewerDocument, {}, key)).data?.viewer).toEqual({ role: 'TENANT', apiKeyId: id, tenantId });
  });
});

describe('tenants', () => {
  it('creates a tenant whose settings read as the defaults', async () => {
    const r = await t.gql(CreateTenantDocument, { input: { name: '  Acme Recruiting  ' } }, admin);
    expect(r.errors).toBeUndefined();
    expect(r.data!.createTenant.name).toBe('Acme Recruiting');
    expect(r.data!.createTenant.settings).toMatchObject({
      tenantId: r.data!.createTenant.id,
      conflictPolicy: 'LATEST_WINS',
      polling: { activeIntervalMinutes: 3, inactiveIntervalMinutes: 50, activeWithinDays: 14 },
      recordLinkTemplate: null,
      twoWayByDefault: true,
    });
    const read = await t.gql(TenantDocument, { id: r.data!.createTenant.id }, admin);
    expect(read.data?.tenant.name).toBe('Acme Recruiting');
  });

  it('creates a tenant with settings that differ from the defaults', async () => {
    const r = await t.gql(
      CreateTenantDocument,
      { input: { name: 'Manual Co', settings: { conflictPolicy: 'MANUAL', hostProfile: { weekStart: 'SU' } } } },
      admin,
    );
    expect(r.data!.createTenant.settings.conflictPolicy).toBe('MANUAL');
    expect(r.data!.createTenant.settings.hostProfile).toMatchObject({ weekStart: 'SU', recurrence: 'FULL' });
  });

  it('lets only ADMIN keys create tenants (FORBIDDEN for a tenant key, nothing created)', async () => {
    const { key } = await createTenantKey(await createTenant('Not Admin Co'));
    const before = (await t.gql(TenantsDocument, { first: 0 }, admin)).data!.tenants.totalCount;
    const r = await t.gql(CreateTenantDocument, { input: { name: 'Sneaky' } }, key);
    expect(onlyError(r).extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(TenantsDocument, { first: 0 }, admin)).data!.tenants.totalCount).toBe(before);
  });

  it('pages through every tenant in creation order with cursors; a tenant key sees only its own', async () => {
    const created = [await createTenant('Page 1'), await createTenant('Page 2'), await createTenant('Page 3')];
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (;;) {
      const r: GqlResult<TenantsQuery> = await t.gql(TenantsDocument, { first: 2, after }, admin);
      const page = r.data!.tenants;
      total = page.totalCount;
      expect(page.edges.length).toBeLessThanOrEqual(2);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
    expect(seen.slice(-3)).toEqual(created);

    const { key } = await createTenantKey(created[1]!);
    const own = await t.gql(TenantsDocument, {}, key);
    expect(own.data!.tenants.totalCount).toBe(1);
    expect(own.data!.tenants.edges.map((e) => e.node.id)).toEqual([created[1]]);
  });
});

describe('API keys', () => {
  it('returns the full key once, lists only its prefix, and the key authenticates', async () => {
    const tenantId = await createTenant('Keys Co');
    const r = await t.gql(CreateApiKeyDocument, { input: { tenantId, name: 'crm backend' } }, admin);
    const { key, apiKey } = r.data!.createApiKey;
    expect(apiKey).toMatchObject({ role: 'TENANT', tenantId, name: 'crm backend', revokedAt: null });
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(key.length).toBeGreaterThan(apiKey.prefix.length + 20);

    const listed = await t.gql(ApiKeysDocument, { tenantId }, admin);
    expect(listed.data!.apiKeys.edges.map((e) => e.node.prefix)).toEqual([apiKey.prefix]);
    expect(JSON.stringify(listed.data)).not.toContain(key);
    expect((await t.gql(ViewerDocument, {}, key)).data?.viewer.tenantId).toBe(tenantId);
  });

  it('lets a tenant key create and list keys of its own tenant only', async () => {
    const tenantId = await createTenant('Self Service Co');
    const { key } = await createTenantKey(tenantId);
    const r = await t.gql(CreateApiKeyDocument, { input: { name: 'rotation' } }, key);
    expect(r.data!.createApiKey.apiKey.tenantId).toBe(tenantId);
    const listed = await t.gql(ApiKeysDocument, {}, key);
    expect(listed.data!.apiKeys.totalCount).toBe(2);
    expect(listed.data!.apiKeys.edges.every((e) => e.node.tenantId === tenantId)).toBe(true);
  });

  it('refuses ADMIN keys to tenant keys with FORBIDDEN and creates nothing', async () => {
    const { key } = await createTenantKey(await createTenant('Escalation Co'));
    const before = (await t.gql(ApiKeysDocument, { first: 0 }, admin)).data!.apiKeys.totalCount;
    const r = await t.gql(CreateApiKeyDocument, { input: { name: 'root', role: 'ADMIN' } }, key);
    expect(onlyError(r).extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(ApiKeysDocument, { first: 0 }, admin)).data!.apiKeys.totalCount).toBe(before);
  });

  it('revokes a key so it is refused with UNAUTHENTICATED from the next request on', async () => {
    const { id, key } = await createTenantKey(await createTenant('Revoke Co'));
    expect((await t.gql(ViewerDocument, {}, key)).status).toBe(200);
    const r = await t.gql(RevokeApiKeyDocument, { id }, admin);
    expect(r.data!.revokeApiKey.revokedAt).not.toBeNull();
    const after = await t.gql(ViewerDocument, {}, key);
    expect(after.status).toBe(401);
    expect(onlyError(after).extensions?.code).toBe('UNAUTHENTICATED');
    const withRevoked = await t.gql(ApiKeyDocument, { id }, admin);
    expect(withRevoked.data!.apiKey.revokedAt).toBe(r.data!.revokeApiKey.revokedAt);
  });

  it('refuses to revoke the last active ADMIN key with CONFLICT and a tip', async () => {
    const viewer = await t.gql(ViewerDocument, {}, admin);
    const r = await t.gql(RevokeApiKeyDocument, { id: viewer.data!.viewer.apiKeyId! }, admin);
    const error = onlyError(r);
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.extensions?.tip).toMatch(/create another ADMIN key first/i);
    expect((await t.gql(ViewerDocument, {}, admin)).status).toBe(200);
  });
});

describe('host users', () => {
  it('updates the existing host user when the same hostUserId is upserted again (never a second row)', async () => {
    const tenantId = await createTenant('Upsert Co');
    const first = await t.gql(
      UpsertHostUserDocument,
      { input: { tenantId, hostUserId: 'crm-42', email: 'Ada@Example.com', name: 'Ada', timeZone: 'Europe/Zurich' } },
      admin,
    );
    expect(first.data!.upsertHostUser.created).toBe(true);
    expect(first.data!.upsertHostUser.hostUser).toMatchObject({ email: 'ada@example.com', active: true, timeZone: 'Europe/Zurich' });

    const second = await t.gql(UpsertHostUserDocument, { input: { tenantId, hostUserId: 'crm-42', name: 'Ada L.', active: false } }, admin);
    expect(second.data!.upsertHostUser.created).toBe(false);
    expect(second.data!.upsertHostUser.hostUser).toMatchObject({
      id: first.data!.upsertHostUser.hostUser.id,
      name: 'Ada L.',
      active: false,
      email: 'ada@example.com',
      timeZone: 'Europe/Zurich',
    });

    const listed = await t.gql(HostUsersDocument, { tenantId }, admin);
    expect(listed.data!.hostUsers.totalCount).toBe(1);
    const read = await t.gql(HostUserDocument, { id: first.data!.upsertHostUser.hostUser.id }, admin);
    expect(read.data!.hostUser.name).toBe('Ada L.');
  });

  it('lets a tenant key upsert into its own tenant without naming it, and filters the list', async () => {
    const tenantId = await createTenant('Filter Co');
    const { key } = await createTenantKey(tenantId);
    for (const [id, active] of [['a', true], ['b', false], ['c', true]] as const) {
      const r = await t.gql(UpsertHostUserDocument, { input: { hostUserId: id, email: `${id}@filter.example`, active } }, key);
      expect(r.data!.upsertHostUser.hostUser.tenantId).toBe(tenantId);
    }
    const active = await t.gql(HostUsersDocument, { filter: { active: true } }, key);
    expect(active.data!.hostUsers.edges.map((e) => e.node.hostUserId)).toEqual(['a', 'c']);
    const byEmail = await t.gql(HostUsersDocument, { filter: { email: 'B@FILTER.example' } }, key);
    expect(byEmail.data!.hostUsers.edges.map((e) => e.node.hostUserId)).toEqual(['b']);
    const byIds = await t.gql(HostUsersDocument, { filter: { hostUserIds: ['c', 'a', 'zzz'] } }, key);
    expect(byIds.data!.hostUsers.totalCount).toBe(2);
  });

  it('requires ADMIN keys to name the tenant (BAD_USER_INPUT on tenantId)', async () => {
    const r = await t.gql(UpsertHostUserDocument, { input: { hostUserId: 'x' } }, admin);
    expect(onlyError(r).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tenantId' });
  });
});

describe('tenant settings', () => {
  it('merges partial updates over the defaults and keeps earlier changes', async () => {
    const tenantId = await createTenant('Settings Co');
    const { key } = await createTenantKey(tenantId);
    const first = await t.gql(
      UpdateTenantSettingsDocument,
      { input: { polling: { activeIntervalMinutes: 5 }, conflictPolicy: 'HOST_WINS', recordLinkTemplate: 'https://crm.example.com/leads/{hostRecordId}' } },
      key,
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.updateTenantSettings).toMatchObject({
      polling: { activeIntervalMinutes: 5, inactiveIntervalMinutes: 50 },
      conflictPolicy: 'HOST_WINS',
      recordLinkTemplate: 'https://crm.example.com/leads/{hostRecordId}',
    });
    await t.gql(UpdateTenantSettingsDocument, { input: { titleMarkers: { enabled: true, microsoft: '[365]' }, syncWindow: { futureDays: 90 } } }, key);
    const read = await t.gql(TenantSettingsDocument, {}, key);
    expect(read.data!.tenantSettings).toMatchObject({
      polling: { activeIntervalMinutes: 5 },
      conflictPolicy: 'HOST_WINS',
      titleMarkers: { enabled: true, host: '[S]', microsoft: '[365]', google: '[G]' },
      syncWindow: { pastDays: 30, futureDays: 90 },
      recordLinkTemplate: 'https://crm.example.com/leads/{hostRecordId}',
    });

    const cleared = await t.gql(UpdateTenantSettingsDocument, { input: { recordLinkTemplate: null } }, key);
    expect(cleared.data!.updateTenantSettings.recordLinkTemplate).toBeNull();
    expect(cleared.data!.updateTenantSettings.polling.activeIntervalMinutes).toBe(5);

    const viaAdmin = await t.gql(TenantSettingsDocument, { tenantId }, admin);
    expect(viaAdmin.data!.tenantSettings).toEqual(cleared.data!.updateTenantSettings);
  });
});
