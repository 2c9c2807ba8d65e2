import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config.js';
import { StartRefusedError } from '../domain/errors.js';
import { ApiKey, Tenant } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { mintApiKey } from './api-key.service.js';

export const ADMIN_KEY_FILE_NAME = 'admin-api-key.txt';
export const DEFAULT_TENANT_NAME = 'Default';

export interface BootstrapResult {
  tenantId: string;
  /** The full admin key; the caller shows it once and must not log it. */
  adminKey: string;
  /** Where the key was written (mode 0600), or `null` for an in-memory database. */
  keyFile: string | null;
}

/**
 * First start of the embedded (SQLite) store: when it holds no tenant and no key, create a default
 * tenant and an ADMIN key so a newcomer can call the API at once. Runs in one transaction, so it
 * happens once even if two processes start on a fresh file together (the second one's write fails
 * on SQLite's lock rather than adding a second key). MongoDB deployments are never bootstrapped
 * implicitly: several instances start against one database there, and the operator creates the
 * first key with the CLI (docs/operations.md).
 *
 * An empty store in a data folder that held data — the admin key file of an earlier bootstrap, or
 * a token key file this start did not generate (`tokenKeyFileExisted`) — is an emptied or replaced
 * database, not a first start: the start is refused (`StartRefusedError`, saying what to restore)
 * and no file is touched. The admin key file is never overwritten.
 */
export async function bootstrapEmbeddedStore(deps: { orm: Orm; config: HubConfig; tokenKeyFileExisted: string | null }): Promise<BootstrapResult | null> {
  const { orm, config } = deps;
  if (config.database.kind !== 'sqlite') return null;
  const inMemory = config.database.file === ':memory:';
  const keyFile = inMemory ? null : path.join(config.dataDir, ADMIN_KEY_FILE_NAME);
  const minted = await orm.em.fork().transactional(async (em) => {
    if ((await em.count(Tenant, {})) > 0 || (await em.count(ApiKey, {})) > 0) return null;
    const traces = [keyFile, deps.tokenKeyFileExisted].filter((f): f is string => f !== null && existsSync(f));
    if (traces.length > 0) {
      throw new StartRefusedError(
        `The database ${config.database.url} holds no tenant and no API key, but the data folder held data before (${traces.map((f) => path.basename(f)).join(', ')}): ` +
          'the database was emptied or replaced. Restore hub.db (with its -wal file, if any) from your backup and start again. ' +
          `To start afresh on purpose, move ${config.dataDir} away first.`,
      );
    }
    const tenant = new Tenant(DEFAULT_TENANT_NAME);
    const { key, prefix, hash } = mintApiKey();
    em.persist([tenant, new ApiKey({ tenantId: null, name: 'bootstrap admin', role: 'ADMIN', prefix, hash })]);
    return { tenantId: tenant.id, key };
  });
  if (minted === null) return null;
  if (keyFile !== null) {
    mkdirSync(config.dataDir, { recursive: true });
    // `wx`: never overwrite a key file (the check above found none; this also holds against a race).
    writeFileSync(keyFile, `${minted.key}\n`, { mode: 0o600, flag: 'wx' });
  }
  return { tenantId: minted.tenantId, adminKey: minted.key, keyFile };
}
