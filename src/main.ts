import 'reflect-metadata';
import { isConfigError, loadConfig, type HubConfig } from './config.js';
import { createHub, type Hub } from './hub.js';
import { flushLogger } from './logger.js';
import { providerDisplayName } from './domain/sync-issue.js';
import type { SandboxAccountInfo } from './sandbox/sandbox-providers.js';
import type { BootstrapResult } from './tenancy/embedded-bootstrap.service.js';

/**
 * Process entry: configuration → hub → listen, and graceful shutdown on SIGINT/SIGTERM.
 * Exit codes: 0 after a clean shutdown, 1 for invalid configuration, a failed start or shutdown.
 */

/**
 * A signal within this long of the first is the same request delivered twice (process group +
 * npm's forwarding), not a second one; a later one exits at once.
 */
const REPEATED_SIGNAL_WINDOW_MS = 2_000;

/**
 * The first start's admin key, shown once — on a terminal only. When stdout is not a TTY it is
 * the JSON log stream that log shippers store, so only the key file's path is logged there.
 */
function printBootstrap(result: BootstrapResult, logger: Hub['logger']): void {
  if (!process.stdout.isTTY) {
    if (result.keyFile) logger.info({ keyFile: result.keyFile }, `first start: created tenant "Default" and an ADMIN API key; it is in ${result.keyFile} (not shown: stdout is not a terminal)`);
    else logger.warn('first start: created an ADMIN API key for this in-memory database, but it cannot be shown: stdout is not a terminal and there is no key file');
    return;
  }
  const line = '='.repeat(78);
  process.stdout.write(
    [
      '',
      line,
      ' First start: created tenant "Default" and an ADMIN API key. It is shown only this once:',
      '',
      `   ${result.adminKey}`,
      '',
      result.keyFile
        ? ` It is also saved to ${result.keyFile} (readable by you only).`
        : ' The database is in memory, so the key lives as long as this process.',
      ' Send it as:  Authorization: Bearer <key>',
      line,
      '',
      '',
    ].join('\n'),
  );
}

/** Shown on every start that uses the built-in sandbox: which accounts a newcomer can link. */
function printSandbox(accounts: SandboxAccountInfo[], graphqlUrl: string): void {
  const line = '-'.repeat(78);
  const row = (a: SandboxAccountInfo) => `   ${providerDisplayName(a.provider).padEnd(24)} ${a.email.padEnd(40)} ${a.sandboxUrl}`;
  const unlinkable = accounts.filter((a) => a.cannotLink);
  process.stdout.write(
    [
      '',
      line,
      ' Sandbox providers (no credentials configured): link these accounts with linkCalendar at',
      ` ${graphqlUrl}; each page lets you play the calendar side (events, sign-in).`,
      '',
      ...accounts.filter((a) => !a.cannotLink).map(row),
      ...(unlinkable.length > 0
        ? ['', ' These cannot be linked; they show how the hub refuses an account:', ...unlinkable.flatMap((a) => [row(a), `     cannot be linked: ${a.cannotLink}`])]
        : []),
      line,
      '',
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  let config: HubConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (isConfigError(err)) {
      process.stderr.write(`${err.message}\nSee the configuration table in README.md.\n`);
      process.exit(1);
    }
    throw err;
  }

  let hub: Hub;
  try {
    hub = await createHub(config);
  } catch (err) {
    process.stderr.write(`The hub could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const { logger } = hub;

  let stoppingSince: number | null = null;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== null) {
      // One Ctrl-C often arrives twice: the terminal signals its whole foreground process group,
      // and `npm start` (like `tsx watch`) also forwards what it got to this process.
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_WINDOW_MS) {
        logger.info({ signal }, 'the same signal again (npm forwards it too): still shutting down gracefully');
        return;
      }
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'signal received, shutting down gracefully');
    // Last resort if something hangs: HTTP and jobs each get the grace period, plus some slack.
    const deadline = setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs * 2 + 5_000);
    deadline.unref();
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // The log is buffered (src/logger.ts): its lines so far go out before text written to stdout directly.
  if (hub.bootstrap) {
    await flushLogger(logger);
    printBootstrap(hub.bootstrap, logger);
  }
  try {
    const { url } = await hub.listen();
    logger.info({ url, database: config.database.kind }, `GraphQL ready at ${url}`);
    if (hub.sandbox) {
      await flushLogger(logger);
      printSandbox(hub.sandbox.accounts(), url);
    }
  } catch (err) {
    logger.error({ err }, 'could not start listening');
    await hub.close().catch(() => undefined);
    process.exit(1);
  }
}

await main();
