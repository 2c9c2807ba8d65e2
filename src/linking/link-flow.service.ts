import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { ConflictError, isConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { isIdOf } from '../domain/ids.js';
import type { ConnectionProviderState } from '../domain/provider-state.js';
import { PROVIDER_KINDS, PROVIDER_SLUGS, providerSlugOf, type ConnectionStatus, type ProviderKind, type ProviderSlug } from '../domain/model.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings } from '../domain/tenant-settings.js';
import type { Logger } from '../logger.js';
import { isProviderError } from '../providers/calendar-provider.js';
import { isLinkRefusedError, type CodeRedemption } from '../providers/provider-auth.js';
import { isProviderUnavailableError, providerModule, type ProviderModule, type ProviderRegistry } from '../providers/registry.js';
import { memoryTokenStore } from '../connections/connection-token-store.js';
import type { LinkJobs } from '../connections/link-jobs.js';
import type { LinkNotices } from '../connections/link-notices.service.js';
import { vaultContext, type TokenVault } from '../security/token-vault.js';
import { Connection, HostUser, OAuthState, Tenant } from '../store/entities/index.js';
import type { Orm } from '../store/orm.js';
import type { SyncMappingService } from '../sync/sync-mapping.service.js';
import { tenantFilter, type Caller } from '../tenancy/caller.js';
import { oneOf, requiredText } from '../tenancy/input-rules.js';
import type { CalendarListService } from './calendar-list.service.js';
import { linkFailures, type LinkFailure } from './link-failure.js';
import { checkLinkRules } from './link-rules.js';
import { hashCallback, hashOAuthState, newOAuthState, newPkcePair } from './oauth-secrets.js';
import type { PublicUrl } from './public-url.js';

/** Time source of the linking flow; tests move it to expire sign-in links. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** How long a sign-in link (the OAuth `state`) stays valid. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export interface LinkCalendarInput {
  /** The hub's HostUser id. */
  userId: string;
  provider: ProviderKind;
  /** Absolute http(s) URL the user's browser returns to after the callback. */
  returnTo?: string | null;
}

export interface LinkCalendarStart {
  authorizationUrl: string;
  expiresAt: Date;
  /**
   * True when the user already has a link to this provider, live or revoked: finishing the sign-in
   * reuses it (its connectionId included) instead of making a new one.
   */
  relink: boolean;
}

/** What the provider's redirect carried to `GET /oauth/callback/:provider`. */
export interface CallbackParams {
  state: string | undefined;
  code: string | undefined;
  error: string | undefined;
  errorDescription: string | undefined;
}

export type CallbackOutcome =
  | { ok: true; provider: ProviderSlug; connectionId: string; accountEmail: string | null; relinked: boolean; returnTo: string | null }
  | { ok: false; provider: ProviderSlug | null; failure: LinkFailure; returnTo: string | null };

export interface LinkFlowDeps {
  orm: Orm;
  vault: TokenVault;
  providers: ProviderRegistry;
  publicUrl: PublicUrl;
  calendars: CalendarListService;
  notices: LinkNotices;
  jobs: LinkJobs;
  mappings: SyncMappingService;
  logger: Logger;
  clock?: Clock;
}

const isProviderSlug = (value: string): value is ProviderSlug => (PROVIDER_SLUGS as readonly string[]).includes(value);

/**
 * `returnTo` must be an absolute http(s) URL (the callback redirects the browser there) on one of
 * the tenant's `returnToOrigins`; the origin is checked once the tenant is known.
 */
function validReturnTo(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const v = value.trim();
  if (v.length > 2000) throw new ValidationError('returnTo', 'must be at most 2000 characters');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ValidationError('returnTo', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('returnTo', 'must be an absolute http(s) URL');
  if (url.username || url.password) throw new ValidationError('returnTo', 'must not contain credentials');
  return url.toString();
}

function providerStateOf(slug: ProviderSlug, redemption: CodeRedemption): ConnectionProviderState {
  switch (slug) {
    case 'microsoft-graph':
      return { provider: slug, homeAccountId: redemption.account.homeAccountId ?? '', tenantId: redemption.account.directoryId };
    case 'google-calendar':
      return { provider: slug, subject: redemption.account.accountId };
  }
}

/**
 * Linking a calendar: `start` hands out the provider's consent URL for a host user, `complete`
 * finishes the sign-in when the provider redirects back to the hub's callback.
 *
 * A sign-in attempt is an `OAuthState` row: only the SHA-256 of the random `state` is stored, the
 * PKCE verifier is sealed by the vault for that row, and the row is bound to tenant, user and
 * provider, expires after 10 minutes and is consumed (atomically, before the code is redeemed) on
 * first use, so a replay fails even when it races the original.
 */
export class LinkFlowService {
  private readonly clock: Clock;

  constructor(private readonly deps: LinkFlowDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  async start(caller: Caller, input: LinkCalendarInput): Promise<LinkCalendarStart> {
    const userId = requiredText('userId', input.userId, 100);
    const kind = oneOf('provider', String(input.provider), PROVIDER_KINDS);
    const returnTo = validReturnTo(input.returnTo);
    const slug = providerSlugOf(kind);
    let module: ProviderModule;
    try {
      module = providerModule(this.deps.providers, slug);
    } catch (err) {
      if (isProviderUnavailableError(err)) throw new ValidationError('provider', err.message);
      throw err;
    }

    const em = this.deps.orm.em.fork();
    const user = isIdOf('hostUser', userId) ? await em.findOne(HostUser, { id: userId, ...tenantFilter(caller) }) : null;
    if (!user) throw new NotFoundError('HostUser', userId);
    if (!user.active) {
      throw new ConflictError(`Host user "${user.id}" is inactive, so no calendar can be linked for them.`, 'Reactivate the user (upsertHostUser with active: true), then link again.');
    }
    if (returnTo !== null) {
      const tenant = await em.findOneOrFail(Tenant, { id: user.tenantId });
      const origin = new URL(returnTo).origin;
      if (!mergeTenantSettings(DEFAULT_TENANT_SETTINGS, tenant.settings).returnToOrigins.includes(origin)) {
        throw new ValidationError('returnTo', `its origin ${origin} is not one of the tenant's returnToOrigins; add it with updateTenantSettings first`);
      }
    }
    // One link row per user and provider: a revoked one is reused too (same connectionId).
    const existing = await em.findOne(Connection, { tenantId: user.tenantId, userId: user.id, provider: slug });
    const live = existing?.status === 'REVOKED' ? null : existing;

    const now = this.clock.now();
    const state = newOAuthState();
    const pkce = newPkcePair();
    const authorizationUrl = await module.auth.authorizationUrl({
      state,
      codeChallenge: pkce.challenge,
      redirectUri: this.deps.publicUrl.redirectUri(slug),
      loginHint: live?.accountEmail ?? user.email,
    });
    const expiresAt = new Date(now.getTime() + OAUTH_STATE_TTL_MS);
    const row = new OAuthState({ stateHash: hashOAuthState(state), tenantId: user.tenantId, userId: user.id, provider: slug, codeVerifier: '', expiresAt, returnTo });
    row.codeVerifier = this.deps.vault.seal(pkce.verifier, vaultContext.oauthVerifier(row.id));
    em.persist(row);
    await em.flush();
    // Housekeeping: sign-in links that can no longer be used are of no further value.
    await em.nativeDelete(OAuthState, { expiresAt: { $lt: new Date(now.getTime() - OAUTH_STATE_TTL_MS) } });
    this.deps.logger.info({ tenantId: user.tenantId, hostUserId: user.id, provider: slug, oauthStateId: row.id, relink: existing !== null }, 'linking started');
    return { authorizationUrl, expiresAt, relink: existing !== null };
  }

  /**
   * Finishes a sign-in. Never throws: every failure is an outcome the callback page can show. The
   * outcome is kept with the used state, so the same callback again (a reload, back-navigation)
   * answers the same outcome without doing anything.
   */
  async complete(providerParam: string, params: CallbackParams): Promise<CallbackOutcome> {
    if (!isProviderSlug(providerParam)) return { ok: false, provider: null, failure: linkFailures.unknownProvider(), returnTo: null };
    const slug = providerParam;
    const invalid: CallbackOutcome = { ok: false, provider: slug, failure: linkFailures.stateInvalid(), returnTo: null };
    const callbackHash = hashCallback(params);
    let attempt: OAuthState | null;
    try {
      attempt = await this.stateRow(slug, params.state);
      if (!attempt) return invalid;
      if (!(await this.consumeState(attempt, callbackHash))) {
        // Used already: by this very callback (a reload of the result page) it shows that result again.
        const repeated = attempt.callbackHash === callbackHash && attempt.outcome !== null;
        return repeated ? ({ ...(JSON.parse(attempt.outcome!) as object), returnTo: attempt.returnTo } as CallbackOutcome) : invalid;
      }
    } catch (err) {
      this.deps.logger.error({ err, provider: slug }, 'the OAuth callback failed');
      return { ok: false, provider: slug, failure: linkFailures.internal(), returnTo: null };
    }
    const outcome = await this.completeConsumed(slug, attempt, params);
    const { returnTo: _returnTo, ...shown } = outcome;
    const oauthStateId = attempt.id;
    await this.deps.orm.em
      .fork()
      .nativeUpdate(OAuthState, { id: oauthStateId }, { outcome: JSON.stringify(shown) })
      .catch((err: unknown) => this.deps.logger.warn({ err, oauthStateId }, 'keeping the outcome of a sign-in failed; reloading its page will say the link was used'));
    return outcome;
  }

  private async completeConsumed(slug: ProviderSlug, consumed: OAuthState, params: CallbackParams): Promise<CallbackOutcome> {
    const fail = (failure: LinkFailure, returnTo: string | null): CallbackOutcome => ({ ok: false, provider: slug, failure, returnTo });
    const oauthStateId = consumed.id;
    try {
      const { returnTo } = consumed;
      const log = { tenantId: consumed.tenantId, hostUserId: consumed.userId, provider: slug, oauthStateId };

      let module: ProviderModule;
      try {
        module = providerModule(this.deps.providers, slug);
      } catch (err) {
        if (isProviderUnavailableError(err)) return fail(linkFailures.providerUnavailable(err.message), returnTo);
        throw err;
      }
      if (params.error) {
        const refusal = module.auth.describeCallbackError({ error: params.error.slice(0, 100), errorDescription: params.errorDescription?.slice(0, 500) ?? null });
        this.deps.logger.info({ ...log, reason: refusal.reason, providerError: params.error.slice(0, 100) }, 'linking refused at the provider');
        return fail(linkFailures.refused(refusal), returnTo);
      }
      if (!params.code) return fail(linkFailures.providerError(providerDisplayName(slug), 'NO_CODE'), returnTo);

      const codeVerifier = this.deps.vault.open(consumed.codeVerifier, vaultContext.oauthVerifier(consumed.id));
      let redemption: CodeRedemption;
      try {
        redemption = await module.auth.redeemCode({ code: params.code, codeVerifier, redirectUri: this.deps.publicUrl.redirectUri(slug) });
      } catch (err) {
        if (isLinkRefusedError(err)) {
          this.deps.logger.info({ ...log, reason: err.reason }, 'linking refused');
          return fail(linkFailures.refused(err), returnTo);
        }
        if (isProviderError(err)) {
          this.deps.logger.warn({ ...log, code: err.code, providerCode: err.details.providerCode, err: { message: err.message } }, 'redeeming the authorisation code failed');
          return fail(linkFailures.providerError(providerDisplayName(slug), err.code), returnTo);
        }
        throw err;
      }

      try {
        const linked = await this.activate(consumed, slug, module, redemption);
        this.deps.logger.info({ ...log, connectionId: linked.connection.id, relinked: linked.relinked }, 'calendar linked');
        return { ok: true, provider: slug, connectionId: linked.connection.id, accountEmail: linked.connection.accountEmail, relinked: linked.relinked, returnTo };
      } catch (err) {
        if (isConflictError(err)) {
          this.deps.logger.info({ ...log, err: { message: err.message } }, 'linking refused by the linking rules');
          return fail(linkFailures.conflict(err.message, err.tip), returnTo);
        }
        if (err instanceof UserUnavailableError) return fail(linkFailures.userUnavailable(), returnTo);
        if (isLinkRefusedError(err)) return fail(linkFailures.refused(err), returnTo);
        if (isProviderError(err)) {
          this.deps.logger.warn({ ...log, code: err.code, err: { message: err.message } }, 'reading the calendars of the new link failed');
          return fail(linkFailures.providerError(providerDisplayName(slug), err.code), returnTo);
        }
        throw err;
      }
    } catch (err) {
      this.deps.logger.error({ err, provider: slug, oauthStateId }, 'the OAuth callback failed');
      return fail(linkFailures.internal(), null);
    }
  }

  /** The sign-in attempt of a `state`; null when unknown or another provider's. */
  private async stateRow(slug: ProviderSlug, state: string | undefined): Promise<OAuthState | null> {
    if (!state || state.length > 200) return null;
    const row = await this.deps.orm.em.fork().findOne(OAuthState, { stateHash: hashOAuthState(state) });
    return row && row.provider === slug ? row : null;
  }

  /** Marks the attempt used by this callback in one conditional write; false when it was used already or has expired. */
  private async consumeState(row: OAuthState, callbackHash: string): Promise<boolean> {
    const now = this.clock.now();
    const consumed = await this.deps.orm.em.fork().nativeUpdate(OAuthState, { id: row.id, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now, updatedAt: now, callbackHash });
    if (consumed !== 1) return false;
    row.usedAt = now;
    return true;
  }

  /**
   * Applies the linking rules, reads the calendars with the fresh grant (nothing is stored if that
   * fails), then stores the link, its sealed tokens and its calendars in one flush.
   */
  private async activate(attempt: OAuthState, slug: ProviderSlug, module: ProviderModule, redemption: CodeRedemption): Promise<{ connection: Connection; relinked: boolean }> {
    const em = this.deps.orm.em.fork();
    const user = await em.findOne(HostUser, { id: attempt.userId, tenantId: attempt.tenantId });
    if (!user || !user.active) throw new UserUnavailableError();
    const { existing } = await checkLinkRules(em, { tenantId: attempt.tenantId, user, provider: slug, account: redemption.account });

    const connection =
      existing ??
      new Connection({ tenantId: attempt.tenantId, userId: user.id, provider: slug, accountId: redemption.account.accountId, accountEmail: redemption.account.email });
    const accountChanged = existing !== null && existing.accountId !== redemption.account.accountId;

    const tokens = memoryTokenStore(redemption.tokenBlob);
    const listed = await module
      .connect({
        connectionId: connection.id,
        accountId: redemption.account.accountId,
        homeAccountId: redemption.account.homeAccountId,
        tokens,
        logger: this.deps.logger.child({ connectionId: connection.id, provider: slug }),
      })
      .listCalendars();
    // The row as it is now (its status before this sign-in): while the calendars were read, a run of
    // the old grant may have turned the link NEEDS_REAUTH.
    if (existing) await em.refresh(existing);
    const previousStatus: ConnectionStatus | null = existing?.status ?? null;
    const reviving = previousStatus === 'REVOKED';

    const now = this.clock.now();
    if (!existing) {
      const tenant = await em.findOneOrFail(Tenant, { id: attempt.tenantId });
      connection.twoWay = mergeTenantSettings(DEFAULT_TENANT_SETTINGS, tenant.settings).twoWayByDefault;
      em.persist(connection);
    }
    connection.accountId = redemption.account.accountId;
    connection.accountEmail = redemption.account.email?.toLowerCase() ?? null;
    connection.tokens = this.deps.vault.seal(tokens.current, vaultContext.connectionTokens(connection.id));
    connection.grantedScopes = [...redemption.grantedScopes];
    connection.providerState = providerStateOf(slug, redemption);
    Object.assign(connection, ACTIVE_STATE);
    connection.lastSyncAt = now;
    // Only appointments after activation sync (product-behaviours.md): a relink keeps the original
    // activation; linking again after a revoke is a new activation.
    if (connection.activatedAt === null || reviving) connection.activatedAt = now;
    connection.deriveKeys();
    await this.deps.calendars.apply(em, connection, listed, now);

    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        // A concurrent link won the race; report the rule it broke.
        await checkLinkRules(this.deps.orm.em.fork(), { tenantId: attempt.tenantId, user, provider: slug, account: redemption.account });
        throw new ConflictError(
          `This ${providerDisplayName(slug)} account or user was linked by another sign-in at the same moment.`,
          "Reload the user's calendar links; start linking again if the link is not there.",
        );
      }
      throw err;
    }
    if (existing) {
      // The flush writes only what differs from the row as refreshed above, so a NEEDS_REAUTH mark of
      // a run of the old grant that landed after the refresh (another hub process; the mark holds
      // only while the row has the old tokens, so it lands before the flush or not at all) would stay
      // on the new grant: the state is written once more, as long as the row holds the new grant.
      await em.nativeUpdate(Connection, { id: connection.id, tokens: connection.tokens }, { ...ACTIVE_STATE, updatedAt: now });
    }

    if (accountChanged) {
      // The link's row was reused for another account: pairs with the old account's events cannot sync any more.
      await this.deps.mappings.closeForConnection(connection.id, now);
    }
    await this.deps.calendars.choosePrimaryIfNone(connection);
    await this.deps.notices.resolveRelinkRequired(connection);
    await this.deps.notices.statusChanged(connection, previousStatus);
    await this.deps.jobs.start(connection.id).catch((err: unknown) => this.deps.logger.error({ err, connectionId: connection.id }, "scheduling the link's jobs failed"));
    return { connection, relinked: existing !== null };
  }
}

/** A link's state once a sign-in gave it a working grant. */
const ACTIVE_STATE = { status: 'ACTIVE', statusReason: null, revokedAt: null, consecutiveFailures: 0, lastError: null } as const satisfies Partial<Connection>;

/** The host user of a sign-in was deleted or deactivated while the user was at the provider. */
export class UserUnavailableError extends Error {
  override readonly name = 'UserUnavailableError';
}
