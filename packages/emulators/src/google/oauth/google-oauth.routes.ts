import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GoogleContext } from '../google-context.js';
import { bearerToken, formFields, header } from '../google-http.js';
import { authErrorStatus, CONSENT_FORM_ACTION, renderAuthErrorPage, renderConsentPage } from './consent-page.js';
import { AuthPageError, type GoogleOAuthService } from './google-oauth.service.js';
import { jwkSet, pemCertificates } from './id-token-signer.js';

/**
 * accounts.google.com / oauth2.googleapis.com / www.googleapis.com/oauth2 endpoints, all on the
 * emulator's one origin. Paths are Google's, so `OAuth2Client({ endpoints })` only swaps origins.
 */
export const GOOGLE_OAUTH_PATHS = {
  authorize: '/o/oauth2/v2/auth',
  token: '/token',
  revoke: '/revoke',
  tokenInfo: '/tokeninfo',
  userInfo: '/oauth2/v3/userinfo',
  pemCerts: '/oauth2/v1/certs',
  jwkCerts: '/oauth2/v3/certs',
} as const;

const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

export function registerOAuthRoutes(app: FastifyInstance, ctx: GoogleContext, oauth: GoogleOAuthService): void {
  const authorize = { config: { routeId: 'google.oauth.authorize' } };
  for (const path of [GOOGLE_OAUTH_PATHS.authorize, '/o/oauth2/auth']) {
    app.get(path, authorize, async (request, reply) => {
      const q = formFields(request.query);
      let req;
      try {
        req = oauth.parseAuthRequest(q);
      } catch (e) {
        if (e instanceof AuthPageError) return html(reply, authErrorStatus(e.error), renderAuthErrorPage(e.error, e.description));
        throw e;
      }
      const hinted = oauth.findAccount(req.loginHint);
      if (req.prompt.includes('none')) {
        // No browser session exists in the emulator: prompt=none works only for a hinted account that already granted everything.
        if (!hinted) return reply.redirect(oauth.deny(req, 'login_required'), 302);
        if (oauth.consentScreenNeeded(req, hinted.id)) return reply.redirect(oauth.deny(req, 'consent_required'), 302);
        return reply.redirect(oauth.approve(req, hinted.id), 302);
      }
      if (ctx.state.settings.autoConsent && hinted) return reply.redirect(oauth.approve(req, hinted.id), 302);
      const client = ctx.state.clients[req.clientId];
      if (!client) return html(reply, 401, renderAuthErrorPage('invalid_client', 'The OAuth client was not found.'));
      const accounts = Object.values(ctx.state.accounts).sort((a, b) => a.createdAt - b.createdAt);
      const txn = oauth.startTransaction(req);
      return html(reply, 200, renderConsentPage({ txn, request: req, client, accounts, selectedAccountId: hinted?.id ?? null }));
    });
  }

  app.post(CONSENT_FORM_ACTION, { config: { routeId: 'google.oauth.consent' } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string | string[]>;
    const f = formFields(body);
    const req = f.txn ? oauth.takeTransaction(f.txn) : undefined;
    if (!req) return html(reply, 400, renderAuthErrorPage('invalid_request', 'This sign-in request has expired or was already used. Start again from the app.'));
    if (f.decision !== 'accept') return reply.redirect(oauth.deny(req), 302);
    const account = f.account ? ctx.state.accounts[f.account] : undefined;
    if (!account) return html(reply, 400, renderAuthErrorPage('invalid_request', 'Choose an account.'));
    const scopeField = body.scope;
    const granted = f.granular ? (Array.isArray(scopeField) ? scopeField : scopeField ? [scopeField] : []) : undefined;
    return reply.redirect(oauth.approve(req, account.id, granted), 302);
  });

  const token = { config: { routeId: 'google.oauth.token' } };
  for (const path of [GOOGLE_OAUTH_PATHS.token, '/oauth2/v4/token']) {
    app.post(path, token, async (request, reply) => {
      const result = await oauth.token(formFields(request.body), header(request, 'authorization'));
      return reply.header('cache-control', 'no-cache, no-store, max-age=0, must-revalidate').header('pragma', 'no-cache').send(result);
    });
  }

  const revoke = { config: { routeId: 'google.oauth.revoke' } };
  for (const path of [GOOGLE_OAUTH_PATHS.revoke, '/o/oauth2/revoke']) {
    const handler = async (request: FastifyRequest) => {
      oauth.revoke(formFields(request.query).token ?? formFields(request.body).token);
      return {};
    };
    app.post(path, revoke, handler);
    app.get(path, revoke, handler);
  }

  const tokenInfo = { config: { routeId: 'google.oauth.tokeninfo' } };
  for (const path of [GOOGLE_OAUTH_PATHS.tokenInfo, '/oauth2/v3/tokeninfo']) {
    const handler = async (request: FastifyRequest) => {
      const f = { ...formFields(request.body), ...formFields(request.query) };
      return oauth.tokenInfo({ accessToken: f.access_token ?? bearerToken(request) ?? undefined, idToken: f.id_token });
    };
    app.get(path, tokenInfo, handler);
    app.post(path, tokenInfo, handler);
  }

  const userInfo = { config: { routeId: 'google.oauth.userinfo' } };
  for (const path of [GOOGLE_OAUTH_PATHS.userInfo, '/v1/userinfo', '/oauth2/v2/userinfo']) {
    app.get(path, userInfo, async (request) => oauth.userInfo(bearerToken(request) ?? formFields(request.query).access_token));
  }

  app.get(GOOGLE_OAUTH_PATHS.pemCerts, { config: { routeId: 'google.oauth.certs' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600, must-revalidate, no-transform').send(pemCertificates(ctx.state.signingKey)),
  );
  app.get(GOOGLE_OAUTH_PATHS.jwkCerts, { config: { routeId: 'google.oauth.certs' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=3600, must-revalidate, no-transform').send(jwkSet(ctx.state.signingKey)),
  );

  app.get('/.well-known/openid-configuration', { config: { routeId: 'google.oauth.discovery' } }, async () => ({
    issuer: 'https://accounts.google.com',
    authorization_endpoint: `${ctx.origin}${GOOGLE_OAUTH_PATHS.authorize}`,
    token_endpoint: `${ctx.origin}${GOOGLE_OAUTH_PATHS.token}`,
    userinfo_endpoint: `${ctx.origin}${GOOGLE_OAUTH_PATHS.userInfo}`,
    revocation_endpoint: `${ctx.origin}${GOOGLE_OAUTH_PATHS.revoke}`,
    jwks_uri: `${ctx.origin}${GOOGLE_OAUTH_PATHS.jwkCerts}`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['plain', 'S256'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
  }));
}
