import { setTimeout as sleep } from 'node:timers/promises';
import type { HubId } from '../domain/ids.js';
import type { ConnectionStatus } from '../domain/model.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import type { Logger } from '../logger.js';
import { isProviderError, type CalendarProvider, type ProviderError } from '../providers/calendar-provider.js';
import type { RequestMeter } from '../providers/provider-module.js';
import { providerModule, type ProviderRegistry } from '../providers/registry.js';
import { RetrySchedule, type RetryPolicy } from '../providers/retry-policy.js';
import type { TokenVault } from '../security/token-vault.js';
import { Connection } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import { connectionTokenStore } from './connection-token-store.js';
import { ConnectionNotActiveError } from './connections.errors.js';
import type { LinkJobs } from './link-jobs.js';
import type { LinkNotices } from './link-notices.service.js';

/**
 * Retries of a whole operation, on top of the adapters' retries of single requests: one more
 * attempt by default; a wait over 30 s (e.g. a long Retry-After) ends the operation now and the
 * next job run tries again.
 */
export const DEFAULT_GUARD_RETRY: RetryPolicy = { maxAttempts: 2, baseDelayMs: 2_000, maxDelayMs: 30_000, maxTotalWaitMs: 30_000 };

export interface GuardOptions {
  /** Statuses the operation may run in (default: ACTIVE only). */
  allowStatuses?: readonly ConnectionStatus[];
  /**
   * `mark` (default): AUTH_REVOKED turns the link NEEDS_REAUTH. `report`: only rethrow — for callers
   * that are about to end the link anyway (revoke).
   */
  onAuthRevoked?: 'mark' | 'report';
  /** Retry retryable failures of the whole operation (default true); off for non-idempotent operations. */
  retry?: boolean;
  /** Counts the provider requests the operation makes. */
  meter?: RequestMeter;
}

/**
 * The one place where provider failures of a link become link state. Every provider call made for
 * a link runs through `run`:
 * - `AUTH_REVOKED`: the grant is dead. The link turns NEEDS_REAUTH with a readable reason, gets
 *   one RELINK_REQUIRED notice, its jobs stop, and the change is published. Nothing else of the
 *   user changes (their other links keep running).
 * - `TRANSIENT` / `RATE_LIMITED`: retried under the hub's retry policy (src/providers/retry-policy.ts,
 *   `DEFAULT_GUARD_RETRY`: Retry-After honoured, jittered back-off, bounded); when the
 *   retries are used up, `consecutiveFailures` and `lastError` record it and the link stays ACTIVE.
 * - success resets `consecutiveFailures`.
 * Other provider errors (NOT_FOUND, PRECONDITION_FAILED…) concern the item, not the link: they are
 * rethrown untouched for the caller to handle.
 */
export class ConnectionGuard {
  private readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly deps: {
      orm: Orm;
      vault: TokenVault;
      providers: ProviderRegistry;
      notices: LinkNotices;
      jobs: LinkJobs;
      logger: Logger;
      retry?: Partial<RetryPolicy>;
    },
  ) {
    this.retryPolicy = { ...DEFAULT_GUARD_RETRY, ...deps.retry };
  }

  /** The provider of a link, with its vault-backed token store. Prefer `run`, which handles failures. */
  providerFor(link: Connection, meter?: RequestMeter): CalendarProvider {
    const homeAccountId = link.providerState?.provider === 'microsoft-graph' ? link.providerState.homeAccountId : null;
    return providerModule(this.deps.providers, link.provider).connect({
      connectionId: link.id,
      accountId: link.accountId,
      homeAccountId,
      // The run's own token refreshes keep `link.tokens` current: a grant replaced by someone else (a relink) is told apart.
      tokens: connectionTokenStore(this.deps, link.id, (sealed) => (link.tokens = sealed)),
      logger: this.deps.logger.child({ connectionId: link.id, provider: link.provider }),
      ...(meter ? { meter } : {}),
    });
  }

  /**
   * Runs `operation` with the link's provider. `what` names it in logs and stored errors
   * ("refreshing the calendar list"). Throws `ConnectionNotActiveError`, `ProviderError`, or what
   * `operation` throws.
   */
  async run<T>(connectionId: HubId<'connection'>, what: string, operation: (provider: CalendarProvider, link: Connection) => Promise<T>, options: GuardOptions = {}): Promise<T> {
    const allowed = options.allowStatuses ?? ['ACTIVE'];
    const link = await this.deps.orm.em.fork().findOne(Connection, { id: connectionId });
    if (!link) throw new ConnectionNotActiveError(connectionId, 'REVOKED');
    if (!allowed.includes(link.status)) throw new ConnectionNotActiveError(connectionId, link.status);
    const provider = this.providerFor(link, options.meter);
    const schedule = new RetrySchedule(options.retry === false ? { ...this.retryPolicy, maxAttempts: 1 } : this.retryPolicy);

    for (;;) {
      try {
        const result = await operation(provider, link);
        if (link.consecutiveFailures > 0) {
          await this.deps.orm.em.fork().nativeUpdate(Connection, { id: link.id }, { consecutiveFailures: 0, updatedAt: new Date() });
        }
        return result;
      } catch (err) {
        if (!isProviderError(err)) throw err;
        if (err.code === 'AUTH_REVOKED') {
          if ((options.onAuthRevoked ?? 'mark') === 'mark') await this.markNeedsReauth(link, err);
          throw err;
        }
        if (!err.retryable) throw err;
        const attempt = schedule.attempt;
        const next = schedule.next(err.details.retryAfterMs);
        if (next.retry) {
          this.deps.logger.warn({ connectionId, provider: link.provider, code: err.code, attempt, delayMs: next.delayMs, err: { message: err.message } }, `${what} failed; retrying`);
          await sleep(next.delayMs);
          continue;
        }
        await this.recordFailure(link, what, err);
        throw err;
      }
    }
  }

  /**
   * The grant is dead: NEEDS_REAUTH with a reason, one RELINK_REQUIRED notice, jobs stopped,
   * published. Idempotent: only the call that moves the link out of ACTIVE/ERROR does all that,
   * and only while the link still holds the tokens the failing call was made with. A relink that
   * overtakes it leaves the link ACTIVE with its jobs and no notice open.
   */
  async markNeedsReauth(link: Connection, error: ProviderError): Promise<boolean> {
    // Only the grant this call used is dead: when the link was linked again meanwhile (its tokens
    // replaced while a call of the old grant was waiting out a throttle), the new grant stands.
    const reason = `${providerDisplayName(link.provider)} no longer accepts the hub's access to this account (${error.details.providerCode ?? error.code}). This happens when the password is reset, access is removed in the account settings, or the account was not used for a long time.`;
    const em = this.deps.orm.em.fork();
    const changed = await em.nativeUpdate(
      Connection,
      { id: link.id, status: { $in: ['ACTIVE', 'ERROR'] }, tokens: link.tokens },
      {
        status: 'NEEDS_REAUTH',
        statusReason: reason,
        lastError: { code: error.code, message: error.message, at: new Date().toISOString() },
        updatedAt: new Date(),
      },
    );
    if (changed === 0) return false;
    const previousStatus = link.status;
    link.status = 'NEEDS_REAUTH';
    link.statusReason = reason;
    this.deps.logger.warn({ connectionId: link.id, provider: link.provider, providerCode: error.details.providerCode }, 'link needs re-authorisation: its grant was revoked or expired');
    await this.deps.jobs.stop(link.id).catch((err: unknown) => this.deps.logger.error({ err, connectionId: link.id }, "cancelling the link's jobs failed"));
    await this.deps.notices.relinkRequired(link, `${providerDisplayName(link.provider)} no longer accepts the hub's access to this account.`);
    // A relink that landed after the update above (in another hub process too) has started the jobs
    // and resolved the notice already, perhaps before the stop and the notice above: start the jobs
    // again and resolve the notice, for the new grant stands.
    const now = await em.fork().findOne(Connection, { id: link.id }, { fields: ['status'] });
    if (now?.status === 'ACTIVE') {
      await this.deps.jobs.start(link.id).catch((err: unknown) => this.deps.logger.error({ err, connectionId: link.id }, "scheduling the link's jobs failed"));
      await this.deps.notices.resolveRelinkRequired(link);
      return true;
    }
    await this.deps.notices.statusChanged(link, previousStatus);
    return true;
  }

  private async recordFailure(link: Connection, what: string, error: ProviderError): Promise<void> {
    const em = this.deps.orm.em.fork();
    const fresh = await em.findOne(Connection, { id: link.id });
    if (!fresh) return;
    fresh.consecutiveFailures += 1;
    fresh.lastError = { code: error.code, message: `${what}: ${error.message}`, at: new Date().toISOString() };
    await em.flush();
    link.consecutiveFailures = fresh.consecutiveFailures;
    this.deps.logger.warn(
      { connectionId: link.id, provider: link.provider, code: error.code, consecutiveFailures: fresh.consecutiveFailures, err: { message: error.message } },
      `${what} failed; the link stays active and the next run tries again`,
    );
  }
}
