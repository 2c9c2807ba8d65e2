import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseId } from '../domain/ids.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import { isProviderError } from '../providers/calendar-provider.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { vaultContext, type TokenVault } from '../security/token-vault.js';
import { Calendar, Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { tenantFilter, type Caller } from '../tenancy/caller.js';
import type { ConnectionGuard } from '../connections/connection-guard.js';
import type { LinkJobs } from '../connections/link-jobs.js';
import type { LinkNotices } from '../connections/link-notices.service.js';
import type { CleanupOutcome, CleanupService } from '../sync/cleanup.service.js';

export interface RevokeResult {
  connection: Connection;
  /** True when the grant was also revoked at the provider (Google); Microsoft has no such endpoint for apps. */
  providerGrantRevoked: boolean;
  /** Null when no cleanup was asked for. */
  cleanup: CleanupOutcome | null;
}

/**
 * Revoking a link (`revokeAccess`): with `cleanup`, first delete the events the hub created there;
 * then mark it REVOKED (its calendars leave the PRIMARY and CONFLICT_CHECK roles) and finish the
 * revocation: cancel the link's jobs, stop its push channels, revoke the grant at the provider
 * where that exists, and wipe the sealed tokens. The row stays (its calendars and mappings too), so
 * linking again later reuses it. A grant that is already dead does not stop the revoke: the outcome
 * says what could not be done.
 *
 * Crash-safe order: the link is REVOKED (so no job, sync or guard uses it any more) before anything
 * is undone, and the tokens go last, because stopping push channels and revoking the grant need
 * them. A process that dies in between (e.g. while the provider's revoke is slow) leaves a REVOKED
 * link that still holds tokens; `finishInterrupted` completes it at the next start.
 */
export class LinkRevokeService {
  constructor(
    private readonly deps: {
      orm: Orm;
      vault: TokenVault;
      providers: ProviderRegistry;
      guard: ConnectionGuard;
      cleanup: CleanupService;
      jobs: LinkJobs;
      notices: LinkNotices;
      logger: Logger;
    },
  ) {}

  async revoke(caller: Caller, connectionId: string, options: { cleanup: boolean }): Promise<RevokeResult> {
    if (typeof connectionId !== 'string' || connectionId.trim() === '') throw new ValidationError('connectionId', 'must not be empty');
    const id = parseId('connection', connectionId);
    const link = id ? await this.deps.orm.em.fork().findOne(Connection, { id, ...tenantFilter(caller) }) : null;
    if (!link) throw new NotFoundError('Connection', connectionId);
    const log = { connectionId: link.id, tenantId: link.tenantId, provider: link.provider };
    if (link.status === 'REVOKED') {
      // An earlier revoke that did not finish (the process died) is finished now.
      const providerGrantRevoked = link.tokens !== null ? await this.finish(link) : false;
      return {
        connection: await this.deps.orm.em.fork().findOneOrFail(Connection, { id: link.id }),
        providerGrantRevoked,
        cleanup: options.cleanup ? { status: 'NOT_RUN', eventsDeleted: 0, eventsFailed: 0, failures: [], reason: 'the link was already revoked; the hub holds no access to the account any more' } : null,
      };
    }

    const cleanup = options.cleanup ? await this.deps.cleanup.run(link) : null;

    const em = this.deps.orm.em.fork();
    const fresh = await em.findOneOrFail(Connection, { id: link.id });
    const previousStatus = fresh.status;
    const now = new Date();
    fresh.status = 'REVOKED';
    fresh.statusReason = `Access was revoked on ${now.toISOString().slice(0, 10)}. Link the calendar again to resume syncing.`;
    fresh.revokedAt = now;
    fresh.consecutiveFailures = 0;
    fresh.deriveKeys();
    for (const calendar of await em.find(Calendar, { connectionId: link.id })) {
      calendar.role = 'NONE';
      calendar.deriveKeys();
    }
    await em.flush();

    const providerGrantRevoked = await this.finish(fresh);
    fresh.tokens = null;
    await this.deps.notices.resolveRelinkRequired(fresh);
    await this.deps.notices.statusChanged(fresh, previousStatus);
    this.deps.logger.info({ ...log, providerGrantRevoked, cleanup: cleanup?.status ?? null }, 'link revoked');
    return { connection: fresh, providerGrantRevoked, cleanup };
  }

  /**
   * At start: revocations a dead process left unfinished (REVOKED links that still hold tokens) are
   * finished. Each is logged; a failure is logged and left for the next start.
   */
  async finishInterrupted(): Promise<number> {
    const links = await this.deps.orm.em.fork().find(Connection, { status: 'REVOKED', tokens: { $ne: null } });
    for (const link of links) {
      try {
        const providerGrantRevoked = await this.finish(link);
        this.deps.logger.info({ connectionId: link.id, tenantId: link.tenantId, provider: link.provider, providerGrantRevoked }, 'finished an interrupted revocation');
      } catch (err) {
        this.deps.logger.error({ err, connectionId: link.id }, 'finishing an interrupted revocation failed; the next start tries again');
      }
    }
    return links.length;
  }

  /**
   * The steps after a link turned REVOKED, each safe to repeat: cancel its jobs, stop its push
   * channels, revoke the grant, then forget the tokens — only while the link is still REVOKED, so a
   * relink that happened meanwhile keeps its new jobs, grant and tokens.
   */
  private async finish(link: Connection): Promise<boolean> {
    if ((await this.deps.orm.em.fork().count(Connection, { id: link.id, status: 'REVOKED' })) === 0) return false;
    await this.deps.jobs.stop(link.id, { all: true });
    await this.stopPushChannels(link);
    const providerGrantRevoked = await this.revokeAtProvider(link);
    const em = this.deps.orm.em.fork();
    await em.nativeUpdate(Connection, { id: link.id, status: 'REVOKED' }, { tokens: null, updatedAt: new Date() });
    await em.nativeUpdate(Calendar, { connectionId: link.id, push: { $ne: null } }, { push: null });
    return providerGrantRevoked;
  }

  /** Stops Graph subscriptions / Google channels; one that is already gone counts as stopped. */
  private async stopPushChannels(link: Connection): Promise<void> {
    const calendars = await this.deps.orm.em.fork().find(Calendar, { connectionId: link.id, push: { $ne: null } });
    const channels = calendars.flatMap((c) => (c.push ? [{ calendarId: c.id, channel: c.push }] : []));
    if (channels.length === 0) return;
    try {
      await this.deps.guard.run(
        link.id,
        'stopping push notifications',
        async (provider) => {
          if (!provider.push) return;
          for (const { calendarId, channel } of channels) {
            try {
              await provider.push.unsubscribe(channel);
            } catch (err) {
              if (isProviderError(err) && err.code === 'NOT_FOUND') continue;
              if (isProviderError(err) && err.code === 'AUTH_REVOKED') throw err;
              this.deps.logger.warn({ connectionId: link.id, calendarId, err: { message: err instanceof Error ? err.message : String(err) } }, 'stopping a push channel failed; it expires on its own');
            }
          }
        },
        { allowStatuses: ['REVOKED'], onAuthRevoked: 'report', retry: false },
      );
    } catch (err) {
      this.deps.logger.warn({ connectionId: link.id, err: { message: err instanceof Error ? err.message : String(err) } }, 'push channels could not be stopped; they expire on their own');
    }
  }

  private async revokeAtProvider(link: Connection): Promise<boolean> {
    const entry = this.deps.providers[link.provider];
    const auth = entry.available ? entry.module.auth : null;
    // Re-read: the adapter may have rotated the tokens since the link was loaded (cleanup, a job).
    const tokens = (await this.deps.orm.em.fork().findOne(Connection, { id: link.id, status: 'REVOKED' }, { fields: ['tokens'] }))?.tokens ?? null;
    if (!auth?.revoke || !tokens) return false;
    try {
      await auth.revoke(this.deps.vault.open(tokens, vaultContext.connectionTokens(link.id)));
      return true;
    } catch (err) {
      this.deps.logger.warn(
        { connectionId: link.id, provider: link.provider, err: { message: err instanceof Error ? err.message : String(err) } },
        `revoking the grant at ${providerDisplayName(link.provider)} failed; the hub forgets the tokens anyway`,
      );
      return false;
    }
  }
}
