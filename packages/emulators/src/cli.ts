import path from 'node:path';
import { pino } from 'pino';
import { startEmulators, type Emulators } from './start-emulators.js';

/**
 * `npm run emulators`: both provider emulators standalone, with the sandbox state persisted under
 * `DATA_DIR` (default `./data`). Ports come from `SANDBOX_MICROSOFT_PORT` / `SANDBOX_GOOGLE_PORT`
 * (0 = any free port). Prints every endpoint a person or the hub needs, then runs until SIGINT/SIGTERM.
 * It reads the hub's variables of the same names (README, configuration), and only those.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface CliSettings {
  dataDir: string;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  microsoftPort: number;
  googlePort: number;
}

/** The settings from the environment, with the hub's defaults; throws naming every bad variable. */
function readSettings(env: NodeJS.ProcessEnv): CliSettings {
  const problems: string[] = [];
  const value = (name: string) => (env[name]?.trim() ? env[name] : undefined);
  const port = (name: string) => {
    const raw = value(name);
    if (raw === undefined) return 0;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
    problems.push(`  ${name}: expected an integer between 0 and 65535`);
    return 0;
  };
  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`  LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`);
  const settings = {
    dataDir: path.resolve(value('DATA_DIR') ?? './data'),
    host: value('HOST') ?? '127.0.0.1',
    logLevel: logLevel as CliSettings['logLevel'],
    microsoftPort: port('SANDBOX_MICROSOFT_PORT'),
    googlePort: port('SANDBOX_GOOGLE_PORT'),
  };
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  return settings;
}

function describeEndpoints(e: Emulators, dataDir: string): string {
  const ms = e.microsoft;
  const g = e.google;
  const lines = [
    'Calendar sync hub — provider emulators',
    '',
    'Microsoft (identity platform v2 + Graph, HTTPS)',
    `  origin:            ${ms.origin}`,
    `  browser pages:     ${ms.browserOrigin}  (sign-in, consent and sandbox pages over plain http)`,
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
  const settings = readSettings(process.env);
  const logger = pino({ name: 'emulators', level: settings.logLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
  const emulators = await startEmulators({
    dataDir: settings.dataDir,
    persist: true,
    host: settings.host,
    microsoftPort: settings.microsoftPort,
    googlePort: settings.googlePort,
    logger,
  });
  process.stdout.write(`${describeEndpoints(emulators, settings.dataDir)}\n`);

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
