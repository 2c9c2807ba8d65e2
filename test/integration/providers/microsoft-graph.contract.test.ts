import { afterAll, beforeAll } from 'vitest';
import { startMicrosoftTestEnv, type MicrosoftTestEnv } from '../../helpers/microsoft-emulator.js';
import { makeMicrosoftContractHarness, startGraphWebhook } from '../../helpers/microsoft-provider-harness.js';
import { describeCalendarProviderContract } from './calendar-provider.contract.js';

let env: MicrosoftTestEnv;
let webhook: Awaited<ReturnType<typeof startGraphWebhook>>;

beforeAll(async () => {
  env = await startMicrosoftTestEnv();
  webhook = await startGraphWebhook();
});
afterAll(async () => {
  await webhook?.close();
  await env?.close();
});

describeCalendarProviderContract('microsoft-graph (MSAL + Graph client against the Microsoft emulator)', () => makeMicrosoftContractHarness(env, webhook.url));
