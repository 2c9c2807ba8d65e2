import { createHash, randomBytes } from 'node:crypto';
import { OAuthError } from '../google-api.errors.js';
import { opaqueToken, type GoogleContext } from '../google-context.js';
import type { AccessTokenRecord, AccountRecord, GrantRecord, OAuthClientRecord, RefreshTokenDeath, RefreshTokenRecord } from '../google-state.js';
import { accessTokenHash, signJwt } from './id-token-signer.js';
import { isGmailScope, isKnownScope, parseScopeParam, SIGN_IN_SCOPES, USERINFO_EMAIL, USERINFO_PROFILE } from './google-scopes.js';

/**
 * Google's OAuth 2.0 web-server flow (docs/providers.md#google-consent): codes, tokens, refresh
 * without rotation, revocation of whole grants, and every cause of `invalid_grant`
 * (docs/providers.md#google-tokens-and-revocation) — each happens the way it does at Google (idle
 * time, Testing status, time-limited grants, password change with Gmail scopes, the per-client
 * token limit) and can also be forced through the control API.
 * https://developers.google.com/identity/protocols/oauth2/web-server
 */

export interface AuthRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  accessType: 'online' | 'offline';
  prompt: string[];
  includeGrantedScopes: boolean;
  loginHint: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | 'plain' | null;
  nonce: string | null;
  granularConsent: boolean;
}

/** Problems Google shows on its own error page instead of redirecting (the redirect URI is not trusted yet). */
export class AuthPageError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  refresh_token?: string;
  id_token?: string;
  refresh_token_expires_in?: number;
}

const EXPIRED_OR_REVOKED = 'Token has been expired or revoked.';
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export class GoogleOAuthService {
  private readonly transactions = new Map<string, { request: AuthRequest; createdAt: number }>();
  private issued = 0;

  constructor(private readonly ctx: GoogleContext) {}

  private get state() {
    return this.ctx.state;
  }

  registerClient(input: { clientId: string; clientSecret: string; redirectUris: string[]; publishingStatus?: 'production' | 'testing'; name?: string }): OAuthClientRecord {
    if (!input.clientId || !input.clientSecret) throw new OAuthError(400, 'invalid_request', 'clientId and clientSecret are required');
    if (!Array.isArray(input.redirectUris) || input.redirectUris.some((u) => typeof u !== 'string' || !URL.canParse(u))) {
      throw new OAuthError(400, 'invalid_request', 'redirectUris must be absolute URLs');
    }
    const client: OAuthClientRecord = {
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      redirectUris: [...input.redirectUris],
      publishingStatus: input.publishingStatus ?? 'production',
      name: input.name ?? input.clientId,
    };
    this.state.clients[client.clientId] = client;
    this.ctx.changed();
    return { ...client };
  }

  findAccount(hint: string | null | undefined): AccountRecord | undefined {
    if (!hint) return undefined;
    const h = hint.toLowerCase();
    return this.state.accounts[hint] ?? Object.values(this.state.accounts).find((a) => a.email.toLowerCase() === h);
  }

  /** Checks an authorization request; client and redirect problems are page errors, the rest redirect. */
  parseAuthRequest(q: Record<string, string | undefined>): AuthRequest {
    const clientId = q.client_id;
    if (!clientId) throw new AuthPageError('invalid_request', 'Missing required parameter: client_id');
    const client = this.state.clients[clientId];
    if (!client) throw new AuthPageError('invalid_client', 'The OAuth client was not found.');
    const redirectUri = q.redirect_uri;
    if (!redirectUri) throw new AuthPageError('invalid_request', 'Missing required parameter: redirect_uri');
    if (!client.redirectUris.includes(redirectUri)) {
      throw new AuthPageError('redirect_uri_mismatch', `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${redirectUri}`);
    }
    if ((q.response_type ?? 'code') !== 'code') throw new AuthPageError('unsupported_response_type', `Invalid response_type: ${q.response_type}`);
    const scopes = parseScopeParam(q.scope);
    if (scopes.length === 0) throw new AuthPageError('invalid_request', 'Missing required parameter: scope');
    const invalid = scopes.filter((s) => !isKnownScope(s));
    if (invalid.length) throw new AuthPageError('invalid_scope', `Some requested scopes were invalid. {invalid=[${invalid.join(', ')}]}`);
    const accessType = q.access_type ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') throw new AuthPageError('invalid_request', `Invalid access_type: ${accessType}`);
    const method = q.code_challenge ? (q.code_challenge_method ?? 'plain') : null;
    if (q.code_challenge_method && !q.code_challenge) throw new AuthPageError('invalid_request', 'Missing code_challenge.');
    if (method !== null && method !== 'S256' && method !== 'plain') throw new AuthPageError('invalid_request', `Invalid code_challenge_method: ${method}`);
    const prompt = (q.prompt ?? '').split(/\s+/).filter(Boolean);
    if (prompt.some((p) => !['none', 'consent', 'select_account'].includes(p)) || (prompt.includes('none') && prompt.length > 1)) {
      throw new AuthPageError('invalid_request', `Invalid prompt: ${q.prompt}`);
    }
    return {
      clientId,
      redirectUri,
      scopes,
      state: q.state ?? null,
      accessType,
      prompt,
      includeGrantedScopes: q.include_granted_scopes === 'true',
      loginHint: q.login_hint ?? null,
      codeChallenge: q.code_challenge ?? null,
      codeChallengeMethod: method,
      nonce: q.nonce ?? null,
      granularConsent: q.enable_granular_consent === 'true',
    };
  }

  startTransaction(request: AuthRequest): string {
    const now = Date.now();
    for (const [id, t] of this.transactions) if (now - t.createdAt > 3_600_000) this.transactions.delete(id);
    const id = randomBytes(18).toString('base64url');
    this.transactions.set(id, { request, createdAt: now });
    return id;
  }

  takeTransaction(id: string): AuthRequest | undefined {
    const t = this.transactions.get(id);
    this.transactions.delete(id);
    return t?.request;
  }

  private grantOf(clientId: string, accountId: string): GrantRecord | undefined {
    return Object.values(this.state.grants).find((g) => g.clientId === clientId && g.accountId === accountId);
  }

  /** Google shows the consent screen (and so issues a refresh token) on a first or widened grant, or with prompt=consent. */
  consentScreenNeeded(request: AuthRequest, accountId: string): boolean {
    const grant = this.grantOf(request.clientId, accountId);
    return request.prompt.includes('consent') || !grant || request.scopes.some((s) => !grant.scopes.includes(s));
  }

  /** The person accepted (or consent was skipped): a redirect URL carrying a fresh code. */
  approve(request: AuthRequest, accountId: string, grantedScopes?: string[]): string {
    const account = this.state.accounts[accountId];
    if (!account) throw new AuthPageError('invalid_request', 'Unknown account');
    const scopes = grantedScopes ? request.scopes.filter((s) => grantedScopes.includes(s) || SIGN_IN_SCOPES.includes(s)) : request.scopes;
    const consentShown = this.consentScreenNeeded(request, accountId);
    let grant = this.grantOf(request.clientId, accountId);
    if (!grant) {
      grant = { id: randomBytes(9).toString('hex'), clientId: request.clientId, accountId, scopes: [], createdAt: this.ctx.now() };
      this.state.grants[grant.id] = grant;
    }
    grant.scopes = [...new Set([...grant.scopes, ...scopes])];
    const tokenScopes = request.includeGrantedScopes ? [...grant.scopes] : scopes;
    const code = `4/0A${randomBytes(36).toString('base64url')}`;
    this.state.codes[code] = {
      code,
      clientId: request.clientId,
      accountId,
      redirectUri: request.redirectUri,
      scopes: tokenScopes,
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
      nonce: request.nonce,
      issueRefreshToken: request.accessType === 'offline' && consentShown,
      accessType: request.accessType,
      expiresAt: this.ctx.now() + this.state.settings.authCodeLifetimeSeconds * 1000,
      used: false,
    };
    this.pruneCodes();
    this.ctx.changed();
    return withParams(request.redirectUri, {
      ...(request.state !== null ? { state: request.state } : {}),
      code,
      scope: tokenScopes.join(' '),
      authuser: '0',
      prompt: consentShown ? 'consent' : 'none',
    });
  }

  deny(request: AuthRequest, error = 'access_denied'): string {
    return withParams(request.redirectUri, { error, ...(request.state !== null ? { state: request.state } : {}) });
  }

  private pruneCodes(): void {
    const now = this.ctx.now();
    for (const [k, c] of Object.entries(this.state.codes)) if (c.expiresAt < now - 3_600_000) delete this.state.codes[k];
    for (const [k, t] of Object.entries(this.state.accessTokens)) if (t.expiresAt < now - 86_400_000) delete this.state.accessTokens[k];
  }

  private authenticateClient(body: Record<string, string | undefined>, authorization: string | undefined): OAuthClientRecord {
    let clientId = body.client_id;
    let secret = body.client_secret;
    if (authorization?.toLowerCase().startsWith('basic ')) {
      const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    if (!clientId) throw new OAuthError(400, 'invalid_request', 'Could not determine client ID from request.');
    const client = this.state.clients[clientId];
    if (!client) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
    if (secret !== client.clientSecret) throw new OAuthError(401, 'invalid_client', 'Unauthorized');
    return client;
  }

  async token(body: Record<string, string | undefined>, authorization: string | undefined): Promise<TokenResponse> {
    const grantType = body.grant_type;
    if (!grantType) throw new OAuthError(400, 'unsupported_grant_type', 'Invalid grant_type: ');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
    const client = this.authenticateClient(body, authorization);
    return grantType === 'authorization_code' ? this.exchangeCode(client, body) : this.refresh(client, body);
  }

  private async exchangeCode(client: OAuthClientRecord, body: Record<string, string | undefined>): Promise<TokenResponse> {
    if (!body.code) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: code');
    const code = this.state.codes[body.code];
    if (!code) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
    if (code.used || code.expiresAt <= this.ctx.now() || code.clientId !== client.clientId) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    if (body.redirect_uri !== code.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.codeChallenge) {
      const verifier = body.code_verifier;
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'Missing code verifier.');
      const expected = code.codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
      if (!VERIFIER.test(verifier) || expected !== code.codeChallenge) throw new OAuthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const grant = this.grantOf(code.clientId, code.accountId);
    if (!grant) throw new OAuthError(400, 'invalid_grant', EXPIRED_OR_REVOKED);
    const response = await this.issue(grant, code.scopes, code.accessType, code.nonce);
    if (code.issueRefreshToken) {
      const rt = this.issueRefreshToken(grant, code.scopes, client);
      response.refresh_token = rt.token;
      if (rt.expiresAt !== null) response.refresh_token_expires_in = Math.max(0, Math.floor((rt.expiresAt - this.ctx.now()) / 1000) - 1);
    }
    this.ctx.changed();
    return response;
  }

  private issueRefreshToken(grant: GrantRecord, scopes: string[], client: OAuthClientRecord): RefreshTokenRecord {
    const now = this.ctx.now();
    const s = this.state.settings;
    const expiresAt =
      s.timeLimitedGrantSeconds !== null
        ? now + s.timeLimitedGrantSeconds * 1000
        : client.publishingStatus === 'testing' && !onlySignIn(scopes)
          ? now + s.testingModeRefreshTokenSeconds * 1000
          : null;
    const rt: RefreshTokenRecord = {
      token: opaqueToken('1//0g', 48),
      grantId: grant.id,
      clientId: grant.clientId,
      accountId: grant.accountId,
      scopes: [...scopes],
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      dead: null,
    };
    this.state.refreshTokens[rt.token] = rt;
    const live = Object.values(this.state.refreshTokens)
      .filter((t) => t.clientId === grant.clientId && t.accountId === grant.accountId && !t.dead)
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const old of live.slice(0, Math.max(0, live.length - s.refreshTokenLimit))) old.dead = { cause: 'token_limit', at: now };
    return rt;
  }

  private async issue(grant: GrantRecord, scopes: string[], accessType: 'online' | 'offline', nonce: string | null): Promise<TokenResponse> {
    const now = this.ctx.now();
    const lifetime = this.state.settings.accessTokenLifetimeSeconds;
    const at: AccessTokenRecord = {
      token: opaqueToken('ya29.a0', 90),
      grantId: grant.id,
      clientId: grant.clientId,
      accountId: grant.accountId,
      scopes: [...scopes],
      expiresAt: now + lifetime * 1000,
      accessType,
    };
    this.state.accessTokens[at.token] = at;
    if (++this.issued % 200 === 0) this.pruneCodes();
    const response: TokenResponse = { access_token: at.token, expires_in: lifetime, scope: scopes.join(' '), token_type: 'Bearer' };
    if (scopes.includes('openid')) response.id_token = await this.idToken(grant, scopes, at.token, nonce);
    return response;
  }

  private async idToken(grant: GrantRecord, scopes: string[], accessToken: string, nonce: string | null): Promise<string> {
    const account = this.state.accounts[grant.accountId];
    if (!account) throw new OAuthError(400, 'invalid_grant', EXPIRED_OR_REVOKED);
    const iat = Math.floor(this.ctx.now() / 1000);
    return signJwt(this.state.signingKey, {
      iss: 'https://accounts.google.com',
      azp: grant.clientId,
      aud: grant.clientId,
      sub: account.id,
      ...(scopes.includes(USERINFO_EMAIL) ? { email: account.email, email_verified: true } : {}),
      at_hash: await accessTokenHash(accessToken),
      ...(nonce ? { nonce } : {}),
      ...(scopes.includes(USERINFO_PROFILE) ? { name: account.displayName, given_name: account.givenName, family_name: account.familyName } : {}),
      iat,
      exp: iat + 3600,
    });
  }

  /** Why a refresh token can no longer be used, if it cannot; marks natural deaths as it finds them. */
  private deathOf(rt: RefreshTokenRecord): RefreshTokenDeath | null {
    if (rt.dead) return rt.dead.cause;
    const now = this.ctx.now();
    const s = this.state.settings;
    const client = this.state.clients[rt.clientId];
    let cause: RefreshTokenDeath | null = null;
    if (!this.state.grants[rt.grantId]) cause = 'revoked';
    else if (now - rt.lastUsedAt > s.refreshTokenIdleSeconds * 1000) cause = 'unused';
    else if (rt.expiresAt !== null && now >= rt.expiresAt) cause = client?.publishingStatus === 'testing' && s.timeLimitedGrantSeconds === null ? 'testing_mode' : 'time_limited';
    else if (client?.publishingStatus === 'testing' && !onlySignIn(rt.scopes) && now - rt.createdAt > s.testingModeRefreshTokenSeconds * 1000) cause = 'testing_mode';
    if (cause) rt.dead = { cause, at: now };
    return cause;
  }

  private async refresh(client: OAuthClientRecord, body: Record<string, string | undefined>): Promise<TokenResponse> {
    if (!body.refresh_token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
    const rt = this.state.refreshTokens[body.refresh_token];
    if (!rt) throw new OAuthError(400, 'invalid_grant', 'Bad Request');
    if (rt.clientId !== client.clientId) throw new OAuthError(400, 'unauthorized_client', 'Unauthorized');
    const death = this.deathOf(rt);
    if (death) {
      this.ctx.changed();
      if (death === 'session_policy') throw new OAuthError(400, 'invalid_grant', 'reauth related error (invalid_rapt)', { error_uri: 'https://support.google.com/a/answer/9368756', error_subtype: 'invalid_rapt' });
      throw new OAuthError(400, 'invalid_grant', EXPIRED_OR_REVOKED);
    }
    const grant = this.state.grants[rt.grantId];
    if (!grant) throw new OAuthError(400, 'invalid_grant', EXPIRED_OR_REVOKED);
    let scopes = rt.scopes;
    if (body.scope) {
      const asked = parseScopeParam(body.scope);
      if (asked.some((s) => !rt.scopes.includes(s))) throw new OAuthError(400, 'invalid_scope', 'Bad Request');
      scopes = asked;
    }
    rt.lastUsedAt = this.ctx.now();
    // No rotation: Google keeps the refresh token and leaves it out of the response.
    const response = await this.issue(grant, scopes, 'offline', null);
    this.ctx.changed();
    return response;
  }

  /** POST /revoke: either token kills the whole grant (every token of that client and account). */
  revoke(token: string | undefined): void {
    if (!token) throw new OAuthError(400, 'invalid_request', 'Missing required parameter: token');
    const rt = this.state.refreshTokens[token];
    const at = this.state.accessTokens[token];
    const grantId = rt && !this.deathOf(rt) ? rt.grantId : at && at.expiresAt > this.ctx.now() ? at.grantId : undefined;
    const grant = grantId ? this.state.grants[grantId] : undefined;
    if (!grant) throw new OAuthError(400, 'invalid_token', 'Token expired or revoked');
    this.killGrant(grant);
    this.ctx.changed();
  }

  private killGrant(grant: GrantRecord): number {
    const now = this.ctx.now();
    let n = 0;
    for (const t of Object.values(this.state.refreshTokens)) {
      if (t.grantId === grant.id && !t.dead) {
        t.dead = { cause: 'revoked', at: now };
        n++;
      }
    }
    for (const [k, t] of Object.entries(this.state.accessTokens)) if (t.grantId === grant.id) delete this.state.accessTokens[k];
    for (const [k, c] of Object.entries(this.state.codes)) if (c.clientId === grant.clientId && c.accountId === grant.accountId) delete this.state.codes[k];
    delete this.state.grants[grant.id];
    return n;
  }

  /** The live access token behind a Bearer header, or null. */
  authenticate(token: string): AccessTokenRecord | null {
    const at = this.state.accessTokens[token];
    if (!at || at.expiresAt <= this.ctx.now() || !this.state.grants[at.grantId]) return null;
    return at;
  }

  tokenInfo(params: { accessToken?: string; idToken?: string }): Record<string, string> {
    if (params.accessToken) {
      const at = this.authenticate(params.accessToken);
      if (!at) throw new OAuthError(400, 'invalid_token', 'Invalid Value');
      const account = this.state.accounts[at.accountId];
      const expiresIn = Math.max(0, Math.floor((at.expiresAt - this.ctx.now()) / 1000));
      return {
        azp: at.clientId,
        aud: at.clientId,
        sub: at.accountId,
        scope: at.scopes.join(' '),
        exp: String(Math.floor(at.expiresAt / 1000)),
        expires_in: String(expiresIn),
        ...(account && at.scopes.includes(USERINFO_EMAIL) ? { email: account.email, email_verified: 'true' } : {}),
        access_type: at.accessType,
      };
    }
    if (params.idToken) {
      const [, payload] = params.idToken.split('.');
      try {
        const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
        if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.ctx.now()) throw new Error('expired');
        return { ...Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)])), alg: 'RS256', kid: this.state.signingKey.kid, typ: 'JWT' };
      } catch {
        throw new OAuthError(400, 'invalid_token', 'Invalid Value');
      }
    }
    throw new OAuthError(400, 'invalid_request', 'Either access_token, id_token, or token_handle required');
  }

  userInfo(token: string | undefined): Record<string, unknown> {
    const at = token ? this.authenticate(token) : null;
    if (!at) throw new OAuthError(401, 'invalid_request', 'Invalid Credentials');
    const account = this.state.accounts[at.accountId];
    if (!account) throw new OAuthError(401, 'invalid_request', 'Invalid Credentials');
    return {
      sub: account.id,
      ...(at.scopes.includes(USERINFO_PROFILE) ? { name: account.displayName, given_name: account.givenName, family_name: account.familyName } : {}),
      ...(at.scopes.includes(USERINFO_EMAIL) ? { email: account.email, email_verified: true } : {}),
    };
  }

  /** Account names behind a token-endpoint request (for fault rules and counters). */
  accountsOfTokenRequest(body: Record<string, string | undefined>): string[] {
    const accountId = (body.code && this.state.codes[body.code]?.accountId) || (body.refresh_token && this.state.refreshTokens[body.refresh_token]?.accountId) || undefined;
    const account = accountId ? this.state.accounts[accountId] : undefined;
    return account ? [account.id, account.email] : [];
  }

  listGrants(): (GrantRecord & { refreshTokens: { createdAt: number; lastUsedAt: number; expiresAt: number | null; dead: RefreshTokenRecord['dead'] }[] })[] {
    return Object.values(this.state.grants).map((g) => ({
      ...g,
      scopes: [...g.scopes],
      refreshTokens: Object.values(this.state.refreshTokens)
        .filter((t) => t.grantId === g.id)
        .map((t) => ({ createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt, dead: t.dead })),
    }));
  }

  private matchingGrants(accountId: string, clientId?: string): GrantRecord[] {
    return Object.values(this.state.grants).filter((g) => g.accountId === accountId && (!clientId || g.clientId === clientId));
  }

  /** The user removes the app's access in their Google account settings. */
  revokeGrants(accountId: string, clientId?: string): { affected: number } {
    let affected = 0;
    for (const g of this.matchingGrants(accountId, clientId)) {
      this.killGrant(g);
      affected++;
    }
    this.ctx.changed();
    return { affected };
  }

  /** The user changes their password: grants holding a Gmail scope lose their refresh tokens; Calendar-only grants survive. */
  changePassword(accountId: string): { affected: number } {
    const now = this.ctx.now();
    let affected = 0;
    for (const t of Object.values(this.state.refreshTokens)) {
      if (t.accountId === accountId && !t.dead && t.scopes.some(isGmailScope)) {
        t.dead = { cause: 'password_change', at: now };
        affected++;
      }
    }
    this.ctx.changed();
    return { affected };
  }

  /**
   * Makes the live refresh tokens of an account (optionally one client) die for the given reason,
   * the way it happens at Google: `revoked` removes the grant, `unused` moves their last use
   * six months back, `password_change` changes the password (only Gmail-scoped grants die),
   * `time_limited` ends a time-based grant, and `testing_mode` (7-day limit of a Testing app),
   * `token_limit` (pushed out by 100 newer tokens) and `session_policy` (re-authentication
   * demanded: invalid_rapt) mark them dead at once. The natural paths work too: register the
   * client with `publishingStatus: 'testing'`, or lower `refreshTokenLimit`, and move the clock.
   */
  expireRefreshTokens(input: { accountId: string; clientId?: string; cause: RefreshTokenDeath }): { affected: number } {
    const { accountId, clientId, cause } = input;
    if (cause === 'revoked') return this.revokeGrants(accountId, clientId);
    if (cause === 'password_change') return this.changePassword(accountId);
    const now = this.ctx.now();
    const s = this.state.settings;
    const tokens = Object.values(this.state.refreshTokens).filter((t) => t.accountId === accountId && (!clientId || t.clientId === clientId) && !t.dead);
    for (const t of tokens) {
      switch (cause) {
        case 'unused':
          t.lastUsedAt = now - s.refreshTokenIdleSeconds * 1000 - 1000;
          break;
        case 'time_limited':
          t.expiresAt = now;
          break;
        case 'token_limit':
        case 'testing_mode':
        case 'session_policy':
          t.dead = { cause, at: now };
          break;
      }
    }
    this.ctx.changed();
    return { affected: tokens.length };
  }
}

function onlySignIn(scopes: string[]): boolean {
  return scopes.every((s) => SIGN_IN_SCOPES.includes(s));
}

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export const REFRESH_TOKEN_DEATHS: readonly RefreshTokenDeath[] = ['revoked', 'unused', 'password_change', 'token_limit', 'time_limited', 'testing_mode', 'session_policy'];
