import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateApiKeyDocument, CreateTenantDocument, CreateWebhookEndpointDocument, WebhookEndpointsDocument } from '../../graphql/generated.js';
import { onlyError, startTestHub, TEST_ENCRYPTION_KEYS, type TestHub } from '../../helpers/hub-harness.js';

/** In production, webhook URLs must be https and reach public addresses only (SSRF); names resolve through a stand-in DNS here. */
let t: TestHub;
let key: string;

beforeAll(async () => {
  const dns: Record<string, string[]> = { 'hooks.example.com': ['93.184.216.34'], 'metadata.example.com': ['169.254.169.254'], 'intranet.example.com': ['10.20.30.40'] };
  t = await startTestHub(
    { NODE_ENV: 'production', HUB_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS, PUBLIC_URL: 'https://hub.example.com' },
    {
      webhooks: {
        resolve: async (host) => {
          if (!dns[host]) throw new Error('ENOTFOUND');
          return dns[host];
        },
      },
    },
  );
  const tenant = await t.gql(CreateTenantDocument, { input: { name: 'Prod' } }, t.adminKey);
  const created = await t.gql(CreateApiKeyDocument, { input: { tenantId: tenant.data!.createTenant.id, name: 'prod' } }, t.adminKey);
  key = created.data!.createApiKey.key;
});
afterAll(async () => {
  await t?.close();
});

it.each([
  'https://intranet.example.com/hooks',
  'https://metadata.example.com/latest/meta-data',
  'https://10.0.0.1/hooks',
  'https://[fd00::1]/hooks',
  'http://localhost:8080/hooks',
  'http://hooks.example.com/hooks',
])('refuses %s with BAD_USER_INPUT on url, writing nothing', async (url) => {
  const error = onlyError(await t.gql(CreateWebhookEndpointDocument, { input: { url, events: ['appointment.changed'] } }, key));
  expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  expect((await t.gql(WebhookEndpointsDocument, {}, key)).data!.webhookEndpoints.totalCount).toBe(0);
});

it('accepts an https URL of a public host', async () => {
  const created = await t.gql(CreateWebhookEndpointDocument, { input: { url: 'https://hooks.example.com/hooks', events: ['appointment.changed'] } }, key);
  expect(created.errors).toBeUndefined();
  expect(created.data!.createWebhookEndpoint.endpoint.url).toBe('https://hooks.example.com/hooks');
});
