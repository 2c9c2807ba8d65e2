import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeysDocument,
  CreateApiKeyDocument,
  CreateTenantDocument,
  HostUsersDocument,
  TenantSettingsDocument,
  TenantsDocument,
  UpdateTenantSettingsDocument,
  UpsertHostUserDocument,
} from '../graphql/generated.js';
import { onlyError, startTestHub, type TestHub } from '../helpers/hub-harness.js';

let t: TestHub;
let admin: string;
let tenantId: string;
let tenantKey: string;

/** Everything the mutations below could write, read through the API. */
async function snapshot() {
  const [tenants, keys, users, settings] = await Promise.all([
    t.gql(TenantsDocument, { first: 100 }, admin),
    t.gql(ApiKeysDocument, { first: 100, includeRevoked: true }, admin).then((r) => {
      // Authenticating stamps lastUsedAt; that is not a write of the operation under test.
      for (const edge of r.data?.apiKeys.edges ?? []) edge.node.lastUsedAt = null;
      return r;
    }),
    t.gql(HostUsersDocument, { tenantId, first: 100 }, admin),
    t.gql(TenantSettingsDocument, { tenantId }, admin),
  ]);
  return { tenants: tenants.data, keys: keys.data, users: users.data, settings: settings.data };
}

beforeAll(async () => {
  t = await startTestHub();
  admin = t.adminKey!;
  tenantId = (await t.gql(CreateTenantDocument, { input: { name: 'Validation Co' } }, admin)).data!.createTenant.id;
  tenantKey = (await t.gql(CreateApiKeyDocument, { input: { tenantId, name: 'k' } }, admin)).data!.createApiKey.key;
  await t.gql(UpsertHostUserDocument, { input: { tenantId, hostUserId: 'existing', email: 'existing@example.com' } }, admin);
});
afterAll(async () => {
  await t.close();
});

const cases: { name: string; field: string; run: () => Promise<{ errors?: readonly { extensions?: Record<string, unknown>; message: string }[] | undefined }> }[] = [
  { name: 'createTenant with an empty name', field: 'name', run: () => t.gql(CreateTenantDocument, { input: { name: '   ' } }, admin) },
  {
    name: 'createTenant with a polling interval of 0 minutes',
    field: 'settings.polling.activeIntervalMinutes',
    run: () => t.gql(CreateTenantDocument, { input: { name: 'Bad Settings', settings: { polling: { activeIntervalMinutes: 0 } } } }, admin),
  },
  { name: 'createApiKey with an empty name', field: 'name', run: () => t.gql(CreateApiKeyDocument, { input: { tenantId, name: '' } }, admin) },
  {
    name: 'createApiKey ADMIN with a tenant',
    field: 'tenantId',
    run: () => t.gql(CreateApiKeyDocument, { input: { tenantId, name: 'x', role: 'ADMIN' } }, admin),
  },
  {
    name: 'upsertHostUser with an invalid email',
    field: 'email',
    run: () => t.gql(UpsertHostUserDocument, { input: { hostUserId: 'new-user', email: 'not-an-email' } }, tenantKey),
  },
  {
    name: 'upsertHostUser with an unknown time zone',
    field: 'timeZone',
    run: () => t.gql(UpsertHostUserDocument, { input: { hostUserId: 'new-user', timeZone: 'Mars/Olympus_Mons' } }, tenantKey),
  },
  {
    name: 'upsertHostUser updating an existing user with an offset instead of a zone',
    field: 'timeZone',
    run: () => t.gql(UpsertHostUserDocument, { input: { hostUserId: 'existing', timeZone: '+02:00', name: 'Changed' } }, tenantKey),
  },
  {
    name: 'upsertHostUser with a blank host id',
    field: 'hostUserId',
    run: () => t.gql(UpsertHostUserDocument, { input: { hostUserId: ' ' } }, tenantKey),
  },
  {
    name: 'updateTenantSettings with a record link without the placeholder',
    field: 'recordLinkTemplate',
    run: () => t.gql(UpdateTenantSettingsDocument, { input: { recordLinkTemplate: 'https://crm.example.com/leads', conflictPolicy: 'MANUAL' } }, tenantKey),
  },
  {
    name: 'updateTenantSettings with an inactive interval shorter than the active one',
    field: 'polling.inactiveIntervalMinutes',
    run: () => t.gql(UpdateTenantSettingsDocument, { input: { polling: { activeIntervalMinutes: 30, inactiveIntervalMinutes: 10 } } }, tenantKey),
  },
  {
    name: 'updateTenantSettings with a sync window of 0 future days',
    field: 'syncWindow.futureDays',
    run: () => t.gql(UpdateTenantSettingsDocument, { input: { syncWindow: { futureDays: 0 } } }, tenantKey),
  },
  {
    name: 'updateTenantSettings with an overlong title marker',
    field: 'titleMarkers.host',
    run: () => t.gql(UpdateTenantSettingsDocument, { input: { titleMarkers: { host: '[a marker far too long]' } } }, tenantKey),
  },
  {
    name: 'updateTenantSettings with a reminder offset beyond four weeks',
    field: 'hostProfile.reminderMinutes[1]',
    run: () => t.gql(UpdateTenantSettingsDocument, { input: { hostProfile: { reminderMinutes: [15, 50_000] }, writeAttendees: true } }, tenantKey),
  },
  {
    name: 'updateTenantSettings with a negative reminder offset',
    field: 'hostProfile.reminderMinutes[0]',
    run: () => t.gql(UpdateTenantSettingsDocument, { input: { hostProfile: { reminderMinutes: [-5] } } }, tenantKey),
  },
  { name: 'tenants with a forged cursor', field: 'after', run: () => t.gql(TenantsDocument, { after: 'b2Zmc2V0OjEw' }, admin) },
  { name: 'hostUsers with first above the maximum', field: 'first', run: () => t.gql(HostUsersDocument, { first: 1000 }, tenantKey) },
];

describe('invalid arguments', () => {
  it.each(cases)('$name → BAD_USER_INPUT naming "$field", nothing written', async ({ field, run }) => {
    const before = await snapshot();
    const error = onlyError(await run());
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it('rejects a value of the wrong GraphQL type before any resolver runs', async () => {
    const before = await snapshot();
    const r = await t.rawGql('mutation($n: Int) { updateTenantSettings(input: { polling: { activeIntervalMinutes: $n } }) { tenantId } }', { n: 'five' }, tenantKey);
    expect(onlyError(r).extensions?.code).toBe('BAD_USER_INPUT');
    expect(onlyError(r).message).toContain('$n');
    expect(await snapshot()).toEqual(before);
  });
});
