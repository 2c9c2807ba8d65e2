import { afterAll, beforeAll } from 'vitest';
import { googleContractHarness, startGoogleProviderEnv, type GoogleProviderEnv } from '../../helpers/google-provider-harness.js';
import { describeCalendarProviderContract } from './calendar-provider.contract.js';

// One emulator for the file; every test links a fresh account, and faults are scoped to it.
let env: GoogleProviderEnv;
beforeAll(async () => {
  env = await startGoogleProviderEnv();
});
afterAll(async () => {
  await env?.close();
});

describeCalendarProviderContract('google-calendar', () => googleContractHarness(env));
