import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config.js';
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
 */
export async function bootstrapEmbeddedStore(deps: { orm: Orm; config: HubConfig }): Promise<BootstrapResult | null> {
  const { orm, config } = deps;
  if (config.database.kind !== 'sqlite') return null;
  const minted = await orm.em.fork().transactional(async (em) => {
    if ((await em.count(Tenant, {})) > 0 || (await em.count(ApiKey, {})) > 0) return null;
    const tenant = new Tenant(DEFAULT_TENANT_NAME);
    const { key, prefix, hash } = mintApiKey();
    em.persist([tenant, new ApiKey({ tenantId: null, name: 'bootstrap admin', role: 'ADMIN', prefix, hash })]);
    return { tenantId: tenant.id, key };
  });
  if (minted === null) return null;
  let keyFile: string | null = null;
  if (config.database.file !== ':memory:') {
    mkdirSync(config.dataDir, { recursive: true });
    keyFile = path.join(config.dataDir, ADMIN_KEY_FILE_NAME);
    writeFileSync(keyFile, `${minted.key}\n`, { mode: 0o600 });
    // `mode` only applies when the file is created; an old file from a deleted store keeps its mode otherwise.
    chmodSync(keyFile, 0o600);
  }
  return { tenantId: minted.tenantId, adminKey: minted.key, keyFile };
}
