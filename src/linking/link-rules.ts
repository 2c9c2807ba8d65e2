import type { EntityManager } from '@mikro-orm/core';
import { ConflictError } from '../domain/errors.js';
import type { HubId } from '../domain/ids.js';
import type { ProviderSlug } from '../domain/model.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import type { LinkedAccount } from '../providers/provider-auth.js';
import { Connection, HostUser } from '../store/entities/index.js';

export interface LinkRuleInput {
  tenantId: HubId<'tenant'>;
  user: HostUser;
  provider: ProviderSlug;
  account: LinkedAccount;
}

/**
 * The linking rules (issue 4), checked before anything is written; the database's unique keys
 * (one link per tenant + user + provider, one live link per tenant + account) back them up when two
 * links race. Returns the user's existing row for this provider (live: relink in place; REVOKED:
 * reused), or throws `ConflictError` with a tip:
 * - a live link is relinked with its own account only (another account: revoke first);
 * - an account linked (not revoked) to another user of the tenant is refused;
 * - the same account may be linked in another tenant only by the same person, recognised by the
 *   host users' emails being equal (case-insensitive). Hosts key users by their own ids, which
 *   differ between tenants; the email is the one identity both tenants share. A user without an
 *   email can therefore not share an account across tenants.
 * Messages never name other tenants or their users.
 */
export async function checkLinkRules(em: EntityManager, input: LinkRuleInput): Promise<{ existing: Connection | null }> {
  const { tenantId, user, provider, account } = input;
  const name = providerDisplayName(provider);
  const shownAccount = account.email ?? 'this account';

  const existing = await em.findOne(Connection, { tenantId, userId: user.id, provider });
  if (existing && existing.status !== 'REVOKED' && existing.accountId !== account.accountId) {
    const linkedAs = existing.accountEmail ?? 'another account';
    throw new ConflictError(
      `This user's ${name} calendar is linked to ${linkedAs}, but the sign-in was with ${shownAccount}.`,
      `To relink, sign in as ${linkedAs}. To link ${shownAccount} instead, revoke the current ${name} link first (revokeAccess), then link again.`,
    );
  }

  const holder = await em.findOne(Connection, { tenantId, accountKey: `${provider}:${account.accountId}` });
  if (holder && holder.id !== existing?.id) {
    throw new ConflictError(
      `The ${name} account ${shownAccount} is already linked to another user of this organisation.`,
      `An account can be linked to one user only. To let this user see that calendar, share it from ${shownAccount} with an account of their own and link that account instead.`,
    );
  }

  const elsewhere = await em.find(Connection, { tenantId: { $ne: tenantId }, provider, accountId: account.accountId, status: { $ne: 'REVOKED' } });
  if (elsewhere.length > 0) {
    const owners = await em.find(HostUser, { id: { $in: elsewhere.map((c) => c.userId) } });
    const email = user.email?.toLowerCase() ?? null;
    const samePerson = email !== null && elsewhere.every((c) => owners.find((o) => o.id === c.userId)?.email?.toLowerCase() === email);
    if (!samePerson) {
      throw new ConflictError(
        `The ${name} account ${shownAccount} is already linked by a different person in another organisation.`,
        'One account can be linked in several organisations only by the same person, recognised by the same user email in each. Link an account of your own, or ask your administrator to set your user email to the one you use elsewhere.',
      );
    }
  }
  return { existing };
}
