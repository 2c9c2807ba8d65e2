import { isTokenVaultError, TokenVault, vaultContext } from '../security/token-vault.js';
import { Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';

/** Rows tried per key id before the key counts as not configured (one damaged row is not a lost key). */
const ROWS_TRIED_PER_KEY = 3;

/**
 * The ids of the keys that sealed links' tokens but that none of the vault's keys opens — a lost
 * or replaced token key. Checked at start, before anything uses the tokens: going on would turn
 * every link NEEDS_REAUTH-like later ("credentials could not be loaded") instead of now.
 */
export async function unreadableTokenKeyIds(deps: { orm: Orm; vault: TokenVault }): Promise<string[]> {
  const links = await deps.orm.em.fork().find(Connection, { tokens: { $ne: null } }, { fields: ['id', 'tokens'] });
  const tried = new Map<string, number>();
  const readable = new Set<string>();
  for (const link of links) {
    const kid = link.tokens === null ? null : TokenVault.keyIdOf(link.tokens);
    if (kid === null || readable.has(kid) || (tried.get(kid) ?? 0) >= ROWS_TRIED_PER_KEY) continue;
    tried.set(kid, (tried.get(kid) ?? 0) + 1);
    try {
      deps.vault.open(link.tokens!, vaultContext.connectionTokens(link.id));
      readable.add(kid);
    } catch (err) {
      if (!isTokenVaultError(err)) throw err;
    }
  }
  return [...tried.keys()].filter((kid) => !readable.has(kid));
}
