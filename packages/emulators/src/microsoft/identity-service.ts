import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { EmulatorClock } from '../core/clock.js';
import { aad, type AadstsError } from './aadsts-errors.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';
import {
  PERSONAL_TENANT_ID,
  type AccountRecord,
  type AuthCodeRecord,
  type ClientRecord,
  type GrantRecord,
  type MicrosoftState,
  type RefreshFailureCause,
} from './microsoft-state.js';

/**
 * Clients, grants, authorization codes and tokens of the emulated identity platform
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow): single-use codes
 * that expire, PKCE S256/plain, refresh with rotation, revocation and forced refresh failures, and
 * an RS256-signed, JWT-shaped id_token with `client_info` as MSAL expects them.
 */

const GRAPH_RESOURCE = 'https://graph.microsoft.com/';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
/** Graph scopes the emulator grants, by lower-case name; anything else for Graph is AADSTS70011. */
const GRAPH_SCOPES = new Map(
  [
    'User.Read',
    'User.ReadBasic.All',
    'Calendars.Read',
    'Calendars.ReadWrite',
    'Calendars.Read.Shared',
    'Calendars.ReadWrite.Shared',
    'MailboxSettings.Read',
    'MailboxSettings.ReadWrite',
    '.default',
  ].map((s) => [s.toLowerCase(), s] as const),
);

export const b64url = (buf: Buffer | string): string => Buffer.from(buf).toString('base64url');
const token = (prefix: string, bytes = 48) => `${prefix}${randomBytes(bytes).toString('base64url')}`;

/** Normalises requested scopes: short Graph names (`Calendars.ReadWrite`), OIDC scopes kept; throws 70011 on unknown. */
export function normalizeScopes(raw: string): string[] {
  const out: string[] = [];
  for (const s of raw.split(/\s+/).filter(Boolean)) {
    const lower = s.toLowerCase();
    if (OIDC_SCOPES.has(lower)) {
      out.push(lower);
      continue;
    }
    const short = lower.startsWith(GRAPH_RESOURCE) ? lower.slice(GRAPH_RESOURCE.length) : lower.startsWith('https://') ? null : lower;
    const canonical = short === null ? undefined : GRAPH_SCOPES.get(short);
    if (!canonical) throw aad.invalidScope(s);
    out.push(canonical);
  }
  return [...new Set(out)];
}

export interface TokenResponse {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info: string;
}

export class IdentityService {
  private key: KeyObject;
  readonly kid: string;

  constructor(
    private readonly state: MicrosoftState,
    private readonly deps: { clock: EmulatorClock; settings: MicrosoftEmulatorSettings; changed: () => void },
  ) {
    if (!state.signingKey) throw new Error('the identity service needs a signing key in its state (see startMicrosoftEmulator)');
    this.key = createPrivateKey(state.signingKey.privateKeyPem);
    this.kid = state.signingKey.kid;
  }

  private now(): number {
    return this.deps.clock.now();
  }

  jwks(): { keys: Record<string, unknown>[] } {
    const jwk = createPublicKey(this.key).export({ format: 'jwk' });
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, alg: 'RS256', issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }] };
  }

  signJwt(payload: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid }));
    const body = b64url(JSON.stringify(payload));
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), this.key);
    return `${header}.${body}.${b64url(signature)}`;
  }

  registerClient(input: { clientId: string; clientSecret?: string | null; redirectUris: string[]; displayName?: string }): ClientRecord {
    if (!input.clientId || !Array.isArray(input.redirectUris) || input.redirectUris.some((u) => typeof u !== 'string')) {
      throw new TypeError('registerClient needs clientId and redirectUris');
    }
    const record: ClientRecord = {
      clientId: input.clientId,
      clientSecret: input.clientSecret ?? null,
      redirectUris: [...input.redirectUris],
      displayName: input.displayName ?? input.clientId,
    };
    this.state.clients[input.clientId] = record;
    this.deps.changed();
    return record;
  }

  client(clientId: string): ClientRecord | undefined {
    return this.state.clients[clientId];
  }

  /** A grant of `scopes` by `account` to `clientId`; consenting again reuses and widens the live grant. */
  grant(account: AccountRecord, clientId: string, scopes: string[]): GrantRecord {
    const existing = Object.values(this.state.grants).find((g) => g.accountId === account.id && g.clientId === clientId && g.revokedAt === null && g.failure === null);
    if (existing) {
      existing.scopes = [...new Set([...existing.scopes, ...scopes])];
      this.deps.changed();
      return existing;
    }
    const grant: GrantRecord = { id: randomUUID(), accountId: account.id, clientId, scopes: [...scopes], createdAt: this.now(), revokedAt: null, failure: null };
    this.state.grants[grant.id] = grant;
    this.deps.changed();
    return grant;
  }

  /** Whether a live grant covers these scopes (prompt=none). */
  hasConsent(accountId: string, clientId: string, scopes: string[]): boolean {
    return Object.values(this.state.grants).some(
      (g) => g.accountId === accountId && g.clientId === clientId && g.revokedAt === null && g.failure === null && scopes.every((s) => OIDC_SCOPES.has(s) || g.scopes.includes(s)),
    );
  }

  issueCode(input: Omit<AuthCodeRecord, 'expiresAt' | 'redeemedAt'>): string {
    const code = token('1.AQ4A', 96);
    this.state.codes[code] = { ...input, expiresAt: this.now() + this.deps.settings.authCodeLifetimeSeconds * 1000, redeemedAt: null };
    this.deps.changed();
    return code;
  }

  /** Confidential clients must send their secret (7000215 when wrong); public clients none. */
  authenticateClient(clientId: string | undefined, secret: string | undefined): ClientRecord {
    if (!clientId) throw aad.missingParameter('client_id');
    const client = this.state.clients[clientId];
    if (!client) throw aad.unknownClient(clientId);
    if (client.clientSecret !== null) {
      if (!secret) throw aad.missingSecret();
      if (secret !== client.clientSecret) throw aad.badSecret(clientId);
    }
    return client;
  }

  redeemCode(params: { client: ClientRecord; code?: string; redirectUri?: string; codeVerifier?: string; scope?: string }, origin: string): TokenResponse {
    if (!params.code) throw aad.missingParameter('code');
    const record = this.state.codes[params.code];
    if (!record || record.clientId !== params.client.clientId) throw aad.invalidGrant('authorization code');
    if (record.redeemedAt !== null) throw aad.codeRedeemed();
    if (this.now() > record.expiresAt) throw aad.expired();
    if (!params.redirectUri) throw aad.missingParameter('redirect_uri');
    if (params.redirectUri !== record.redirectUri) throw aad.redirectMismatch(params.redirectUri, params.client.clientId);
    if (record.codeChallenge !== null) {
      if (!params.codeVerifier) throw aad.missingParameter('code_verifier');
      const expected = record.codeChallengeMethod === 'plain' ? params.codeVerifier : b64url(createHash('sha256').update(params.codeVerifier).digest());
      if (expected !== record.codeChallenge) throw aad.pkceMismatch();
    }
    record.redeemedAt = this.now();
    const grant = this.state.grants[record.grantId];
    if (!grant) throw aad.invalidGrant('authorization code');
    const response = this.issueTokens(grant, record.scopes, record.nonce, origin);
    this.deps.changed();
    return response;
  }

  refresh(params: { client: ClientRecord; refreshToken?: string; scope?: string }, origin: string): TokenResponse {
    if (!params.refreshToken) throw aad.missingParameter('refresh_token');
    const record = this.state.refreshTokens[params.refreshToken];
    const grant = record ? this.state.grants[record.grantId] : undefined;
    if (!record || !grant || grant.clientId !== params.client.clientId) throw aad.invalidGrant('refresh token');
    const issued = new Date(record.issuedAt);
    if (grant.revokedAt !== null) throw aad.revoked(new Date(grant.createdAt), new Date(grant.revokedAt));
    if (grant.failure) throw this.failureError(grant.failure, grant, record.issuedAt);
    if (this.now() - record.lastUsedAt > this.deps.settings.refreshTokenInactivitySeconds * 1000) throw aad.inactive(issued);
    if (record.rotatedAt !== null && !this.deps.settings.allowRefreshTokenReuse) throw aad.invalidGrant('refresh token');
    const requested = params.scope ? normalizeScopes(params.scope) : grant.scopes;
    const missing = requested.filter((s) => !OIDC_SCOPES.has(s) && s !== '.default' && !grant.scopes.includes(s));
    if (missing.length > 0) throw aad.consentRequired(grant.clientId);
    record.lastUsedAt = this.now();
    record.rotatedAt = this.now();
    const response = this.issueTokens(grant, requested, null, origin);
    this.deps.changed();
    return response;
  }

  private failureError(cause: RefreshFailureCause, grant: GrantRecord, issuedAt: number): AadstsError {
    switch (cause) {
      case 'revoked':
        return aad.revoked(new Date(grant.createdAt), new Date(this.now()));
      case 'inactive':
        return aad.inactive(new Date(issuedAt));
      case 'expired':
        return aad.expired();
      case 'interaction_required':
        return aad.interactionRequired();
      case 'consent_required':
        return aad.consentRequired(grant.clientId);
    }
  }

  private issueTokens(grant: GrantRecord, scopes: string[], nonce: string | null, origin: string): TokenResponse {
    const account = this.state.accounts[grant.accountId];
    if (!account) throw aad.invalidGrant();
    const now = this.now();
    const lifetime = this.deps.settings.accessTokenLifetimeSeconds;
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s));
    const granted = resourceScopes.includes('.default') || resourceScopes.length === 0 ? grant.scopes.filter((s) => !OIDC_SCOPES.has(s)) : resourceScopes;
    const iat = Math.floor(now / 1000);
    const accessToken =
      account.kind === 'personal'
        ? token('EwB4A8l6BAAU', 96)
        : this.signJwt({
            aud: 'https://graph.microsoft.com',
            iss: `https://sts.windows.net/${account.tenantId}/`,
            iat,
            nbf: iat,
            exp: iat + lifetime,
            appid: grant.clientId,
            name: account.displayName,
            oid: account.id,
            scp: granted.join(' '),
            sub: this.subject(account, grant.clientId),
            tid: account.tenantId,
            unique_name: account.email,
            upn: account.email,
            uti: randomBytes(16).toString('base64url'),
            ver: '1.0',
          });
    this.state.accessTokens[accessToken] = { grantId: grant.id, accountId: account.id, clientId: grant.clientId, scopes: granted, expiresAt: now + lifetime * 1000 };
    this.pruneAccessTokens();
    const response: TokenResponse = {
      token_type: 'Bearer',
      scope: [...granted, ...scopes.filter((s) => s === 'openid' || s === 'profile' || s === 'email')].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      client_info: b64url(JSON.stringify({ uid: account.id, utid: account.tenantId })),
    };
    if (scopes.includes('offline_access') || grant.scopes.includes('offline_access')) {
      const refreshToken = token('1.AXEA', 160);
      this.state.refreshTokens[refreshToken] = { grantId: grant.id, issuedAt: now, lastUsedAt: now, rotatedAt: null };
      response.refresh_token = refreshToken;
    }
    if (scopes.includes('openid')) response.id_token = this.idToken(account, grant.clientId, nonce, origin);
    return response;
  }

  /**
   * The claims MSAL reads; `sub` is pairwise per application
   * (https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
   */
  idToken(account: AccountRecord, clientId: string, nonce: string | null, origin: string): string {
    const iat = Math.floor(this.now() / 1000);
    return this.signJwt({
      aud: clientId,
      iss: `${origin}/${account.tenantId}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      name: account.displayName,
      ...(nonce ? { nonce } : {}),
      oid: account.id,
      preferred_username: account.email,
      email: account.email,
      rh: `0.${randomBytes(24).toString('base64url')}.`,
      sub: this.subject(account, clientId),
      tid: account.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '2.0',
      ...(account.tenantId === PERSONAL_TENANT_ID ? { idp: 'live.com' } : {}),
    });
  }

  private subject(account: AccountRecord, clientId: string): string {
    return createHash('sha256').update(`${account.id}:${clientId}`).digest('base64url').slice(0, 43);
  }

  private pruneAccessTokens(): void {
    const now = this.now();
    for (const [t, r] of Object.entries(this.state.accessTokens)) if (r.expiresAt < now) delete this.state.accessTokens[t];
  }

  /** The live access token record behind a bearer token, or the reason it is refused. */
  checkAccessToken(bearer: string): { ok: true; accountId: string; scopes: string[]; clientId: string } | { ok: false; message: string } {
    const record = this.state.accessTokens[bearer];
    if (!record) return { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
    if (this.now() >= record.expiresAt) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    const grant = this.state.grants[record.grantId];
    if (grant?.revokedAt != null && this.deps.settings.revokeKillsAccessTokens) {
      return { ok: false, message: 'Access token has been revoked.' };
    }
    return { ok: true, accountId: record.accountId, scopes: record.scopes, clientId: record.clientId };
  }

  /**
   * "Revoke all refresh tokens" for an account (optionally one client): refreshes fail with AADSTS50173
   * (https://learn.microsoft.com/entra/identity-platform/refresh-tokens).
   */
  revokeGrants(accountId: string, clientId?: string): number {
    let n = 0;
    for (const g of Object.values(this.state.grants)) {
      if (g.accountId === accountId && (!clientId || g.clientId === clientId) && g.revokedAt === null) {
        g.revokedAt = this.now();
        n += 1;
      }
    }
    this.deps.changed();
    return n;
  }

  /** Makes every refresh of the account's live grants fail with the AADSTS error of `cause`. */
  failRefreshTokens(accountId: string, cause: RefreshFailureCause, clientId?: string): number {
    let n = 0;
    for (const g of Object.values(this.state.grants)) {
      if (g.accountId === accountId && (!clientId || g.clientId === clientId) && g.revokedAt === null) {
        g.failure = cause;
        n += 1;
      }
    }
    this.deps.changed();
    return n;
  }

  /** The account a code, refresh token or bearer token belongs to (for counters and fault rules). */
  accountOfCode(code: string): string | undefined {
    return this.state.codes[code]?.accountId;
  }

  accountOfRefreshToken(refreshToken: string): string | undefined {
    const r = this.state.refreshTokens[refreshToken];
    return r ? this.state.grants[r.grantId]?.accountId : undefined;
  }

  accountOfAccessToken(bearer: string): string | undefined {
    return this.state.accessTokens[bearer]?.accountId;
  }
}
