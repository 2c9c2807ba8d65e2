import type { FastifyReply } from 'fastify';
import { providerKindOf } from '../domain/model.js';
import { providerDisplayName } from '../domain/sync-issue.js';
import type { CallbackOutcome, LinkFlowService } from '../linking/link-flow.service.js';
import type { RouteRegistrar } from './http-server.js';
import { renderOAuthResultPage } from './oauth-result.page.js';

export const OAUTH_CALLBACK_ROUTE = '/oauth/callback/:provider';

type Query = Record<string, string | string[] | undefined>;

/** The first value of a query parameter (a repeated parameter does not smuggle in a second one). */
const param = (query: Query, name: string): string | undefined => {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * `GET /oauth/callback/:provider`: where Microsoft and Google send the user back after consent.
 * No API key: the single-use `state` is the credential. The outcome is a 303 to the `returnTo` the
 * link was started with (`?linked=<MICROSOFT|GOOGLE>&connectionId=…`, or
 * `?error=<code>&message=…&tip=…`), or a small page when there is none. Never a stack, a token, or
 * the code in a page, a redirect or a log line: the route's request logging is off (the URL holds
 * the code and the state) and the flow logs its own ids.
 */
export function oauthRoutes(deps: { linkFlow: Pick<LinkFlowService, 'complete'> }): RouteRegistrar {
  return (app) => {
    app.get<{ Params: { provider: string }; Querystring: Query }>(OAUTH_CALLBACK_ROUTE, { logLevel: 'warn' }, async (request, reply) => {
      const query = request.query ?? {};
      const outcome = await deps.linkFlow.complete(request.params.provider, {
        state: param(query, 'state'),
        code: param(query, 'code'),
        error: param(query, 'error'),
        errorDescription: param(query, 'error_description'),
      });
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      if (outcome.returnTo) return reply.redirect(returnUrl(outcome.returnTo, outcome), 303);
      return sendPage(reply, outcome);
    });
  };
}

function returnUrl(returnTo: string, outcome: CallbackOutcome): string {
  const url = new URL(returnTo);
  if (outcome.ok) {
    url.searchParams.set('linked', providerKindOf(outcome.provider));
    url.searchParams.set('connectionId', outcome.connectionId);
  } else {
    url.searchParams.set('error', outcome.failure.code);
    url.searchParams.set('message', outcome.failure.message);
    if (outcome.failure.tip) url.searchParams.set('tip', outcome.failure.tip);
    if (outcome.provider) url.searchParams.set('provider', providerKindOf(outcome.provider));
  }
  return url.toString();
}

function sendPage(reply: FastifyReply, outcome: CallbackOutcome) {
  const html = outcome.ok
    ? renderOAuthResultPage({
        outcome: 'linked',
        title: 'Linked — you can close this window',
        message: `${providerDisplayName(outcome.provider)}${outcome.accountEmail ? ` (${outcome.accountEmail})` : ''} is ${outcome.relinked ? 'relinked' : 'linked'}. Your appointments start syncing shortly.`,
        tip: null,
        code: null,
      })
    : renderOAuthResultPage({ outcome: 'failed', title: outcome.failure.title, message: outcome.failure.message, tip: outcome.failure.tip, code: outcome.failure.code });
  return reply
    .status(outcome.ok ? 200 : outcome.failure.httpStatus)
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .header('x-frame-options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(html);
}
