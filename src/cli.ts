import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createPubSub } from './events/create-pubsub.js';
import { isConfigError, loadConfig } from './config.js';
import type { HubConfig } from './config.js';
import { createConnectionServices } from './connections/connection-services.js';
import { ConflictError, isConflictError, isHubError, NotFoundError, ValidationError } from './domain/errors.js';
import { parseId } from './domain/ids.js';
import { providerDisplayName } from './domain/sync-issue.js';
import type { HubPubSub } from './events/hub-pubsub.js';
import { createJobScheduler } from './jobs/job-scheduler.js';
import type { Logger } from './logger.js';
import { buildProviderRegistry, closeProviderRegistry, planProviders, type SandboxProviderSettings } from './providers/registry.js';
import { loadEncryptionKeys } from './security/encryption-keys.js';
import { TokenVault } from './security/token-vault.js';
import { Connection, type SyncRun } from './store/entities/index.js';
import type { Orm } from './store/orm.js';
import { createSyncServices } from './sync/sync-services.js';
import { createLogger } from './logger.js';
import { mongoDbOf } from './store/mongo-db.js';
import { createOrm, prepareSchema } from './store/orm.js';
import type { Page } from './store/repositories/paginate.js';
import { OPERATOR } from './tenancy/caller.js';
import { createTenancyServices } from './tenancy/tenancy-services.js';

/**
 * `npm run hub -- <command>`: the admin tasks of the GraphQL API, straight against the configured
 * database (same DATABASE_URL / DATA_DIR as the server), acting as an operator with admin rights.
 * This is how the first ADMIN key is made on MongoDB, where the hub never bootstraps one itself.
 *
 * Exit codes: 0 done, 1 the operation was refused (bad input, unknown id, conflict), 2 usage error.
 */

export const USAGE = `Usage: npm run hub -- <command> [options] [--json]

Commands:
  create-tenant     --name <name>
  list-tenants      [--first <n>] [--after <cursor>]
  create-api-key    --name <name> [--role TENANT|ADMIN] [--tenant <tenantId>]
                    (TENANT keys need --tenant; the full key is printed once)
  revoke-api-key    --id <apiKeyId>
  list-api-keys     [--tenant <tenantId>] [--include-revoked] [--first <n>] [--after <cursor>]
  upsert-host-user  --tenant <tenantId> --host-user-id <id> [--email <email>] [--name <name>]
                    [--active true|false] [--time-zone <IANA zone>]
  list-host-users   --tenant <tenantId> [--first <n>] [--after <cursor>]
  show-settings     --tenant <tenantId>
  verify-sync       <connectionId> [--repair]
                    (compares the host with the link's primary calendar over the sync window
                    and prints every difference; --repair also puts them right. Runs in this
                    process, next to a running hub, with the configured provider credentials)
  help

Options:
  --json            print JSON instead of a table
`;

const COMMANDS = [
  'create-tenant',
  'list-tenants',
  'create-api-key',
  'revoke-api-key',
  'list-api-keys',
  'upsert-host-user',
  'list-host-users',
  'show-settings',
  'verify-sync',
];

/** Commands that take one positional argument after their name. */
const WITH_ARGUMENT = new Set(['verify-sync']);

const OPTIONS = {
  json: { type: 'boolean' },
  name: { type: 'string' },
  role: { type: 'string' },
  tenant: { type: 'string' },
  id: { type: 'string' },
  first: { type: 'string' },
  after: { type: 'string' },
  'include-revoked': { type: 'boolean' },
  'host-user-id': { type: 'string' },
  email: { type: 'string' },
  active: { type: 'string' },
  'time-zone': { type: 'string' },
  repair: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

class UsageError extends Error {}

type Row = Record<string, unknown>;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

export function formatTable(rows: Row[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

function required(values: Record<string, unknown>, option: string): string {
  const v = values[option];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${option} is required`);
  return v;
}

function optionalInt(values: Record<string, unknown>, option: string): number | undefined {
  const v = values[option];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ValidationError(option, 'must be an integer');
  return n;
}

function optionalBool(values: Record<string, unknown>, option: string): boolean | undefined {
  const v = values[option];
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError(option, 'must be true or false');
}

const pageRows = <T>(page: Page<T>, pick: (node: T) => Row) => page.edges.map((e) => pick(e.node));

function pageFooter(page: Page<unknown>, totalCount: number): string {
  return `${page.edges.length} of ${totalCount}` + (page.pageInfo.hasNextPage ? ` (more: --after ${page.pageInfo.endCursor})` : '') + '\n';
}

/** Runs one CLI command; returns the exit code. `env` defaults to the process environment (read by config.ts). */
export async function runCli(argv: string[], io: CliIo, env?: Record<string, string | undefined>, overrides: CliOverrides = {}): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (!command || command === 'help' || values.help) {
    io.stdout(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (!COMMANDS.includes(command)) {
    io.stderr(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const maxPositionals = WITH_ARGUMENT.has(command) ? 2 : 1;
  if (positionals.length > maxPositionals) {
    io.stderr(`unexpected argument "${positionals[maxPositionals]}"\n\n${USAGE}`);
    return 2;
  }
  if (positionals.length < maxPositionals) {
    io.stderr(`${command} needs an argument\n\n${USAGE}`);
    return 2;
  }

  let config;
  try {
    config = env ? loadConfig(env) : loadConfig();
  } catch (err) {
    if (isConfigError(err)) {
      io.stderr(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger({ level: 'warn' }, { write: (s: string) => io.stderr(s) });
  const orm = await createOrm(config.database, logger);
  const pubsub = createPubSub(
    config.database.kind === 'mongodb' ? { kind: 'mongodb', db: await mongoDbOf(orm) } : { kind: 'in-process' },
    logger,
  );
  const json = values.json === true;
  const print = (data: unknown, table: () => string) => io.stdout(json ? `${JSON.stringify(data, null, 2)}\n` : table());
  try {
    await prepareSchema(orm, config.database);
    const { tenants, apiKeys, hostUsers } = createTenancyServices({ orm, pubsub, logger });
    const keyRow = (k: { id: string; name: string; role: string; tenantId: string | null; prefix: string; createdAt: Date; revokedAt: Date | null }) => ({
      id: k.id,
      name: k.name,
      role: k.role,
      tenantId: k.tenantId,
      prefix: k.prefix,
      createdAt: k.createdAt,
      revokedAt: k.revokedAt,
    });

    const userRow = (u: { id: string; tenantId: string; hostUserId: string; email: string | null; name: string | null; active: boolean; timeZone: string | null }) => ({
      id: u.id,
      tenantId: u.tenantId,
      hostUserId: u.hostUserId,
      email: u.email,
      name: u.name,
      active: u.active,
      timeZone: u.timeZone,
    });

    switch (command) {
      case 'create-tenant': {
        const t = await tenants.create(OPERATOR, { name: required(values, 'name') });
        print({ id: t.id, name: t.name, createdAt: t.createdAt }, () => `Created tenant "${t.name}": ${t.id}\n`);
        return 0;
      }
      case 'list-tenants': {
        const page = await tenants.list(OPERATOR, { first: optionalInt(values, 'first'), after: values.after });
        const rows = pageRows(page, (t) => ({ id: t.id, name: t.name, createdAt: t.createdAt }));
        const totalCount = await page.totalCount;
        print({ tenants: rows, totalCount, endCursor: page.pageInfo.endCursor }, () =>
          formatTable(rows, ['id', 'name', 'createdAt']) + pageFooter(page, totalCount),
        );
        return 0;
      }
      case 'create-api-key': {
        const { apiKey, key } = await apiKeys.create(OPERATOR, {
          name: required(values, 'name'),
          role: values.role ?? 'TENANT',
          tenantId: values.tenant ?? null,
        });
        print(
          { apiKey: keyRow(apiKey), key },
          () =>
            `Created ${apiKey.role} key "${apiKey.name}" (${apiKey.id})${apiKey.tenantId ? ` for tenant ${apiKey.tenantId}` : ''}.\n` +
            `The key is shown only this once:\n\n  ${key}\n\n`,
        );
        return 0;
      }
      case 'revoke-api-key': {
        const k = await apiKeys.revoke(OPERATOR, required(values, 'id'));
        print(keyRow(k), () => `Revoked key "${k.name}" (${k.id}, ${k.prefix}…).\n`);
        return 0;
      }
      case 'list-api-keys': {
        const page = await apiKeys.list(
          OPERATOR,
          { tenantId: values.tenant ?? null, includeRevoked: values['include-revoked'] === true },
          { first: optionalInt(values, 'first'), after: values.after },
        );
        const rows = pageRows(page, keyRow);
        const totalCount = await page.totalCount;
        print({ apiKeys: rows, totalCount, endCursor: page.pageInfo.endCursor }, () =>
          formatTable(rows, ['id', 'name', 'role', 'tenantId', 'prefix', 'createdAt', 'revokedAt']) + pageFooter(page, totalCount),
        );
        return 0;
      }
      case 'upsert-host-user': {
        const { hostUser: u, created } = await hostUsers.upsert(OPERATOR, {
          tenantId: required(values, 'tenant'),
          hostUserId: required(values, 'host-user-id'),
          email: values.email,
          name: values.name,
          active: optionalBool(values, 'active'),
          timeZone: values['time-zone'],
        });
        print({ hostUser: userRow(u), created }, () => `${created ? 'Created' : 'Updated'} host user "${u.hostUserId}" (${u.id}).\n`);
        return 0;
      }
      case 'list-host-users': {
        const page = await hostUsers.list(
          OPERATOR,
          { tenantId: required(values, 'tenant') },
          { first: optionalInt(values, 'first'), after: values.after },
        );
        const rows = pageRows(page, userRow);
        const totalCount = await page.totalCount;
        print({ hostUsers: rows, totalCount, endCursor: page.pageInfo.endCursor }, () =>
          formatTable(rows, ['id', 'hostUserId', 'email', 'name', 'active', 'timeZone']) + pageFooter(page, totalCount),
        );
        return 0;
      }
      case 'show-settings': {
        const { tenant, settings } = await tenants.getSettings(OPERATOR, required(values, 'tenant'));
        print({ tenantId: tenant.id, settings }, () => `Settings of tenant "${tenant.name}" (${tenant.id}):\n${JSON.stringify(settings, null, 2)}\n`);
        return 0;
      }
      case 'verify-sync': {
        const run = await verifySync({ config, orm, pubsub, logger, providerSettings: overrides.providerSettings ?? {} }, positionals[1]!, values.repair === true);
        print({ id: run.id, connectionId: run.connectionId, repair: run.repair, outcome: run.outcome, error: run.error, counts: run.counts, drift: run.drift }, () => formatVerifyRun(run));
        return run.outcome === 'FAILED' ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (isHubError(err)) {
      io.stderr(`error ${err.code}: ${err.message}${isConflictError(err) ? `\ntip: ${err.tip}` : ''}\n`);
      return 1;
    }
    throw err;
  } finally {
    await pubsub.close();
    await orm.close(true);
  }
}

/** What tests hand the CLI instead of configured credentials (emulators of the test's process). */
export interface CliOverrides {
  providerSettings?: SandboxProviderSettings;
}

/**
 * `verify-sync`: the sync layer composed in this process without HTTP or job workers (the link's
 * lease keeps it apart from a running hub's runs), then one VERIFY run executed here. The built-in
 * sandbox lives in the hub's own process, so its links can only be verified through the API.
 */
async function verifySync(
  deps: { config: HubConfig; orm: Orm; pubsub: HubPubSub; logger: Logger; providerSettings: SandboxProviderSettings },
  connectionId: string,
  repair: boolean,
): Promise<SyncRun> {
  const { config, orm, pubsub, logger } = deps;
  const id = parseId('connection', connectionId);
  const link = id ? await orm.em.fork().findOne(Connection, { id }) : null;
  if (!link) throw new NotFoundError('Connection', connectionId);
  const providers = buildProviderRegistry(planProviders(config, deps.providerSettings), { logger });
  const entry = providers[link.provider];
  if (!entry.available) {
    throw new ConflictError(
      `${providerDisplayName(link.provider)} is not available to the command line: ${entry.reason}.`,
      'Run verifySync through the GraphQL API of the running hub (the built-in sandbox lives in its process).',
    );
  }
  const vault = new TokenVault(loadEncryptionKeys({ encryptionKeys: config.encryptionKeys, database: config.database, dataDir: config.dataDir, logger }));
  const jobs = await createJobScheduler({ config, logger, ...(config.database.kind === 'mongodb' ? { mongoDb: await mongoDbOf(orm) } : {}) });
  try {
    const connections = createConnectionServices({ orm, pubsub, logger, vault, providers, agenda: jobs.agenda });
    const sync = createSyncServices({ orm, pubsub, logger, agenda: jobs.agenda, connections, config: config.sync });
    return await sync.sync.verifySync(OPERATOR, connectionId, { repair, here: true });
  } finally {
    await jobs.stop(0);
    await closeProviderRegistry(providers, logger);
  }
}

function formatVerifyRun(run: SyncRun): string {
  const head = `Verify run ${run.id} of link ${run.connectionId}${run.repair ? ' (repair)' : ''}: ${run.outcome}${run.error ? ` — ${run.error.code}: ${run.error.message}` : ''}\n`;
  const d = run.drift;
  if (!d) return head;
  const counts =
    `missing at the provider: ${d.missingAtProvider}, missing in the host: ${d.missingInHost}, duplicates: ${d.duplicates}, ` +
    `content differs: ${d.contentDiffers}, orphaned pairs: ${d.orphanedMappings}\n`;
  const rows = d.items.map((i) => ({ kind: i.kind, appointmentId: i.appointmentId, externalEventId: i.externalEventId, repaired: i.repaired, detail: i.detail }));
  return head + counts + (rows.length > 0 ? formatTable(rows, ['kind', 'appointmentId', 'externalEventId', 'repaired', 'detail']) : 'No drift: the host and the calendar agree.\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const io: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
  runCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
