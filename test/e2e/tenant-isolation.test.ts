import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
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
} from '../graphql/generated.js';
import { onlyError, startTestHub, type TestHub } from '../helpers/hub-harness.js';

/**
 * Every resolver that takes an id, called with tenant B's key on tenant A's ids, must answer
 * exactly as for an id that does not exist: NOT_FOUND, same message shape, nothing changed.
 */
let t: TestHub;
let admin: string;
const a = { tenantId: '', key: '', keyId: '', hostUserId: '' };
const b = { tenantId: '', key: '' };

beforeAll(async () => {
  t = await startTestHub();
  admin = t.adminKey!;
  for (const [target, name] of [[a, 'Tenant A'], [b, 'Tenant B']] as const) {
    const tenant = await t.gql(CreateTenantDocument, { input: { name } }, admin);
    target.tenantId = tenant.data!.createTenant.id;
    const key = await t.gql(CreateApiKeyDocument, { input: { tenantId: target.tenantId, name: `${name} key` } }, admin);
    target.key = key.data!.createApiKey.key;
    if (target === a) a.keyId = key.data!.createApiKey.apiKey.id;
  }
  const user = await t.gql(UpsertHostUserDocument, { input: { tenantId: a.tenantId, hostUserId: 'alice', email: 'alice@a.example' } }, admin);
  a.hostUserId = user.data!.upsertHostUser.hostUser.id;
  await t.gql(UpdateTenantSettingsDocument, { input: { tenantId: a.tenantId, conflictPolicy: 'MANUAL' } }, admin);
});
afterAll(async () => {
  await t.close();
});

interface Probe {
  /** The resolver and argument under test. */
  name: string;
  /** Which of A's ids it takes, and an id of the same kind that does not exist. */
  idOfA: () => string;
  unknownId: () => string;
  call: (id: string) => Promise<{ errors?: GraphQLFormattedError[] | undefined }>;
}

const probes: Probe[] = [
  {
    name: 'tenant(id)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(TenantDocument, { id }, b.key),
  },
  {
    name: 'tenantSettings(tenantId)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(TenantSettingsDocument, { tenantId: id }, b.key),
  },
  {
    name: 'updateTenantSettings(input.tenantId)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(UpdateTenantSettingsDocument, { input: { tenantId: id, conflictPolicy: 'PROVIDER_WINS' } }, b.key),
  },
  {
    name: 'hostUsers(tenantId)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(HostUsersDocument, { tenantId: id }, b.key),
  },
  {
    name: 'upsertHostUser(input.tenantId)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(UpsertHostUserDocument, { input: { tenantId: id, hostUserId: 'mallory' } }, b.key),
  },
  {
    name: 'hostUser(id)',
    idOfA: () => a.hostUserId,
    unknownId: () => newId('hostUser'),
    call: (id) => t.gql(HostUserDocument, { id }, b.key),
  },
  {
    name: 'apiKeys(tenantId)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(ApiKeysDocument, { tenantId: id }, b.key),
  },
  {
    name: 'apiKey(id)',
    idOfA: () => a.keyId,
    unknownId: () => newId('apiKey'),
    call: (id) => t.gql(ApiKeyDocument, { id }, b.key),
  },
  {
    name: 'createApiKey(input.tenantId)',
    idOfA: () => a.tenantId,
    unknownId: () => newId('tenant'),
    call: (id) => t.gql(CreateApiKeyDocument, { input: { tenantId: id, name: 'stolen' } }, b.key),
  },
  {
    name: 'revokeApiKey(id)',
    idOfA: () => a.keyId,
    unknownId: () => newId('apiKey'),
    call: (id) => t.gql(RevokeApiKeyDocument, { id }, b.key),
  },
];

describe("another tenant's ids behave as unknown ids", () => {
  it.each(probes)('$name answers NOT_FOUND with the message an unknown id gets', async (probe) => {
    const foreign = onlyError(await probe.call(probe.idOfA()));
    const unknownId = probe.unknownId();
    const unknown = onlyError(await probe.call(unknownId));
    expect(foreign.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.message.replace(probe.idOfA(), '<id>')).toBe(unknown.message.replace(unknownId, '<id>'));
  });

  it("leaves tenant A's data untouched after B's attempts", async () => {
    for (const probe of probes) await probe.call(probe.idOfA());
    expect((await t.gql(ViewerDocument, {}, a.key)).data?.viewer.tenantId).toBe(a.tenantId);
    const settings = await t.gql(TenantSettingsDocument, {}, a.key);
    expect(settings.data!.tenantSettings.conflictPolicy).toBe('MANUAL');
    const users = await t.gql(HostUsersDocument, {}, a.key);
    expect(users.data!.hostUsers.edges.map((e) => e.node.hostUserId)).toEqual(['alice']);
    const keys = await t.gql(ApiKeysDocument, {}, a.key);
    expect(keys.data!.apiKeys.totalCount).toBe(1);
  });

  it("keeps B's own lists free of A's records", async () => {
    const tenants = await t.gql(TenantsDocument, {}, b.key);
    expect(tenants.data!.tenants.edges.map((e) => e.node.id)).toEqual([b.tenantId]);
    const users = await t.gql(HostUsersDocument, {}, b.key);
    expect(users.data!.hostUsers.totalCount).toBe(0);
    const keys = await t.gql(ApiKeysDocument, {}, b.key);
    expect(keys.data!.apiKeys.edges.every((e) => e.node.tenantId === b.tenantId)).toBe(true);
  });

  it('lets the ADMIN key reach both tenants', async () => {
    expect((await t.gql(TenantDocument, { id: a.tenantId }, admin)).data?.tenant.id).toBe(a.tenantId);
    expect((await t.gql(HostUserDocument, { id: a.hostUserId }, admin)).data?.hostUser.hostUserId).toBe('alice');
  });
});
