import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionTokenStore } from '../../../src/connections/connection-token-store.js';
import { Connection, HostUser, Tenant } from '../../../src/store/entities/index.js';
import { createOrm, prepareSchema, type Orm } from '../../../src/store/orm.js';
import { TokenVault, vaultContext } from '../../../src/security/token-vault.js';

const sqlite = { kind: 'sqlite' as const, file: ':memory:', url: 'sqlite::memory:' };

describe('the token store of a connection', () => {
  let orm: Orm;
  const vault = new TokenVault([{ kid: 'k1', key: randomBytes(32) }]);
  let link: Connection;

  beforeEach(async () => {
    orm = await createOrm(sqlite);
    await prepareSchema(orm, sqlite);
    const em = orm.em.fork();
    const tenant = new Tenant('Acme');
    const user = new HostUser({ tenantId: tenant.id, hostUserId: 'alice' });
    link = new Connection({ tenantId: tenant.id, userId: user.id, provider: 'microsoft-graph', accountId: 'oid-1' });
    link.tokens = vault.seal('grant-1', vaultContext.connectionTokens(link.id));
    await em.persistAndFlush([tenant, user, link]);
  });
  afterEach(async () => {
    await orm.close(true);
  });

  const stored = async () => {
    const row = await orm.em.fork().findOneOrFail(Connection, { id: link.id });
    return row.tokens === null ? null : vault.open(row.tokens, vaultContext.connectionTokens(link.id));
  };
  const relink = async (blob: string) => {
    await orm.em.fork().nativeUpdate(Connection, { id: link.id }, { tokens: vault.seal(blob, vaultContext.connectionTokens(link.id)), status: 'ACTIVE' });
  };

  it('saves what it refreshed, again and again', async () => {
    const seen: string[] = [];
    const store = connectionTokenStore({ orm, vault }, link.id, (sealed) => seen.push(sealed));
    expect(await store.load()).toBe('grant-1');
    await store.save('grant-1-refreshed');
    await store.save('grant-1-refreshed-again');
    expect(await stored()).toBe('grant-1-refreshed-again');
    expect(seen).toHaveLength(2);
  });

  it('does not overwrite a grant that replaced the one it loaded (a relink during a refresh of the old grant)', async () => {
    const seen: string[] = [];
    const oldRun = connectionTokenStore({ orm, vault }, link.id, (sealed) => seen.push(sealed));
    expect(await oldRun.load()).toBe('grant-1');
    await relink('grant-2');
    // The old grant's refresh is refused; MSAL drops the refresh token and saves its cache.
    await oldRun.save('grant-1-without-refresh-token');
    expect(await stored()).toBe('grant-2');
    expect(seen).toEqual([]);
    // A run that loads after the relink saves as usual.
    const newRun = connectionTokenStore({ orm, vault }, link.id);
    expect(await newRun.load()).toBe('grant-2');
    await newRun.save('grant-2-refreshed');
    expect(await stored()).toBe('grant-2-refreshed');
  });

  it('does not write tokens back into a revoked link', async () => {
    const store = connectionTokenStore({ orm, vault }, link.id);
    await store.load();
    await orm.em.fork().nativeUpdate(Connection, { id: link.id }, { status: 'REVOKED', tokens: null });
    await store.save('grant-1-refreshed');
    expect(await stored()).toBeNull();
  });
});
