import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorClock } from '../core/clock.js';
import { aad, aadstsBody, AadstsError, redirectDescription } from './aadsts-errors.js';
import { renderConsentPage, renderErrorPage, renderFormPost } from './consent-page.js';
import { normalizeScopes, type IdentityService } from './identity-service.js';
import type { MicrosoftEmulatorSettings } from './microsoft-settings.js';
import { PERSONAL_TENANT_ID, type AccountRecord, type MicrosoftState, type TenantRecord } from './microsoft-state.js';

/**
 * Microsoft identity platform v2 endpoints (docs/providers.md#microsoft-consent-and-callback-errors,
 * docs/providers.md#msal-authority-and-discovery): authorize with the consent page (contract in
 * consent-page.ts), token (authorization_code + PKCE, refresh_token with rotation), OpenID metadata,
 * instance discovery and JWKS. Route ids: `identity.*`.
 */
export interface IdentityDeps {
  state: MicrosoftState;
  settings: MicrosoftEmulatorSettings;
  identity: IdentityService;
  clock: EmulatorClock;
  origin: () => string;
}

interface AuthorizeRequest {
  tenant: string;
  client_id: string;
  redirect_uri: string;
  response_type: string;
  response_mode: string;
  scope: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  prompt?: string;
  login_hint?: string;
}

type TenantScope = { kind: 'common' | 'organizations' | 'consumers' } | { kind: 'tenant'; tenant: TenantRecord };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function resolveTenantSegment(state: MicrosoftState, segment: string): TenantScope | null {
  const s = segment.toLowerCase();
  if (s === 'common' || s === 'organizations' || s === 'consumers') return { kind: s };
  if (s === PERSONAL_TENANT_ID) return { kind: 'consumers' };
  const tenant = Object.values(state.tenants).find((t) => t.id === s || t.domains.some((d) => d.toLowerCase() === s));
  return tenant ? { kind: 'tenant', tenant } : null;
}

/** Whether the tenant segment accepts the account, or the AADSTS error the real service shows. */
export function tenantRefusal(state: MicrosoftState, scope: TenantScope, account: AccountRecord, clientId: string): AadstsError | null {
  const idp = account.kind === 'personal' ? 'live.com' : `https://sts.windows.net/${account.tenantId}/`;
  switch (scope.kind) {
    case 'common':
      return null;
    case 'organizations':
      return account.kind === 'personal' ? aad.personalAccountNotSupported(account.email) : null;
    case 'consumers':
      return account.kind === 'work' ? aad.accountNotInTenant(account.email, idp, 'Microsoft Services', clientId) : null;
    case 'tenant':
      return account.tenantId === scope.tenant.id ? null : aad.accountNotInTenant(account.email, idp, scope.tenant.displayName, clientId);
  }
}

export function registerIdentityRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const { state, identity, settings } = deps;
  const now = () => new Date(deps.clock.now());

  const metadata = (tenant: string) => {
    const o = deps.origin();
    const scope = resolveTenantSegment(state, tenant);
    const issuerTenant = scope?.kind === 'tenant' ? scope.tenant.id : scope?.kind === 'consumers' ? PERSONAL_TENANT_ID : '{tenantid}';
    return {
      token_endpoint: `${o}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${o}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${o}/${issuerTenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${o}/oidc/userinfo`,
      authorization_endpoint: `${o}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${o}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${o}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'oid', 'email'],
      kerberos_endpoint: `${o}/${tenant}/kerberos`,
      tenant_region_scope: null,
      cloud_instance_name: 'emulator.local',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: new URL(o).host,
      rbac_url: o,
    };
  };

  for (const url of ['/:tenant/v2.0/.well-known/openid-configuration', '/:tenant/.well-known/openid-configuration']) {
    app.get(url, { config: { routeId: 'identity.openidConfiguration' } }, async (request, reply) => {
      const { tenant } = request.params as { tenant: string };
      if (!resolveTenantSegment(state, tenant)) return reply.code(400).send(aadstsBody(aad.tenantNotFound(tenant), deps.origin(), now()));
      return metadata(tenant);
    });
  }

  app.get('/:tenant/discovery/instance', { config: { routeId: 'identity.instanceDiscovery' } }, async () => {
    const host = new URL(deps.origin()).host;
    return {
      tenant_discovery_endpoint: `${deps.origin()}/{tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  });

  for (const url of ['/discovery/v2.0/keys', '/:tenant/discovery/v2.0/keys']) {
    app.get(url, { config: { routeId: 'identity.keys' } }, async () => identity.jwks());
  }

  const errorPage = (reply: FastifyReply, e: AadstsError) => reply.code(400).type('text/html; charset=utf-8').send(renderErrorPage(e.code, e.description));

  const respond = (reply: FastifyReply, req: AuthorizeRequest, params: Record<string, string>) => {
    const all = { ...params, ...(req.state !== undefined ? { state: req.state } : {}) };
    if (req.response_mode === 'form_post') return reply.type('text/html; charset=utf-8').send(renderFormPost(req.redirect_uri, all));
    const target = new URL(req.redirect_uri);
    if (req.response_mode === 'fragment') {
      target.hash = new URLSearchParams(all).toString();
    } else {
      for (const [k, v] of Object.entries(all)) target.searchParams.set(k, v);
    }
    return reply.redirect(target.toString(), 302);
  };

  const redirectError = (reply: FastifyReply, req: AuthorizeRequest, e: AadstsError) =>
    respond(reply, req, { error: e.error, error_description: redirectDescription(e, now()), error_uri: `${deps.origin()}/error?code=${e.code}` });

  /** Checks that make the redirect URI trustworthy; failures show an error page. */
  const validateClient = (req: Partial<AuthorizeRequest>): AadstsError | null => {
    if (!resolveTenantSegment(state, req.tenant ?? '')) return aad.tenantNotFound(req.tenant ?? '');
    if (!req.client_id) return aad.missingParameter('client_id');
    const client = identity.client(req.client_id);
    if (!client) return aad.unknownClient(req.client_id);
    if (!req.redirect_uri || !client.redirectUris.includes(req.redirect_uri)) return aad.redirectMismatch(req.redirect_uri ?? '', req.client_id);
    return null;
  };

  const findAccount = (hint: string | undefined): AccountRecord | undefined => {
    if (!hint) return undefined;
    const h = hint.toLowerCase();
    return Object.values(state.accounts).find((a) => a.id.toLowerCase() === h || a.email.toLowerCase() === h);
  };

  const issue = (reply: FastifyReply, req: AuthorizeRequest, account: AccountRecord, scopes: string[]) => {
    const scope = resolveTenantSegment(state, req.tenant)!;
    const refusal = tenantRefusal(state, scope, account, req.client_id);
    if (refusal) return redirectError(reply, req, refusal);
    const grant = identity.grant(account, req.client_id, scopes);
    const code = identity.issueCode({
      grantId: grant.id,
      clientId: req.client_id,
      accountId: account.id,
      redirectUri: req.redirect_uri,
      scopes,
      codeChallenge: req.code_challenge ?? null,
      codeChallengeMethod: req.code_challenge ? (req.code_challenge_method === 'S256' ? 'S256' : 'plain') : null,
      nonce: req.nonce ?? null,
      tenantSegment: req.tenant,
    });
    return respond(reply, req, { code, client_info: Buffer.from(JSON.stringify({ uid: account.id, utid: account.tenantId })).toString('base64url'), session_state: grant.id });
  };

  /** Validates the redirect-safe part of a request; returns the scopes or sends the error redirect. */
  const checkRequest = (reply: FastifyReply, req: AuthorizeRequest): string[] | null => {
    if (req.response_type !== 'code') {
      void redirectError(reply, req, aad.unsupportedResponseType());
      return null;
    }
    if (!req.scope) {
      void redirectError(reply, req, aad.missingParameter('scope'));
      return null;
    }
    if (req.code_challenge_method && req.code_challenge_method !== 'S256' && req.code_challenge_method !== 'plain') {
      void redirectError(reply, req, aad.invalidCodeChallengeMethod());
      return null;
    }
    try {
      return normalizeScopes(req.scope);
    } catch (e) {
      if (e instanceof AadstsError) {
        void redirectError(reply, req, e);
        return null;
      }
      throw e;
    }
  };

  app.get('/:tenant/oauth2/v2.0/authorize', { config: { routeId: 'identity.authorize' } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const { tenant } = request.params as { tenant: string };
    const req: AuthorizeRequest = {
      tenant,
      client_id: str(q.client_id) ?? '',
      redirect_uri: str(q.redirect_uri) ?? '',
      response_type: str(q.response_type) ?? '',
      response_mode: str(q.response_mode) ?? 'query',
      scope: str(q.scope) ?? '',
      state: typeof q.state === 'string' ? q.state : undefined,
      nonce: str(q.nonce),
      code_challenge: str(q.code_challenge),
      code_challenge_method: str(q.code_challenge_method),
      prompt: str(q.prompt),
      login_hint: str(q.login_hint),
    };
    const clientProblem = validateClient({ ...req, client_id: str(q.client_id), redirect_uri: str(q.redirect_uri) });
    if (clientProblem) return errorPage(reply, clientProblem);
    const scopes = checkRequest(reply, req);
    if (!scopes) return reply;
    const scope = resolveTenantSegment(state, tenant)!;
    const hinted = findAccount(req.login_hint);

    if (req.prompt === 'none') {
      if (!hinted) return redirectError(reply, req, aad.loginRequired());
      if (!identity.hasConsent(hinted.id, req.client_id, scopes)) return redirectError(reply, req, aad.consentRequiredInteractive(req.client_id));
      return issue(reply, req, hinted, scopes);
    }
    if (settings.autoConsent && req.prompt !== 'consent' && req.prompt !== 'select_account' && req.prompt !== 'login') {
      const account = hinted ?? Object.values(state.accounts).find((a) => !tenantRefusal(state, scope, a, req.client_id));
      if (account) return issue(reply, req, account, scopes);
    }
    const client = identity.client(req.client_id)!;
    const html = renderConsentPage({
      tenant,
      clientName: client.displayName,
      scopes,
      accounts: Object.values(state.accounts).map((a) => ({ id: a.id, email: a.email, displayName: a.displayName, kind: a.kind })),
      selectedAccountId: hinted?.id ?? null,
      requestBlob: Buffer.from(JSON.stringify(req)).toString('base64url'),
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });

  app.post('/:tenant/oauth2/v2.0/authorize/consent', { config: { routeId: 'identity.consent' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    let req: AuthorizeRequest;
    try {
      req = JSON.parse(Buffer.from(String(body.request ?? ''), 'base64url').toString('utf8')) as AuthorizeRequest;
      if (typeof req !== 'object' || req === null) throw new Error('not an object');
    } catch {
      return errorPage(reply, aad.missingParameter('request'));
    }
    const clientProblem = validateClient(req);
    if (clientProblem) return errorPage(reply, clientProblem);
    const scopes = checkRequest(reply, req);
    if (!scopes) return reply;
    if (body.decision !== 'accept') return redirectError(reply, req, aad.userDeclined());
    const account = findAccount(str(body.account));
    if (!account) return errorPage(reply, new AadstsError(400, 'invalid_request', 50034, `The user account ${String(body.account ?? '')} does not exist in the directory.`));
    return issue(reply, req, account, scopes);
  });

  app.get('/:tenant/oauth2/v2.0/logout', { config: { routeId: 'identity.logout' } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const target = str(q.post_logout_redirect_uri);
    if (target) return reply.redirect(target, 302);
    return reply.type('text/html; charset=utf-8').send('<!doctype html><title>Signed out</title><p>You signed out of your account.</p>');
  });

  app.post('/:tenant/oauth2/v2.0/token', { config: { routeId: 'identity.token' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { tenant } = request.params as { tenant: string };
    try {
      if (!resolveTenantSegment(state, tenant)) throw aad.tenantNotFound(tenant);
      let clientId = str(body.client_id);
      let secret = str(body.client_secret);
      const basic = /^Basic\s+(.+)$/i.exec(String(request.headers.authorization ?? ''));
      if (basic) {
        const [id, pw] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
        clientId ??= decodeURIComponent(id ?? '');
        secret ??= decodeURIComponent(pw ?? '');
      }
      const client = identity.authenticateClient(clientId, secret);
      const grantType = str(body.grant_type);
      if (!grantType) throw aad.missingParameter('grant_type');
      switch (grantType) {
        case 'authorization_code':
          return identity.redeemCode(
            { client, code: str(body.code), redirectUri: str(body.redirect_uri), codeVerifier: str(body.code_verifier), scope: str(body.scope) },
            deps.origin(),
          );
        case 'refresh_token':
          return identity.refresh({ client, refreshToken: str(body.refresh_token), scope: str(body.scope) }, deps.origin());
        default:
          throw aad.unsupportedGrantType(grantType);
      }
    } catch (e) {
      if (e instanceof AadstsError) {
        const correlation = typeof request.headers['client-request-id'] === 'string' ? request.headers['client-request-id'] : undefined;
        return reply.code(e.status).header('cache-control', 'no-store').send(aadstsBody(e, deps.origin(), now(), correlation));
      }
      throw e;
    }
  });
}

/** Every name of the account an identity request is about (login hint, chosen account, code, refresh token). */
export function identityAccountsOf(request: FastifyRequest, state: MicrosoftState, identity: IdentityService): string[] {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const b = (request.body ?? {}) as Record<string, unknown>;
  const id =
    (typeof b.code === 'string' && identity.accountOfCode(b.code)) ||
    (typeof b.refresh_token === 'string' && identity.accountOfRefreshToken(b.refresh_token)) ||
    (typeof b.account === 'string' && b.account) ||
    (typeof q.login_hint === 'string' && q.login_hint) ||
    undefined;
  if (!id) return [];
  const account = Object.values(state.accounts).find((a) => a.id === id || a.email.toLowerCase() === id.toLowerCase());
  return account ? [account.id, account.email] : [];
}
