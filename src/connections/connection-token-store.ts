import type { HubId } from '../domain/ids.js';
import type { TokenStore } from '../providers/provider-auth.js';
import { Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { vaultContext, type TokenVault } from '../security/token-vault.js';

/**
 * The `TokenStore` adapters get for one connection: the `tokens` column, sealed by the vault and
 * bound to the connection id. Each call forks its own EntityManager and touches only that column,
 * so an adapter refreshing a token never flushes anything else. A revoked link's tokens are wiped
 * and stay wiped: a refresh finishing after the revoke does not write them back. A save is a
 * compare-and-set against the blob this store last loaded or saved: when the grant was replaced
 * meanwhile (a relink while a run of the old grant waited on a token request), the old grant's
 * blob — MSAL drops a refused refresh token and saves its cache — does not overwrite the new one.
 * `onSaved` hears of every save (the connection guard keeps its copy of the row in step).
 */
export function connectionTokenStore(deps: { orm: Orm; vault: TokenVault }, connectionId: HubId<'connection'>, onSaved?: (sealed: string) => void): TokenStore {
  const context = vaultContext.connectionTokens(connectionId);
  // The sealed blob this store last read or wrote; `undefined` until the first load.
  let held: string | null | undefined;
  return {
    async load() {
      const row = await deps.orm.em.fork().findOne(Connection, { id: connectionId }, { fields: ['tokens'] });
      held = row?.tokens ?? null;
      if (!row?.tokens) return null;
      return deps.vault.open(row.tokens, context);
    },
    async save(tokenBlob) {
      const sealed = deps.vault.seal(tokenBlob, context);
      const where = held === undefined ? { id: connectionId, status: { $ne: 'REVOKED' as const } } : { id: connectionId, status: { $ne: 'REVOKED' as const }, tokens: held };
      const saved = await deps.orm.em.fork().nativeUpdate(Connection, where, { tokens: sealed, updatedAt: new Date() });
      if (saved > 0) {
        held = sealed;
        onSaved?.(sealed);
      }
    },
  };
}

/** A token store in memory: holds a fresh grant while the link is checked, before any row exists. */
export function memoryTokenStore(initial: string): TokenStore & { readonly current: string } {
  let current = initial;
  return {
    get current() {
      return current;
    },
    load: async () => current,
    save: async (blob) => {
      current = blob;
    },
  };
}
