import path from 'node:path';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startEmulators, type Emulators } from './index.js';

/**
 * `npm run emulators`: both provider emulators standalone, with the sandbox state persisted under
 * `DATA_DIR` (default `./data`). Ports come from `SANDBOX_MICROSOFT_PORT` / `SANDBOX_GOOGLE_PORT`
 * (0 = any free port). Prints every endpoint a person or the hub needs, then runs until SIGINT/SIGTERM.
 */
export function describeEndpoints(e: Emulators, dataDir: string): string {
  const ms = e.microsoft;
  const g = e.google;
  const lines = [
    'Calendar sync hub — provider emulators',
    '',
    'Microsoft (identity platform v2 + Graph, HTTPS)',
    `  origin:            ${ms.origin}`,
    `  authority:         ${ms.authority('common')}  (knownAuthorities: ${ms.authorityHost})`,
    `  openid metadata:   ${ms.authority('common')}v2.0/.well-known/openid-configuration`,
    `  graph base URL:    ${ms.graphBaseUrl}/v1.0`,
    `  control:           ${ms.origin}/_control/accounts`,
    '',
    'Google (OAuth 2.0 + Calendar v3)',
    `  origin:            ${g.origin}`,
    `  auth URL:          ${g.authUrl}`,
    `  token URL:         ${g.tokenUrl}`,
    `  revoke URL:        ${g.revokeUrl}`,
    `  calendar root URL: ${g.calendarRootUrl}`,
    `  control:           ${g.origin}/_control/accounts`,
    '',
    'Sandbox pages',
    ...ms.listAccounts().map((a) => `  Microsoft ${a.email.padEnd(40)} ${ms.sandboxUrl(a.id)}`),
    ...g.listAccounts().map((a) => `  Google    ${a.email.padEnd(40)} ${g.sandboxUrl(a.id)}`),
    '',
    `CA certificate (trust it for provider calls only): ${path.join(dataDir, 'emulators', 'tls', 'ca.pem')}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'emulators' });
  const emulators = await startEmulators({
    dataDir: config.dataDir,
    persist: true,
    host: config.host,
    microsoftPort: config.sandbox.microsoftPort,
    googlePort: config.sandbox.googlePort,
    logger,
  });
  process.stdout.write(`${describeEndpoints(emulators, config.dataDir)}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping emulators');
    emulators.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'emulators did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`emulators failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
