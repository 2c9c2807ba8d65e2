// A hub in a process of its own, for tests that kill and restart hubs (test/helpers/hub-process.ts).
// The provider side runs in the test's process (emulators), so it survives the hub: the settings
// pointing at it come in HUB_TEST_PROVIDER_SETTINGS.
import 'reflect-metadata';
import { loadConfig } from '../../src/config.js';
import { createHub } from '../../src/hub.js';
import type { SandboxProviderSettings } from '../../src/providers/registry.js';

const settings = JSON.parse(process.env.HUB_TEST_PROVIDER_SETTINGS ?? '{}') as SandboxProviderSettings;
const hub = await createHub(loadConfig(process.env), { providerSettings: settings });
const { port } = await hub.listen();
process.stdout.write(`HUB_READY ${JSON.stringify({ port, adminKey: hub.bootstrap?.adminKey ?? null })}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void hub.close().then(() => process.exit(0));
  });
}
