import { escapeHtml as esc } from '../core/html.js';

/**
 * The sign-in / consent page of the emulated authorize endpoint, for people and for tests that
 * drive it "as a browser would". Contract (the OAuth-flow tests rely on it):
 *
 * - `GET /{tenant}/oauth2/v2.0/authorize?...` answers 200 text/html containing
 *   `<form id="consent" method="post" action="/{tenant}/oauth2/v2.0/authorize/consent">` with the
 *   whole authorize request in one hidden input `name="request"` (opaque; post it back unchanged),
 *   a `<select name="account">` whose option values are account ids (the `login_hint` account,
 *   matched by id or email, is `selected`), and two submit buttons
 *   `<button name="decision" value="accept">` and `<button name="decision" value="deny">`.
 * - POSTing the form (`application/x-www-form-urlencoded`: request, account, decision) answers
 *   302 to the redirect URI with `code` and `state` (accept), or with `error=access_denied` and
 *   an AADSTS65004 `error_description` (deny); an account the tenant segment refuses gets the
 *   real AADSTS error (500200 personal account on /organizations, 50020 work account on
 *   /consumers or a foreign tenant). `response_mode=form_post` answers an auto-submitting form
 *   instead of the 302, `fragment` puts the parameters after `#`.
 * - With the `autoConsent` setting on, the GET skips the page and redirects at once (for the
 *   `login_hint` account, or the first account the tenant accepts).
 * - Problems that make the redirect URI untrustworthy (unknown client, unregistered redirect URI,
 *   unknown tenant) render an error page with status 400 and never redirect.
 */

export interface ConsentPageAccount {
  id: string;
  email: string;
  displayName: string;
  kind: 'work' | 'personal';
}

const STYLE = `body{font-family:system-ui,Segoe UI,sans-serif;background:#f2f2f2;margin:0}main{max-width:440px;margin:60px auto;background:#fff;padding:32px 40px;box-shadow:0 2px 6px rgba(0,0,0,.2)}h1{font-size:1.4em;font-weight:600}select,button{font-size:1em;padding:6px 10px;margin:4px 0}button[value=accept]{background:#0067b8;color:#fff;border:0}ul{padding-left:1.2em}.muted{color:#666;font-size:.9em}`;

export function renderConsentPage(input: {
  tenant: string;
  clientName: string;
  scopes: string[];
  accounts: ConsentPageAccount[];
  selectedAccountId: string | null;
  requestBlob: string;
}): string {
  const options = input.accounts
    .map((a) => `<option value="${esc(a.id)}"${a.id === input.selectedAccountId ? ' selected' : ''}>${esc(a.displayName)} &lt;${esc(a.email)}&gt; (${a.kind === 'personal' ? 'personal account' : 'work or school'})</option>`)
    .join('');
  const scopes = input.scopes.map((s) => `<li>${esc(s)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account (emulator)</title><style>${STYLE}</style></head>
<body><main>
<h1>Sign in and consent</h1>
<p><strong>${esc(input.clientName)}</strong> wants to:</p>
<ul>${scopes}</ul>
<form id="consent" method="post" action="/${esc(input.tenant)}/oauth2/v2.0/authorize/consent">
<input type="hidden" name="request" value="${esc(input.requestBlob)}">
<label for="account">Account</label><br>
<select id="account" name="account">${options}</select><br>
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>
<p class="muted">Microsoft identity platform emulator — local sandbox, no real sign-in.</p>
</main></body></html>`;
}

export function renderErrorPage(code: number, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in error (emulator)</title><style>${STYLE}</style></head>
<body><main><h1>Sorry, but we're having trouble signing you in.</h1>
<p id="error" data-code="AADSTS${code}">AADSTS${code}: ${esc(message)}</p></main></body></html>`;
}

/** `response_mode=form_post`: an auto-submitting form to the redirect URI. */
export function renderFormPost(redirectUri: string, params: Record<string, string>): string {
  const inputs = Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Working...</title></head>
<body onload="document.forms[0].submit()"><form method="POST" name="hiddenform" action="${esc(redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript></form></body></html>`;
}
