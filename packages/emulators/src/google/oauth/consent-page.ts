import { escapeHtml as esc } from '../../core/html.js';
import type { AccountRecord, OAuthClientRecord } from '../google-state.js';
import type { AuthRequest } from './google-oauth.service.js';

/**
 * The sign-in / consent page of the Google emulator's auth endpoint.
 *
 * Contract (shared by both emulators; browser-driving tests of the hub rely on it):
 * - `GET /o/oauth2/v2/auth?...` answers 200 HTML containing
 *   `<form id="consent" method="post" action="/o/oauth2/v2/auth/consent">` with
 *   - `<input type="hidden" name="txn" value="…">`: a server-side transaction holding the request
 *     (single use, kept in memory for an hour);
 *   - `<select name="account">`: one `<option value="<account id>">` per account; the account named
 *     by `login_hint` (id or email) is `selected`, else the first;
 *   - only when the request has `enable_granular_consent=true`: `<input type="hidden" name="granular"
 *     value="1">` and one `<input type="checkbox" name="scope" value="<scope>" checked>` per
 *     non-sign-in scope (a browser submits the ticked ones; unticked scopes are not granted);
 *   - `<button type="submit" name="decision" value="accept">` and `… value="deny">`.
 * - POSTing the form (`application/x-www-form-urlencoded`) answers 302 to the redirect URI with
 *   `state`, `code` and `scope` (granted scopes, space separated), or with `error=access_denied`
 *   (and `state`) on deny. An unknown or used `txn` answers 400 HTML.
 * - With the `autoConsent` setting on, a request whose `login_hint` names an existing account skips
 *   the page: the GET answers 302 at once, exactly as if "accept" had been posted.
 * - Problems Google shows on its own error page (unknown client, redirect URI not registered, bad
 *   scope) answer HTML `Error 400: <error>` (401 for `invalid_client`) and never redirect.
 */

export const CONSENT_FORM_ACTION = '/o/oauth2/v2/auth/consent';

const SCOPE_LABELS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  'https://www.googleapis.com/auth/userinfo.email': 'See your primary Google Account email address',
  'https://www.googleapis.com/auth/userinfo.profile': 'See your personal info, including any personal info you\u2019ve made publicly available',
  'https://www.googleapis.com/auth/calendar': 'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
  'https://www.googleapis.com/auth/calendar.readonly': 'See and download any calendar you can access using your Google Calendar',
  'https://www.googleapis.com/auth/calendar.events': 'View and edit events on all your calendars',
  'https://www.googleapis.com/auth/calendar.events.readonly': 'View events on all your calendars',
  'https://www.googleapis.com/auth/calendar.calendarlist.readonly': 'See the list of Google calendars you\u2019re subscribed to',
};

const SIGN_IN = ['openid', 'https://www.googleapis.com/auth/userinfo.email', 'https://www.googleapis.com/auth/userinfo.profile'];

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#202124}
h1{font-weight:400}select,button{font-size:1rem;padding:.4rem .8rem;margin:.3rem 0}ul{padding-left:1.2rem}
.note{color:#5f6368;font-size:.9rem}</style></head><body>${body}</body></html>`;
}

export function renderConsentPage(input: { txn: string; request: AuthRequest; client: OAuthClientRecord; accounts: AccountRecord[]; selectedAccountId: string | null }): string {
  const { txn, request, client, accounts, selectedAccountId } = input;
  const selected = selectedAccountId ?? accounts[0]?.id ?? null;
  const options = accounts
    .map((a) => `<option value="${esc(a.id)}"${a.id === selected ? ' selected' : ''}>${esc(a.displayName)} &lt;${esc(a.email)}&gt;</option>`)
    .join('');
  const scopeItems = request.scopes
    .map((s) => {
      const label = esc(SCOPE_LABELS[s] ?? s);
      if (!request.granularConsent || SIGN_IN.includes(s)) return `<li>${label}</li>`;
      return `<li><label><input type="checkbox" name="scope" value="${esc(s)}" checked> ${label}</label></li>`;
    })
    .join('');
  return page(
    'Sign in - Google Accounts (emulator)',
    `<h1>Sign in with Google</h1>
<p>Choose an account to continue to <strong>${esc(client.name)}</strong>.</p>
<form id="consent" method="post" action="${CONSENT_FORM_ACTION}">
<input type="hidden" name="txn" value="${esc(txn)}">
${request.granularConsent ? '<input type="hidden" name="granular" value="1">' : ''}
<p><label>Account <select name="account">${options}</select></label></p>
<p>${esc(client.name)} wants to access your Google Account:</p>
<ul>${scopeItems}</ul>
<p><button type="submit" name="decision" value="accept">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button></p>
</form>
${accounts.length === 0 ? '<p class="note">There are no accounts in this emulator; create one through the control API.</p>' : ''}
<p class="note">Google Calendar emulator \u2014 no real Google account is involved.</p>`,
  );
}

/** Status of Google's error page for an authorization error: 401 for an unknown client, else 400. */
export function authErrorStatus(error: string): number {
  return error === 'invalid_client' ? 401 : 400;
}

export function renderAuthErrorPage(error: string, description: string): string {
  const status = authErrorStatus(error);
  return page(`Error ${status}: ${error}`, `<h1>Access blocked: authorization error</h1><p><strong>Error ${status}: ${esc(error)}</strong></p><p>${esc(description)}</p>`);
}
